"""Folding code whose tests have known values: the one mechanism behind ``check --fix`` (ML101,
ML102) and ``mllint retire``.

A :class:`Folder` is a LibCST transformer. Its callers say what is known, in two ways:

- :attr:`Folder.known`: expressions (by the id of their original node) that become a literal
  of a known value (``retire`` replaces every read of the flag by its value; ``--fix`` marks
  the operands of ``and``/``or`` that never change the outcome as the neutral value);
- :meth:`Folder.decided`: the truth of a branch's test, known without its value (``--fix``
  folds the branches the rules report by their spans).

From there the folder computes the values of ``not``, ``and``/``or`` (exact anywhere: ``True
and x`` is ``x``; in a test, where only the truth matters, ``x and True`` is ``x`` too),
comparisons of literals, ``int()``/``str()``/... of a value, string methods, and writes a
value read inside an f-string as text; then folds: an ``if``/``elif`` keeps its live arm
(dedented in the place of the statement), a ``while`` that never runs keeps its ``else``, a
conditional expression becomes its live value, an ``assert`` of a true value goes, and
what follows an arm that ends in ``return``/``raise``/``continue``/``break`` goes too (it
can never run), unless it holds the ``yield`` that makes its function a generator.

Statements are replaced at the level of their block (:class:`Blocks`), which keeps the
layout: the comments right above a removed statement go with it, the blank lines before
them stay; a kept arm takes the blank lines and comments above its branch, and the comment
lines that ended its block follow it; a block left empty gets ``pass``.
"""

from __future__ import annotations

import ast
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple, Union

import libcst as cst

UNKNOWN: Any = object()
"""The value of an expression that is not known."""

_TERMINALS = (cst.Return, cst.Raise, cst.Continue, cst.Break)
_CONVERSIONS = {"int": int, "float": float, "bool": bool, "str": str}
STRING_METHODS = frozenset({"lower", "upper", "strip", "lstrip", "rstrip", "casefold"})
"""String methods without arguments whose result on a known string is computed."""

Branch = Union[cst.If, cst.While, cst.IfExp]


def literal_node(value: Any) -> cst.BaseExpression:
    """``value`` (a scalar) as a LibCST literal."""
    if value is None or isinstance(value, bool):
        return cst.Name(repr(value))
    if isinstance(value, int):
        node: cst.BaseExpression = cst.Integer(str(abs(value)))
        return cst.UnaryOperation(cst.Minus(), node) if value < 0 else node
    if isinstance(value, float):
        node = cst.Float(repr(abs(value)))
        return cst.UnaryOperation(cst.Minus(), node) if value < 0 else node
    text = str(value)
    if '"' not in text and "\\" not in text and text.isprintable():
        return cst.SimpleString(f'"{text}"')
    return cst.SimpleString(repr(text))


def literal_value(node: cst.CSTNode) -> Any:
    """The value of a literal expression (scalars, and tuples/lists/sets of them as tuples),
    or :data:`UNKNOWN`."""
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[node.value]
    if isinstance(node, (cst.SimpleString, cst.Integer, cst.Float, cst.ConcatenatedString)):
        try:
            code = cst.Module(body=[]).code_for_node(node)
            return ast.literal_eval(code.strip())
        except (ValueError, SyntaxError):
            return UNKNOWN
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        inner = literal_value(node.expression)
        if isinstance(inner, (int, float)) and not isinstance(inner, bool):
            return -inner
        return UNKNOWN
    if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
        values = []
        for element in node.elements:
            if not isinstance(element, cst.Element):
                return UNKNOWN
            value = literal_value(element.value)
            if value is UNKNOWN:
                return UNKNOWN
            values.append(value)
        return tuple(values)
    return UNKNOWN


# -- statements --------------------------------------------------------------------------------


class Blocks(cst.CSTTransformer):
    """Removes and replaces whole statements, block by block, keeping the layout.

    A subclass calls :meth:`replace` on the node its ``leave_*`` method returns; the block
    around it then puts the replacement in its place (see the module's docstring for what
    happens to blank lines and comments)."""

    def __init__(self) -> None:
        super().__init__()
        self._replacements: Dict[int, List[cst.BaseStatement]] = {}
        self._leading: Dict[int, Sequence[cst.EmptyLine]] = {}
        self._footers: Dict[int, Sequence[cst.EmptyLine]] = {}
        self._terminal: Set[int] = set()
        self._alive: List[cst.CSTNode] = []
        """Every node whose id is a key here: kept alive so that no id is reused."""

    def replace(
        self,
        node: cst.CSTNode,
        statements: Sequence[cst.BaseStatement],
        leading: Sequence[cst.EmptyLine] = (),
        footer: Sequence[cst.EmptyLine] = (),
    ) -> None:
        """Put ``statements`` in the place of the statement ``node`` (none: delete it);
        ``leading``: the lines above ``node`` to keep above them (default: its own), and
        ``footer``: comment lines to follow them."""
        self._alive.append(node)
        key = id(node)
        self._replacements[key] = list(statements)
        self._leading[key] = list(leading or getattr(node, "leading_lines", ()))
        if statements and any(line.comment for line in footer):
            self._footers[key] = footer
        if statements and _is_terminal(statements[-1]):
            self._terminal.add(key)

    def unreachable(self, statement: cst.BaseStatement) -> None:
        """Called for each statement dropped because it follows a folded ``return``."""

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine:
        if not updated_node.body:  # LibCST would drop the line, and its blank lines with it
            updated_node = updated_node.with_changes(body=[cst.Pass()])
            self.replace(updated_node, [])
        return updated_node

    def _block(
        self, body: Sequence[cst.BaseStatement]
    ) -> Tuple[List[cst.BaseStatement], List[cst.EmptyLine]]:
        """The statements of a block with the replacements made, and the comment lines of
        a replaced last statement, to end the block."""
        result: List[cst.BaseStatement] = []
        carried: List[cst.EmptyLine] = []
        footer: List[cst.EmptyLine] = []
        removed_first = False
        dropping = False
        for index, statement in enumerate(body):
            if dropping:
                if _yields(body[index:]):
                    result.extend(body[index:])  # a generator must stay one
                    break
                for unreachable in body[index:]:
                    self.unreachable(unreachable)
                break
            key = id(statement)
            replacement = self._replacements.get(key)
            if replacement is None:
                kept = _with_leading(statement, [*footer, *carried])
                result.append(_no_blank_start(kept) if removed_first and not result else kept)
                carried, footer = [], []
                continue
            lines = self._leading[key]
            if not replacement:
                detached = _detached(lines)
                if carried and not any(line.comment for line in detached):
                    detached = []  # a run of removed statements leaves one gap, not several
                carried = carried + detached
                removed_first = removed_first or not result
                continue
            first = _with_leading(_with_leading(replacement[0], lines), [*footer, *carried])
            result.append(_no_blank_start(first) if removed_first and not result else first)
            result.extend(replacement[1:])
            carried, footer = [], list(self._footers.get(key, ()))
            if key in self._terminal:
                dropping = True  # what follows an unconditional return can never run
        return result, footer

    def _replaces_some(self, body: Sequence[cst.BaseStatement]) -> bool:
        return bool(self._replacements) and any(id(s) in self._replacements for s in body)

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        if not self._replaces_some(updated_node.body):
            return updated_node
        body, footer = self._block(updated_node.body)
        if not body:
            body = [cst.SimpleStatementLine(body=[cst.Pass()])]
        return updated_node.with_changes(body=body, footer=[*footer, *updated_node.footer])

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if not self._replaces_some(updated_node.body):
            return updated_node
        body, footer = self._block(updated_node.body)
        return updated_node.with_changes(body=body, footer=[*footer, *updated_node.footer])


# -- values and branches -----------------------------------------------------------------------


class Folder(Blocks):
    """Replaces the expressions of :attr:`known` by literals, computes what follows from
    them, and folds the branches whose tests are decided (see the module's docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self.known: Dict[int, Any] = {}
        """Id of an original expression -> the value that replaces it."""
        self.marked: Dict[int, Any] = {}
        """Id of every literal this pass made -> its value."""
        self._tests: Set[int] = set()
        """Ids of the original expressions whose truth alone matters."""
        self._elifs: Set[int] = set()

    # hooks

    def decided(self, branch: Branch) -> Optional[bool]:
        """The truth of the test of ``branch`` (an original node) when it is known without
        its value (``None``: only from its value)."""
        return None

    def folded(self, branch: Branch) -> None:
        """Called when ``branch`` (an original node) is folded."""

    def dropped(self, node: Optional[cst.CSTNode]) -> None:
        """Called with every original node that the folding removes (``None``: a missing
        arm)."""

    def unreachable(self, statement: cst.BaseStatement) -> None:
        self.dropped(statement)

    # values

    def mark(self, value: Any, original: cst.CSTNode) -> cst.BaseExpression:
        """A literal of ``value`` in the place of ``original`` (with its parentheses)."""
        node = literal_node(value)
        lpar = getattr(original, "lpar", ())
        if lpar:
            node = node.with_changes(lpar=lpar, rpar=getattr(original, "rpar", ()))
        self.marked[id(node)] = value
        self._alive.append(node)
        return node

    def value(self, node: cst.CSTNode) -> Any:
        """The value of an updated node if it is one this pass made, else :data:`UNKNOWN`."""
        return self.marked.get(id(node), UNKNOWN)

    def on_leave(  # type: ignore[override]
        self, original_node: cst.CSTNode, updated_node: cst.CSTNode
    ) -> Union[cst.CSTNode, cst.RemovalSentinel, cst.FlattenSentinel[cst.CSTNode]]:
        if self.known:
            value = self.known.get(id(original_node), UNKNOWN)
            if value is not UNKNOWN:
                return self.mark(value, original_node)
        return super().on_leave(original_node, updated_node)

    def _fold(self, original: Branch, test: cst.BaseExpression) -> Optional[bool]:
        """The truth of the test of ``original`` (whose updated test is ``test``) if the
        branch folds (``None``: it stays), its test and dead arm noted as dropped."""
        truth = self.decided(original)
        if truth is None:
            value = self.value(test)
            truth = None if value is UNKNOWN else bool(value)
        if truth is None or (truth and isinstance(original, cst.While)):
            return None  # `while True:` is a loop, not a dead arm
        self.folded(original)
        self.dropped(original.test)
        self.dropped(original.orelse if truth else original.body)
        return truth

    # where only the truth matters

    def visit_If(self, node: cst.If) -> None:
        self._tests.add(id(node.test))
        if isinstance(node.orelse, cst.If):
            self._elifs.add(id(node.orelse))

    def visit_While(self, node: cst.While) -> None:
        self._tests.add(id(node.test))

    def visit_IfExp(self, node: cst.IfExp) -> None:
        self._tests.add(id(node.test))

    def visit_Assert(self, node: cst.Assert) -> None:
        self._tests.add(id(node.test))

    def visit_BooleanOperation(self, node: cst.BooleanOperation) -> None:
        if id(node) in self._tests:
            self._tests.update((id(node.left), id(node.right)))

    def visit_UnaryOperation(self, node: cst.UnaryOperation) -> None:
        if id(node) in self._tests and isinstance(node.operator, cst.Not):
            self._tests.add(id(node.expression))

    # expressions

    def leave_UnaryOperation(
        self, original_node: cst.UnaryOperation, updated_node: cst.UnaryOperation
    ) -> cst.BaseExpression:
        inner = self.value(updated_node.expression)
        if inner is not UNKNOWN and isinstance(updated_node.operator, cst.Not):
            return self.mark(not inner, updated_node)
        return updated_node

    def leave_BooleanOperation(
        self, original_node: cst.BooleanOperation, updated_node: cst.BooleanOperation
    ) -> cst.BaseExpression:
        left, right = self.value(updated_node.left), self.value(updated_node.right)
        is_and = isinstance(updated_node.operator, cst.And)
        if left is not UNKNOWN:  # exact anywhere: `True and x` is `x`, `False and x` False
            if bool(left) == is_and:
                return _keep_parens(updated_node.right, updated_node)
            self.dropped(original_node.right)
            return self.mark(left, updated_node)
        if right is not UNKNOWN and id(original_node) in self._tests:
            if bool(right) == is_and:  # `x and True` tests as `x`
                return _keep_parens(updated_node.left, updated_node)
            self.dropped(original_node.left)
            return self.mark(bool(right), updated_node)
        return updated_node

    def leave_Comparison(
        self, original_node: cst.Comparison, updated_node: cst.Comparison
    ) -> cst.BaseExpression:
        items = [updated_node.left, *(c.comparator for c in updated_node.comparisons)]
        if not any(id(n) in self.marked for n in items):
            return updated_node
        values = [literal_value(n) for n in items]
        if any(v is UNKNOWN for v in values):
            return updated_node
        outcome = True
        for index, target in enumerate(updated_node.comparisons):
            result = _compare(target.operator, values[index], values[index + 1])
            if result is None:
                return updated_node
            outcome = outcome and result
        return self.mark(outcome, updated_node)

    def leave_FormattedString(
        self, original_node: cst.FormattedString, updated_node: cst.FormattedString
    ) -> cst.BaseExpression:
        """A known value inside an f-string: ``{VALUE}`` becomes the value's text, and a
        string kept as an expression (with ``!r`` or a format spec) takes the quote the
        f-string does not use (before Python 3.12 an expression cannot reuse it)."""
        quote = updated_node.quote
        parts: List[cst.BaseFormattedStringContent] = []
        changed = False
        for part in updated_node.parts:
            if not isinstance(part, cst.FormattedStringExpression):
                parts.append(part)
                continue
            value = self.value(part.expression)
            if value is UNKNOWN:
                parts.append(part)
                continue
            changed = True
            text = str(value)
            plain = part.conversion is None and part.format_spec is None
            if plain and text.isprintable() and not any(c in text for c in "\\'\""):
                parts.append(cst.FormattedStringText(text.replace("{", "{{").replace("}", "}}")))
            elif isinstance(value, str) and quote[0] == '"' and "'" not in text:
                parts.append(part.with_changes(expression=cst.SimpleString(f"'{text}'")))
            elif isinstance(value, str) and quote[0] == "'" and '"' not in text:
                parts.append(part.with_changes(expression=cst.SimpleString(f'"{text}"')))
            else:  # left to the compile check, which refuses the file if it cannot hold it
                parts.append(part)
        return updated_node.with_changes(parts=parts) if changed else updated_node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        func, args = updated_node.func, updated_node.args
        if isinstance(func, cst.Name) and func.value in _CONVERSIONS and len(args) == 1:
            value = self.value(args[0].value)
            if value is not UNKNOWN:
                try:
                    return self.mark(_CONVERSIONS[func.value](value), updated_node)
                except (TypeError, ValueError):
                    return updated_node
        if isinstance(func, cst.Attribute) and func.attr.value in STRING_METHODS and not args:
            text = self.value(func.value)
            if isinstance(text, str):
                return self.mark(getattr(text, func.attr.value)(), updated_node)
        return updated_node

    def leave_IfExp(self, original_node: cst.IfExp, updated_node: cst.IfExp) -> cst.BaseExpression:
        truth = self._fold(original_node, updated_node.test)
        if truth is None:
            return updated_node
        return _keep_parens(updated_node.body if truth else updated_node.orelse, updated_node)

    # statements

    def leave_If(self, original_node: cst.If, updated_node: cst.If) -> cst.If:
        node = updated_node
        if isinstance(original_node.orelse, cst.If) and isinstance(node.orelse, cst.If):
            node = self._fold_elif(original_node.orelse, node)
        if id(original_node) in self._elifs:
            return node
        truth = self._fold(original_node, node.test)
        if truth is None:
            return node
        orelse = node.orelse
        if truth:
            self._arm(node, node.body, node.leading_lines)
        elif orelse is None:
            self.replace(node, [])
        elif isinstance(orelse, cst.If):
            self.replace(node, [orelse], [*node.leading_lines])
        else:
            self._arm(node, orelse.body, [*node.leading_lines, *orelse.leading_lines])
        return node

    def _fold_elif(self, original: cst.If, parent: cst.If) -> cst.If:
        elif_node = parent.orelse
        assert isinstance(elif_node, cst.If)
        truth = self._fold(original, elif_node.test)
        if truth is None:
            return parent
        if truth:
            arm = cst.Else(
                body=elif_node.body,
                leading_lines=elif_node.leading_lines,
                whitespace_before_colon=elif_node.whitespace_after_test,
            )
            return parent.with_changes(orelse=arm)
        following = elif_node.orelse
        if following is not None:
            following = following.with_changes(
                leading_lines=[*elif_node.leading_lines, *following.leading_lines]
            )
        return parent.with_changes(orelse=following)

    def leave_While(self, original_node: cst.While, updated_node: cst.While) -> cst.While:
        if self._fold(original_node, updated_node.test) is None:
            return updated_node
        if updated_node.orelse is None:
            self.replace(updated_node, [])
        else:
            self._arm(updated_node, updated_node.orelse.body, updated_node.leading_lines)
        return updated_node

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine:
        body = updated_node.body
        if len(body) == 1 and isinstance(body[0], cst.Assert):
            value = self.value(body[0].test)
            if value is not UNKNOWN and value:  # `assert True` checks nothing
                self.dropped(original_node)
                self.replace(updated_node, [])
                return updated_node
        return super().leave_SimpleStatementLine(original_node, updated_node)

    def _arm(
        self, branch: cst.CSTNode, suite: cst.BaseSuite, leading: Sequence[cst.EmptyLine]
    ) -> None:
        """The statements of a kept arm in the place of its branch."""
        footer = suite.footer if isinstance(suite, cst.IndentedBlock) else ()
        self.replace(branch, _statements(suite), leading, footer)


# -- helpers -----------------------------------------------------------------------------------


def _keep_parens(node: cst.BaseExpression, around: cst.BaseExpression) -> cst.BaseExpression:
    lpar = list(getattr(around, "lpar", ()))
    if not lpar or not hasattr(node, "lpar"):
        return node
    return node.with_changes(lpar=[*lpar, *node.lpar], rpar=[*node.rpar, *around.rpar])


def _compare(operator: cst.BaseCompOp, left: Any, right: Any) -> Optional[bool]:
    try:
        if isinstance(operator, cst.Equal):
            return bool(left == right)
        if isinstance(operator, cst.NotEqual):
            return bool(left != right)
        if isinstance(operator, cst.In):
            return bool(left in right)
        if isinstance(operator, cst.NotIn):
            return bool(left not in right)
        if isinstance(operator, (cst.Is, cst.IsNot)):
            if not (left is None or right is None or isinstance(left, bool)):
                return None
            return (left is right) == isinstance(operator, cst.Is)
        if isinstance(operator, cst.LessThan):
            return bool(left < right)
        if isinstance(operator, cst.LessThanEqual):
            return bool(left <= right)
        if isinstance(operator, cst.GreaterThan):
            return bool(left > right)
        if isinstance(operator, cst.GreaterThanEqual):
            return bool(left >= right)
    except TypeError:
        return None
    return None


def _statements(suite: cst.BaseSuite) -> List[cst.BaseStatement]:
    if isinstance(suite, cst.IndentedBlock):
        return list(suite.body)
    assert isinstance(suite, cst.SimpleStatementSuite)
    return [cst.SimpleStatementLine(body=suite.body)]


def _is_terminal(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and isinstance(
        statement.body[-1], _TERMINALS
    )


class _Yield(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def visit_Yield(self, node: cst.Yield) -> bool:
        self.found = True
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False


def _yields(statements: Sequence[cst.BaseStatement]) -> bool:
    """Whether ``statements`` hold a ``yield`` of the function around them."""
    visitor = _Yield()
    for statement in statements:
        statement.visit(visitor)
        if visitor.found:
            return True
    return False


def _detached(lines: Sequence[cst.EmptyLine]) -> List[cst.EmptyLine]:
    """The leading lines that stay when their statement goes: up to the last blank line
    (the comments right above a statement are about it and go with it)."""
    last_blank = max((i for i, line in enumerate(lines) if line.comment is None), default=-1)
    return list(lines[: last_blank + 1])


def _no_blank_start(statement: cst.BaseStatement) -> cst.BaseStatement:
    """The first statement of a block whose first statements were removed: no blank lines
    above it (the block starts where they started)."""
    if not hasattr(statement, "leading_lines"):
        return statement
    lines = list(statement.leading_lines)
    while lines and lines[0].comment is None:
        lines.pop(0)
    return statement.with_changes(leading_lines=lines)


def _with_leading(
    statement: cst.BaseStatement, lines: Sequence[cst.EmptyLine]
) -> cst.BaseStatement:
    """``statement`` below ``lines``: one gap where both end and start with blank lines."""
    if not lines or not hasattr(statement, "leading_lines"):
        return statement
    own = list(statement.leading_lines)
    extra = list(lines)
    if own and own[0].comment is None:
        while extra and extra[-1].comment is None:
            extra.pop()
    return statement.with_changes(leading_lines=[*extra, *own])
