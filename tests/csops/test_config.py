"""csops.yaml: discovery, ${VAR}, unknown keys with suggestions, wrong types with file:line — exit 78."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from csops.cli import cli
from csops.config import ConfigError, load_config


def write(tmp_path: Path, text: str, name: str = "csops.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def run(tmp_path: Path, *args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        return CliRunner().invoke(cli, list(args), env=env or {}, catch_exceptions=False)
    finally:
        os.chdir(old)


def test_missing_env_var_names_it_with_file_and_line(tmp_path: Path) -> None:
    cfg = write(tmp_path, "zendesk:\n  subdomain: acme\n  email: a@b.jp\n  api_token: ${ZD_TOKEN_FOR_TEST}\n")
    result = run(tmp_path, "--config", str(cfg), "pull", "zendesk", env={"ZD_TOKEN_FOR_TEST": None})  # type: ignore[dict-item]
    assert result.exit_code == 78
    assert f"{cfg}:4:" in result.stderr
    assert "${ZD_TOKEN_FOR_TEST} is not set" in result.stderr
    assert "zendesk.api_token" in result.stderr


def test_env_default_and_substitution(tmp_path: Path) -> None:
    cfg = write(tmp_path, "zendesk:\n  subdomain: ${ZD_SUB:-acme}\n  email: ops@example.com\n  api_token: ${ZD_T}\n")
    config = load_config(str(cfg), env={"ZD_T": "s3cret-value"})
    assert config.zendesk.subdomain == "acme"
    assert config.zendesk.api_token == "s3cret-value"


def test_unknown_key_gets_suggestion(tmp_path: Path) -> None:
    cfg = write(tmp_path, "zendesk:\n  subdomian: acme\nsalesforce:\n  instance_url: https://x.my.salesforce.com\n")
    result = run(tmp_path, "--config", str(cfg), "doctor")
    assert result.exit_code == 78
    assert f"{cfg}:2:3: unknown key 'zendesk.subdomian' in 'zendesk' (did you mean 'subdomain'?)" in result.stdout


def test_unknown_top_level_section(tmp_path: Path) -> None:
    cfg = write(tmp_path, "zendsk:\n  subdomain: acme\n")
    with pytest.raises(ConfigError) as info:
        load_config(str(cfg), env={})
    assert "(did you mean 'zendesk'?)" in str(info.value)
    assert ":1:1:" in str(info.value)


def test_wrong_type_names_key_path_and_line(tmp_path: Path) -> None:
    cfg = write(tmp_path, "# comment\nsalesforce:\n  fields: [Name]\n  bulk_threshold: many\n  lookback_seconds: [1]\n")
    result = run(tmp_path, "--config", str(cfg), "pull", "salesforce")
    assert result.exit_code == 78
    assert f"{cfg}:4:3: salesforce.bulk_threshold: expected an integer, got 'many' (string)" in result.stderr
    # every problem is listed, not only the first
    assert f"{cfg}:5:3: salesforce.lookback_seconds: expected an integer, got list" in result.stderr


def test_invalid_yaml_is_located(tmp_path: Path) -> None:
    cfg = write(tmp_path, "zendesk:\n  subdomain: [unclosed\n")
    result = run(tmp_path, "--config", str(cfg), "doctor")
    assert result.exit_code == 78
    assert f"{cfg}:3:" in result.stdout or f"{cfg}:2:" in result.stdout


def test_discovery_order(tmp_path: Path) -> None:
    a = write(tmp_path, "zendesk: {subdomain: from-flag}\n", "a.yaml")
    b = write(tmp_path, "zendesk: {subdomain: from-env}\n", "b.yaml")
    write(tmp_path, "zendesk: {subdomain: from-cwd}\n")
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert load_config(str(a), env={"CSOPS_CONFIG": str(b)}).zendesk.subdomain == "from-flag"
        assert load_config(None, env={"CSOPS_CONFIG": str(b)}).zendesk.subdomain == "from-env"
        assert load_config(None, env={}).zendesk.subdomain == "from-cwd"
    finally:
        os.chdir(old)


def test_no_config_anywhere_is_explained(tmp_path: Path) -> None:
    result = run(tmp_path, "pull", "zendesk", env={"CSOPS_CONFIG": None})  # type: ignore[dict-item]
    assert result.exit_code == 78
    assert "no configuration found" in result.stderr
    assert "csops.example.yaml" in result.stderr


def test_example_config_documents_every_key_and_loads() -> None:
    root = Path(__file__).resolve().parents[2]
    example = root / "csops.example.yaml"
    env = {k: "x" for k in ("ZENDESK_CLIENT_SECRET", "SALESFORCE_PASSWORD", "SALESFORCE_SECURITY_TOKEN",
                            "SALESFORCE_CONSUMER_SECRET")}
    config = load_config(str(example), env=env)
    assert config.zendesk.auth_mode() == "client_credentials"
    text = example.read_text(encoding="utf-8")
    import dataclasses

    for section in ("zendesk", "salesforce", "store", "rules", "kb", "sync", "report"):
        for f in dataclasses.fields(getattr(config, section)):
            assert f"{f.name}:" in text, f"csops.example.yaml does not document {section}.{f.name}"
    for f in dataclasses.fields(config.report.nps):
        assert f"{f.name}:" in text, f"csops.example.yaml does not document report.nps.{f.name}"


def test_relative_paths_resolve_against_the_config_folder(tmp_path: Path) -> None:
    sub = tmp_path / "etc"
    sub.mkdir()
    cfg = write(sub, "rules:\n  files: [my-rules.yaml]\n")
    config = load_config(str(cfg), env={})
    assert config.resolve(config.rules.files[0]) == sub.resolve() / "my-rules.yaml"
