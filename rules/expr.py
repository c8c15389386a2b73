"""Conditions: rule-engine expressions, type-checked when compiled, evaluated fast.

rule-engine parses and type-checks each condition against the declared facts
(so unknown names and type errors surface at check time, with suggestions) and
is never Python ``eval``.  Its tree-walking evaluator costs ~15 µs a condition,
too slow for 100k accounts × 20 conditions, so :func:`to_closure` turns the
checked tree into nested Python closures for the node kinds rules use, falling
back to rule-engine's own ``evaluate`` for any other node.  A property test
holds the two to the same answers.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import rule_engine
from rule_engine import ast, builtins, errors

from base.errors import InputError
from base.regex import UnsupportedPattern, user_regex
from base.suggest import suggest

Thing = Mapping[str, Any]
Fn = Callable[[Thing], Any]

TYPES: dict[str, Any] = {
    "date": rule_engine.DataType.DATETIME,
    "datetime": rule_engine.DataType.DATETIME,
    "number": rule_engine.DataType.FLOAT,
    "bool": rule_engine.DataType.BOOLEAN,
    "string": rule_engine.DataType.STRING,
}

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class ExprError(InputError):
    """A condition that does not compile; ``col`` is 1-based within the expression. ``more``: the condition's other
    problems found in the same pass (several unknown names, then a type error), reported with this one."""

    def __init__(self, message: str, col: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.col = col
        self.more: list[ExprError] = []

    def all(self) -> list[ExprError]:
        return [self, *self.more]


def _together(problems: list[ExprError]) -> ExprError:
    first = problems[0]
    first.more = problems[1:]
    return first


#: What a condition's closure raises when its value cannot be known (a null or a division by zero inside): the
#: condition is then null (Condition.__call__), so it does not hold.
UNKNOWN = (TypeError, ZeroDivisionError, AttributeError, decimal.InvalidOperation, errors.EvaluationError,
           OverflowError, ValueError)


@dataclass
class Condition:
    text: str
    rule: rule_engine.Rule
    fn: Fn
    symbols: frozenset[str]
    holds: Callable[[Thing], bool]
    """``self(thing) is True`` in as few calls as it can, never raising: what phases, ladders, tiers and alerts
    ask (:func:`to_holds`)."""

    def __call__(self, thing: Thing) -> Any:
        """The value, or None when it cannot be known (a null or a division by zero inside)."""
        try:
            return self.fn(thing)
        except UNKNOWN:
            return None

    def slow(self, thing: Thing) -> Any:
        """rule-engine's own evaluation (for tests and ``explain``)."""
        try:
            return _plain(self.rule.evaluate(thing))
        except (errors.EvaluationError, TypeError, ZeroDivisionError, decimal.InvalidOperation):
            return None


class Scope:
    """The names a condition may use, with their types, and the evaluation date."""

    def __init__(self, types: Mapping[str, str], today: dt.date, tz: dt.tzinfo) -> None:
        self.types = dict(types)
        resolver = rule_engine.type_resolver_from_dict({k: TYPES[v] for k, v in self.types.items()})
        self.context = rule_engine.Context(type_resolver=resolver, default_timezone=tz)
        midnight = dt.datetime(today.year, today.month, today.day, tzinfo=tz)
        self.context.builtins = builtins.Builtins.from_defaults(
            {"today": midnight, "now": midnight}, timezone=tz)
        self.builtin_values = {"today": midnight, "now": midnight}

    def compile(self, text: str, want: str | None = "bool", later: Mapping[str, str] | None = None) -> Condition:
        """Compile ``text``; ``want`` is the required result type; ``later`` names computed after this stage.
        Every unknown name is reported in one ExprError (``more``), not one a run."""
        if not isinstance(text, str) or not text.strip():
            raise ExprError("the condition is empty")
        _refuse_full_width(text)
        if len(text) > MAX_CONDITION_CHARS:
            raise ExprError(f"the condition is {len(text):,} characters long (at most {MAX_CONDITION_CHARS:,}): "
                            "split it into facts with expr")
        rule = self._parse(text, later or {})
        result = rule.statement.expression.result_type
        if want is not None and result != rule_engine.DataType.UNDEFINED and \
                not _compatible(result, TYPES[want]):
            raise ExprError(f"the condition gives {_type_name(result)}, but {want_name(want)} is needed")
        if _depth(rule.statement.expression) > MAX_DEPTH:
            raise ExprError(f"the condition is nested more than {MAX_DEPTH} levels deep: split it into facts "
                            "with expr")
        _linear_regexes(rule.statement.expression, text)
        symbols = frozenset(_symbols(rule.statement.expression))
        root = rule.statement.expression
        return Condition(text, rule, to_closure(root, self.builtin_values), symbols,
                         to_holds(root, self.builtin_values))

    def _parse(self, text: str, later: Mapping[str, str]) -> rule_engine.Rule:
        """rule-engine's parse; an unknown name is noted and parsed again as a name of unknown type, so the
        condition's next problem shows too (rule-engine stops at the first)."""
        unknown: list[ExprError] = []
        context = self.context
        while True:
            try:
                rule = rule_engine.Rule(text, context=context)
            except errors.SymbolResolutionError as exc:
                name = exc.symbol_name
                if name in self.placeholders(unknown) or len(unknown) >= MAX_UNKNOWN:
                    raise _together(unknown) from None
                unknown.append(self._unknown(name, text, later))
                context = self._context({**self.types, **dict.fromkeys(self.placeholders(unknown))})
                continue
            except (RecursionError, errors.EngineError) as exc:
                raise _together([*unknown, self._problem(exc, text)]) from None
            if unknown:
                raise _together(unknown)
            return rule

    @staticmethod
    def placeholders(unknown: list[ExprError]) -> list[str]:
        return [u.name for u in unknown if isinstance(u, _Unknown)]

    def _unknown(self, name: str, text: str, later: Mapping[str, str]) -> ExprError:
        if name in later:
            return _Unknown(name, f"'{name}' is not known yet here: {later[name]}", _find(text, name))
        return _Unknown(name, f"unknown fact '{name}'{suggest(name, self.types)}", _find(text, name))

    def _context(self, types: Mapping[str, str | None]) -> rule_engine.Context:
        """A context like this scope's; a name typed None resolves to rule-engine's UNDEFINED (any use type-checks)."""
        resolver = rule_engine.type_resolver_from_dict(
            {k: TYPES[v] if v else rule_engine.DataType.UNDEFINED for k, v in types.items()})
        context = rule_engine.Context(type_resolver=resolver, default_timezone=self.context.default_timezone)
        context.builtins = self.context.builtins
        return context

    def _problem(self, exc: BaseException, text: str) -> ExprError:
        """rule-engine's complaint about ``text`` in a condition author's words."""
        if isinstance(exc, RecursionError):
            return ExprError("the condition is nested too deeply to read: split it into facts with expr")
        if isinstance(exc, errors.RegexSyntaxError):
            return ExprError(f"invalid regular expression {exc.value!r}: {exc.error}")
        if isinstance(exc, errors.RuleSyntaxError):
            if exc.token is None:
                return ExprError("syntax error: the condition ends too early", len(text))
            m = re.search(r"line \d+:(\d+)", str(exc.message))
            return ExprError(f"syntax error at '{exc.token.value}'", int(m.group(1)) + 1 if m else None)
        if isinstance(exc, errors.AttributeResolutionError):
            return ExprError(f"unknown attribute '{exc.attribute_name}'", _find(text, exc.attribute_name))
        used = [f"{n} ({self.types[n]})" for n in dict.fromkeys(_IDENT.findall(text)) if n in self.types]
        hint = f"; the names used are {', '.join(used)}" if used else ""
        return ExprError(f"type error: {getattr(exc, 'message', exc)} (for example a date compared with a number, "
                         f"or arithmetic on text){hint}")


class _Unknown(ExprError):
    """A name the condition uses that the scope does not know."""

    def __init__(self, name: str, message: str, col: int | None) -> None:
        super().__init__(message, col)
        self.name = name


MAX_UNKNOWN = 20
"""Unknown names reported for one condition; past that the condition is probably not meant for this file."""

MAX_CONDITION_CHARS = 10_000
MAX_DEPTH = 200
"""Deeper trees overflow Python's stack in rule-engine's evaluator; no hand-written condition comes close."""

def _linear_regexes(root: Any, text: str) -> None:
    """Swap every regex of ``=~``, ``=~~``, ``!~``, ``!~~`` for a linear-time RE2 program.

    Python's ``re`` backtracks: ``"(a+)+$"`` against a long value takes exponential time, and one account
    would stall the sync.  RE2 matches in time linear in the value, and has no backreferences or
    lookarounds, which are refused here at check time.  A pattern must be a literal: one taken from a
    fact would be data from Salesforce choosing the program csops runs.
    """
    stack = [root]
    while stack:
        node = stack.pop()
        stack.extend(_children(node))
        if not isinstance(node, ast.FuzzyComparisonExpression):
            continue
        if not isinstance(node.right, ast.StringExpression):
            raise ExprError("a regular expression must be a literal string (\"…\"), not a fact",
                            _find(text, getattr(node.right, "name", "")) if hasattr(node.right, "name") else None)
        pattern = node.right.evaluate(None)
        try:
            # rule-engine keeps the compiled pattern of =~ in _right and offers no way to supply another engine
            node._right = user_regex(pattern)  # noqa: SLF001
        except UnsupportedPattern as exc:
            raise ExprError(str(exc)) from None


def _depth(root: Any) -> int:
    deepest, stack = 0, [(root, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in _children(node))
    return deepest


def _refuse_full_width(text: str) -> None:
    """Name a full-width operator, digit or space outside quotes (an IME left on): ``＞`` is not ``>``."""
    quote = ""
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif "\uff01" <= ch <= "\uff5e" or ch == "\u3000":
            half = " " if ch == "\u3000" else chr(ord(ch) - 0xFEE0)
            what = "space" if ch == "\u3000" else "digit" if half.isdigit() else "letter" if half.isalpha() \
                else "operator"
            run = ch
            while i + len(run) < len(text) and "\uff10" <= text[i + len(run)] <= "\uff19" and half.isdigit():
                run += text[i + len(run)]
            fixed = "".join(" " if c == "\u3000" else chr(ord(c) - 0xFEE0) for c in run)
            raise ExprError(f"full-width {what} '{run}': write the half-width '{fixed}'", i + 1)


def want_name(kind: str) -> str:
    return {"bool": "true or false", "number": "a number", "string": "text", "date": "a date",
            "datetime": "a date and time"}[kind]


def _type_name(t: Any) -> str:
    return {"BOOLEAN": "true or false", "FLOAT": "a number", "STRING": "text", "DATETIME": "a date",
            "TIMEDELTA": "a duration", "NULL": "null"}.get(getattr(t, "name", ""), str(getattr(t, "name", t)).lower())


def _compatible(actual: Any, wanted: Any) -> bool:
    try:
        return bool(rule_engine.DataType.is_compatible(actual, wanted))
    except TypeError:
        return actual == wanted


def _find(text: str, name: str) -> int | None:
    m = re.search(r"(?<![A-Za-z0-9_])" + re.escape(name) + r"(?![A-Za-z0-9_])", text)
    return m.start() + 1 if m else None


def _children(node: Any) -> list[Any]:
    out = []
    for cls in type(node).__mro__:
        for slot in getattr(cls, "__slots__", ()):
            if slot == "context":
                continue
            value = getattr(node, slot, None)
            if isinstance(value, ast.ExpressionBase):
                out.append(value)
            elif isinstance(value, (tuple, list)):
                out.extend(v for v in value if isinstance(v, ast.ExpressionBase))
    for attr in ("left", "right"):
        value = getattr(node, attr, None)
        if isinstance(value, ast.ExpressionBase) and value not in out:
            out.append(value)
    return out


def _symbols(node: Any) -> set[str]:
    if isinstance(node, ast.SymbolExpression):
        return set() if node.scope else {node.name}
    found: set[str] = set()
    for child in _children(node):
        found |= _symbols(child)
    return found


def _plain(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    return value


def _literal(node: Any) -> Any:
    return _plain(node.value)


def _trunc_mod(a: Any, b: Any) -> Any:
    """Decimal's remainder: the sign of the dividend (-20 % 3 == -2), unlike Python's floats."""
    if isinstance(a, float | int) and isinstance(b, float | int):
        return math.fmod(a, b) if b else a % b
    return a % b


def _trunc_div(a: Any, b: Any) -> Any:
    if isinstance(a, float | int) and isinstance(b, float | int):
        return float(math.trunc(a / b)) if b else a // b
    return a // b


_ARITH = {"add": operator.add, "sub": operator.sub, "mul": operator.mul, "tdiv": operator.truediv,
          "fdiv": _trunc_div, "mod": _trunc_mod, "pow": operator.pow}
_CMP = {"eq": operator.eq, "ne": operator.ne, "gt": operator.gt, "ge": operator.ge, "lt": operator.lt,
        "le": operator.le}


def _strict_eq(a: Any, b: Any) -> bool:
    # rule-engine: values of different kinds are never equal (true != 1)
    if isinstance(a, bool) != isinstance(b, bool) and a is not None and b is not None:
        return False
    return bool(a == b)


def to_closure(node: Any, builtin_values: Mapping[str, Any]) -> Fn:
    """A Python closure computing what ``node.evaluate`` computes: a builder per node kind (:data:`_BUILDERS`), and
    rule-engine's own evaluation for a node no builder takes."""
    kind = type(node).__name__
    build = _BUILDERS.get(kind)
    fn = build(node, lambda n: to_closure(n, builtin_values), builtin_values) if build else None
    if fn is not None:
        return fn

    def fallback(t: Thing) -> Any:
        return _plain(node.evaluate(t))
    fallback.slow_path = kind  # type: ignore[attr-defined]
    return fallback


Sub = Callable[[Any], Fn]

def to_holds(node: Any, builtin_values: Mapping[str, Any]) -> Callable[[Thing], bool]:
    """Whether the condition holds (its value ``is True``), never raising, as few calls deep as it allows.

    ``fact OP constant`` and ``fact == null`` are one closure. ``A and B`` is ``holds(A) and holds(B)`` when each
    side is true, false or unknown (a comparison, a null test, a logic node): ``and`` holds only when both sides
    do. ``or`` is not split: an unknown left side makes the whole unknown even when the right side holds.
    Anything else calls its closure and catches what it raises (Condition.__call__: unknown)."""
    kind = type(node).__name__
    if kind == "ArithmeticComparisonExpression" and node.type in _CMP:
        fast = _holds_against_constant(node, _CMP[node.type])
        if fast is not None:
            return fast
    if kind == "ComparisonExpression" and node.type in ("eq", "ne") and _is_fact(node.left) and \
            type(node.right).__name__ == "NullExpression":
        return to_closure(node, builtin_values)  # a bool, and it cannot raise
    if kind == "LogicExpression" and node.type == "and" and _gives_bool(node.left) and _gives_bool(node.right):
        left, right = to_holds(node.left, builtin_values), to_holds(node.right, builtin_values)
        return lambda t: left(t) and right(t)
    fn = to_closure(node, builtin_values)

    def holds(t: Thing) -> bool:
        try:
            return fn(t) is True
        except UNKNOWN:
            return False
    return holds


def _symbol(node: Any, sub: Sub, builtin_values: Mapping[str, Any]) -> Fn | None:
    name = node.name
    if not node.scope:
        return lambda t: t.get(name)
    if name in builtin_values:
        builtin = builtin_values[name]
        return lambda t: builtin
    return None


def _constant(node: Any, sub: Sub, builtin_values: Mapping[str, Any]) -> Fn | None:
    value = None if type(node).__name__ == "NullExpression" else _literal(node)
    return lambda t: value


def _logic(node: Any, sub: Sub, builtin_values: Mapping[str, Any]) -> Fn | None:
    left, right = sub(node.left), sub(node.right)
    if node.type == "and":
        return lambda t: bool(left(t)) and bool(right(t))
    if node.type == "or":
        return lambda t: bool(left(t)) or bool(right(t))
    return None


def _equality(node: Any, sub: Sub, builtin_values: Mapping[str, Any]) -> Fn | None:
    if node.type not in ("eq", "ne"):
        return None
    if _is_fact(node.left) and type(node.right).__name__ == "NullExpression":  # ``fact == null``: one lookup
        name = node.left.name
        return (lambda t: t.get(name) is None) if node.type == "eq" else (lambda t: t.get(name) is not None)
    left, right = sub(node.left), sub(node.right)
    if node.type == "eq":
        return lambda t: _strict_eq(left(t), right(t))
    return lambda t: not _strict_eq(left(t), right(t))


def _ordering(node: Any, sub: Sub, builtin_values: Mapping[str, Any]) -> Fn | None:
    if node.type not in _CMP:
        return None
    op = _CMP[node.type]
    fast = _symbol_against_constant(node, op)
    if fast is not None:
        return fast
    left, right = sub(node.left), sub(node.right)

    def compare(t: Thing) -> bool:
        a, b = left(t), right(t)
        if a is None and b is None:  # rule-engine: null <= null and null >= null hold
            return op in (operator.ge, operator.le)
        if a is None or b is None or isinstance(a, bool) != isinstance(b, bool) or isinstance(a, tuple):
            raise TypeError("comparison with null or of different kinds")
        return bool(op(a, b))
    return compare


def _is_fact(node: Any) -> bool:
    return type(node).__name__ == "SymbolExpression" and not node.scope


def _fact_and_constant(node: Any) -> tuple[str, Any] | None:
    """``(fact, constant)`` when ``node`` compares a fact with a number, text or date written in the condition."""
    left, right = node.left, node.right
    if not (_is_fact(left) and type(right).__name__ in ("FloatExpression", "StringExpression", "DatetimeExpression")):
        return None
    b = _literal(right)
    return None if b is None or isinstance(b, bool | tuple) else (left.name, b)


def _symbol_against_constant(node: Any, op: Callable[[Any, Any], Any]) -> Fn | None:
    """``fact OP constant`` (the commonest condition: ``active_ratio >= 0.5``) as one closure that reads the fact
    itself: the same answers as the general comparison, without its two nested calls."""
    pair = _fact_and_constant(node)
    if pair is None:
        return None
    name, b = pair

    def compare(t: Thing) -> bool:
        a = t.get(name)
        if a is None or isinstance(a, bool | tuple):
            raise TypeError("comparison with null or of different kinds")
        return bool(op(a, b))
    return compare


def _holds_against_constant(node: Any, op: Callable[[Any, Any], Any]) -> Callable[[Thing], bool] | None:
    """:func:`_symbol_against_constant` as whether it holds: false where that raises (a null, a bool)."""
    pair = _fact_and_constant(node)
    if pair is None:
        return None
    name, b = pair

    def holds(t: Thing) -> bool:
        a = t.get(name)
        if a is None or isinstance(a, bool | tuple):
            return False
        try:
            return bool(op(a, b))
        except UNKNOWN:
            return False
    return holds


#: Node kinds whose value is true, false or unknown (never another value), so ``and`` over them can be split.
_BOOL_NODES = ("ComparisonExpression", "ArithmeticComparisonExpression", "LogicExpression",
               "FuzzyComparisonExpression")


def _gives_bool(node: Any) -> bool:
    kind = type(node).__name__
    return kind in _BOOL_NODES or (kind == "UnaryExpression" and node.type == "not")


def _arithmetic(node: Any, sub: Sub, builtin_values: Mapping[str, Any]) -> Fn | None:
    if node.type not in _ARITH:
        return None
    left, right, aop = sub(node.left), sub(node.right), _ARITH[node.type]

    def arith(t: Thing) -> Any:
        a, b = left(t), right(t)
        if a is None or b is None:
            raise TypeError("arithmetic with null")
        return aop(a, b)
    return arith


def _unary(node: Any, sub: Sub, builtin_values: Mapping[str, Any]) -> Fn | None:
    right = sub(node.right)
    if node.type == "not":
        return lambda t: not right(t)
    if node.type != "uminus":
        return None

    def neg(t: Thing) -> Any:
        v = right(t)
        if v is None:
            raise TypeError("negating null")
        return -v
    return neg


def _coalesce(node: Any, sub: Sub, builtin_values: Mapping[str, Any]) -> Fn | None:
    left, right = sub(node.left), sub(node.right)

    def coalesce(t: Thing) -> Any:
        v = left(t)
        return right(t) if v is None else v
    return coalesce


def _ternary(node: Any, sub: Sub, builtin_values: Mapping[str, Any]) -> Fn | None:
    cond, yes, no = sub(node.condition), sub(node.case_true), sub(node.case_false)
    return lambda t: yes(t) if cond(t) else no(t)


def _days(node: Any, sub: Sub, builtin_values: Mapping[str, Any]) -> Fn | None:
    if node.name != "days" or node.safe:
        return None
    obj = sub(node.object)

    def days(t: Thing) -> float:
        v = obj(t)
        if not isinstance(v, dt.timedelta):
            raise TypeError("days of a non-duration")
        return float(v.days)
    return days


def _array(node: Any, sub: Sub, builtin_values: Mapping[str, Any]) -> Fn | None:
    if not all(type(v).__name__.endswith("Expression") for v in node.value):
        return None
    items = [sub(v) for v in node.value]
    return lambda t: tuple(f(t) for f in items)


def _contains(node: Any, sub: Sub, builtin_values: Mapping[str, Any]) -> Fn | None:
    container, member = sub(node.container), sub(node.member)
    return lambda t: member(t) in container(t)


#: The node kinds rules use, each with the builder of its closure (None from a builder: that node falls back).
_BUILDERS: dict[str, Callable[[Any, Sub, Mapping[str, Any]], Fn | None]] = {
    "SymbolExpression": _symbol, "LogicExpression": _logic, "ComparisonExpression": _equality,
    "ArithmeticComparisonExpression": _ordering, "ArithmeticExpression": _arithmetic, "AddExpression": _arithmetic,
    "SubtractExpression": _arithmetic, "UnaryExpression": _unary, "CoalesceExpression": _coalesce,
    "TernaryExpression": _ternary, "GetAttributeExpression": _days, "ArrayExpression": _array,
    "ContainsExpression": _contains,
    **dict.fromkeys(("FloatExpression", "StringExpression", "BooleanExpression", "DatetimeExpression",
                     "TimedeltaExpression", "NullExpression"), _constant)}


def slow_paths(fn: Fn) -> list[str]:
    """Node kinds inside a closure that fall back to rule-engine's evaluator (for tests and benchmarks)."""
    found = [getattr(fn, "slow_path", None)]
    for cell in getattr(fn, "__closure__", None) or ():
        if callable(cell.cell_contents) and getattr(cell.cell_contents, "__module__", "") == __name__:
            found += slow_paths(cell.cell_contents)
    return [k for k in found if k]
