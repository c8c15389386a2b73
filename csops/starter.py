"""Starter files: ``csops init`` (a commented csops.yaml, rule files, .gitignore, optionally kb/) and the
csops.yaml for the local sandbox (``sandbox serve --write-config``, the demo)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from base.files import WouldOverwrite, make_folder, make_named_folder, write_file


def sandbox_env(options: Any) -> dict[str, str]:
    """The environment the csops.yaml from :func:`sandbox_config` reads its secrets from."""
    return {name: getattr(options, attr) for name, attr in SANDBOX_SECRETS.items()}


#: environment variable → the sandbox option holding that secret.
SANDBOX_SECRETS = {"ZENDESK_CLIENT_SECRET": "zendesk_client_secret", "ZENDESK_API_TOKEN": "zendesk_token",
                   "SALESFORCE_CONSUMER_SECRET": "sf_consumer_secret", "SALESFORCE_PASSWORD": "sf_password",
                   "SALESFORCE_SECURITY_TOKEN": "sf_security_token"}


#: The store of a config ``sandbox serve --write-config`` writes: the sandbox's accounts never mix with a real
#: store beside it (.csops/state.db).
SANDBOX_STORE = "sqlite:///.csops/sandbox.db"


def sandbox_config(url: str, zendesk_email: str, sf_username: str, store: str = "sqlite:///.csops/state.db",
                   rules: str | None = None, sf_consumer_key: str = "3MVG9sandboxConsumerKey",
                   zendesk_client_id: str = "csops_sandbox") -> str:
    """The sandbox's csops.yaml: Zendesk through OAuth client credentials (the API token login, retired by Zendesk
    on 2027-04-30, is shown commented out with ``zendesk_email``)."""
    rules_line = f"\nrules:\n  files: [{rules}]\n" if rules else ""
    return f"""# csops.yaml for the local sandbox (written by csops).
zendesk:
  base_url: {url}
  auth: client_credentials             # OAuth client credentials (Zendesk retires API tokens on 2027-04-30)
  client_id: {zendesk_client_id}
  client_secret: ${{ZENDESK_CLIENT_SECRET}}
  # auth: api_token                    # the sandbox also takes an API token until 2027-04-30:
  # email: {zendesk_email}
  # api_token: ${{ZENDESK_API_TOKEN}}
  account_link: external_id
salesforce:
  instance_url: {url}
  login_url: {url}
  auth: client_credentials             # OAuth 2.0 client credentials (SOAP login() retires in Summer '27)
  consumer_key: {sf_consumer_key}
  consumer_secret: ${{SALESFORCE_CONSUMER_SECRET}}
  username: {sf_username}
  fields: [Name]
store:
  url: {store}
kb:
  permission_group_id: 1524
sync:
  max_attempts: 8
  max_retry_wait_seconds: 60
{rules_line}"""


TEMPLATES = Path(__file__).resolve().parent / "templates"
GITIGNORE = """# csops: the state store, the run lock and sandbox credentials
.csops/
# kb: what kb build, kb preview and kb publish's render cache write
kb/_site/
kb/_preview/
kb/.cache/
"""


def packaged_rules() -> Path:
    """The shipped rule file (Japanese; it matches the sandbox's data)."""
    import rules

    return Path(rules.__file__).resolve().parent / "onboarding.yaml"


def sandbox_rules(folder: Path) -> list[str]:
    """The rule files a sandbox config in ``folder`` names: the project's own (``rules/onboarding.yaml`` and
    ``rules/notify.yaml``, relative) beside a project's rules, the shipped ones (absolute) anywhere else."""
    if (folder / "rules" / "onboarding.yaml").exists():
        return [f"rules/{name}" for name in ("onboarding.yaml", "notify.yaml") if (folder / "rules" / name).exists()]
    return [str(packaged_rules()), str(packaged_rules().with_name("notify.yaml"))]


def starter_files(lang: str, with_kb: bool) -> dict[str, str]:
    """Relative path → text of every file ``csops init`` writes."""
    rules_text = (packaged_rules() if lang == "ja" else TEMPLATES / "rules.en.yaml").read_text(encoding="utf-8")
    files = {"csops.yaml": (TEMPLATES / f"csops.{lang}.yaml").read_text(encoding="utf-8"),
             "rules/onboarding.yaml": rules_text,
             "rules/notify.yaml": packaged_rules().with_name("notify.yaml").read_text(encoding="utf-8"),
             ".gitignore": GITIGNORE}
    if with_kb:
        import kb

        files["kb/kb.yaml"] = (Path(kb.__file__).resolve().parent / "kb.yaml").read_text(encoding="utf-8")
        files["kb/articles/.gitkeep"] = ""
    return files


def init_project(folder: Path, lang: str, with_kb: bool) -> list[Path]:
    """Write the starter files into ``folder``; nothing is written when any of them exists already.

    An existing ``.gitignore`` is kept and gets the lines of ours it lacks appended.
    """
    files = starter_files(lang, with_kb)
    make_named_folder(folder)
    taken = [folder / rel for rel in files if rel != ".gitignore" and os.path.lexists(folder / rel)]
    taken += [p for p in _links_on_the_way(folder, files) if p not in taken]
    if taken:
        raise WouldOverwrite(", ".join(str(p) for p in taken),
                             "not overwriting what exists already (a symbolic link included, even one pointing "
                             "nowhere): move it away or pick another folder")
    written = []
    for rel, text in files.items():
        path = folder / rel
        make_folder(path.parent, folder)
        if rel == ".gitignore" and path.exists():
            old = path.read_text(encoding="utf-8")
            missing = [line for line in text.splitlines() if not line.startswith("#") and line not in old.split()]
            if not missing:
                continue
            write_file(path, old + ("" if old.endswith("\n") or not old else "\n") + "# csops\n"
                       + "".join(f"{line}\n" for line in missing), within=folder)
        else:
            write_file(path, text, overwrite=False, within=folder)
        written.append(path)
    return written


def _links_on_the_way(folder: Path, files: dict[str, str]) -> list[Path]:
    """Symbolic links where init would create a folder or write a file (``rules/`` or ``.gitignore`` as a link)."""
    found = []
    for rel in files:
        parts = Path(rel).parts
        found += [folder.joinpath(*parts[:i]) for i in range(1, len(parts) + 1)
                  if folder.joinpath(*parts[:i]).is_symlink()]
    return list(dict.fromkeys(found))
