"""One traversal of a LibCST tree that serves every rule of a file (Fixit's batched visit).

LibCST's own ``visit`` rebuilds every node as it goes and costs about as much as the parse;
this walker only reads fields, skips whitespace and punctuation, and is iterative, so it costs
a few percent of the parse and survives deep trees.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Type

import libcst as cst

from mllint.locate import STATEMENT_TYPES
from mllint.memo import Memo

Callback = Callable[[cst.CSTNode], Optional[bool]]

_SKIPPED_FIELDS = frozenset(
    {
        "leading_lines",
        "lines_after_decorators",
        "lpar",
        "rpar",
        "header",
        "footer",
        "comma",
        "semicolon",
        "colon",
        "dot",
        "equal",
        "indent",
        "newline",
        "operator",
        "trailing_whitespace",
        "empty_lines",
        "first_line",
        "lbracket",
        "rbracket",
        "lbrace",
        "rbrace",
        "asynchronous",
        "star",
        "default_indent",
        "default_newline",
        "encoding",
        "has_trailing_newline",
    }
)
_FIELDS: Dict[type, Tuple[str, ...]] = {}
_IS_NODE: Dict[type, bool] = {}
_IS_STATEMENT: Dict[type, bool] = {}


# Where LibCST declares fields in another order than they appear in the source.
_SOURCE_ORDER: Dict[str, Tuple[str, ...]] = {
    "FunctionDef": ("decorators", "name", "type_parameters", "params", "returns", "body"),
    "ClassDef": ("decorators", "name", "type_parameters", "bases", "keywords", "body"),
    "IfExp": ("body", "test", "orelse"),
    "Arg": ("keyword", "value"),
    "ExceptHandler": ("type", "name", "body"),
    "ExceptStarHandler": ("type", "name", "body"),
    "Parameters": (
        "posonly_params",
        "posonly_ind",
        "params",
        "star_arg",
        "kwonly_params",
        "star_kwarg",
    ),
}


def child_fields(cls: type) -> Tuple[str, ...]:
    """Names of the fields of a node class that can hold child nodes, in source order."""
    names = _FIELDS.get(cls)
    if names is None:
        declared = [
            f.name
            for f in dataclasses.fields(cls)
            if f.name not in _SKIPPED_FIELDS and not f.name.startswith("whitespace")
        ]
        order = _SOURCE_ORDER.get(cls.__name__, ())
        first = [name for name in order if name in declared]
        names = tuple(first + [name for name in declared if name not in first])
        _FIELDS[cls] = names
    return names


_TOKENS = (
    cst.BaseParenthesizableWhitespace,
    cst.EmptyLine,
    cst.TrailingWhitespace,
    cst.Newline,
    cst.Comment,
    cst.Comma,
    cst.Colon,
    cst.Semicolon,
    cst.AssignEqual,
    cst.Dot,
    cst.LeftParen,
    cst.RightParen,
    cst.LeftSquareBracket,
    cst.RightSquareBracket,
    cst.LeftCurlyBrace,
    cst.RightCurlyBrace,
    cst.BaseBinaryOp,
    cst.BaseBooleanOp,
    cst.BaseCompOp,
    cst.BaseUnaryOp,
    cst.BaseAugOp,
    cst.Asynchronous,
    cst.ImportStar,
)


def _is_node(cls: type) -> bool:
    # issubclass against LibCST's abstract base classes is slow; ask once per class
    known = _IS_NODE.get(cls)
    if known is None:
        known = issubclass(cls, cst.CSTNode) and not issubclass(cls, _TOKENS)
        _IS_NODE[cls] = known
    return known


def is_statement(node: cst.CSTNode) -> bool:
    """Whether ``node`` is a small or compound statement."""
    cls = type(node)
    known = _IS_STATEMENT.get(cls)
    if known is None:
        known = _IS_STATEMENT[cls] = issubclass(cls, STATEMENT_TYPES)
    return known


def children(node: cst.CSTNode) -> List[cst.CSTNode]:
    """The child nodes of ``node`` that the walker visits, in source order."""
    found: List[cst.CSTNode] = []
    for name in child_fields(type(node)):
        value = getattr(node, name)
        cls = type(value)
        if cls is tuple or cls is list:
            for item in value:
                if _is_node(type(item)):
                    found.append(item)
        elif _is_node(cls):
            found.append(value)
    return found


_VISIT, _VISIT_STATEMENT, _LEAVE, _LEAVE_STATEMENT = range(4)

Event = Tuple[cst.CSTNode, int, int]
"""One step of a walk: the node, what happens (visit or leave, of a statement or not) and,
for a visit, the index of the step after the node's subtree (its own leave, if it has one)."""


_KEPT_INSIDE = (cst.FunctionDef, cst.ClassDef)
"""Statements below the top level whose steps a memo keeps too (an edit inside a large class
then re-walks only the method it touched)."""


def events(
    top: cst.CSTNode,
    visit: Dict[Type[cst.CSTNode], List[Callback]],
    leave: Dict[Type[cst.CSTNode], List[Callback]],
    memo: Optional[Memo] = None,
) -> List[Event]:
    """The steps of a walk of ``top``'s subtree: a visit for every statement and every node
    with a ``visit`` callback, a leave for every statement and every node with a ``leave``
    callback, in the order the walk takes them. Other nodes leave no step.

    With a ``memo``, the steps of every class and function below ``top`` are kept, and taken
    from it for those an earlier walk saw."""
    kinds = (frozenset(visit), frozenset(leave))
    out: List[Event] = []
    # entries: (node, state); state 0: enter it; 1: its subtree ended; 2: as 1, then leave it
    stack: List[Tuple[cst.CSTNode, int, int]] = [(top, 0, -1)]
    while stack:
        node, state, at = stack.pop()
        if state:
            if at >= 0:
                out[at] = (out[at][0], out[at][1], len(out))
            if state == 2:
                out.append((node, _LEAVE_STATEMENT if is_statement(node) else _LEAVE, -1))
                if memo is not None and node is not top and isinstance(node, _KEPT_INSIDE):
                    steps = [(n, k, a - at if a >= 0 else -1) for n, k, a in out[at:]]
                    memo.put("events", node, steps, *kinds)
            continue
        cls = type(node)
        if memo is not None and node is not top and isinstance(node, _KEPT_INSIDE):
            kept: Optional[List[Event]] = memo.get("events", node, *kinds)
            if kept is not None:
                base = len(out)
                out.extend((n, k, a + base if a >= 0 else -1) for n, k, a in kept)
                continue
        statement = is_statement(node)
        at = -1
        if statement or cls in visit:
            at = len(out)
            out.append((node, _VISIT_STATEMENT if statement else _VISIT, -1))
        if statement or cls in leave:
            stack.append((node, 2, at))
        elif at >= 0:
            stack.append((node, 1, at))
        for child in reversed(children(node)):
            stack.append((child, 0, -1))
    return out


class Walker:
    """Walks one module, calling ``visit_<Node>`` / ``leave_<Node>`` callbacks.

    While a callback runs, :attr:`statement` is the innermost statement around the node and
    :attr:`statement_index` its pre-order number (see :mod:`mllint.locate`).
    A ``visit_`` callback that returns ``False`` stops the walk from entering that node.

    Each top-level statement is first turned into its list of :func:`events`, which the walk
    then plays. With a :class:`~mllint.memo.Memo` the lists of the top-level statements an
    edit left alone are kept from one walk of a buffer to the next, so only the callbacks
    run again for them.
    """

    def __init__(self) -> None:
        self.statement: Optional[cst.CSTNode] = None
        self.statement_index = -1
        self.statement_count = 0
        self.elifs: set[int] = set()
        self._statements: List[Tuple[Optional[cst.CSTNode], int]] = []

    def walk(
        self,
        module: cst.Module,
        visit: Dict[Type[cst.CSTNode], List[Callback]],
        leave: Dict[Type[cst.CSTNode], List[Callback]],
        memo: Optional[Memo] = None,
    ) -> None:
        """Visit every node of ``module`` once, in pre-order, calling the callbacks."""
        kinds = (frozenset(visit), frozenset(leave))
        enter = True
        for callback in visit.get(cst.Module, ()):
            if callback(module) is False:
                enter = False
        if enter:
            for top in module.body:
                steps: Optional[List[Event]] = None
                if memo is not None:
                    steps = memo.get("events", top, *kinds)
                if steps is None:
                    steps = events(top, visit, leave, memo)
                    if memo is not None:
                        memo.put("events", top, steps, *kinds)
                self._play(steps, visit, leave)
        else:
            self.statement_count += sum(
                kind == _VISIT_STATEMENT
                for top in module.body
                for _, kind, _ in events(top, visit, leave)
            )
        for callback in leave.get(cst.Module, ()):
            callback(module)

    def _play(
        self,
        steps: List[Event],
        visit: Dict[Type[cst.CSTNode], List[Callback]],
        leave: Dict[Type[cst.CSTNode], List[Callback]],
    ) -> None:
        i, count = 0, len(steps)
        while i < count:
            node, kind, after = steps[i]
            if kind >= _LEAVE:
                for callback in leave.get(type(node), ()):
                    callback(node)
                if kind == _LEAVE_STATEMENT:
                    self.statement, self.statement_index = self._statements.pop()
                i += 1
                continue
            if kind == _VISIT_STATEMENT:
                self._statements.append((self.statement, self.statement_index))
                self.statement = node
                self.statement_index = self.statement_count
                self.statement_count += 1
                if isinstance(node, cst.If) and isinstance(node.orelse, cst.If):
                    self.elifs.add(id(node.orelse))
            enter = True
            for callback in visit.get(type(node), ()):
                if callback(node) is False:
                    enter = False
            if enter:
                i += 1
                continue
            # skipped: keep the statement numbering right, and still leave the node
            self.statement_count += sum(
                step[1] == _VISIT_STATEMENT for step in steps[i + 1 : after]
            )
            i = after


def callbacks_of(
    instances: Sequence[object],
) -> Tuple[Dict[Type[cst.CSTNode], List[Callback]], Dict[Type[cst.CSTNode], List[Callback]]]:
    """Dispatch tables of the ``visit_X`` / ``leave_X`` methods of ``instances``."""
    visit: Dict[Type[cst.CSTNode], List[Callback]] = {}
    leave: Dict[Type[cst.CSTNode], List[Callback]] = {}
    for instance in instances:
        for attr in dir(type(instance)):
            for prefix, table in (("visit_", visit), ("leave_", leave)):
                if attr.startswith(prefix):
                    node_type = getattr(cst, attr[len(prefix) :], None)
                    if isinstance(node_type, type) and issubclass(node_type, cst.CSTNode):
                        table.setdefault(node_type, []).append(getattr(instance, attr))
    return visit, leave
