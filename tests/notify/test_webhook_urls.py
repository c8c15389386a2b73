"""A malformed Slack webhook URL is a configuration error naming the variable, never a crash, and the URL is not
shown (issue 25, F13): `notify --test`, `sync` and `doctor` through the CLI."""

from __future__ import annotations

import pytest

from tests.conftest import Workspace
from tests.notify.test_delivery import nws  # noqa: F401  (fixture: a workspace with Slack channels on the sandbox)

MALFORMED = ["https://hooks.slack.com:port/services/T000/B000/s3cretWebhookToken",
             "https://[hooks.slack.com/services/T000/B000/s3cretWebhookToken",
             "http://127.0.0.1:99999/slack/services/T000/B000/s3cretWebhookToken",
             "https://hooks.slack.com/services/T000/B000/s3cretWebhookToken\nX-Injected: 1",
             "https://hooks.slack.com/services/T000/B000/s3cret Webhook Token",
             "hooks.slack.com/services/T000/B000/s3cretWebhookToken"]


@pytest.mark.parametrize("url", MALFORMED)
def test_a_malformed_webhook_url_is_a_config_error(nws: Workspace, url: str) -> None:  # noqa: F811
    env = {"SLACK_WEBHOOK_CS_ALERTS": url}
    result = nws.cli("notify", "--test", "cs-alerts", env=env)
    assert result.exit_code == 78, result.output
    assert "SLACK_WEBHOOK_CS_ALERTS" in result.stderr and "unexpected" not in result.output
    assert "s3cret" not in result.output
    doctor = nws.cli("doctor", env=env)
    assert "FAIL notify cs-alerts" in doctor.output and "s3cret" not in doctor.output and "unexpected" not in \
        doctor.output
