"""base.schema, the option kit the three parsers (rule files, kb.yaml, csops.yaml) stand on: every problem of a
document in one pass, each at the line and column of the key at fault, an unknown key answered with the closest."""

from __future__ import annotations

from typing import Any

from base.schema import FAILED, Choice, ListOf, Nested, Number, Option, Reader, Section, Text
from base.yamlsrc import load_text

SECTION = Section({
    "name": Text(required=True),
    "size": Number(integer=True, minimum=1, range_message="{path}: {value} is too small"),
    "colour": Choice(choices=("red", "green"), default="green"),
    "tags": ListOf(item=Text()),
    "inner": Nested(section=Section({"depth": Number(null=True)})),
})


def read(text: str) -> tuple[dict[Any, Any], list[str]]:
    reader = Reader(load_text(text, "f.yaml"))
    kept = SECTION.read(reader.doc.data, reader.at())
    return kept, [str(p) for p in reader.problems]


def test_a_good_section_is_kept_with_defaults_filled() -> None:
    kept, problems = read("name: a\nsize: 3\ntags: solo\ninner: {depth: null}\n")
    assert problems == []
    assert kept == {"name": "a", "size": 3, "tags": ["solo"], "inner": {"depth": None}, "colour": "green"}


def test_every_problem_in_one_pass_each_where_it_is() -> None:
    kept, problems = read("size: 0\ncolor: red\ncolour: blue\ntags: [ok, [x]]\ninner: [1]\n")
    assert problems == [  # a key's problem at the key (its line is what people look for), an item's at the item
        "f.yaml:1:1: size: 0 is too small",
        "f.yaml:2:1: unknown key 'color' in the file (did you mean 'colour'?)",
        "f.yaml:3:1: colour: 'blue' is not one of red, green",
        "f.yaml:4:12: tags[1]: expected text",
        "f.yaml:5:1: inner: expected a mapping, got list",
        "f.yaml:1:1: the file: 'name' is required",
    ]
    assert kept == {"tags": ["ok"], "inner": {}}  # what was refused is absent; the default of a refused key too


def test_a_value_refused_is_failed_not_none() -> None:
    reader = Reader(load_text("x: 1\n", "f.yaml"))
    assert reader.at(("x",)).check(Text(), [1]) is FAILED
    assert reader.at(("x",)).check(Option(), None) is None
