"""A tiny, whitelisted expression language for rule conditions and solved forms.

Rules are data, and a rules file can arrive in a pull request, so a condition must never be
able to run code. The source is parsed with ``ast.parse(mode="eval")`` and every node is
checked against a whitelist, then compiled into plain Python closures. Nothing is ever
passed to ``eval``, ``exec``, ``compile`` or ``sympify``.

Allowed:

* numbers (``3``, ``1.5``, ``1e9``) and ``True``/``False``;
* names, which must be in the set the caller allows (the rule's parameters plus what its
  check measures); names starting with ``_`` are refused outright;
* ``+ - * /`` and unary ``-``/``+``; division by zero gives ``inf``/``-inf`` (``nan`` for
  ``0/0``, which compares false), never an exception;
* comparisons ``< <= > >= == !=`` (chains too: ``a < b < c``);
* ``and``, ``or``, ``not``;
* calls to ``min``, ``max`` and ``abs`` only, positional arguments only.

Everything else (attribute access, subscripts, other calls, keywords, lambdas,
comprehensions, strings, ``**``, ``if``-expressions, ...) is a :class:`ConditionError`.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Iterable, Mapping
from typing import Any

MAX_LENGTH = 500
MAX_DEPTH = 40

FUNCTIONS: dict[str, Callable[..., float]] = {"min": min, "max": max, "abs": abs}

Context = Mapping[str, Any]
Evaluator = Callable[[Context], Any]


class ConditionError(ValueError):
    """A condition that is not in the whitelisted language (or names an unknown value)."""


def _div(a: float, b: float) -> float:
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0 or a != a:
            return math.nan
        return math.inf if a > 0 else -math.inf


_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: _div,
}
_CMPOPS: dict[type, Callable[[Any, Any], bool]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}


class Condition:
    """A compiled condition: call it with a context mapping to get its value."""

    __slots__ = ("source", "names", "_fn")

    def __init__(self, source: str, names: frozenset[str], fn: Evaluator):
        self.source = source
        self.names = names
        self._fn = fn

    def __call__(self, context: Context) -> Any:
        try:
            return self._fn(context)
        except KeyError as exc:
            raise ConditionError(f"condition {self.source!r}: no value for {exc.args[0]!r}") from None
        except TypeError as exc:
            raise ConditionError(f"condition {self.source!r}: {exc}") from None

    def __repr__(self) -> str:
        return f"Condition({self.source!r})"


def compile_condition(source: str, allowed_names: Iterable[str] | None = None) -> Condition:
    """Parse and whitelist ``source``; return a :class:`Condition`.

    ``allowed_names``: the names the condition may use (``None`` allows any name that does
    not start with ``_``; the rule loader always passes the exact set).
    """
    if not isinstance(source, str):
        raise ConditionError(f"a condition must be a string, got {type(source).__name__}")
    if len(source) > MAX_LENGTH:
        raise ConditionError(f"condition longer than {MAX_LENGTH} characters")
    if "\n" in source.strip() or "\r" in source:
        raise ConditionError("a condition is one line")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise ConditionError(f"condition {source!r} is not a valid expression: {exc.msg}") from None
    allowed = frozenset(allowed_names) if allowed_names is not None else None
    used: set[str] = set()
    fn = _compile(tree.body, allowed, used, 0, source)
    return Condition(source, frozenset(used), fn)


def _compile(node: ast.AST, allowed: frozenset[str] | None, used: set[str], depth: int, src: str) -> Evaluator:
    if depth > MAX_DEPTH:
        raise ConditionError(f"condition {src!r} is nested too deeply")
    d = depth + 1

    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or (isinstance(value, int | float) and not isinstance(value, complex)):
            return lambda ctx, v=value: v
        raise ConditionError(f"condition {src!r}: only numbers and True/False are allowed as constants, not {value!r}")

    if isinstance(node, ast.Name):
        name = node.id
        if name.startswith("_"):
            raise ConditionError(f"condition {src!r}: names starting with '_' are not allowed ({name!r})")
        if name in ("True", "False"):  # pragma: no cover - parsed as Constant on 3.8+
            return lambda ctx, v=(name == "True"): v
        if name in FUNCTIONS:
            raise ConditionError(f"condition {src!r}: {name!r} can only be called")
        if allowed is not None and name not in allowed:
            known = ", ".join(sorted(allowed)) or "none"
            raise ConditionError(f"condition {src!r}: unknown name {name!r} (known: {known})")
        used.add(name)
        return lambda ctx, n=name: ctx[n]

    if isinstance(node, ast.BinOp):
        op = _BINOPS.get(type(node.op))
        if op is None:
            raise ConditionError(f"condition {src!r}: operator {type(node.op).__name__} is not allowed")
        left, right = _compile(node.left, allowed, used, d, src), _compile(node.right, allowed, used, d, src)
        return lambda ctx: op(left(ctx), right(ctx))

    if isinstance(node, ast.UnaryOp):
        operand = _compile(node.operand, allowed, used, d, src)
        if isinstance(node.op, ast.USub):
            return lambda ctx: -operand(ctx)
        if isinstance(node.op, ast.UAdd):
            return lambda ctx: +operand(ctx)
        if isinstance(node.op, ast.Not):
            return lambda ctx: not operand(ctx)
        raise ConditionError(f"condition {src!r}: operator {type(node.op).__name__} is not allowed")

    if isinstance(node, ast.BoolOp):
        parts = [_compile(v, allowed, used, d, src) for v in node.values]
        if isinstance(node.op, ast.And):
            return lambda ctx: all(p(ctx) for p in parts)
        return lambda ctx: any(p(ctx) for p in parts)

    if isinstance(node, ast.Compare):
        first = _compile(node.left, allowed, used, d, src)
        ops = []
        for op_node, comparator in zip(node.ops, node.comparators, strict=True):
            op = _CMPOPS.get(type(op_node))
            if op is None:
                raise ConditionError(f"condition {src!r}: comparison {type(op_node).__name__} is not allowed")
            ops.append((op, _compile(comparator, allowed, used, d, src)))

        def compare(ctx: Context) -> bool:
            left = first(ctx)
            for op, right_fn in ops:
                right = right_fn(ctx)
                if not op(left, right):
                    return False
                left = right
            return True

        return compare

    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            what = ast.unparse(node.func) if hasattr(ast, "unparse") else "?"
            raise ConditionError(f"condition {src!r}: only min(), max() and abs() may be called, not {what!r}")
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise ConditionError(f"condition {src!r}: {node.func.id}() takes positional arguments only")
        name = node.func.id
        if not node.args or (name == "abs" and len(node.args) != 1) or (name != "abs" and len(node.args) < 2):
            raise ConditionError(f"condition {src!r}: wrong number of arguments to {name}()")
        func = FUNCTIONS[name]
        args = [_compile(a, allowed, used, d, src) for a in node.args]
        return lambda ctx: func(*(a(ctx) for a in args))

    raise ConditionError(f"condition {src!r}: {type(node).__name__} is not allowed")
