"""Just enough SOQL for the sandbox: SELECT fields FROM obj [WHERE …] [ORDER BY …] [LIMIT n]."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from base.errors import Failure


class SoqlError(Failure):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


_TOKEN = re.compile(r"""
    \s*(?:
      (?P<str>'(?:[^'\\]|\\.)*')
    | (?P<dt>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))
    | (?P<date>\d{4}-\d{2}-\d{2})
    | (?P<num>-?\d+(?:\.\d+)?)
    | (?P<op><=|>=|!=|<>|=|<|>|\(|\)|,)
    | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
    )""", re.VERBOSE)


@dataclass
class Query:
    fields: list[str]
    sobject: str
    where: Callable[[dict[str, Any]], bool] | None = None
    order: list[tuple[str, bool]] = field(default_factory=list)
    limit: int | None = None
    where_fields: set[str] = field(default_factory=set)


def tokenize(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{text[pos:pos + 20]}'")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


_DATETIME = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d+)?([+-]\d{2}):?(\d{2})$")


def _norm_dt(value: str) -> str:
    """Canonical sortable UTC text for a datetime literal or stored value (an impossible date raises ValueError).

    Run on every row a datetime condition reads (SystemModstamp on each incremental pull), so without strptime:
    with fromisoformat, and for a UTC value (Salesforce's own) the text as it is once the date is checked."""
    m = _DATETIME.match(value.replace("Z", "+0000"))
    if not m:
        return value
    if m[2] in ("+00", "-00") and m[3] == "00" and not m[1].startswith("0"):
        datetime.fromisoformat(m[1])
        return m[1]
    return datetime.fromisoformat(f"{m[1]}{m[2]}:{m[3]}").astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


class Parser:
    def __init__(self, text: str, known: Callable[[str], str | None]) -> None:
        self.toks = tokenize(text)
        self.i = 0
        self.known = known
        self.where_fields: set[str] = set()

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise SoqlError("MALFORMED_QUERY", "unexpected end of query")
        self.i += 1
        return tok

    def kw(self, word: str) -> bool:
        tok = self.peek()
        if tok and tok[0] == "word" and tok[1].upper() == word:
            self.i += 1
            return True
        return False

    def expect_kw(self, word: str) -> None:
        if not self.kw(word):
            tok = self.peek()
            raise SoqlError("MALFORMED_QUERY", f"expecting '{word}', found '{tok[1] if tok else 'end'}'")

    def field(self) -> str:
        kind, value = self.take()
        if kind != "word":
            raise SoqlError("MALFORMED_QUERY", f"expecting a field name, found '{value}'")
        name = self.known(value)
        if name is None:
            raise SoqlError("INVALID_FIELD", f"No such column '{value}' on entity 'Account'. If you are "
                            "attempting to use a custom field, be sure to append the '__c' after the custom "
                            "field name.")
        return name

    def parse(self) -> Query:
        self.expect_kw("SELECT")
        fields = [self.field()]
        while self.peek() == ("op", ","):
            self.take()
            fields.append(self.field())
        self.expect_kw("FROM")
        sobject = self.take()[1]
        q = Query(fields, sobject)
        if self.kw("WHERE"):
            q.where = self.disjunction()
        if self.kw("ORDER"):
            self.expect_kw("BY")
            while True:
                name = self.field()
                desc = self.kw("DESC")
                if not desc:
                    self.kw("ASC")
                q.order.append((name, desc))
                if self.peek() != ("op", ","):
                    break
                self.take()
        if self.kw("LIMIT"):
            kind, value = self.take()
            if kind != "num":
                raise SoqlError("MALFORMED_QUERY", "LIMIT needs a number")
            q.limit = int(value)
        if self.peek() is not None:
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{self.peek()[1]}'")  # type: ignore[index]
        q.where_fields = self.where_fields
        return q

    def disjunction(self) -> Callable[[dict[str, Any]], bool]:
        parts = [self.conjunction()]
        while self.kw("OR"):
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else (lambda r: any(p(r) for p in parts))

    def conjunction(self) -> Callable[[dict[str, Any]], bool]:
        parts = [self.unary()]
        while self.kw("AND"):
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else (lambda r: all(p(r) for p in parts))

    def unary(self) -> Callable[[dict[str, Any]], bool]:
        if self.kw("NOT"):
            inner = self.unary()
            return lambda r: not inner(r)
        if self.peek() == ("op", "("):
            self.take()
            inner = self.disjunction()
            if self.take() != ("op", ")"):
                raise SoqlError("MALFORMED_QUERY", "expecting ')'")
            return inner
        return self.comparison()

    def literal(self) -> Any:
        kind, value = self.take()
        if kind == "str":
            return value[1:-1].replace("\\'", "'").replace("\\\\", "\\")
        if kind == "num":
            return float(value)
        if kind == "dt":
            return ("dt", _norm_dt(value))
        if kind == "date":
            return value
        if kind == "word" and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if kind == "word" and value.lower() == "null":
            return None
        raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{value}'")

    def comparison(self) -> Callable[[dict[str, Any]], bool]:
        name = self.field()
        self.where_fields.add(name)
        if self.kw("IN"):
            return self._in_list(name)
        if self.kw("LIKE"):
            pattern = self.literal()
            rx = re.compile("^" + re.escape(str(pattern)).replace("%", ".*").replace("_", ".") + "$",
                            re.IGNORECASE)
            return lambda r: r.get(name) is not None and bool(rx.match(str(r.get(name))))
        return self._compare(name)

    def _in_list(self, name: str) -> Callable[[dict[str, Any]], bool]:
        if self.take() != ("op", "("):
            raise SoqlError("MALFORMED_QUERY", "expecting '('")
        values = [self.literal()]
        while self.peek() == ("op", ","):
            self.take()
            values.append(self.literal())
        if self.take() != ("op", ")"):
            raise SoqlError("MALFORMED_QUERY", "expecting ')'")
        return lambda r: r.get(name) in values

    def _compare(self, name: str) -> Callable[[dict[str, Any]], bool]:
        kind, op = self.take()
        if kind != "op" or op in ("(", ")", ","):
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{op}'")
        lit = self.literal()
        is_dt = isinstance(lit, tuple)
        value = lit[1] if is_dt else lit

        def cmp(r: dict[str, Any]) -> bool:
            v = r.get(name)
            v = _norm_dt(v) if is_dt and isinstance(v, str) else v
            if op == "=":
                return bool(v == value)
            if op in ("!=", "<>"):
                return bool(v != value)
            if v is None or value is None:
                return False
            try:
                return {"<": v < value, "<=": v <= value, ">": v > value, ">=": v >= value}[op]
            except TypeError:
                return False
        return cmp


def parse(text: str, known: Callable[[str], str | None]) -> Query:
    return Parser(text, known).parse()


def field_key(name: str) -> Callable[[dict[str, Any]], tuple[int, Any]]:
    return lambda row: sort_key(row.get(name))


def sort_key(value: Any) -> tuple[int, Any]:
    return (0, "") if value is None else (1, value)
