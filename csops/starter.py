"""Starter files: a csops.yaml for the local sandbox (``sandbox serve --write-config``, the demo)."""

from __future__ import annotations


def sandbox_config(url: str, zendesk_email: str, sf_username: str, store: str = "sqlite:///.csops/state.db",
                   rules: str | None = None) -> str:
    rules_line = f"\nrules:\n  files: [{rules}]\n" if rules else ""
    return f"""# csops.yaml for the local sandbox (written by csops).
zendesk:
  base_url: {url}
  email: {zendesk_email}
  api_token: ${{ZENDESK_API_TOKEN}}
  account_link: external_id
salesforce:
  instance_url: {url}
  login_url: {url}
  auth: password
  username: {sf_username}
  password: ${{SALESFORCE_PASSWORD}}
  security_token: ${{SALESFORCE_SECURITY_TOKEN}}
  fields: [Name]
store:
  url: {store}
kb:
  permission_group_id: 1524
sync:
  max_attempts: 8
  max_retry_wait_seconds: 60
{rules_line}"""
