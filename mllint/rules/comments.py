"""Commented-out code: ML105."""

from __future__ import annotations

import ast
import builtins
import re
import textwrap
from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from mllint.model import Severity, Span
from mllint.rules.base import FileRule, Invalid

_COMMENT_LINE = re.compile(r"^[ \t]*#(.*)$", re.MULTILINE)
_DIRECTIVE = re.compile(
    r"^\s*(?:type:|noqa\b|pylint:|pyright:|mypy:|flake8[:\s]|isort:|fmt:|ruff:|pragma\b|"
    r"nosec\b|-\*-|vim?:|coding[:=]|!|yapf:|pytype:|skipcq|codespell|e\.g\.|i\.e\.|eg[:,])",
    re.IGNORECASE,
)
_CODE_HINT = re.compile(r"[=(\[:]|^\s*(?:import|from|return|raise|del|pass|break|continue)\b")
_MAX_RUN = 60
_METADATA_MARKER = re.compile(r"^ ///(?: ([a-zA-Z0-9-]+))?\s*$")
_EXAMPLE_INTRO = re.compile(r"\be\.g\b|\bexample\b|for instance|such as|\bi\.e\b")
_CITING = re.compile(
    r"(?:see|from|source|adapted from|copied from|taken from|based on|cf\.?|ported from)\b",
    re.IGNORECASE,
)
_URL = re.compile(r"https?://\S+")
_SOURCE_FILE = re.compile(r"/blob/|/tree/|\.(?:py|c|cc|cpp|h|cu|js|java|lua|m)\b|#L\d+")
"""A link to a source file that the code under it quotes (``# See https://github.com/.../
ImageFilter.py`` above Pillow's ``class BLUR``): a citation, not code switched off."""
_FRAMEWORKS = r"(?:tf|tensorflow|jax|flax|pytorch|torch|numpy|c\+\+|matlab|lua|theano|caffe|keras)"
_ORIGINAL = re.compile(r"\b(?:original|reference|equivalent)\b", re.IGNORECASE)
_FRAMEWORK = re.compile(rf"\b{_FRAMEWORKS}(?!\w)", re.IGNORECASE)
_FRAMEWORK_CODE = re.compile(
    rf"(?<!\w){_FRAMEWORKS}\s+(?:code|implementation|version)\b", re.IGNORECASE
)
"""A heading that presents the code under it as the implementation a port was made from
(``## Original TF code.`` above ``# x = tf.nn.conv2d_transpose(...)``). Three linear
searches: one pattern with ``original.*framework`` backtracks quadratically on a long line."""
_MID_SENTENCE_WORDS = (
    "the a an of to and or is are was be as with for in on by that which returns then where "
    "when if just its their this these from into"
)
_MID_SENTENCE = frozenset(_MID_SENTENCE_WORDS.split())
"""Words a sentence does not end on: a code-shaped line after one finishes the sentence."""
_SHOWN = re.compile(r"\b(?:like|as) shown (?:here|below)\b")
"""A paragraph that announces the code under it (Sphinx's conf.py template: "use
os.path.abspath to make it absolute, like shown here.")"""
_KEYWORDS_BEFORE_PAREN = (
    "if|elif|and|or|not|in|is|return|yield|await|assert|del|for|while|with|as|else|lambda|"
    "print|exec|import|from|raise|except|case|match"
)
_PROSE_PAREN = re.compile(rf"\b(?!(?:{_KEYWORDS_BEFORE_PAREN})\b)[A-Za-z_]\w* \(")
_MATH_NAME = re.compile(r"^[A-Za-z]{1,2}(?:_[A-Za-z0-9]{1,3})?$")
_COMPOUND = (
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.With,
    ast.AsyncWith,
    ast.Try,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
)
"""Statements with a block: one explained line does not make such a block an annotation."""
_CODE_STATEMENTS = (
    ast.Assign,
    ast.AugAssign,
    ast.Return,
    ast.Import,
    ast.ImportFrom,
    *_COMPOUND,
    ast.Raise,
    ast.Delete,
)


def _is_code(statements: List[ast.stmt]) -> bool:
    """Whether parsed statements look like code someone disabled, not prose that parses.

    Prose that happens to parse is made of bare names, tuples and annotations
    (``# Note: this``, ``# (batch, seq_len)``); code assigns, calls, returns or imports.
    """
    if not statements:
        return False
    for statement in statements:
        if isinstance(statement, ast.AnnAssign):
            return False  # "Note: x", "Returns: y", "pylint: disable=..."
        if isinstance(statement, ast.Expr):
            value = statement.value
            if not isinstance(value, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom)):
                return False
            if isinstance(value, ast.Call) and not _callee_is_code(value.func):
                return False
        elif not isinstance(statement, _CODE_STATEMENTS) and not isinstance(
            statement, (ast.Pass, ast.Break, ast.Continue, ast.Assert, ast.Global)
        ):
            return False
    return any(not isinstance(s, (ast.Pass, ast.Break, ast.Continue)) for s in statements)


def _is_notation(statements: List[ast.stmt]) -> bool:
    """Maths or data layout written in code syntax: ``Y_1 = X_1 + f(X_2)``,
    ``shape = (batch, seq_len)``, ``ids = [tok_a, tok_b]``."""
    names = [
        node.id if isinstance(node, ast.Name) else node.attr
        for statement in statements
        for node in ast.walk(statement)
        if isinstance(node, (ast.Name, ast.Attribute))
    ]
    if names and all(_MATH_NAME.match(name) for name in names):
        return True
    if any(
        isinstance(node, ast.Compare)
        and any(isinstance(op, (ast.Is, ast.IsNot)) for op in node.ops)
        and any(isinstance(c, (ast.List, ast.Tuple, ast.Dict, ast.Set)) for c in node.comparators)
        for statement in statements
        for node in ast.walk(statement)
    ):
        return True  # `# mu = z_mean is [batch_size, num_latent]`: a sentence about a shape
    if any(
        isinstance(target, ast.Subscript) and _OPERATOR.match(getattr(target.value, "id", ""))
        for statement in statements
        if isinstance(statement, ast.Assign)
        for target in statement.targets
    ):
        return True  # `# tc = E[log(p_real) - log(p_fake)] = E[logit_real - logit_fake]`
    if all(
        isinstance(st, ast.Assign)
        and isinstance(st.value, ast.Name)
        and _DIMENSIONS.match(st.value.id)
        for st in statements
    ):
        return True  # `# segment_x = BxSxH` / `# valid_segment = BxS`: shapes
    if len(statements) != 1 or not isinstance(statements[0], ast.Assign):
        return False
    assign = statements[0]
    if any(
        isinstance(t, (ast.Name, ast.Attribute))
        and "shape" in (t.id if isinstance(t, ast.Name) else t.attr).lower()
        for t in assign.targets
    ):
        return True  # `# x.shape = [batch, n_ctx, width]`
    value = assign.value
    return (
        isinstance(value, (ast.Tuple, ast.List))
        and len(value.elts) > 1
        and all(isinstance(e, ast.Name) for e in value.elts)
    )


def _callee_is_code(func: ast.AST) -> bool:
    # `# See(above)` is prose; code calls lower-case names or methods (print(x), x.step())
    if isinstance(func, ast.Attribute):
        return True
    return isinstance(func, ast.Name) and (func.id.islower() or "_" in func.id)


def _parses(lines: List[str]) -> Optional[List[ast.stmt]]:
    source = textwrap.dedent("\n".join(lines))
    if not source.strip():
        return None
    try:
        return ast.parse(source).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


_TRAILING_PROSE = re.compile(
    r"\S\s+#\s*(?!noqa|type:|pylint:|fmt:)[A-Za-z][A-Za-z']*[,;:]?\s+[A-Za-z]+"
)
_EXPLAINED_BY = re.compile(
    r"\bwhat (?:we|it|this) (?:are |is )?(?:really )?(?:do|does|doing|compute|computes|computing)\b"
    r"|\bimplementation according to\b|\bversions? of$|\bequivalent to$|\bthe same as$",
    re.IGNORECASE,
)
"""A heading that presents the code under it as an explanation of the live code: ``# this is
what we are really doing, but using the robust version below``, ``## implementation according
to PIL definition, quite slow``, ``# jaxified versions of``."""
_MENU = 3
"""How many commented alternatives of one assignment make a menu (:meth:`_ModuleContext.menu`)."""
_SECTION_LINES = 40
"""How far above a block its section heading is looked for (:func:`_in_menu_section`)."""
_OPERATOR = re.compile(r"^(?:E|P|V|Var|Cov|KL)$")
"""Maths operators written as subscripted names (``E[x]``, ``P[y]``, ``Var[z]``): a formula
assigns to none of them."""
_DIMENSIONS = re.compile(r"^[A-Z0-9](?:x[A-Z0-9])+$")
"""A shape written as dimensions joined by ``x`` (``BxTxH``, ``BxSxSx1``)."""
_FRAMEWORK_ALIASES = frozenset({"tf", "torch", "jnp", "jax", "keras", "flax"})
"""The names the deep-learning frameworks are usually imported as. NumPy is left out: it sits
beside every framework, and a commented NumPy line in a module without it is old code more
often than a port's reference."""
_CONFIGURE_BY_COMMENTS = re.compile(
    r"\b(?:comment/uncomment|uncomment/comment|uncomment)\b"
    r"[^.]{0,40}?\b(?:as appropriate|appropriate lines?|the lines)\b",
    re.IGNORECASE,
)
"""A module-level instruction to configure a whole file by uncommenting its lines ("the lines
as appropriate", "the appropriate line"; "uncomment the following line" is about one line)."""
_CHOOSE_ONE = re.compile(
    r"\b(?:choose|pick|select|uncomment|uncommenting) (?:one|exactly one)\b", re.IGNORECASE
)
"""A section heading that offers its lines as alternatives ("(choose one)")."""
_BRACKETS = {
    "Call": ("f(", ")"),
    "List": ("[", "]"),
    "Tuple": ("(", ",)"),
    "Set": ("{", "}"),
    "Dict": ("{", "}"),
}
"""How an element of each kind of bracket is tried in place (see
:meth:`_ModuleContext.not_in_place`)."""
_FORMULA = re.compile(r"^[\w .,*+\-/()\[\]]+=[\w .,*+\-/()\[\]=]*$")
"""A line made only of a formula's characters around ``=`` (see :func:`_in_derivation`)."""
_INSTRUCTION = re.compile(r"\buncomment|\bcomment(?:ing)?[- ]out\b|\bcomment out\b", re.I)


def _is_annotation(statements: List[ast.stmt], lines: List[str], before: str) -> bool:
    """Code-shaped comments that annotate rather than switch code off: a line that carries
    its own explanation (``# lr = 0.1  # the paper's value``), code offered in instructions
    ("uncomment the following line"), a keyword argument explained by the prose above it or
    kept for provenance (``# url='https://...',``)."""
    simple = len(statements) == 1 and not isinstance(statements[0], _COMPOUND)
    if simple and any(_TRAILING_PROSE.search(line) for line in lines):
        return True  # (one simple statement: a block with an explained line is still a block)
    if _INSTRUCTION.search(before):
        return True
    if (
        len(statements) > 1
        and all(_is_string_keyword(st) for st in statements)
        and all(line.rstrip()[-1:] == "," for line in lines if line.strip())
    ):
        return True  # `# hf_hub_id='org/model',` `# hf_hub_filename='w.pt',`: provenance
    if statements and isinstance(statements[0], ast.Assign):
        value = statements[0].value
        if before and isinstance(value, ast.Tuple) and lines[0].rstrip()[-1:] == ",":
            return True  # keyword arguments left out, and the comment above says why
        if len(statements) > 1:
            return False
        if isinstance(value, ast.Tuple) and len(value.elts) == 1 and lines[-1].rstrip()[-1:] == ",":
            element = value.elts[0]
            return bool(before) or (
                isinstance(element, ast.Constant) and isinstance(element.value, str)
            )
    return False


def _is_string_keyword(statement: ast.stmt) -> bool:
    """``name='text',`` parsed: a keyword argument whose value is a string literal."""
    if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
        return False
    value = statement.value
    return (
        isinstance(statement.targets[0], ast.Name)
        and isinstance(value, ast.Tuple)
        and len(value.elts) == 1
        and isinstance(value.elts[0], ast.Constant)
        and isinstance(value.elts[0].value, str)
    )


def _is_documented_setting(statements: List[ast.stmt], after_blank_prose: bool) -> bool:
    """``# html_theme = 'alabaster'`` under a paragraph that describes the setting, a blank
    comment line between: a configuration template's documented default."""
    if not after_blank_prose or len(statements) != 1:
        return False
    statement = statements[0]
    return (
        isinstance(statement, ast.Assign)
        and all(isinstance(t, ast.Name) for t in statement.targets)
        and _is_literal(statement.value)
    )


def _is_literal(node: ast.AST) -> bool:
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def commented_code_runs(text: str, strings: Set[int]) -> List[Tuple[int, int, int]]:
    """``(first line, last line, column)`` of each run of comment lines that is code.

    ``strings`` holds the lines inside multi-line string literals (not comments).
    """
    runs: List[List[Tuple[int, int, str]]] = []
    previous = -2
    line, position = 1, 0
    metadata = False
    for match in _COMMENT_LINE.finditer(text):
        line += text.count("\n", position, match.start())
        position = match.start()
        if line in strings:
            continue
        body = match.group(1)
        # PEP 723 inline script metadata (`# /// script` ... `# ///`) is TOML, not code
        # that was switched off: its `dependencies = [...]` is what `uv run` installs.
        marker = _METADATA_MARKER.match(body) if match.start(1) - match.start() == 1 else None
        if metadata or (marker is not None and marker.group(1)):
            metadata = not (metadata and marker is not None and not marker.group(1))
            previous = -2
            continue
        column = match.start(1) - match.start()
        if line == previous + 1 and runs:
            runs[-1].append((line, column, body))
        else:
            runs.append([(line, column, body)])
        previous = line
    found: List[Tuple[int, int, int]] = []
    for run in runs:
        found.extend(_code_in_run(run))
    return found


def _strip(body: str) -> str:
    return body[1:] if body.startswith(" ") else body


def _comment_body(line: str) -> str:
    """What a commented line holds after its ``#`` (and one space)."""
    return _strip(line.split("#", 1)[1]) if "#" in line else ""


def _cites_source(line: str) -> bool:
    """Whether a line cites a source file by its link (``See https://.../ImageFilter.py``).
    Linear searches: one pattern with ``.*https?://\\S+`` backtracks quadratically."""
    return bool(_CITING.match(line)) and any(
        _SOURCE_FILE.search(url.group()) for url in _URL.finditer(line)
    )


def _ports_from(heading: str) -> bool:
    """Whether a heading presents the code under it as the original a port was made from."""
    original = _ORIGINAL.search(heading)
    return bool(
        (original and _FRAMEWORK.search(heading, original.end())) or _FRAMEWORK_CODE.search(heading)
    )


def _code_in_run(run: List[Tuple[int, int, str]]) -> List[Tuple[int, int, int]]:
    bodies = [_strip(body) for _, _, body in run]
    # a comment inside the commented code (`#     # fmt: off`) belongs to it: it neither
    # starts nor ends a block, and does not cut one in two
    nested = [b.lstrip().startswith("#") for b in bodies]
    usable = [
        bool(b.strip()) and not _DIRECTIVE.match(b) and not b.lstrip().startswith(">>>")
        for b in bodies
    ]
    found: List[Tuple[int, int, int]] = []
    spans: List[Tuple[int, int]] = []
    start = 0
    count = len(run)
    while start < count:
        if not usable[start] or nested[start] or not _CODE_HINT.search(bodies[start]):
            start += 1
            continue
        end = start
        while end < count and usable[end] and end - start < _MAX_RUN:
            end += 1
        while end > start and nested[end - 1]:
            end -= 1
        best = 0
        for stop in range(end, start, -1):
            if nested[stop - 1]:
                continue
            if any(
                _PROSE_PAREN.search(b)
                for i, b in enumerate(bodies[start:stop])
                if not nested[start + i]
            ):
                continue  # "shape (batch, seq_len)": prose, code has no space before "("
            statements = _parses(bodies[start:stop])
            if statements is not None and _is_code(statements) and not _is_notation(statements):
                best = stop
                break
        if best:
            spans.append((start, best))
            start = best
        else:
            start += 1
    in_code = {i for first, stop in spans for i in range(first, stop)}

    def prose(i: int) -> bool:
        return 0 <= i < count and i not in in_code and bool(bodies[i].strip())

    kept: List[Tuple[int, int]] = []
    illustrated: Set[int] = set()  # where the code an introduction announces stops
    for first, stop in spans:
        before = bodies[first - 1].strip().lstrip("#").strip().lower() if prose(first - 1) else ""
        if before.endswith(":") or _EXAMPLE_INTRO.search(before):
            illustrated.add(stop)
            continue  # "For example, ...", "you get:" introduce an illustration
        if before in ("...", "\u2026") and first - 1 in illustrated:
            illustrated.add(stop)
            continue  # the same illustration, past a "..." that elides part of it
        if _cites_source(before) or _ports_from(before) or _EXPLAINED_BY.search(before):
            continue  # code quoted from a linked source, or the original a port was made from
        words = before.split()
        if stop - first == 1 and words and words[-1] in _MID_SENTENCE:
            continue  # "_forward_head just returns the" / "identity, z=h": one sentence
        if stop - first == 1 and prose(first - 1) and prose(stop):
            continue  # one code-like line inside a paragraph illustrates the prose
        if (
            stop - first == 1
            and prose(first - 1)
            and bodies[first - 1].rstrip()[-1:].isalnum()
            and bodies[first].rstrip().endswith(".")
        ):
            continue  # "On later steps\n next_step = step + 1.": a sentence wrapped onto it
        above = first - 1
        while above >= 0 and not bodies[above].strip():
            above -= 1
        paragraph = bodies[above].strip().lower() if prose(above) else ""
        if paragraph.endswith(":") or _SHOWN.search(paragraph):
            continue  # "The computation is as follows:", a blank comment line, then code
        statements = _parses(bodies[first:stop]) or []
        if _is_annotation(statements, bodies[first:stop], paragraph if above == first - 1 else ""):
            continue
        if _INSTRUCTION.search(paragraph) or _is_documented_setting(
            statements, bool(paragraph) and above < first - 1
        ):
            continue
        if kept and all(not bodies[i].strip() for i in range(kept[-1][1], first)):
            kept[-1] = (kept[-1][0], stop)  # runs apart only by blank comment lines: one
        else:
            kept.append((first, stop))
    for first, stop in kept:
        found.append((run[first][0], run[stop - 1][0], run[first][1]))
    return found


def _describes_other_code(
    module: _ModuleContext, line: int, statements: Optional[List[ast.stmt]]
) -> bool:
    """Assignments whose names the enclosing function never mentions but live code elsewhere
    in the module does (``# qkv = self.qkv(x)`` above ``flops += ...`` in a ``flops()``
    method): they quote code that runs elsewhere to explain the live line."""
    if not statements or not all(
        isinstance(st, (ast.Assign, ast.AugAssign))
        and not (isinstance(st.value, ast.Tuple) and len(st.value.elts) == 1)  # a keyword arg
        for st in statements
    ):
        return False
    function = module.function_at(line)
    if function is None:
        return False
    names = {
        node.id
        for st in statements
        for node in ast.walk(st)
        if isinstance(node, ast.Name) and node.id not in ("self", "cls")
    }
    if not names:
        return False
    if names & module.used_in(function):
        return False
    return names <= module.names


_BUILTINS = frozenset(dir(builtins))


class _ModuleContext:
    """What a module's live code says about its comments: the names it knows, the lines
    between a definition and its docstring, and where each statement starts."""

    def __init__(self, tree: ast.Module) -> None:
        self.known: Set[str] = set(_BUILTINS)
        self.signature_notes: Set[int] = set()
        self.literal_starts: Set[int] = set()
        self._tree = tree
        self._handled: Optional[Set[Tuple[str, str]]] = None
        self._assignments: Dict[int, List[ast.AST]] = {}
        """Assignments by each line they span (read by :meth:`other_value_of`)."""
        self._loaded: Set[str] = set()
        self.names: Set[str] = set()
        """Every name the module's code mentions."""
        self._defs: List[ast.AST] = []
        self._function_at: Optional[Dict[int, ast.AST]] = None
        self._used: Dict[int, Set[str]] = {}
        self._bracket_at: Optional[Dict[int, Tuple[int, int, str]]] = None
        self._frameworks: Set[str] = set()
        """The framework aliases the module imports (``jnp``, ``torch``)."""
        self._functions = {
            s.name for s in tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
        }
        self._brackets: List[Tuple[int, int, str]] = []
        """Spans of the calls and literals written over several lines, with their kind."""
        for node in ast.walk(tree):
            if (
                isinstance(node, (ast.Call, ast.List, ast.Tuple, ast.Set, ast.Dict))
                and (node.end_lineno or node.lineno) > node.lineno
            ):
                self._brackets.append(
                    (node.lineno, node.end_lineno or node.lineno, type(node).__name__)
                )
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                self._assignment(node)
            elif isinstance(node, ast.Name):
                self.known.add(node.id)
                self.names.add(node.id)
                if isinstance(node.ctx, ast.Load):
                    self._loaded.add(node.id)
            elif isinstance(node, ast.arg):
                self.known.add(node.arg)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    local = (alias.asname or alias.name).split(".")[0]
                    self.known.add(local)
                    if local in _FRAMEWORK_ALIASES:
                        self._frameworks.add(local)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.known.add(node.name)
                if not isinstance(node, ast.ClassDef):
                    self._defs.append(node)
                body = node.body
                if (
                    body
                    and isinstance(body[0], ast.Expr)
                    and isinstance(body[0].value, ast.Constant)
                    and isinstance(body[0].value.value, str)
                ):
                    self.signature_notes.update(range(node.lineno + 1, body[0].lineno))

    def _assignment(self, statement: ast.Assign | ast.AnnAssign) -> None:
        """Index an assignment by its lines, and note a big literal (a table) it binds."""
        if statement.value is not None:
            for line in range(statement.lineno, (statement.end_lineno or 0) + 1):
                self._assignments.setdefault(line, []).append(statement)
            data = statement.value
            if isinstance(data, ast.Call) and data.args and _builds_array(data.func):
                data = data.args[0]  # `perm = tf.constant([228, 6, ...], dtype=tf.int32)`
            lines = (data.end_lineno or data.lineno) - data.lineno
            width = (data.end_col_offset or 0) - data.col_offset
            if (lines > 0 or width > 200) and _is_literal(data):
                self.literal_starts.add(statement.lineno)

    def literal_names(self, line: int) -> Set[str]:
        """Names the statements at ``line`` bind to a literal (``ARCH = 'tape'``)."""
        names: Set[str] = set()
        for statement in self._assignments.get(line, ()):
            value = statement.value  # type: ignore[attr-defined]
            if _is_literal(value):
                targets = (
                    statement.targets if isinstance(statement, ast.Assign) else [statement.target]  # type: ignore[attr-defined]
                )
                names.update(t.id for t in targets if isinstance(t, ast.Name))
        return names

    @property
    def handled(self) -> Set[Tuple[str, str]]:
        """``(name, repr(value))`` for each literal the module's code compares a name with
        (``ARCH == 'transunet'``, ``MODE in ('a', 'b')``), and ``(name, "test")`` for each
        name a test reads on its own (``if DEBUG:``): the values its code still handles."""
        if self._handled is None:
            handled: Set[Tuple[str, str]] = set()
            for node in ast.walk(self._tree):
                if isinstance(node, ast.Compare):
                    sides = [node.left, *node.comparators]
                    names = [side.id for side in sides if isinstance(side, ast.Name)]
                    for side in sides:
                        values = (
                            side.elts
                            if isinstance(side, (ast.Tuple, ast.List, ast.Set))
                            else [side]
                        )
                        for value in values:
                            if isinstance(value, ast.Constant):
                                handled.update((name, repr(value.value)) for name in names)
                elif isinstance(node, (ast.If, ast.While, ast.IfExp)):
                    test = node.test.operand if isinstance(node.test, ast.UnaryOp) else node.test
                    parts = test.values if isinstance(test, ast.BoolOp) else [test]
                    for part in parts:
                        if isinstance(part, ast.UnaryOp):
                            part = part.operand
                        if isinstance(part, ast.Name):
                            handled.add((part.id, "test"))
            self._handled = handled
        return self._handled

    def recipe_for_literal(self, last: int, lines: List[str]) -> bool:
        """Whether the next statement after a comment run (past blank and comment lines)
        assigns a big literal at module level: the run is the recipe that produced it."""
        line = last + 1
        while line <= len(lines) and (
            not lines[line - 1].strip() or lines[line - 1].lstrip().startswith("#")
        ):
            line += 1
        return line in self.literal_starts

    def other_value_of(self, first: int, last: int, statements: Optional[List[ast.stmt]]) -> bool:
        """A commented ``NAME = literal`` right above or below a live ``NAME = literal``
        (``ARCH = 'tape'`` over ``# ARCH = 'transunet'``) whose value the module's code still
        handles (``if ARCH == 'transunet':``; for a boolean, a test on the name): the other
        value of a knob meant to be edited, written where the knob is. An old value nothing
        handles (``# html_favicon = 'old.ico'`` over the new one) is a setting switched off."""
        if not statements or len(statements) != 1:
            return False
        statement = statements[0]
        if not isinstance(statement, ast.Assign) or not _is_literal(statement.value):
            return False
        names: Set[str] = {t.id for t in statement.targets if isinstance(t, ast.Name)}
        around = self.literal_names(first - 1) | self.literal_names(last + 1)
        if not names or not names <= around:
            return False
        value = ast.literal_eval(statement.value)
        key = "test" if isinstance(value, bool) else repr(value)
        # the code still handles the other value: a knob; else an old setting switched off
        return all((name, key) in self.handled for name in names)

    def menu(self, first: int, last: int, statements: Optional[List[ast.stmt]]) -> bool:
        """Three or more commented alternatives for one name right above or below its live
        assignment (pytorch-cifar's ``# net = VGG('VGG19')``, ``# net = ResNet18()``... over
        ``net = SimpleDLA()``): a menu to pick from by editing, not a value switched off. One
        or two commented values next to the live one are an old version, still reported."""
        if not statements or len(statements) < _MENU:
            return False
        names: Set[str] = set()
        values: Set[str] = set()
        for statement in statements:
            if not (
                isinstance(statement, ast.Assign)
                and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)
            ):
                return False
            names.add(statement.targets[0].id)
            values.add(ast.dump(statement.value))
        if len(names) != 1 or len(values) != len(statements):
            return False
        name = names.pop()
        return any(
            isinstance(target, ast.Name) and target.id == name
            for line in (first - 1, last + 1)
            for assignment in self._assignments.get(line, ())
            for target in getattr(assignment, "targets", [getattr(assignment, "target", None)])
        )

    def notation(self, statements: Optional[List[ast.stmt]]) -> bool:
        """``# buckets = [1/G]``: an assignment whose value reads only maths symbols the
        module never defines, a note about a formula rather than code that ran."""
        if not statements or len(statements) != 1 or not isinstance(statements[0], ast.Assign):
            return False
        value = statements[0].value
        if any(
            isinstance(node, ast.Attribute)
            or (isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute)))
            for node in ast.walk(value)
        ):
            return False  # `(X - mu) (X - mu)^T` juxtaposes factors: maths, no call
        names = [node.id for node in ast.walk(value) if isinstance(node, ast.Name)]
        return bool(names) and all(
            _MATH_NAME.match(name) and name not in self.known for name in names
        )

    def function_at(self, line: int) -> Optional[ast.AST]:
        """The innermost function whose body holds ``line`` (after its ``def`` line). One
        map for the module, filled once: a file of many blocks costs one pass, not one per
        block."""
        if self._function_at is None:
            found: Dict[int, ast.AST] = {}
            for node in sorted(self._defs, key=lambda n: n.lineno):  # type: ignore[attr-defined]
                end = getattr(node, "end_lineno", None) or node.lineno  # type: ignore[attr-defined]
                for number in range(node.lineno + 1, end + 1):  # type: ignore[attr-defined]
                    found[number] = node  # a later (inner) definition overwrites its outer one
            self._function_at = found
        return self._function_at.get(line)

    def used_in(self, function: ast.AST) -> Set[str]:
        """The names and parameters a function mentions (memoised)."""
        key = id(function)
        if key not in self._used:
            used = {node.id for node in ast.walk(function) if isinstance(node, ast.Name)}
            arguments = function.args  # type: ignore[attr-defined]
            used.update(a.arg for a in ast.walk(arguments) if isinstance(a, ast.arg))
            self._used[key] = used
        return self._used[key]

    def _innermost_bracket(self, line: int) -> Optional[Tuple[int, int, str]]:
        if self._bracket_at is None:
            found: Dict[int, Tuple[int, int, str]] = {}
            # outer first, so that an inner bracket (starting later, or on the same line and
            # ending first, a literal inside a call) overwrites it
            order = sorted(self._brackets, key=lambda b: (b[0], -b[1], b[2] != "Call"))
            for start, end, kind in order:
                for number in range(start + 1, end):
                    found[number] = (start, end, kind)
            self._bracket_at = found
        return self._bracket_at.get(line)

    def not_in_place(self, first: int, last: int, lines: List[str]) -> bool:
        """Whether a block inside a bracket of a statement written over several lines could
        not stand there once uncommented: ``# core_on_chip=0.`` labels the rows of an array
        literal, where a keyword is a syntax error. Inside a call, ``# b=make(2),`` is a
        keyword argument switched off, and any expression an argument."""
        bracket = self._innermost_bracket(first)  # the innermost one holding the block
        if bracket is None or not bracket[1] > last:
            return False
        kind = bracket[2]
        bodies = []
        for line in lines[first - 1 : last]:
            _head, _, body = line.partition("#")
            bodies.append(_strip(body))
        opening, closing = _BRACKETS[kind]
        source = textwrap.dedent("\n".join(bodies)).strip()
        for text in (source, source.rstrip(",")):
            try:
                ast.parse(f"_ = {opening}\n{text}\n{closing}")
                return False
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                continue
        return True

    def other_framework(self, statements: Optional[List[ast.stmt]]) -> bool:
        """Code written with a framework the module does not import, in a module that imports
        another one (``# tf.gather(blocked_value_matrix, rand_attn, batch_dims=2)`` in a JAX
        port): the reference a port reproduces, which could not run here."""
        if not self._frameworks:
            return False
        if not statements:
            return False
        roots = {
            node.value.id
            for statement in statements
            for node in ast.walk(statement)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
        }
        foreign = {r for r in roots if r in _FRAMEWORK_ALIASES and r not in self.known}
        return bool(foreign) and not (roots & self._frameworks)

    def menu_function(self, line: int) -> bool:
        """Whether the function holding ``line`` says in its docstring to pick one of its
        lines (improved_wgan_training's ``"Choose which generator and discriminator
        architecture to use by uncommenting one of these lines."``)."""
        function = self.function_at(line)
        if function is None:
            return False
        doc = ast.get_docstring(function, clean=False)  # type: ignore[arg-type]
        return bool(doc) and bool(_CHOOSE_ONE.search(" ".join((doc or "")[:2000].split())))

    def run_on_demand(self, first: int, statements: Optional[List[ast.stmt]]) -> bool:
        """``# test()`` at the bottom of a model file, ``# generate_timing_tests()`` under
        ``if __name__ == "__main__":``: calls without arguments, outside any function, of
        functions of the module that nothing else calls. The comment is their only caller,
        the switch a maintainer flips to run them on demand, not code that was switched off
        (``# dump_imagenet(hps.data_dir, ...)`` next to the live ``dump_celebahq(...)`` is)."""
        if not self._functions or self.function_at(first) is not None:
            return False
        return bool(statements) and all(
            isinstance(statement, ast.Expr)
            and isinstance(statement.value, ast.Call)
            and isinstance(statement.value.func, ast.Name)
            and not statement.value.args
            and not statement.value.keywords
            and statement.value.func.id in self._functions
            and statement.value.func.id not in self._loaded
            for statement in statements or ()
        )

    def invented_names(self, statements: Optional[List[ast.stmt]]) -> bool:
        """Prose that parses: ``# return these``, ``# del them`` (words no code of the
        module uses)."""
        if not statements:
            return False
        known = self.known
        if len(statements) != 1 or not isinstance(statements[0], (ast.Return, ast.Delete)):
            return False
        value = statements[0]
        parts = [n for n in ast.walk(value) if n is not value]
        names = [n.id for n in parts if isinstance(n, ast.Name)]
        return (
            bool(names)
            and all(isinstance(n, (ast.Name, ast.Load, ast.Del)) for n in parts)
            and not any(name in known for name in names)
        )


_ARRAY_BUILDERS = frozenset({"constant", "array", "asarray", "tensor", "as_tensor"})


def _builds_array(func: ast.AST) -> bool:
    """``np.array``, ``tf.constant``, ``torch.tensor``: a call that turns a literal table into
    an array, the table staying the data."""
    return isinstance(func, ast.Attribute) and func.attr in _ARRAY_BUILDERS


def _configured_from(lines: List[str]) -> Optional[int]:
    """The line of a module-level instruction to configure the file by commenting and
    uncommenting its lines (progressive_growing_of_gans' config.py: "To run, comment/uncomment
    the lines as appropriate and launch train.py."), if there is one."""
    for number, line in enumerate(lines, 1):
        if line.startswith("#") and _CONFIGURE_BY_COMMENTS.search(line):
            return number
    return None


def _in_menu_section(lines: List[str], first: int) -> bool:
    """Whether a heading of the block's section, the lines above it up to a blank line, says
    to choose one of its lines ("# Dataset (choose one).")."""
    index = first - 2
    stop = max(first - 2 - _SECTION_LINES, -1)  # a section is short: bounded on a huge file
    while index > stop and lines[index].strip():
        text = lines[index].strip()
        if text.startswith("#") and _CHOOSE_ONE.search(text):
            return True
        index -= 1
    return False


def _in_derivation(lines: List[str], first: int, last: int) -> bool:
    """Whether the comment line right above or below a block is a formula that is not
    Python (``# coefficient of variation = 0.6969495``, ``# mean(x) = 1.3333334``, ``# p =
    [0.999 0.277 0.234]``): the block is a step of a worked derivation (an expected test
    value worked out by hand), not code switched off."""
    for index in (first - 2, last):
        if not 0 <= index < len(lines):
            continue
        text = lines[index].strip()
        if not text.startswith("#"):
            continue
        body = text.lstrip("#").strip()
        if _FORMULA.match(body) and "==" not in body and _parses([body]) is None:
            return True
    return False


def _string_lines(tree: Optional[ast.Module]) -> Set[int]:
    lines: Set[int] = set()
    if tree is None:
        return lines
    for node in ast.walk(tree):
        if isinstance(node, (ast.Constant, ast.JoinedStr)):
            end = getattr(node, "end_lineno", None) or node.lineno
            if end > node.lineno:
                lines.update(range(node.lineno, end + 1))
    return lines


class CommentedOutCode(FileRule):
    """
    ## What it does
    Checks for runs of comment lines that parse as Python statements and read as code
    (assignments, calls, returns, imports, control flow), such as a training step someone
    switched off by commenting it out.

    ## Why is this bad?
    Commented-out code is an experiment nobody dared to delete. It rots silently (nothing
    checks that it still makes sense), it hides what the live code does, and version control
    already remembers it.

    ## Example
    ```python
    loss = criterion(logits, y)
    # loss = F.cross_entropy(logits, y)
    # loss.backward()
    ```

    Use instead:
    ```python
    loss = criterion(logits, y)
    ```

    ## Notes
    Reported at the first line of each run. Prose that happens to parse is not code: lines
    made only of names, tuples or shapes (`# (batch, seq_len)`), annotations such as
    `# Note: this` or `# Returns: x`, calls of capitalised words (`# See(above)`), tool
    directives (`# type:`, `# noqa`, `# pylint: disable=...`, `# fmt: off`, coding cookies),
    doctest lines (`# >>> x`) and lines inside string literals are never reported. A run is
    cut where a line does not belong to the code, so prose followed by code reports the
    code; but code introduced by a prose line ending in `:` ("for example:", "you get:"),
    lines starting with "e.g." or "i.e.", and a single code-like line in the middle of a
    paragraph are taken as part of the explanation. Notation is not code either: maths in
    one- or two-letter names (`# Y_1 = X_1 + f(X_2)`), shapes (`# shape = (batch, seq)`)
    and layouts (`# ids = [tok_a, tok_b]`). A call written with a space before its
    parenthesis (`# shape (batch, seq_len)`, `# size=n (frames)`) is prose.

    Annotations are not code switched off either: a commented statement with its own
    explanatory trailing comment (`# lr = 0.01  # the paper's value`; a block, several
    statements or an `if`/`for`/`def`, with one explained line is still a block), code offered in
    instructions to the reader ("uncomment the following line"), a keyword argument explained
    by the comment line above it or kept as provenance (`# url='https://...',` in a dict of
    pretrained weights, also several such string keywords in a row: `# hf_hub_id='org/m',`
    `# hf_hub_filename='m.pt',`), a configuration template's documented default (a literal
    assignment under a paragraph describing the setting, a blank comment line between:
    Sphinx's `# html_theme = 'alabaster'`), and assignments that quote code living elsewhere
    in the module, whose names the enclosing function never uses (`# qkv = self.qkv(x)`
    above the line counting its cost in a `flops()` method). Runs of code separated only by
    blank comment lines are one finding whose range covers the whole block.

    PEP 723 inline script metadata (`# /// script`, `# dependencies = [...]`, `# ///`) is
    TOML that tools such as `uv run` read, not code: it is never reported (nor deleted).

    Three more shapes annotate: a *recipe* (the commented code that produced the big literal
    assigned at module level right below it, such as a table of categories or the bytes of a
    test image: removing it loses where the data came from), comments between a `def` or
    `class` line and its docstring (a note on the signature, `# targets = [cls, xyxy]`), and
    code introduced by a prose line ending in `:` or announcing it ("like shown here", "as
    shown below") even across a blank comment line ("The computation is as
    follows:"; Sphinx's conf.py template: "use os.path.abspath to make it absolute, like
    shown here."). A lone `# return these` or `# del them` whose words no code of the
    module uses is prose.

    Knobs and sentences are not code either: the other value of a setting written right
    next to it when the module's code still handles that value (`ARCH_VARIANT = 'tape'` over
    `# ARCH_VARIANT = 'transunet'`, with `if ARCH_VARIANT == 'transunet':` below; for a
    boolean, a test on the name): the edit that switches a config, which ML102 also leaves
    alone. An old value nothing handles is a setting switched off and is reported
    (`#html_favicon = 'old.ico'` over `html_favicon = 'new.ico'`). Not code either: a
    recipe above a table built into an array anywhere in the module (`perm =
    tf.constant([228, 6, ...])` under the commented `np.random.shuffle` that drew it), a
    sentence that wraps onto a code-shaped line and ends with a full stop (`# On later
    steps` / `# next_step = step + 1.`), and a formula in maths symbols the module never
    defines (`# buckets = [1/G]`). A trailing explanation counts after any punctuation
    (`# xa.flush = xm.flush  # Sadly, we can't ...`).

    Citations are not code switched off: code under a link to the source file it quotes
    (`# See https://github.com/python-pillow/Pillow/blob/main/src/PIL/ImageFilter.py` above
    `# class BLUR(BuiltinFilter): ...`; a link to an issue or a page is not a source file, so
    `# see https://github.com/org/repo/issues/12` above code still reports it), and code
    under a heading that presents it as the implementation in another framework a port was
    made from (`## Original TF code.`; an `# Old version` or `# Original code` heading does
    not). A code-shaped line that ends a sentence begun on the line above, one that stops on
    a word such as "the", "of" or "returns" (`# ... just returns the` / `#    identity,
    z=h`), is prose, and an illustration stays one across a `...` line that elides part of
    it ("you should do following:" / `from libml import data` / `...` / `dir =
    libml_data.DATA_DIR`). A comment inside commented-out code (`#     # fmt: off`) is part
    of the block: it does not split it into two findings.

    Switches and explanations read on the fourth unseen set (2026-12-01) are not code
    switched off either:
    - an *on-demand call*: outside any function, calls without arguments of functions of
      the module that nothing else calls (`# test()` at the bottom of a model file, `#
      generate_timing_tests()` under `if __name__ == "__main__":`). The comment is their
      only caller, the switch a maintainer flips to run them. A call with arguments (`#
      dump_imagenet(hps.data_dir, ...)` next to the live `dump_celebahq(...)`) is an
      alternative switched off, and is reported;
    - a *menu*: three or more commented alternatives for one name right above or below its
      live assignment (`# net = VGG('VGG19')`, `# net = ResNet18()`, ... over `net =
      SimpleDLA()`). One or two commented values next to the live one are an old version,
      still reported;
    - code under a heading that presents it as what the live code computes ("this is what
      we are really doing, but using the robust version below", "implementation according
      to PIL definition, quite slow", "jaxified versions of");
    - a step of a worked derivation: a block next to a comment line that is a formula but not
      Python (`# coefficient of variation = 0.6969495`, `# mean(x) = 1.33`), as in a test
      that works its expected value out by hand; a formula that juxtaposes factors (`# sigma
      = (1 / (n - 1)) * (X - mu) (X - mu)^T`) is maths;
    - a block inside the brackets of a call or literal written over several lines that
      could not stand there once uncommented (`# core_on_chip=0.` labelling the rows of an
      array literal, where a keyword is a syntax error).

    And on the sixth (2026-12-01):
    - a file configured by hand: after a module-level instruction to comment and uncomment
      its lines ("# To run, comment/uncomment the lines as appropriate", "uncomment the
      appropriate line"; not "uncomment the following line", which is about one line), the
      module-level blocks are its settings; and a block in a section whose heading offers its
      lines as alternatives ("# Dataset (choose one).") is one of them;
    - shapes written as dimensions joined by `x` (`# segment_x = BxSxH`);
    - code written with a framework the module does not import, in a module that imports
      another (`# tf.gather(blocked_value_matrix, rand_attn, batch_dims=2)` in a JAX port):
      the reference the port reproduces, which could not run there (NumPy is not "another
      framework": a commented NumPy line is old code more often than a reference).

    And on the seventh: alternatives in a function whose docstring says to pick one of its
    lines ("Choose which generator and discriminator architecture to use by uncommenting one
    of these lines."); a formula that assigns to an expectation or a probability (`# tc =
    E[log(p_real) - log(p_fake)] = E[logit_real - logit_fake]`); a sentence that parses as
    an `is` comparison with a literal list (`# mu = z_mean is [batch_size, num_latent]`).
      A commented keyword argument of a call (`#     b=make(2),`) is still code.

    ## Fix
    Unsafe (`--unsafe-fixes`): deletes the commented-out lines. The code is dead, but a
    comment may be the only record of a setting someone meant to come back to; version
    control keeps it either way.

    Before:
    ```python
    def train(model, data):
        # for batch in data:
        #     model.step(batch, lr=0.1)
        model.fit(data)
    ```

    After:
    ```python
    def train(model, data):
        model.fit(data)
    ```
    """

    code = "ML105"
    name = "commented-out-code"
    message = "Commented-out code"
    severity = Severity.WARNING
    tags = ("maintainability", "dead-code")
    VALID = (
        '# /// script\n# requires-python = ">=3.10"\n# dependencies = [\n#   "torch",\n# ]\n'
        "# ///\nimport torch\n",
        "# Copyright 2024 The Authors. Licensed under the Apache License.\nx = 1\n",
        "# Note: this is prose\nx = 1\n",
        "# (batch, seq_len, hidden)\nx = 1\n",
        "x = 1  # type: ignore\n",
        "# pylint: disable=invalid-name\nx = 1\n",
        "# -*- coding: utf-8 -*-\nx = 1\n",
        "# See https://example.com/a?b=c\nx = 1\n",
        's = """\n# x = 1\n"""\n',
        "# >>> model(x)\nx = 1\n",
        "# TODO: remove\nx = 1\n",
        "# shape (batch_size, seq_len)\nx = 1\n",
        "# For example:\n# y = model(x)\nx = 1\n",
        "# e.g. key = 'down_blocks.1'\nx = 1\n",
        "# Y_1 = X_1 + f(X_2)\nx = 1\n",
        "# shape = (batch_size, num_queries)\nx = 1\n",
        "# output_ids = [tok_a, tok_b, tok_c]\nx = 1\n",
        "# size=frame_len (context_size)\nx = 1\n",
        "# For example, with n == 5,\n# idx = tensor([0, 1])\nx = 1\n",
        "# We call\n# x.unfold(dim, size, step)\n# with the frame length\nx = 1\n",
        "# x.shape = [batch_size, n_ctx, width]\nx = 1\n",
        "lr = 0.1\n# lr = 0.01  # the value of the paper's appendix\n",
        "y = f(\n    depth=4,\n    # rope_rescale=2,  # haven't added to interface\n)\n",
        "# This can be done by uncommenting the following line.\n# eps = out[:, :4]\neps = 1\n",
        "y = dict(\n    # Passed by the child class\n    # squash=self.squash,\n"
        "    # norm=self.norm\n    a=1,\n)\n",
        "y = dict(\n    # url='https://example.com/weights.pth',\n    a=1,\n)\n",
        "# The theme to use for HTML pages.\n#\n# html_theme = 'alabaster'\nhtml_theme = 'rtd'\n",
        "class A:\n    def forward(self, x):\n        qkv = self.qkv(x)\n        return qkv\n\n"
        "    def flops(self, n):\n        f = 0\n        # qkv = self.qkv(x)\n        f += n * 3\n"
        "        return f\n",
        # the recipe of the table below it
        "# with open('cats.json') as f:\n#     c = json.load(f)\n# TABLE = repr(c)\n"
        "TABLE = [\n    {'id': 1, 'name': 'acorn'},\n]\n",
        # a note on the signature, before the docstring
        'def warp(im, targets):\n    # targets = [cls, xyxy]\n    """Warp."""\n    return im\n',
        "# The computation is as follows:\n#\n# cur_x = x\nx = 1\n",
        "def f(q):\n    s = {}\n    # return these\n    s[1] = q\n    return s\n",
        # where a config's weights first came from, several keywords long
        "cfgs = {\n    'vit_pe': _cfg(\n        # hf_hub_id='facebook/PE-Core-L14-336',\n"
        "        # hf_hub_filename='PE-Core-L14-336.pt',\n        hf_hub_id='timm/',\n    ),\n}\n",
        # code the paragraph above shows (Sphinx's conf.py template)
        "# If the directory is relative to the documentation root, use os.path.abspath to\n"
        "# make it absolute, like shown here.\n#\n# import os\n# import sys\n"
        "# sys.path.insert(0, os.path.abspath('.'))\nproject = 'x'\n",
        # the other value of a knob, written next to it
        "ARCH_VARIANT = 'tape'\n# ARCH_VARIANT = 'transunet'\n\ndef get_sweep():\n"
        "    if ARCH_VARIANT == 'transunet':\n        return [1]\n    return [2]\n",
        # the recipe of a table built into an array inside a function
        "def perms():\n    # np.random.seed(42)\n    # perm = np.arange(4)\n"
        "    # np.random.shuffle(perm)\n    perm = tf.constant([\n        2, 0, 3, 1,\n    ])\n"
        "    return perm\n",
        # a sentence wrapped onto a code-shaped line
        "# On the first step next_step=prompt_len. On subsequent steps\n"
        "# next_step = step + 1.\ndef body(step):\n    return step\n",
        # a formula in symbols the module does not define
        "def sample(bs):\n    # buckets = [1/G]\n    return bs\n",
        # an explanation after punctuation
        "xa = f()\n# xa.flush = xm.flush  # Sadly, we can't add attributes to an array\n",
        # code quoted from the source file a link points to
        "def blur(image):\n"
        "    # See https://github.com/python-pillow/Pillow/blob/main/src/PIL/ImageFilter.py\n"
        "    # class BLUR(BuiltinFilter):\n    #     name = 'Blur'\n"
        "    #     # fmt: off\n    #     filterargs = (5, 5), 16, 0, (1, 1, 1)\n"
        "    #     # fmt: on\n    return image\n",
        # the original a port was made from
        "x = conv_transpose2d(x, w)\n## Original TF code.\n# x = tf.nn.conv2d_transpose(\n"
        "#     x, w, output_shape=shape)\n",
        # a sentence finished on a code-shaped line
        "# If use_pred_head=False, _forward_head just returns the\n#    identity, z=h\n"
        "h, z = encoder(imgs)\n",
        # one illustration across an elision
        "# If you need DATA_DIR outside of this module then you should do following:\n"
        "#     from libml import data as libml_data\n#     ...\n"
        "#     dir = libml_data.DATA_DIR\nDATA_DIR = ''\n",
        # an on-demand call of the module's own smoke test
        "def test():\n    print(1)\n\n# test()\n",
        # a menu of models to pick from by editing
        "# net = VGG('VGG19')\n# net = ResNet18()\n# net = DenseNet121()\nnet = SimpleDLA()\n",
        # what the live code really computes
        "def f(x):\n    # this is what we are really doing, but using the robust version below\n"
        "    # y = tf.select(x < 0, a, b)\n    return robust(x)\n",
        # a worked derivation in a test
        "def test_loss(out):\n    # sum_gates = [1.7, 1.1, 1.2]\n    # mean(sum_gates) = 1.33\n"
        "    assert out == 1.33\n",
        "def cov(acts, m):\n    # sigma = (1 / (n - 1)) * (X - mu) (X - mu)^T\n"
        "    return acts - m\n",
        # a file configured by uncommenting its lines, and a menu section
        "# To run, comment/uncomment the lines as appropriate and launch train.py.\n"
        "desc = 'pgan'\n# desc += '-cond'; dataset.max_label_size = 'full'\n",
        "# Dataset (choose one).\ndesc += '-celebahq'; dataset = dict(d='celebahq')\n"
        "# desc += '-cifar10'; dataset = dict(d='cifar10')\n",
        # shapes
        "def f(x):\n    # segment_x = BxSxH\n    # valid_segment = BxS\n    return x\n",
        # another framework's code in a port
        "import jax.numpy as jnp\n\ndef gather(m, a):\n"
        "    # tf.gather(m, a, batch_dims=2)\n    return jnp.take(m, a)\n",
        # alternatives of a function that says to uncomment one of them
        'def get_arch():\n    """Choose the architecture by uncommenting one of these lines."""\n'
        "    return Good, GoodD\n    # return DCGAN, DCGAND\n"
        "    raise Exception('You must choose an architecture!')\n",
        # an expectation, and a sentence about a shape
        "def loss(a, b):\n    # tc = E[log(p_real) - log(p_fake)] = E[logit_real - logit_fake]\n"
        "    return a - b\n",
        "def enc(z_mean):\n    # mu = z_mean is [batch_size, num_latent]\n    return z_mean\n",
        # a label inside an array literal
        "rows = np.array([\n    # core_on_chip=0.\n    [a, b],\n    # core_on_chip=1.\n"
        "    [c, d],\n])\n",
    )
    INVALID = (
        # a call switched off inside a function, and of a function something else calls
        Invalid("def test():\n    print(1)\n\ntest()\n# test()\n", line=5),
        # one line to uncomment is no instruction about the whole file
        Invalid("# uncomment the following line to log\nx = 1\n# log(x)\ny = 2\n", line=3),
        # the framework the module imports
        Invalid(
            "import tensorflow as tf\n\ndef gather(m, a):\n"
            "    # tf.gather(m, a, batch_dims=2)\n    return tf.gather(m, a)\n",
            line=4,
        ),
        # a call with arguments: an alternative switched off
        Invalid("def dump(d):\n    print(d)\n\n# dump(data_dir)\n", line=4),
        # one old value next to the live one
        Invalid("# net = ResNet18()\nnet = SimpleDLA()\n", line=1),
        # a keyword argument switched off inside a call
        Invalid("m = dict(\n    a=1,\n    # b=make(2),\n    c=3,\n)\n", line=3),
        Invalid(
            '# /// script\n# dependencies = ["torch"]\n# ///\n# x = torch.ones(3)\n'
            "# y = x * 2\nimport torch\n",
            line=4,
        ),
        Invalid("x = 1\n# y = x + 1\n# print(y)\n", line=2),
        # an old value next to the setting that replaced it, which no code handles
        Invalid("#html_favicon = 'openai-favicon2_32x32.ico'\nhtml_favicon = 'icon.ico'\n", line=1),
        # a block is still code when one of its lines explains itself
        Invalid(
            "# if infer_mode:\n#     output = self.forward_features(spec)\n"
            "# else: # this part is typically used\n#     output = self.head(spec)\n"
            "output = self.head(spec)\n",
            line=1,
            message="4 lines",
        ),
        # a link to an issue is not the source of the code under it
        Invalid(
            "# see https://github.com/pytorch/pytorch/issues/123\n"
            "# torch.backends.cudnn.benchmark = True\nx = 1\n",
            line=2,
        ),
        # the code a rewrite replaced, in the same framework
        Invalid("x = new(y)\n# Original code\n# x = old(y)\n", line=3),
        # a comment inside commented-out code does not split it
        Invalid(
            "# model = build(\n#     # fmt: off\n#     depth, width,\n#     # fmt: on\n# )\n"
            "y = 1\n",
            line=1,
            message="5 lines",
        ),
        # an alternative that is code, not a value, next to a setting
        Invalid("lr = 0.1\n# lr = schedule(step)\n", line=2),
        # the symbols are the function's own values
        Invalid("def sample(bs, G):\n    # buckets = [1/G]\n    return bs\n", line=2),
        Invalid(
            "def f(logits, y):\n    loss = 0\n    # loss = F.cross_entropy(logits, y)\n"
            "    # loss.backward()\n    return loss\n",
            line=3,
        ),
        Invalid("# Old version\n# import numpy as np\nx = 1\n", line=2),
        Invalid("# visual_dim = 2048\nx = 1\n", line=1),
        Invalid(
            "# hidden = encode(tokens)\n#\n# logits = head(hidden)\nx = 1\n",
            line=1,
            message="3 lines",
        ),
        Invalid("def f(m):\n    # self.scale = scale\n    return m\n", line=2),
        Invalid("y = f(\n    lr=1,\n    # dropout=0.1,\n)\n", line=3),
        # keywords switched off are code, unless all are strings kept for provenance
        Invalid(
            "y = f(\n    lr=1,\n    # name='vit',\n    # depth=12,\n)\n", line=3, message="2 lines"
        ),
    )

    def visit_Module(self, node: cst.Module) -> None:
        context = self.context
        text = context.locator.text
        if "#" not in text:
            return
        strings: Optional[Set[int]] = None
        runs = commented_code_runs(text, set())
        if not runs:
            return
        strings = _string_lines(context.locator.ast_tree())
        if strings:
            runs = commented_code_runs(text, strings)
        lines = text.split("\n")
        tree = context.locator.ast_tree()
        module = _ModuleContext(tree) if tree is not None else None
        configured = _configured_from(lines)
        for first, last, column in runs:
            block = _parses([_comment_body(line) for line in lines[first - 1 : last]])
            if module is not None and _describes_other_code(module, first, block):
                continue
            if _in_derivation(lines, first, last) or _in_menu_section(lines, first):
                continue
            if module is not None and module.menu_function(first):
                continue
            if configured is not None and first > configured and column == 1:
                continue  # "To run, uncomment the appropriate line": a config edited by hand
            if module is not None and (
                first in module.signature_notes
                or module.recipe_for_literal(last, lines)
                or module.invented_names(block)
                or module.other_value_of(first, last, block)
                or module.notation(block)
                or module.run_on_demand(first, block)
                or module.menu(first, last, block)
                or module.not_in_place(first, last, lines)
                or module.other_framework(block)
            ):
                continue
            end = len(lines[last - 1]) + 1 if last - 1 < len(lines) else 1
            count = last - first + 1
            noun = "line" if count == 1 else "lines"
            context.report_at(
                self,
                Span(first, column, last, end),
                f"Commented-out code ({count} {noun}): delete it, version control remembers",
                properties={"lines": count},
            )
