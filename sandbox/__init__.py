"""A local emulator of the Zendesk and Salesforce APIs for the demo, tests and benchmarks.

It shares no code with ``connectors/`` on purpose: an emulator built from the
client's own helpers would agree with the client's bugs.
"""
