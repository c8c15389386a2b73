"""The kinds of channel a rule file can name, by their ``type``: one line per kind."""

from __future__ import annotations

from notify.channel import Channel
from notify.salesforce_task import TaskChannel
from notify.slack import SlackChannel

KINDS: dict[str, type[Channel]] = {
    SlackChannel.type: SlackChannel,
    TaskChannel.type: TaskChannel,
}
