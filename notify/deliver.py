"""Delivering the outbox: each channel gets what waits for it, through its kind."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from base.redact import redact
from connectors.http import ConnectorError
from notify.channel import ChannelResult, Delivery
from notify.config import NotifySpec

log = logging.getLogger("csops.notify")


@dataclass
class DeliveryReport:
    channels: list[ChannelResult] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(c.error for c in self.channels)

    def summary(self) -> list[dict[str, Any]]:
        return [c.summary() for c in self.channels]


def deliver(spec: NotifySpec, out: Delivery) -> DeliveryReport:
    """Deliver what waits, channel by channel in the order they are declared; a channel that fails keeps its
    notices pending (and its error) and the others are still delivered."""
    report = DeliveryReport()
    for channel in spec.channels.values():
        notices = out.outbox.pending(channel.name)
        if not notices:
            continue
        result = channel.new_result()
        report.channels.append(result)
        try:
            channel.deliver(notices, out, result)
        except ConnectorError as exc:
            result.error = redact(str(exc))
            out.outbox.failed(notices, result.error)
            log.warning("notify %s: %s", channel.name, result.error)
        result.pending = len(out.outbox.pending(channel.name))
    return report
