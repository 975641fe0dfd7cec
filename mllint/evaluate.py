"""Deciding the truth of a test expression without running it."""

from __future__ import annotations

import ast
from typing import Optional

import libcst as cst

_NAMED_CONSTANTS = {"True": True, "False": False, "None": False}


def literal_truth(expr: cst.BaseExpression, operators: bool = False) -> Optional[bool]:
    """The truth value of ``expr`` if it is a literal (``0``, ``"x"``, ``None``, ``()``...).

    Containers count when their truth does not depend on their elements (``(a, b)`` is always
    true). ``None`` means "not a literal": the test depends on something else. With
    ``operators``, a literal inside ``and``/``or`` that decides the whole test counts too:
    ``x and False`` is always false, ``x or 1`` always true.
    """
    if operators and isinstance(expr, cst.BooleanOperation):
        left = literal_truth(expr.left, True)
        right = literal_truth(expr.right, True)
        if isinstance(expr.operator, cst.And):
            if left is False or right is False:
                return False
            return True if left is True and right is True else None
        if left is True or right is True:
            return True
        return False if left is False and right is False else None
    if isinstance(expr, cst.Name):
        return _NAMED_CONSTANTS.get(expr.value)
    if isinstance(expr, (cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString)):
        return _truth_of_token(expr.value)
    if isinstance(expr, cst.ConcatenatedString):
        left, right = literal_truth(expr.left), literal_truth(expr.right)
        if left is None or right is None:
            return None
        return left or right
    if isinstance(expr, cst.UnaryOperation):
        inner = literal_truth(expr.expression, operators)
        if inner is None:
            return None
        if isinstance(expr.operator, cst.Not):
            return not inner
        if isinstance(expr.operator, (cst.Minus, cst.Plus)):
            return inner  # -x is zero exactly when x is
        return None
    if isinstance(expr, (cst.Tuple, cst.List, cst.Set)):
        if any(isinstance(e, cst.StarredElement) for e in expr.elements):
            return None
        return bool(expr.elements)
    if isinstance(expr, cst.Dict):
        if any(isinstance(e, cst.StarredDictElement) for e in expr.elements):
            return None
        return bool(expr.elements)
    return None


def _truth_of_token(token: str) -> Optional[bool]:
    try:
        return bool(ast.literal_eval(token))
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
