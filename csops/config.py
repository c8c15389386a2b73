"""``csops.yaml``: finding it, substituting ``${VAR}``, validating it.

The schema is the dataclasses below (and the connectors' and stores' settings): their fields are the known keys,
and each annotation becomes a base.schema option (:func:`option_for`). Unknown keys get a "did you mean"
suggestion and every message names the file, line and key path at fault; what the values mean is checked by
csops.config_checks, one function per section.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from base.errors import SourceError
from base.redact import register_secret
from base.schema import At, Invalid, ListOf, Option, Reader
from base.schema import Section as KitSection
from base.suggest import suggest
from base.yamlsrc import Document, dotted, load_file
from connectors.salesforce import SalesforceConfig
from connectors.zendesk import ZendeskConfig
from report.settings import ReportConfig
from sync.settings import StoreConfig, SyncConfig

ENV_VAR = "CSOPS_CONFIG"
DEFAULT_NAME = "csops.yaml"


class ConfigError(SourceError):
    """The configuration cannot be used (exit 78)."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None,
                 col: int | None = None, problems: list[SourceError] | None = None) -> None:
        self.problems = problems or []
        super().__init__(message, file, line, col)

    def __str__(self) -> str:
        if self.problems:
            return "\n".join(str(p) for p in self.problems)
        return super().__str__() if self.file else self.message


@dataclass
class RulesConfig:
    files: list[str] = field(default_factory=lambda: ["rules/onboarding.yaml"])


@dataclass
class KbConfig:
    root: str = "kb"
    permission_group_id: int | None = None
    user_segment_id: int | None = None
    brand_url: str | None = None


@dataclass
class Config:
    zendesk: ZendeskConfig = field(default_factory=ZendeskConfig)
    salesforce: SalesforceConfig = field(default_factory=SalesforceConfig)
    store: StoreConfig = field(default_factory=StoreConfig)
    rules: RulesConfig = field(default_factory=RulesConfig)
    kb: KbConfig = field(default_factory=KbConfig)
    sync: SyncConfig = field(default_factory=SyncConfig)
    report: ReportConfig = field(default_factory=ReportConfig)
    path: Path | None = field(default=None, metadata={"internal": True})
    missing_env: list[SourceError] = field(default_factory=list, metadata={"internal": True})

    def require_env(self, section: str) -> None:
        """Raise the first unset ${VAR} error inside ``section``."""
        for problem in self.missing_env:
            if f": {section}." in str(problem):
                raise ConfigError(problem.message, problem.file, problem.line, problem.col)

    def pulled_fields(self) -> list[str]:
        """The Account fields to pull besides the rules': salesforce.fields and the report's owner field."""
        return list(dict.fromkeys([*self.salesforce.fields, self.report.owner_field]))

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def resolve(self, relative: str) -> Path:
        """A path from the config, relative to the config file's folder."""
        p = Path(relative).expanduser()
        return p if p.is_absolute() else self.base_dir / p


def find_config(explicit: str | None, env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if explicit:
        return Path(explicit)
    if env.get(ENV_VAR):
        return Path(env[ENV_VAR])
    if Path(DEFAULT_NAME).exists():
        return Path(DEFAULT_NAME)
    raise ConfigError(
        f"no configuration found: pass --config PATH, set ${ENV_VAR}, or create ./{DEFAULT_NAME} "
        "(csops.example.yaml documents every key)"
    )


def load_config(explicit: str | None = None, env: Mapping[str, str] | None = None,
                strict_env: bool = True) -> Config:
    """Load and validate csops.yaml.

    With ``strict_env=False`` an unset ``${VAR}`` leaves its key null and is
    remembered in ``Config.missing_env``: commands that only read the store
    (status, alerts) then work without the API secrets in the environment,
    and building a client for that section raises the error.
    """
    env = os.environ if env is None else env
    path = find_config(explicit, env)
    if not path.exists():
        raise ConfigError(f"{path}: configuration file not found")
    missing: list[SourceError] | None = None if strict_env else []
    try:
        doc = load_file(path, env=env, missing=missing)
    except SourceError as exc:
        raise ConfigError(exc.message, exc.file, exc.line, exc.col) from None
    config = parse_config(doc, path, missing or [])
    config.missing_env = missing or []
    return config


def parse_config(doc: Document, path: Path | None = None, missing: list[SourceError] | None = None) -> Config:
    """The config, or one ConfigError with every problem (types, unknown keys, meanings) in file order."""
    from csops.config_checks import meaning_problems

    reader = Reader(doc)
    cfg = Settings(cls=Config).validate(doc.data, reader.at())
    assert isinstance(cfg, Config)
    unset = {m.group(1) for p in missing or [] if (m := re.match(r"([\w.]+): environment variable", p.message))}
    problems = reader.problems + meaning_problems(cfg, doc, unset)
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.col or 0))
        raise ConfigError(str(problems[0]), problems=problems)
    cfg.path = path.resolve() if path else None
    _register_secrets(cfg)
    _register_env_urls(cfg, doc)
    return cfg


def _register_env_urls(cfg: Config, doc: Document) -> None:
    """A service URL (or Zendesk subdomain) that came from ``${VAR}`` is masked wherever it would be shown, like
    every value from the environment: whole, and its host name alone (doctor names hosts that do not resolve)."""
    from csops.config_checks import CREDENTIAL_URLS

    for section, key in (*CREDENTIAL_URLS, ("zendesk", "subdomain")):
        value = getattr(getattr(cfg, section), key)
        if (section, key) in doc.from_env and isinstance(value, str):
            register_secret(value)
            register_secret(urlsplit(value).hostname)


def _register_secrets(obj: Any) -> None:
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if f.metadata.get("secret"):
            register_secret(value)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            _register_secrets(value)


# -- the schema: each section a dataclass, each key an option made from its annotation -------------------------

_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}


def _describe(value: Any) -> str:
    kind = {str: "string", int: "integer", float: "number", bool: "boolean", list: "list",
            dict: "mapping", type(None): "null"}.get(type(value), type(value).__name__)
    shown = repr(value) if not isinstance(value, (list, dict)) else kind
    return f"{shown} ({kind})" if shown != kind else kind


def _shown(at: At, value: Any) -> str:
    """How a bad value is named in a message: never the text of a ``${VAR}`` (it may be a secret)."""
    return "a value from the environment (not shown)" if at.path in at.reader.doc.from_env else _describe(value)


class _Keys(KitSection):
    """csops.yaml's wording: keys named by their dotted path (``unknown key 'zendesk.subdomian' in 'zendesk'``)."""

    def not_a_mapping(self, value: Any, at: At) -> str:
        return f"{dotted(at.path) or 'the file'}: expected a mapping of keys, got {_shown(at, value)}"

    def unknown(self, key: Any, at: At) -> str:
        where = f"in '{dotted(at.path)}'" if at.path else "at the top level"
        return f"unknown key '{dotted((*at.path, key))}' {where}{suggest(str(key), map(str, self.options))}"


@dataclass
class Settings(Option):
    """A section of csops.yaml: a dataclass whose fields are its keys and whose annotations their options."""

    cls: type = object

    def validate(self, value: Any, at: At) -> Any:
        return self.cls(**_section(self.cls).read({} if value is None else value, at))


@functools.cache
def _section(cls: type) -> _Keys:
    hints = typing.get_type_hints(cls)
    return _Keys({f.name: option_for(hints[f.name]) for f in dataclasses.fields(cls) if not f.metadata.get("internal")})


def option_for(tp: Any) -> Option:
    """The option for a key annotated ``tp``: ``X | None`` takes null, a dataclass is a section, ``list[X]`` a list
    (a single value too) of X, and str, int, float and bool a value of that kind."""
    origin = typing.get_origin(tp)
    if origin in (types.UnionType, typing.Union):
        option = option_for(next(a for a in typing.get_args(tp) if a is not type(None)))
        option.null = True
        return option
    if dataclasses.is_dataclass(tp):
        return Settings(cls=tp)  # type: ignore[arg-type]
    if origin is list:
        return _List(item=option_for(typing.get_args(tp)[0]))
    return _Scalar(kind=tp)


@dataclass
class _List(ListOf):
    def validate(self, value: Any, at: At) -> Any:
        if value is None or isinstance(value, dict | bool):
            raise Invalid(f"{dotted(at.path)}: expected a list, got {_shown(at, value)}")
        return super().validate(value, at)


@dataclass
class _Scalar(Option):
    """A string, an integer, a number or true/false; YAML's reading of an all-digit password or a date as a number
    or a date is undone for a string, and digits in a string are taken for a number."""

    kind: Any = str

    def validate(self, value: Any, at: At) -> Any:
        kept = _coerce(self.kind, value)
        if kept is _BAD:
            raise Invalid(f"{dotted(at.path)}: expected {_TYPE_NAMES.get(self.kind, self.kind)}, "
                          f"got {_shown(at, value)}")
        return kept


_BAD = object()


def _coerce(tp: Any, value: Any) -> Any:
    if tp is bool:
        return value if isinstance(value, bool) else _BAD
    if isinstance(value, bool):
        return _BAD
    if tp is int:
        if isinstance(value, int):
            return value
        if isinstance(value, str) and re.fullmatch(r"\s*-?[0-9]+\s*", value):
            return int(value)
        return _BAD
    if tp is float:
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str) and re.fullmatch(r"\s*-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*", value):
            return float(value)
        return _BAD
    if tp is str:
        return value if isinstance(value, str) else (str(value) if value is not None and
                                                     not isinstance(value, list | dict) else _BAD)
    return value
