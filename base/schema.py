"""A small declarative kit for reading what people write in YAML (csops.yaml, rule files, kb.yaml).

In the spirit of MkDocs' ``config_options``: a part of a file is a :class:`Section` of named options, each option
a small class whose ``validate`` returns the value to keep or raises :class:`Invalid` saying what is wrong with it.
What csops adds: every problem is located (``file:line:col`` of the key at fault, through base.yamlsrc's
positions), an unknown key is answered with the closest known one, and every problem of a file is collected in one
pass (:class:`Reader`) instead of the first one raised.

Messages are templates filled with ``{path}`` (the dotted key path: ``alerts[0].severity``), ``{value}``,
``{label}`` (what the section is, as its :class:`Section` names it from the data: ``alert 'churn'``) and what the
option adds (``{choices}``, ``{suggestion}``…), so each file keeps its own wording.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from base.errors import InputError, SourceError
from base.suggest import suggest
from base.yamlsrc import Document, PathKey, dotted


class Invalid(InputError):
    """What an option says of a value it refuses; the reader locates it at the option's key (or ``below`` it)."""

    def __init__(self, message: str, below: PathKey = ()) -> None:
        super().__init__(message)
        self.message = message
        self.below = below


class _Failed:
    def __repr__(self) -> str:
        return "FAILED"


#: What :meth:`At.check` returns for a value that was refused (and reported).
FAILED: Any = _Failed()


class Reader:
    """One document being read: the problems found so far, each located."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.problems: list[SourceError] = []

    def at(self, path: PathKey = (), label: str = "") -> At:
        return At(self, tuple(path), label)

    def err(self, path: PathKey, message: str) -> None:
        self.problems.append(self.doc.error(path, message))


@dataclass(frozen=True)
class At:
    """A place in the document being read: where a value stands, and how its section is named in messages."""

    reader: Reader
    path: PathKey
    label: str = ""

    def __truediv__(self, key: str | int) -> At:
        return replace(self, path=(*self.path, key))

    def labelled(self, label: str) -> At:
        return replace(self, label=label)

    def err(self, message: str, below: PathKey = ()) -> None:
        self.reader.err((*self.path, *below), message)

    def check(self, option: Option, value: Any, fallback: Any = FAILED) -> Any:
        """``value`` as ``option`` keeps it, or ``fallback`` (:data:`FAILED`) after reporting why not."""
        if value is None and option.null:
            return None
        try:
            return option.validate(value, self)
        except Invalid as exc:
            self.err(exc.message, exc.below)
            return fallback

    def fields(self, value: Any) -> dict[str, Any]:
        return {"path": dotted(self.path), "value": value, "label": self.label}


@dataclass
class Option:
    """One key: its default when absent, whether it must be there, whether null stands for "not given" (``null``)
    and (in subclasses) what it accepts."""

    default: Any = None
    required: bool = False
    null: bool = False
    message: str | None = None

    #: The message of a refused value, unless ``message`` gives another.
    MESSAGE = "{path}: invalid value {value!r}"

    def validate(self, value: Any, at: At) -> Any:
        return value

    def invalid(self, value: Any, at: At, **more: Any) -> Invalid:
        return Invalid((self.message or self.MESSAGE).format(**at.fields(value), **more))


@dataclass
class Text(Option):
    """Text; a number or date YAML read is kept as its text. ``what`` names what is expected."""

    what: str = "text"
    MESSAGE = "{path}: expected {what}"

    def validate(self, value: Any, at: At) -> Any:
        if isinstance(value, str) and value.strip():
            return value
        if isinstance(value, bool | list | dict) or value is None:
            raise self.invalid(value, at, what=self.what)
        return str(value)


@dataclass
class Number(Option):
    """A number (``integer``: a whole one); ``minimum``, ``maximum`` and ``above`` bound it, ``range_message``
    says so."""

    integer: bool = False
    minimum: float | None = None
    maximum: float | None = None
    above: float | None = None
    range_message: str = "{path}: {value:g} is out of range"
    MESSAGE = "{path}: expected {what}, got {value!r}"

    def validate(self, value: Any, at: At) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float) or (self.integer and
                                                                              not isinstance(value, int)):
            raise self.invalid(value, at, what="a whole number" if self.integer else "a number")
        if ((self.minimum is not None and value < self.minimum) or (self.maximum is not None and value > self.maximum)
                or (self.above is not None and value <= self.above)):
            raise Invalid(self.range_message.format(**at.fields(value)))
        return int(value) if self.integer else float(value)


@dataclass
class Flag(Option):
    """true or false (YAML's own, not the text "yes" or "true")."""

    MESSAGE = "{path}: expected true or false, got {value!r}"

    def validate(self, value: Any, at: At) -> Any:
        if isinstance(value, bool):
            return value
        raise self.invalid(value, at)


@dataclass
class Pattern(Option):
    """Text matching ``regex`` in full (a name, an id, a field name)."""

    regex: re.Pattern[str] = re.compile(".*")

    def validate(self, value: Any, at: At) -> Any:
        if isinstance(value, str) and self.regex.fullmatch(value):
            return value
        raise self.invalid(value, at)


@dataclass
class Choice(Option):
    """One of ``choices``; a miss is answered with the closest."""

    choices: Iterable[str] = ()
    MESSAGE = "{path}: '{value}' is not one of {choices}{suggestion}"

    def validate(self, value: Any, at: At) -> Any:
        choices = list(self.choices)
        if value in choices:
            return value
        raise self.invalid(value, at, choices=", ".join(choices), suggestion=suggest(str(value), choices))


@dataclass
class ListOf(Option):
    """A list, each item validated by ``item`` (a refused item is reported and left out); a single value is a list
    of one unless ``single`` is false."""

    item: Option = field(default_factory=Option)
    single: bool = True
    MESSAGE = "{path}: expected a list"

    def validate(self, value: Any, at: At) -> Any:
        if value is None:  # the key written with nothing after it
            return []
        if self.single and not isinstance(value, list | dict):
            value = [value]
        if not isinstance(value, list):
            raise self.invalid(value, at)
        kept = [at_i.check(self.item, v) for at_i, v in ((at / i, v) for i, v in enumerate(value))]
        return [v for v in kept if v is not FAILED]


@dataclass
class Nested(Option):
    """A mapping read by its own section (nothing written: as an empty one)."""

    section: Section | None = None

    def validate(self, value: Any, at: At) -> Any:
        assert self.section is not None
        return self.section.read({} if value is None else value, at)


class Section:
    """A mapping's keys and their options. :meth:`read` reports a value that is no mapping, each unknown key (with
    the closest known one), each required key missing and each refused value; it returns the values kept, with
    the defaults of absent keys (a refused key is absent, so the caller can tell).

    ``name`` is how messages name the section (its dotted path when not given); ``label`` names it from its data
    for the options' messages (``alert 'churn'``). The wording is the rule files'; subclasses word it otherwise."""

    def __init__(self, options: Mapping[str | int, Option], name: str | None = None,
                 label: Callable[[dict[Any, Any]], str] | None = None) -> None:
        self.options = dict(options)
        self.name = name
        self.label = label

    def read(self, value: Any, at: At) -> dict[Any, Any]:
        if not isinstance(value, dict):
            at.err(self.not_a_mapping(value, at))
            return {}
        if self.label is not None:
            at = at.labelled(self.label(value))
        kept: dict[Any, Any] = {}
        for key, raw in value.items():
            option = self.options.get(key)
            if option is None:
                (at / key).err(self.unknown(key, at))
                continue
            if (checked := (at / key).check(option, raw)) is not FAILED:
                kept[key] = checked
        for key, option in self.options.items():
            if key in value:
                continue
            if option.required:
                at.err(self.missing(key, at))
            elif option.default is not None:
                kept[key] = copy.copy(option.default)
        return kept

    def where(self, at: At) -> str:
        return self.name or dotted(at.path)

    def not_a_mapping(self, value: Any, at: At) -> str:
        return f"{self.where(at) or 'the file'}: expected a mapping, got {type(value).__name__}"

    def unknown(self, key: Any, at: At) -> str:
        return f"unknown key '{key}' in {self.where(at) or 'the file'}{suggest(str(key), map(str, self.options))}"

    def missing(self, key: Any, at: At) -> str:
        return f"{self.where(at) or 'the file'}: '{key}' is required"


def keys(*names: str, required: Iterable[str] = ()) -> dict[str | int, Option]:
    """Options that take any value, for keys whose values are read further by hand (or left to another part)."""
    must = set(required)
    return {name: Option(required=name in must) for name in names}
