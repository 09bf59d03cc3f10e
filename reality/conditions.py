"""A tiny, whitelisted expression language for rule conditions and cached solved forms.

Expressions are parsed by :func:`ast.parse` and walked node by node; only numbers, names
from the given context, arithmetic, comparisons, ``and`` / ``or`` / ``not``, conditional
expressions and the functions ``min``, ``max``, ``abs`` are allowed. Nothing is passed to
``eval``: a knowledge file changed in a pull request cannot run code in CI.
"""

from __future__ import annotations

import ast
import functools
import operator
from collections.abc import Mapping
from typing import Any


class ConditionError(ValueError):
    """An expression that is not in the whitelist, or refers to an unknown name."""


_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.Mod: operator.mod,
}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Not: operator.not_}
_COMPARE = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_FUNCTIONS = {"min": min, "max": max, "abs": abs}


@functools.lru_cache(maxsize=1024)
def compile_expression(text: str) -> ast.Expression:
    """Parse and check ``text`` once; raises :class:`ConditionError` if anything is not allowed."""
    if len(text) > 2000:
        raise ConditionError("expression too long")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ConditionError(f"not a valid expression: {exc.msg}") from None
    for node in ast.walk(tree):
        allowed = (
            ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.BinOp, ast.UnaryOp, ast.Compare,
            ast.IfExp, ast.Name, ast.Load, ast.Constant, ast.Call,
            *_BINARY, *_UNARY, *_COMPARE,
        )  # fmt: skip
        if not isinstance(node, allowed):
            raise ConditionError(f"{type(node).__name__} is not allowed in a condition")
        if isinstance(node, ast.Constant) and not isinstance(node.value, int | float | bool | str):
            raise ConditionError("only numbers, booleans and strings are allowed as constants")
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            raise ConditionError(f"name {node.id!r} is not allowed")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS or node.keywords:
                raise ConditionError("only min(), max() and abs() may be called")
    return tree


def evaluate(text: str, names: Mapping[str, Any]) -> Any:
    """Evaluate a whitelisted expression with ``names`` as its variables."""
    return _eval(compile_expression(text).body, names)


def _eval(node: ast.AST, names: Mapping[str, Any]) -> Any:
    match node:
        case ast.Constant(value=value):
            return value
        case ast.Name(id=name):
            if name in _FUNCTIONS:
                raise ConditionError(f"{name} must be called")
            if name not in names:
                raise ConditionError(f"unknown name {name!r} (known: {', '.join(sorted(names))})")
            return names[name]
        case ast.BinOp(left=left, op=op, right=right):
            a, b = _eval(left, names), _eval(right, names)
            if isinstance(op, ast.Pow) and abs(b) > 100:
                raise ConditionError("exponent too large")
            return _BINARY[type(op)](a, b)
        case ast.UnaryOp(op=op, operand=operand):
            return _UNARY[type(op)](_eval(operand, names))
        case ast.BoolOp(op=ast.And(), values=values):
            result: Any = True
            for v in values:
                result = _eval(v, names)
                if not result:
                    return result
            return result
        case ast.BoolOp(op=ast.Or(), values=values):
            result = False
            for v in values:
                result = _eval(v, names)
                if result:
                    return result
            return result
        case ast.Compare(left=left, ops=ops, comparators=comparators):
            a = _eval(left, names)
            for op, right in zip(ops, comparators, strict=True):
                b = _eval(right, names)
                if not _COMPARE[type(op)](a, b):
                    return False
                a = b
            return True
        case ast.IfExp(test=test, body=body, orelse=orelse):
            return _eval(body, names) if _eval(test, names) else _eval(orelse, names)
        case ast.Call(func=ast.Name(id=fname), args=args):
            return _FUNCTIONS[fname](*(_eval(a, names) for a in args))
    raise ConditionError(f"{type(node).__name__} is not allowed")  # pragma: no cover - compile rejects it
