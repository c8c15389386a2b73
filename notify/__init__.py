"""Alerts that reach people: channels, routes, the outbox and its delivery.

A sync only enqueues (:mod:`notify.enqueue`: the outbox rows are written in the
transaction that records the alert changes causing them); :mod:`notify.deliver`
hands each channel what waits for it. A channel kind is one module with one
:class:`notify.channel.Channel` subclass (how its options are read, how it
delivers, what ``csops doctor`` checks, whether it takes a test message) and one
line in :mod:`notify.kinds`. Each kind builds its payload in one pure function
(:func:`notify.slack.message`, :func:`notify.salesforce_task.task_record`).
"""
