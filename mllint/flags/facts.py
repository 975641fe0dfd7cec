"""Per-file facts about flags, constants and branches, for the project-wide :class:`FlagIndex`.

The facts come from one pass over CPython's ``ast`` tree of the file (which the per-file stage
shares with :class:`mllint.locate.Locator`): it has positions on every node and costs a small
fraction of LibCST's parse, and names are resolved to scopes here, in our own pass, instead of
through LibCST's ``ScopeProvider`` (about eight parses' worth of time).

Everything returned is plain JSON data, cached with the file. Branch tests are small expression
trees whose leaves are lists::

    ["c", value]            a literal
    ["g", name]             a module-global name, resolved in the project stage
    ["m", [base, a, b]]     ``base.a.b`` with a module-global base (a module alias, usually)
    ["k", [base, key]]      ``base.get("key")`` / ``base["key"]`` (a config read, or nothing)
    ["f", kind, name, var]  a runtime flag read: kind env / config / absl / ns / ns? / click
    ["?", [leaf...]]        something undecidable, with the flag reads found inside it
    ["not", e], ["and", [e...]], ["or", [e...]], ["cmp", left, [[op, right]...]]

``ns`` is an ``argparse`` namespace known as such (bound from ``parse_args()`` or annotated
``Namespace``); ``ns?`` is an attribute of a name that is merely called ``args``/``opts``/...,
which the project stage accepts only for options the project defines.
"""

from __future__ import annotations

import ast
import io
import re
import string
import tokenize
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Set, Tuple

Leaf = List[Any]

NAMESPACE_NAMES = frozenset(
    {"args", "opts", "opt", "options", "hparams", "cli_args", "parsed_args", "cmd_args", "flags"}
)
"""Names that usually hold a parsed argparse namespace."""
NAMESPACE_HOLDERS = NAMESPACE_NAMES | {"namespace", "ns", "cfg", "config", "conf", "FLAGS"}
"""Names that may hold a namespace or absl's flags, also outside the defining file."""

_IDIOM_NAMES = frozenset({"TYPE_CHECKING", "__debug__", "__name__"})
_CONFIG_TYPES = frozenset({"DictConfig", "ConfigDict", "FrozenConfigDict", "ListConfig"})
_CONFIG_FACTORIES = frozenset(
    {
        "OmegaConf.load",
        "OmegaConf.create",
        "OmegaConf.merge",
        "OmegaConf.structured",
        "OmegaConf.from_cli",
        "hydra.compose",
        "compose",
        "ConfigDict",
        "ml_collections.ConfigDict",
        "config_dict.ConfigDict",
        "FrozenConfigDict",
        "ml_collections.FrozenConfigDict",
    }
)
_CMP_OPS = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
}
_SCALARS = (str, int, float, bool, type(None))
_QUOTED = re.compile(r"'([^'\n]+)'|\"([^\"\n]+)\"")
_COPY_ASSIGNMENT = re.compile(r"=\s*(?:vars\(|[\w.]+\.(?:__dict__\b|flag_values_dict\())")
"""A line that may bind a copy of a namespace (``d = vars(args)``): the cheap test before
:func:`_saved_namespace_copies` walks the module."""
_KNOB_COMMENT_LINES = 5
_A_DEFAULT = re.compile(
    r"\bby default\b|\bset (?:it |this )?to (?:true|false)\b"
    r"|\b(?:true|false) to (?:enable|disable)\b"
    r"|\btry (?:using|setting|enabling|disabling|turning|switching)\b",
    re.IGNORECASE,
)
"""A comment that presents a boolean as the default of a setting meant to be switched
(``# Disabled by default to reduce tfevents file size.``, ``# set to True to ...``, coinrun's
``# if the environment is crashing, try using the debug build``)."""
"""How far above and below a constant a comment block may document its other values."""
_NAMESPACE_FACTORIES = frozenset(
    {"vars", "copy", "deepcopy", "Namespace", "SimpleNamespace", "EasyDict", "edict", "dict"}
)
_CONVERSIONS = frozenset({"int", "float", "str", "strtobool", "str2bool"})
_STRING_METHODS = frozenset({"lower", "upper", "strip", "casefold", "startswith"})
_SWITCH_RANK = {"value": 0, "?": 1, "choice": 2, "bool": 3}
_BOOL_TYPES = frozenset({"bool", "str2bool", "strtobool", "bool_flag", "boolean_string"})
_VALUE_TYPES = frozenset({"str", "int", "float", "Path", "list", "dict", "tuple"})
_SINK_CALLS = frozenset(
    {"print", "pprint", "repr", "str", "format", "dump", "dumps", "safe_dump", "save"}
    | {"log", "logging", "logger"}  # transformer-xl's `logging = create_exp_dir(...)`
)
_SINK_METHODS = frozenset(
    {
        "info",
        "debug",
        "warning",
        "warn",
        "error",
        "critical",
        "exception",
        "log",
        "write",
        "dump",
        "dumps",
        "safe_dump",
        "save",
        "add_text",
        "add_hparams",
        "log_hyperparams",
        "log_params",
        "format",
        "pprint",
        "print",
    }
)
_SINK_WORDS = frozenset({"print", "save", "dump", "log", "write", "pprint"})
_TERMINAL_CALLS = frozenset({"error", "exit", "_exit", "quit", "abort", "fail"})
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _comments(source: str) -> List[str]:
    """The text of every comment in ``source`` (a whole statement), without the ``#``."""
    found: List[str] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source + "\n").readline):
            if token.type == tokenize.COMMENT:
                found.append(token.string.lstrip("#").strip())
    except (tokenize.TokenError, SyntaxError):
        pass
    return found


def _comment_literal(text: str) -> Optional[Tuple[Any]]:
    """``(value,)`` when ``text`` (what follows ``NAME =`` in a comment) starts with a
    literal, alone or before a comment of its own; ``None`` otherwise."""
    for candidate in (text, text.split("#", 1)[0]):
        try:
            return (ast.literal_eval(candidate.strip()),)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
    return None


def literal_value(node: ast.AST) -> Tuple[bool, Any]:
    """``(True, value)`` when ``node`` is a JSON-able literal (scalars, tuples/lists of them)."""
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, _SCALARS):
            return True, value
        return False, None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        ok, value = literal_value(node.operand)
        if ok and isinstance(value, (int, float)) and not isinstance(value, bool):
            return True, -value if isinstance(node.op, ast.USub) else value
        return False, None
    if isinstance(node, (ast.Tuple, ast.List)):
        values = []
        for element in node.elts:
            if isinstance(element, ast.Starred):
                return False, None
            ok, value = literal_value(element)
            if not ok or isinstance(value, list):
                return False, None
            values.append(value)
        return True, values
    return False, None


def literal_truth(node: ast.AST) -> Optional[bool]:
    """The truth of a literal test, as ML101 decides it; ``None`` when not a literal."""
    if isinstance(node, ast.Constant):
        if node.value is Ellipsis:
            return None
        return bool(node.value)
    if isinstance(node, ast.UnaryOp):
        inner = literal_truth(node.operand)
        if inner is None:
            return None
        if isinstance(node.op, ast.Not):
            return not inner
        return inner if isinstance(node.op, (ast.USub, ast.UAdd)) else None
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        if any(isinstance(e, ast.Starred) for e in node.elts):
            return None
        return bool(node.elts)
    if isinstance(node, ast.Dict):
        if any(key is None for key in node.keys):
            return None
        return bool(node.keys)
    if isinstance(node, ast.BoolOp):  # a literal that decides `x and False`, `x or True`
        truths = [literal_truth(value) for value in node.values]
        decisive = isinstance(node.op, ast.Or)
        if decisive in truths:
            return decisive
        return (not decisive) if all(t is not None for t in truths) else None
    return None


def dotted(node: ast.AST) -> Optional[List[str]]:
    """``["a", "b", "c"]`` for the expression ``a.b.c``, else ``None``."""
    parts: List[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        parts.reverse()
        return parts
    return None


def _string(node: Optional[ast.AST]) -> Optional[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def leaves(tree: Leaf) -> Iterator[Leaf]:
    """The leaves of a test's expression tree (see the module docstring), in source order."""
    stack = [tree]
    while stack:
        item = stack.pop()
        head = item[0]
        if head == "not":
            stack.append(item[1])
        elif head in ("and", "or") or (head == "?" and len(item) > 1):
            stack.extend(reversed(item[1]))
        elif head == "cmp":
            stack.extend(right for _, right in reversed(item[2]))
            stack.append(item[1])
        else:
            yield item


def _first_flag(leaf: Leaf) -> Optional[Leaf]:
    return next((item for item in leaves(leaf) if item[0] == "f"), None)


class _Scope:
    """One function, class, comprehension or the module, while it is being walked."""

    def __init__(self, kind: str, parent: Optional[_Scope]) -> None:
        self.kind = kind
        self.parent = parent
        self.locals: Set[str] = set()
        self.declared_global: Set[str] = set()
        # (name, leaf or None, line, first attribute or None)
        self.pending: List[Tuple[str, Optional[Leaf], int, Optional[str]]] = []
        self.values: Dict[str, List[ast.AST]] = {}
        self.objects: Dict[str, str] = {}
        self.cli_params: Dict[str, int] = {}
        self.escapes_locals = False
        # parameters that cannot hold a parsed namespace: `*args`, `**kwargs`, and those
        # with a default other than None (`flags=cv2.IMREAD_COLOR`)
        self.plain_parameters: Set[str] = set()
        self.parameters: Set[str] = set()


class FactsExtractor:
    """Walks one module's ``ast`` tree and collects its flag facts."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._lines = text.split("\n")
        self._spread_values: Set[int] = set()
        """``id`` of each ``vars(args)`` spread into a call whose callee is recorded in
        :attr:`spreads` (the index decides whether that callee reads every option)."""
        self._self_reads: Set[str] = set()
        self._self_lists: Dict[str, List[str]] = {}
        """``self.keys = ["n_layer", "d_model"]``: the names a loop over ``self.keys`` yields."""
        self._main_spans: List[Tuple[int, int]] = []
        self._multiplied: Set[str] = set()
        """Names multiplied by (``lambda_cyc * loss``): constants among them are weights."""
        self._module_attr_reads: Set[str] = set()
        self._plain_attr_reads: Set[str] = set()
        """Attributes read on a module imported at the top (``torch.distributed``) and on
        anything else: one read only on modules is not an option's."""
        self._self_writes: Set[str] = set()
        """``self.x`` read and assigned in the module: an object's own field, read from
        itself, is not an option (``self.rand_aug = rand_aug`` ... ``if self.rand_aug:``)."""
        self.spreads: List[List[Any]] = []
        self.literal_calls: List[List[Any]] = []
        """``[name, argument index, literal]`` of each call of a function imported from
        another module with a string literal (``getVal(kwargs, "name", None)``): a read of
        that key when the function looks its argument up (:meth:`_lookup_helper`)."""
        self.dynamic_imports: List[List[str]] = []
        """``[prefix, suffix]`` of each module imported by a computed name with a literal
        package (``importlib.import_module("models.eval." + name)``, ``"models." + name +
        "_model"``): the project modules of that package whose names fit may run."""
        self.overwrites: Dict[str, Dict[str, List[str]]] = {}
        """For each module-level function, the attributes of each parameter (by position)
        it assigns on every path that returns (``init_distributed_mode(args)`` sets
        ``args.distributed``)."""
        self.overwrite_calls: List[List[Any]] = []
        self.assigned: List[List[Any]] = []
        """``[namespace, attribute, line, last line of the block]`` of each assignment to a
        namespace's attribute directly in a block of a function or the ``__main__`` block
        (``args.use_volta32 = True``): what follows in the block reads the new value."""
        """``[callee chain, argument index, line, last line of the enclosing body, helpers]``
        of each call statement that hands a namespace (``args``) to a function, directly in
        a function's body or the ``__main__`` block: it runs before what follows, and so do
        ``helpers``, ``[name, first line, last line]`` of each module-level function the
        module calls only after it in that body (``evaluation(...)`` reading a global
        ``args``)."""
        self.signatures: Dict[str, List[Any]] = {}
        self._saved_copies: Set[int] = set()
        """``id`` of each ``d = vars(args)`` whose ``d`` is only ever logged or saved."""
        self._library_keys: Set[int] = set()
        self._names_only: Set[int] = set()
        """``id`` of each ``vars(args)`` / ``args.__dict__`` whose option names alone are
        used (``set(args.__dict__.keys())``, ``sorted(vars(args))``) or that is copied into
        another object (``H.update(vars(args))``): no value is read there."""
        """``id`` of each lookup whose names are a library's options (:func:`_library_keys`)."""
        self.constants: Dict[str, List[Any]] = {}
        self.knobs: Set[str] = set()
        """Constants whose comments document another value (an edit-to-switch knob)."""
        self.bind_counts: Dict[str, int] = {}
        self.multi: Set[str] = set()
        self.imports: Dict[str, List[Any]] = {}
        self.import_scopes: List[Tuple[_Scope, str, List[Any]]] = []
        self.stars: List[List[Any]] = []
        self.wholesale = False
        self.writes: List[Tuple[_Scope, List[str]]] = []
        self.wholesale_writes: List[Tuple[_Scope, List[str]]] = []
        self.patches: List[str] = []
        self.tests: List[Dict[str, Any]] = []
        self.defs: Dict[str, List[int]] = {}
        self.live: Set[str] = set()
        self.armed: Dict[str, Set[str]] = {}
        self.armed_at: Dict[str, Dict[str, Tuple[int, int]]] = {}
        """Where each armed reference first occurs in each arm: line and column of the name
        (ML106's related locations)."""
        self.env_reads: List[List[Any]] = []
        self.options: List[List[Any]] = []
        self.absl: List[List[Any]] = []
        self.cli: List[List[Any]] = []
        self.attr_reads: Dict[str, List[int]] = {}
        self.option_reads: Set[str] = set()
        self.key_reads: Dict[str, List[int]] = {}
        self.escapes: Set[str] = set()
        self.parameters: Set[str] = set()
        self.absl_holders: Dict[str, str] = {}
        self.reads: Dict[str, List[int]] = {}
        self.runtime: Dict[str, Leaf] = {}
        self.switches: Dict[str, str] = {}
        self.imported: List[List[Any]] = []
        self.passes: List[List[Any]] = []
        self._sink = 0
        self._defining = 0
        self.set_flags: Set[str] = set()
        self._functions: List[Tuple[str, List[str]]] = []
        self._helpers: Dict[str, int] = {}
        self._loops: List[Tuple[ast.AST, ast.AST]] = []
        self._arms: List[str] = []
        self._arm_count = 0
        self._top_def: Optional[str] = None
        self._module = _Scope("module", None)
        self._scope = self._module
        self._os: Set[str] = set()
        self._environ: Set[str] = set()
        self._getenv: Set[str] = set()
        self._absl_flags: Set[str] = set()
        self._depth = 0

    # -- entry point ---------------------------------------------------------------------

    def run(self, tree: ast.Module) -> Dict[str, Any]:
        """Walk ``tree`` and return the facts as JSON data."""
        if _COPY_ASSIGNMENT.search(self._text):
            self._saved_copies = _saved_namespace_copies(tree)
        if "getattr(" in self._text and _LIBRARY_KEYS.search(self._text):
            self._library_keys = _library_keys(tree)
        self.overwrites, self.overwrite_calls, self.assigned = _overwrites(tree)
        self._main_spans = [
            (s.lineno, s.end_lineno or s.lineno)
            for s in tree.body
            if isinstance(s, ast.If) and _is_main_test(s.test)
        ]
        if "**" in self._text:
            self.signatures = _signatures(tree)
        for statement in tree.body:
            self._top_level(statement)
            self._visit(statement)
        self._close_module()
        return self._result()

    def _result(self) -> Dict[str, Any]:
        tests = [t for t in self.tests if _worth_keeping(t["e"])]
        armed = {k: sorted(v) for k, v in self.armed.items() if k not in self.live}
        # flat [line, column, line, column...], one pair per chain of `armed` (0, 0: unknown)
        armed_at = {
            k: [n for chain in chains for n in self.armed_at.get(k, {}).get(chain, (0, 0))]
            for k, chains in armed.items()
        }
        return {
            "constants": self.constants,
            "knobs": sorted(self.knobs),
            "multi": sorted(self.multi | {n for n, c in self.bind_counts.items() if c > 1}),
            "bound": sorted(self.bind_counts),
            "imports": self.imports,
            "stars": self.stars,
            "wholesale": self.wholesale,
            "writes": self._resolved_writes(self.writes),
            "wholesale_writes": self._resolved_writes(self.wholesale_writes),
            "patches": sorted(set(self.patches)),
            "tests": tests,
            "defs": self.defs,
            "live": sorted(self.live),
            "armed": armed,
            "armed_at": armed_at,
            "env": self.env_reads,
            "options": self.options,
            "absl": self.absl,
            "cli": self.cli,
            "attr_reads": self.attr_reads,
            "key_reads": self.key_reads,
            "escapes": sorted(self.escapes),
            "absl_holders": self.absl_holders,
            "injected": sorted(self.parameters & {o[0] for o in self.options}),
            "reads": self.reads,
            "runtime": self.runtime,
            "switches": self.switches,
            "imported": self.imported,
            "passes": self.passes,
            "spreads": self.spreads,
            "signatures": self.signatures,
            "option_reads": sorted(self.option_reads | (self._self_reads - self._self_writes)),
            "module_attrs": sorted(self._module_attr_reads - self._plain_attr_reads),
            "options_in_main": self._options_in_main(),
            "weights": sorted(self._multiplied & set(self.constants)),
            "overwrites": self.overwrites,
            "dynamic_imports": self.dynamic_imports,
            "literal_calls": self.literal_calls,
            "lookup_helpers": self._helpers,
            "overwrite_calls": self.overwrite_calls,
            "assigned": self.assigned,
            "set_flags": sorted(self.set_flags),
        }

    # -- positions -----------------------------------------------------------------------

    def _column(self, line: int, byte_col: int) -> int:
        """1-based column in code points of a byte offset that ``ast`` gives."""
        text = self._lines[line - 1] if 0 < line <= len(self._lines) else ""
        if text.isascii():
            return byte_col + 1
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", "replace")) + 1

    def _source(self, node: ast.AST) -> str:
        """The source of a one-line expression, shortened for messages."""
        line = node.lineno  # type: ignore[attr-defined]
        text = self._lines[line - 1] if 0 < line <= len(self._lines) else ""
        data = text.encode("utf-8")
        end = node.end_col_offset if node.end_lineno == line else len(data)  # type: ignore[attr-defined]
        source = data[node.col_offset : end].decode("utf-8", "replace")  # type: ignore[attr-defined]
        source = " ".join(source.split())
        if node.end_lineno != line or len(source) > 60:  # type: ignore[attr-defined]
            source = source[:57] + "..."
        return source

    def _span(self, start: ast.AST, end: ast.AST) -> List[int]:
        line, col = start.lineno, start.col_offset  # type: ignore[attr-defined]
        end_line = end.end_lineno or line  # type: ignore[attr-defined]
        end_col = end.end_col_offset or 0  # type: ignore[attr-defined]
        return [line, self._column(line, col), end_line, self._column(end_line, end_col)]

    # -- module-level bindings -----------------------------------------------------------

    def _top_level(self, statement: ast.stmt) -> None:
        """Constants: module-level ``NAME = literal`` statements, directly in the module."""
        if isinstance(statement, ast.Assign):
            targets = statement.targets
            value: Optional[ast.AST] = statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets, value = [statement.target], statement.value
        else:
            return
        assert value is not None
        ok, literal = literal_value(value)
        if not ok:
            return
        for target in targets:
            if isinstance(target, ast.Name):
                self.constants[target.id] = [literal, *self._span(target, target)]
                if self._documents_another_value(statement, target.id, literal):
                    self.knobs.add(target.id)

    def _documents_another_value(self, statement: ast.stmt, name: str, value: Any) -> bool:
        """Whether the comments at a constant's definition name another value for it: a
        commented reassignment (``# ARCH = 'transunet'``) or, for a string, a comment that
        lists the choices, this value among them (``MODE = 'high'  # one of ['high', 'low']``;
        a comment that only names a past value, ``# "clean-labels" used the re-labelled
        subset``, documents an ended experiment). The comments read are the statement's own
        and the comment lines directly above and below it."""
        if isinstance(value, (list, tuple)):
            return False  # a table, not a knob
        first, last = statement.lineno - 1, (statement.end_lineno or statement.lineno) - 1
        own = "\n".join(self._lines[first : last + 1])
        comments = _comments(own) if "#" in own else []
        for step, start in ((-1, first - 1), (1, last + 1)):
            index = start
            while 0 <= index < len(self._lines) and abs(index - start) < _KNOB_COMMENT_LINES:
                line = self._lines[index].strip()
                if not line.startswith("#"):
                    break
                comments.append(line.lstrip("#").strip())
                index += step
        for text in comments:
            assigned = re.match(rf"{re.escape(name)}\s*(?::[^=]*)?=\s*(.+)$", text)
            if assigned is not None:
                other = _comment_literal(assigned.group(1))
                if other is not None and other[0] != value:
                    return True
            if isinstance(value, str):
                quoted = {m.group(1) or m.group(2) for m in _QUOTED.finditer(text)}
                if value in quoted and len(quoted) > 1:
                    return True  # the choices, listed: `# one of ['high', 'low']`
            if isinstance(value, bool) and _A_DEFAULT.search(text):
                return True  # `# Disabled by default to reduce tfevents file size.`
            if isinstance(value, str) and value in _word_list(text):
                return True  # `MODE = 'wgan-gp' # dcgan, wgan, wgan-gp, lsgan`
        return False

    def _bind(self, name: str, value: Optional[ast.AST] = None) -> None:
        scope = self._scope
        if scope.kind == "comp" and value is not None:
            # a walrus inside a comprehension binds in the enclosing function
            while scope.kind == "comp" and scope.parent is not None:
                scope = scope.parent
        if name in scope.declared_global:
            self.multi.add(name)
            return
        scope.locals.add(name)
        if scope is self._module:
            self.bind_counts[name] = self.bind_counts.get(name, 0) + 1
        if value is not None:
            scope.values.setdefault(name, []).append(value)

    def _bind_target(self, target: ast.AST, value: Optional[ast.AST] = None) -> None:
        if isinstance(target, ast.Name):
            self._bind(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._bind_target(element)
        elif isinstance(target, ast.Starred):
            self._bind_target(target.value)
        elif isinstance(target, ast.Attribute):
            chain = dotted(target)
            if chain is not None:
                self._write(chain)
                if len(chain) == 2 and chain[0] == "self":
                    self._self_writes.add(chain[1])
            self._visit(target.value)
        elif isinstance(target, ast.Subscript):
            self._subscript_write(target)
            inner = target.value
            if isinstance(inner, ast.Attribute) and inner.attr == "__dict__":
                inner = inner.value  # `config.__dict__[key] = value` fills it, reads nothing
            self._visit(inner)
            self._visit(target.slice)

    def _write(self, chain: List[str]) -> None:
        self.writes.append((self._scope, chain))
        if len(chain) == 2 and (
            chain[0] in NAMESPACE_NAMES or self._scope.objects.get(chain[0]) in ("ns", "absl")
        ):
            self.set_flags.add(chain[1])  # `FLAGS.use_x = True`, `args.use_x = True` (ML107)

    def _subscript_write(self, target: ast.Subscript) -> None:
        """``globals()["X"] = ...`` and ``c.__dict__[...] = ...``."""
        value = target.value
        key = _string(target.slice)
        if key is not None and self._is_environ(value):
            self.set_flags.add(key)  # os.environ["USE_X"] = "1" (ML107)
        if _is_call_to(value, "globals") or (
            self._scope is self._module and _is_call_to(value, "locals", "vars")
        ):
            if key is not None:
                self.multi.add(key)
            else:
                self.wholesale = True
        elif isinstance(value, ast.Attribute) and value.attr == "__dict__":
            chain = dotted(value.value)
            if chain is not None:
                self.wholesale_writes.append((self._scope, chain))

    def _resolved_writes(self, writes: List[Tuple[_Scope, List[str]]]) -> List[List[Any]]:
        """Writes whose base is an import (``c.X = ...``): ``[import, attribute chain]``."""
        out: List[List[Any]] = []
        for scope, chain in writes:
            found = self._import_of(scope, chain[0])
            if found is not None:
                out.append([found, chain[1:]])
            elif chain[:2] == ["sys", "modules"]:
                self.wholesale = True
        return out

    def _import_of(self, scope: _Scope, name: str) -> Optional[List[Any]]:
        current: Optional[_Scope] = scope
        while current is not None:
            if name in current.locals:
                for import_scope, local, target in self.import_scopes:
                    if import_scope is current and local == name:
                        return target
                return None
            current = current.parent
        return None

    # -- the walk ------------------------------------------------------------------------

    def _visit(self, node: ast.AST) -> None:
        cls = type(node)
        method = _METHODS.get(cls)
        if method is None:
            method = _METHODS[cls] = getattr(FactsExtractor, "_visit_" + cls.__name__, None) or (
                FactsExtractor._generic
            )
        method(self, node)

    def _generic(self, node: ast.AST) -> None:
        for child in child_nodes(node):
            self._visit(child)

    def _visit_all(self, nodes: List[Any]) -> None:
        for node in nodes:
            self._visit(node)

    def _in_arm(self, key: str, nodes: List[Any]) -> None:
        self._arms.append(key)
        self._visit_all(nodes)
        self._arms.pop()

    def _new_arm(self, prefix: str) -> str:
        self._arm_count += 1
        return f"{prefix}{self._arm_count}"

    def _occurrence(self, identifier: str, node: Optional[ast.AST] = None) -> None:
        """Record a reference to ``identifier`` at ``node`` (for dead-experiment-code)."""
        if identifier == self._top_def:
            return
        if not self._arms:
            self.live.add(identifier)
        else:
            chain = "/".join(self._arms)
            self.armed.setdefault(identifier, set()).add(chain)
            if node is not None and hasattr(node, "lineno"):
                where = self.armed_at.setdefault(identifier, {})
                if chain not in where:
                    where[chain] = self._name_at(identifier, node)

    def _name_at(self, identifier: str, node: ast.AST) -> Tuple[int, int]:
        """Where ``identifier`` is written in ``node``: the name after the dot of ``a.b``,
        the text after a string's quote, else the node's start."""
        end_line, end = getattr(node, "end_lineno", None), getattr(node, "end_col_offset", None)
        if isinstance(node, ast.Attribute) and end_line and end is not None:
            return end_line, self._column(end_line, end) - len(identifier)
        line = int(getattr(node, "lineno", 1))
        column = self._column(line, int(getattr(node, "col_offset", 0)))
        return (line, column + 1) if isinstance(node, ast.Constant) else (line, column)

    # statements

    def _visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                local, target = alias.asname, ["module", alias.name, 0, None]
            else:
                local = alias.name.split(".")[0]
                target = ["module", local, 0, None]
            full = ["module", alias.name, 0, None]
            if full not in self.imported:
                self.imported.append(full)
            self._register_import(local, target)
            if alias.name == "os":
                self._os.add(local)
            if alias.name in ("absl.flags",) and alias.asname:
                self._absl_flags.add(local)

    def _visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        for alias in node.names:
            if alias.name == "*":
                if self._scope is self._module:
                    self.stars.append([module, node.level])
                continue
            local = alias.asname or alias.name
            if alias.asname and alias.asname != alias.name:
                self._occurrence(alias.name, alias)
            self._register_import(local, ["from", module, node.level, alias.name])
            if module == "os" and alias.name == "environ":
                self._environ.add(local)
            if module == "os" and alias.name == "getenv":
                self._getenv.add(local)
            if module == "absl" and alias.name == "flags":
                self._absl_flags.add(local)
            if module == "absl.flags" and alias.name == "FLAGS":
                self._scope.objects[local] = "absl"

    def _register_import(self, local: str, target: List[Any]) -> None:
        if target not in self.imported:
            self.imported.append(target)
        self._bind(local)
        self.import_scopes.append((self._scope, local, target))
        if self._scope is self._module:
            self.imports[local] = target

    def _visit_Global(self, node: ast.Global) -> None:
        for name in node.names:
            self._scope.declared_global.add(name)
            self.multi.add(name)

    def _visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        self._scope.declared_global.update(node.names)

    def _visit_Assign(self, node: ast.Assign) -> None:
        before = len(self.absl)
        saved = id(node) in self._saved_copies
        self._sink += saved  # `d = FLAGS.flag_values_dict()` then only `json.dump(d, f)`
        self._visit(node.value)
        self._sink -= saved
        if len(self.absl) == before + 1 and isinstance(node.targets[0], ast.Name):
            # FLAG = flags.DEFINE_bool(...): read later as FLAG.value
            self.absl_holders[self.absl[-1][0]] = node.targets[0].id
        for target in node.targets:
            self._bind_target(target, node.value)
            if isinstance(target, ast.Name):
                self._note_object(target.id, node.value)
            elif (
                isinstance(target, ast.Attribute)
                and _is_name(target.value, "self")
                and _string_list(node.value) is not None
            ):
                self._self_lists[target.attr] = _string_list(node.value) or []
            elif isinstance(target, ast.Tuple) and target.elts:
                first = target.elts[0]
                if isinstance(first, ast.Name) and _is_parse_call(node.value):
                    self._scope.objects[first.id] = "ns"

    def _visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._visit(node.value)
        self._bind_target(node.target, node.value)
        if isinstance(node.target, ast.Name):
            if node.value is not None:
                self._note_object(node.target.id, node.value)
            kind = _object_kind_of_annotation(node.annotation)
            if kind:
                self._scope.objects[node.target.id] = kind

    def _visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._visit(node.value)
        if isinstance(node.target, ast.Name):
            self._bind(node.target.id, node.value)
            self._load(node.target)
        else:
            self._bind_target(node.target)

    def _visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self._visit(node.value)
        self._bind(node.target.id, node.value)

    def _visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self._bind_target(target)

    def _visit_For(self, node: ast.For) -> None:
        if _copies_namespace(node):
            self._sink += 1  # `for k, v in vars(args).items(): saved[k] = v`: a save
            self._visit(node.iter)
            self._sink -= 1
        else:
            self._visit(node.iter)
        self._bind_target(node.target)
        self._loops.append((node.target, node.iter))
        self._visit_all(node.body)
        self._loops.pop()
        self._visit_all(node.orelse)

    _visit_AsyncFor = _visit_For

    def _visit_With(self, node: ast.With) -> None:
        for item in node.items:
            self._visit(item.context_expr)
            if item.optional_vars is not None:
                self._bind_target(item.optional_vars)
        self._visit_all(node.body)

    _visit_AsyncWith = _visit_With

    def _visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.type is not None:
            self._visit(node.type)
        if node.name:
            self._bind(node.name)
        self._visit_all(node.body)

    def _visit_MatchAs(self, node: Any) -> None:
        if node.name:
            self._bind(node.name)
        self._generic(node)

    def _visit_MatchStar(self, node: Any) -> None:
        if node.name:
            self._bind(node.name)

    def _visit_MatchMapping(self, node: Any) -> None:
        if node.rest:
            self._bind(node.rest)
        self._generic(node)

    def _note_object(self, name: str, value: ast.AST) -> None:
        """Remember names bound to parsed namespaces, config objects and absl's FLAGS."""
        scope = self._scope
        if _is_parse_call(value):
            scope.objects[name] = "ns"
            return
        if isinstance(value, ast.Call):
            chain = dotted(value.func)
            if chain is not None and ".".join(chain[-2:]) in _CONFIG_FACTORIES:
                scope.objects[name] = "config"
                return
            if chain is not None and chain[-1] in _CONFIG_FACTORIES:
                scope.objects[name] = "config"
                return
        chain = dotted(value)
        if (
            chain is not None
            and chain[-1] == "FLAGS"
            and len(chain) > 1
            and (chain[0] in self._absl_flags or chain[-2] == "flags")
        ):
            scope.objects[name] = "absl"

    def _visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._visit_all(node.decorator_list)
        self._visit_arguments_defaults(node.args)
        if node.returns is not None:
            self._visit(node.returns)
        top = self._scope is self._module
        if top and not node.decorator_list and not _is_dunder(node.name):
            self.defs[node.name] = self._def_span(node, "def")
        self._bind(node.name)
        outer_top = self._top_def
        if top:
            self._top_def = node.name
        scope = _Scope("function", self._scope)
        self._scope = scope
        self._bind_parameters(node, scope)
        parameters = [a.arg for a in [*node.args.posonlyargs, *node.args.args]]
        self._functions.append((node.name, parameters))
        self._visit_all(node.body)
        self._functions.pop()
        self._close(scope)
        self._scope = scope.parent  # type: ignore[assignment]
        self._top_def = outer_top

    _visit_AsyncFunctionDef = _visit_FunctionDef

    def _lookup_helper(self, key: ast.AST) -> bool:
        """``getattr(args, name)`` where ``name`` is a parameter of the enclosing function
        (``def _check_args(name): return hasattr(args, name) and getattr(args, name)``):
        the names it looks up are the string literals its calls pass, recorded as reads
        there instead of taking the whole namespace as read."""
        if not isinstance(key, ast.Name) or not self._functions:
            return False
        function, parameters = self._functions[-1]
        if key.id not in parameters:
            return False
        self._helpers[function] = parameters.index(key.id)
        return True

    def _def_span(self, node: ast.AST, keyword: str) -> List[int]:
        line = node.lineno  # type: ignore[attr-defined]
        text = self._lines[line - 1] if 0 < line <= len(self._lines) else ""
        name: str = node.name  # type: ignore[attr-defined]
        start = text.find(keyword)
        at = text.find(name, max(start, 0))
        column = self._column(line, node.col_offset)  # type: ignore[attr-defined]
        end = at + len(name) + 1 if at >= 0 else column + len(keyword) + 1 + len(name)
        return [line, column, line, end]

    def _visit_arguments_defaults(self, args: ast.arguments) -> None:
        self._visit_all(args.defaults)
        self._visit_all([d for d in args.kw_defaults if d is not None])
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
            if arg is not None and arg.annotation is not None:
                self._visit(arg.annotation)

    def _bind_parameters(self, node: Any, scope: _Scope) -> None:
        args: ast.arguments = node.args
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        positional = [*args.posonlyargs, *args.args]
        with_defaults = [
            *zip(positional[len(positional) - len(args.defaults) :], args.defaults),
            *zip(args.kwonlyargs, args.kw_defaults),
        ]
        for parameter, default in with_defaults:
            if default is not None and not (
                isinstance(default, ast.Constant) and default.value is None
            ):
                scope.plain_parameters.add(parameter.arg)
        for rest in (args.vararg, args.kwarg):
            if rest is not None:
                scope.plain_parameters.add(rest.arg)
        for arg in [*params, args.vararg, args.kwarg]:
            if arg is not None:
                scope.locals.add(arg.arg)
                scope.parameters.add(arg.arg)
                self.parameters.add(arg.arg)
                kind = _object_kind_of_annotation(arg.annotation)
                if kind:
                    scope.objects[arg.arg] = kind
        if isinstance(node, ast.Lambda):
            return
        decorators = [dotted(d.func if isinstance(d, ast.Call) else d) for d in node.decorator_list]
        names = [".".join(d) for d in decorators if d]
        if params and any(n in ("hydra.main", "main") and "hydra" in n for n in names):
            scope.objects[params[0].arg] = "config"
        self._cli_parameters(node, params, scope, args.kwarg is not None)

    def _cli_parameters(
        self, node: Any, params: List[ast.arg], scope: _Scope, has_kwargs: bool
    ) -> None:
        """click options/arguments of the decorators, typer options of the parameters."""
        found: List[Tuple[str, ast.AST, str, Any]] = []
        for decorator in node.decorator_list:
            if not isinstance(decorator, ast.Call):
                continue
            chain = dotted(decorator.func)
            if not chain or chain[-1] not in ("option", "argument") or len(chain) > 2:
                continue
            if len(chain) == 2 and chain[0] != "click":
                continue
            declared = [_string(a) for a in decorator.args]
            name = _click_name([d for d in declared if d])
            if name:
                found.append((name, decorator, "click", _keyword_literal(decorator, "default")))
        defaults = list(node.args.defaults)
        positional = [*node.args.posonlyargs, *node.args.args]
        paired = list(zip(positional[len(positional) - len(defaults) :], defaults))
        paired += [(a, d) for a, d in zip(node.args.kwonlyargs, node.args.kw_defaults) if d]
        for arg, default in paired:
            if _is_typer_param(default):
                assert isinstance(default, ast.Call)
                value = literal_value(default.args[0]) if default.args else (False, None)
                found.append((arg.arg, arg, "typer", value[1] if value[0] else None))
        for arg in params:
            if _is_typer_annotation(arg.annotation):
                found.append((arg.arg, arg, "typer", None))
        if not found:
            return
        param_names = {p.arg for p in params}
        for name, at, kind, default in found:
            if name not in param_names and not has_kwargs:
                continue
            self.cli.append([name, kind, *self._span(at, at), default, False, []])
            self._switch(name, _cli_switch(at, default))
            scope.cli_params[name] = len(self.cli) - 1
        if has_kwargs:
            scope.escapes_locals = True

    def _visit_Lambda(self, node: ast.Lambda) -> None:
        self._visit_arguments_defaults(node.args)
        scope = _Scope("function", self._scope)
        self._scope = scope
        self._bind_parameters(node, scope)
        self._visit(node.body)
        self._close(scope)
        self._scope = scope.parent  # type: ignore[assignment]

    def _visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._visit_all(node.decorator_list)
        self._visit_all(node.bases)
        self._visit_all(node.keywords)
        top = self._scope is self._module
        if top and not node.decorator_list and not _is_dunder(node.name):
            self.defs[node.name] = self._def_span(node, "class")
        self._bind(node.name)
        outer_top = self._top_def
        if top:
            self._top_def = node.name
        scope = _Scope("class", self._scope)
        self._scope = scope
        self._visit_all(node.body)
        self._close(scope)
        self._scope = scope.parent  # type: ignore[assignment]
        self._top_def = outer_top

    def _visit_comprehension_scope(self, node: Any) -> None:
        generators = node.generators
        self._visit(generators[0].iter)
        scope = _Scope("comp", self._scope)
        self._scope = scope
        for index, generator in enumerate(generators):
            if index:
                self._visit(generator.iter)
            self._bind_target(generator.target)
            self._visit_all(generator.ifs)
        if isinstance(node, ast.DictComp):
            self._visit(node.key)
            self._visit(node.value)
        else:
            self._visit(node.elt)
        self._close(scope)
        self._scope = scope.parent  # type: ignore[assignment]

    _visit_ListComp = _visit_comprehension_scope
    _visit_SetComp = _visit_comprehension_scope
    _visit_DictComp = _visit_comprehension_scope
    _visit_GeneratorExp = _visit_comprehension_scope

    # branches

    def _visit_If(self, node: ast.If, keyword: str = "if") -> None:
        self._visit(node.test)
        truth = literal_truth(node.test)
        elif_node = (
            node.orelse[0]
            if len(node.orelse) == 1
            and isinstance(node.orelse[0], ast.If)
            and self._is_elif(node, node.orelse[0])
            else None
        )
        if truth is not None:
            body_key = self._new_arm("d") if truth is False else ""
            else_key = self._new_arm("d") if truth is True and node.orelse else ""
        else:
            body_key, else_key = self._record_test(node, node.test, keyword, bool(node.orelse))
        self._in_arm(body_key, node.body) if body_key else self._visit_all(node.body)
        if elif_node is not None:
            if else_key:
                self._arms.append(else_key)
            self._visit_If(elif_node, "elif")
            if else_key:
                self._arms.pop()
        elif else_key:
            self._in_arm(else_key, node.orelse)
        else:
            self._visit_all(node.orelse)

    def _is_elif(self, node: ast.If, inner: ast.If) -> bool:
        text = self._lines[inner.lineno - 1] if 0 < inner.lineno <= len(self._lines) else ""
        return text[inner.col_offset : inner.col_offset + 4] == "elif"

    def _visit_While(self, node: ast.While) -> None:
        self._visit(node.test)
        truth = literal_truth(node.test)
        if truth is False:
            self._in_arm(self._new_arm("d"), node.body)
            self._visit_all(node.orelse)
            return
        if truth is None:
            body_key, _ = self._record_test(node, node.test, "while", False)
        else:
            body_key = ""
        self._in_arm(body_key, node.body) if body_key else self._visit_all(node.body)
        self._visit_all(node.orelse)

    def _visit_IfExp(self, node: ast.IfExp) -> None:
        self._visit(node.test)
        truth = literal_truth(node.test)
        if truth is not None:
            body_key = self._new_arm("d") if truth is False else ""
            else_key = self._new_arm("d") if truth is True else ""
        else:
            body_key, else_key = self._record_test(node, node.test, "ternary", True)
        self._in_arm(body_key, [node.body]) if body_key else self._visit(node.body)
        self._in_arm(else_key, [node.orelse]) if else_key else self._visit(node.orelse)

    def _record_test(
        self, node: ast.AST, test: ast.AST, keyword: str, has_else: bool
    ) -> Tuple[str, str]:
        tree = self._expr(test)
        end = node if keyword == "ternary" else test
        body_key = self._new_arm("t")
        else_key = self._new_arm("t") if has_else else ""
        orelse = getattr(node, "orelse", None)
        span = self._span(node, end)
        self.tests.append(
            {
                "kw": keyword,
                "span": span,
                "src": self._source(test),
                "e": tree,
                # validation is no code path, nor is a ternary that only picks what a
                # message shows (`print(f"{'BN' if args.use_bn else 'no BN'}")`)
                "v": (isinstance(node, ast.If) and _is_validation(node.body))
                or (keyword == "ternary" and self._sink > 0),
                # the same function from two places, called alike: a re-implementation
                # checked against its original, not two ideas
                "r": self._same_function_arms(node),
                "body": body_key,
                "orelse": else_key,
                "elif": isinstance(node, ast.If)
                and isinstance(orelse, list)
                and len(orelse) == 1
                and isinstance(orelse[0], ast.If)
                and self._is_elif(node, orelse[0]),
            }
        )
        return body_key, else_key

    def _same_function_arms(self, node: ast.AST) -> bool:
        """Whether both arms only call the same function, by its defined name, with the same
        arguments: one a name of this module, the other that name imported under an alias
        (``from spinup.algos.td3 import td3 as true_td3``; ``if args.use_soln:
        true_td3(**kw) else: td3(**kw)``)."""
        arms: List[Tuple[str, Optional[ast.Call]]]
        if isinstance(node, ast.IfExp):
            arms = [("", _as_call(node.body)), ("", _as_call(node.orelse))]
        elif isinstance(node, ast.If):
            arms = [_only_call(node.body), _only_call(node.orelse)]
        else:
            return False
        (first_target, first), (second_target, second) = arms
        if first is None or second is None or first_target != second_target:
            return False
        if not isinstance(first.func, ast.Name) or not isinstance(second.func, ast.Name):
            return False
        if first.func.id == second.func.id or _call_arguments(first) != _call_arguments(second):
            return False
        defined = []
        for call in (first, second):
            assert isinstance(call.func, ast.Name)
            target = self._import_of(self._scope, call.func.id)
            aliased = target is not None and target[0] == "from" and target[3] != call.func.id
            defined.append((target[3] if aliased and target else call.func.id, aliased))
        return defined[0][0] == defined[1][0] and (defined[0][1] or defined[1][1])

    # expressions

    def _visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self._load(node)
            self._occurrence(node.id, node)
        elif isinstance(node.ctx, ast.Del):
            self._bind(node.id)

    def _load(self, node: ast.Name, first_attribute: Optional[str] = None) -> None:
        self._scope.pending.append((node.id, None, node.lineno, first_attribute))

    def _visit_Attribute(self, node: ast.Attribute) -> None:
        if isinstance(node.ctx, ast.Load):
            self._occurrence(node.attr, node)
            lines = self.attr_reads.setdefault(node.attr, [])
            if not lines or lines[-1] != node.lineno:
                lines.append(node.lineno)
            if node.attr == "__dict__" and (
                id(node) not in self._spread_values
                and id(node) not in self._library_keys
                and id(node) not in self._names_only
            ):
                self._escape(node.value)
            if not self._is_foreign(node.value) and not (
                self._sink and node.attr in ("__dict__", "flag_values_dict")
            ):
                if isinstance(node.value, ast.Name) and node.value.id == "self":
                    self._self_reads.add(node.attr)
                elif (
                    isinstance(node.value, ast.Name)
                    and node.value.id in self.imports
                    and self.imports[node.value.id][0] == "module"
                ):
                    self._module_attr_reads.add(node.attr)  # `logging.debug`, `torch.cuda`
                else:
                    self.option_reads.add(node.attr)
                    self._plain_attr_reads.add(node.attr)
        value = node.value
        if isinstance(value, ast.Name) and isinstance(value.ctx, ast.Load):
            self._load(value, node.attr)
            self._occurrence(value.id, value)
            return
        self._visit(value)

    def _holds_data(self, name: str) -> bool:
        """Whether every value bound to ``name`` is arithmetic or a literal (``args =
        timesteps[:, None].float() * freqs[None]``): a tensor named ``args``, no namespace."""
        values = self._values_of(name)
        return bool(values) and all(isinstance(v, _DATA_VALUES) for v in values)

    def _values_of(self, name: str) -> List[ast.AST]:
        """The values bound to ``name`` in the nearest enclosing scope that binds it."""
        scope: Optional[_Scope] = self._scope
        while scope is not None and name not in scope.values:
            scope = scope.parent
        return scope.values.get(name, []) if scope is not None else []

    def _is_foreign(self, base: ast.AST) -> bool:
        """Whether ``base`` is an object built by a call other than parsing (``env =
        submitit.JobEnvironment()``): its attributes are not options of a namespace."""
        if not isinstance(base, ast.Name) or base.id in NAMESPACE_NAMES or base.id == "FLAGS":
            return False  # `FLAGS = kwargs.get("FLAGS")` is still the flags
        values = self._values_of(base.id)
        return bool(values) and all(
            isinstance(v, ast.Call)
            and not _is_parse_call(v)
            and not _may_build_namespace((dotted(v.func) or [""])[-1])
            for v in values
        )

    def _visit_Subscript(self, node: ast.Subscript) -> None:
        key = _string(node.slice)
        if key is None and isinstance(node.ctx, ast.Load):
            self._lookup_helper(node.slice)  # `def val(d, key): return d[key]`
        if key is not None and isinstance(node.ctx, ast.Load):
            lines = self.key_reads.setdefault(key, [])
            lines.append(node.lineno)
            if self._is_environ(node.value):
                self.env_reads.append([key, node.lineno, None])
        self._generic(node)

    def _visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, str) and value.isidentifier() and len(value) < 80:
            self._occurrence(value, node)
        elif isinstance(value, str) and "--" in value and not self._defining:
            # "--use-x" in a test or a launcher written in Python chooses the option (ML107)
            for token in value[:2000].split():
                token = token.strip("'\"").split("=", 1)[0]
                if token.startswith("--") and 2 < len(token) < 80:
                    self.set_flags.add(token)

    def _visit_Call(self, node: ast.Call) -> None:
        self._names_only_use(node)
        self._template_reads(node)
        self._call_facts(node)
        self._setting_call(node)
        chain = dotted(node.func)
        if chain and (
            chain[-1] in ("add_argument", "option", "argument") or chain[-1].startswith("DEFINE_")
        ):
            self._defining += 1  # the option's own strings do not choose it
            self._generic(node)
            self._defining -= 1
            return
        if _is_sink(node.func):
            self._visit(node.func)
            self._sink += 1
            self._visit_all(node.args)
            self._visit_all(node.keywords)
            self._sink -= 1
            return
        self._namespace_passes(node)
        self._spread(node)
        self._generic(node)

    def _spread(self, node: ast.Call) -> None:
        """``f(**vars(args))``, ``models.__dict__[args.model](**vars(args))``: the namespace
        spread into the named parameters of a callee; recorded with the callee so that the
        index can read those names when the callee is the project's (and read every option
        when it is not)."""
        for keyword in node.keywords:
            value = keyword.value
            if keyword.arg is not None or not _dumps_namespace(value):
                continue
            func = node.func
            if (
                isinstance(func, ast.Subscript)
                and isinstance(func.value, ast.Attribute)
                and func.value.attr == "__dict__"
            ):
                chain = dotted(func.value.value)
                callee = ["module", chain] if chain else None
            else:
                chain = dotted(func)
                callee = ["call", chain] if chain else None
            source = value.args[0] if isinstance(value, ast.Call) and value.args else value
            if isinstance(source, ast.Attribute) and source.attr == "__dict__":
                source = source.value
            spread = dotted(source)
            if callee is not None and spread is not None:
                self._spread_values.add(id(value))
                self.spreads.append([*callee, node.lineno, spread[-1]])

    def _template_reads(self, node: ast.Call) -> None:
        """``"--beam={FLAGS.beam_size}".format(**mapping)``: each attribute a replacement
        field of a literal template names is read when the template is formatted."""
        func = node.func
        if not (
            isinstance(func, ast.Attribute)
            and func.attr in ("format", "format_map")
            and isinstance(func.value, ast.Constant)
            and isinstance(func.value.value, str)
            and "{" in func.value.value
        ):
            return
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(func.value.value[:20_000])]
        except ValueError:
            return
        for field in fields:
            for part in (field or "").split(".")[1:]:
                name = part.split("[", 1)[0]
                if name.isidentifier() and len(name) < 80:
                    self.attr_reads.setdefault(name, []).append(node.lineno)
                    self.option_reads.add(name)

    def _visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values):
            if key is not None:
                self._visit(key)
            recorded = key is not None and _is_namespace_copy(value)
            self._sink += recorded  # `ckpt = {"opt": vars(opt)}`: the namespace is recorded
            self._visit(value)
            self._sink -= recorded

    def _visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        self._sink += 1  # an f-string formats a namespace, it reads none of its options
        self._generic(node)
        self._sink -= 1

    def _visit_BinOp(self, node: ast.BinOp) -> None:
        if isinstance(node.op, ast.Mult):
            for side in (node.left, node.right):
                if isinstance(side, ast.Name):
                    self._multiplied.add(side.id)  # `lambda_cyc * criterion(x, y)`: a weight
        if isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant):
            self._sink += 1  # "%s" % vars(args)
            self._generic(node)
            self._sink -= 1
            return
        self._generic(node)

    def _setting_call(self, node: ast.Call) -> None:
        """Calls that choose a flag's value (ML107): ``monkeypatch.setenv("USE_X", "1")``,
        ``os.environ.setdefault("USE_X", ...)``, ``parser.set_defaults(use_x=True)``,
        ``flagsaver(use_x=True)``, ``os.environ.update(USE_X="1")``."""
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in ("setenv", "putenv") or (
            name == "setdefault"
            and isinstance(func, ast.Attribute)
            and self._is_environ(func.value)
        ):
            key = _string(node.args[0]) if node.args else None
            if key is not None:
                self.set_flags.add(key)
        elif name in ("set_defaults", "flagsaver", "as_parsed") or (
            name == "update" and isinstance(func, ast.Attribute) and self._is_environ(func.value)
        ):
            self.set_flags.update(k.arg for k in node.keywords if k.arg)

    def _namespace_passes(self, node: ast.Call) -> None:
        """A parsed namespace handed whole to a function imported from elsewhere: if that
        function is not the project's, it may read any option (``create_optimizer(args)``)."""
        values = [*node.args, *(k.value for k in node.keywords if k.arg)]
        if not any(
            isinstance(v, ast.Name)
            and (v.id in NAMESPACE_NAMES or self._scope.objects.get(v.id) == "ns")
            and v.id not in self._scope.plain_parameters
            and not self._holds_data(v.id)
            for v in values
        ):
            return
        chain = dotted(node.func)
        if chain is None:
            return
        target = self._import_of(self._scope, chain[0])
        if target is not None:
            self.passes.append([target, chain[1:], node.lineno])

    def _call_facts(self, node: ast.Call) -> None:
        func = node.func
        chain = dotted(func)
        args = node.args
        first = _string(args[0]) if args else None
        if chain is None:
            if isinstance(func, ast.Attribute) and func.attr == "update":
                if _is_call_to(func.value, "globals") or (
                    self._scope is self._module
                    and _is_call_to(func.value, "locals", "vars")
                    and not func.value.args  # type: ignore[attr-defined]
                ):
                    self.wholesale = True
                elif _is_call_to(func.value, "vars") and func.value.args:  # type: ignore[attr-defined]
                    target = dotted(func.value.args[0])  # type: ignore[attr-defined]
                    if target:
                        self.wholesale_writes.append((self._scope, target))
            if isinstance(func, ast.Attribute) and func.attr in ("get", "pop") and first:
                self.key_reads.setdefault(first, []).append(node.lineno)
            return
        name = chain[-1]
        if name in ("get", "pop") and len(chain) > 1 and args and first is None:
            self._lookup_helper(args[0])  # `def getVal(kwargs, key, d): kwargs.get(key, d)`
        if args and (name == "__import__" or (name == "import_module" and len(chain) <= 2)):
            pattern = self._module_pattern(args[0])
            if pattern is not None and pattern not in self.dynamic_imports:
                self.dynamic_imports.append(pattern)
        if len(chain) == 1:
            if name in ("exec", "execfile"):
                if self._scope is self._module or any(
                    _is_call_to(a, "globals") for a in [*args, *(k.value for k in node.keywords)]
                ):
                    self.wholesale = True
            elif name == "setattr" and len(args) >= 2:
                self._setattr(args[0], args[1])
            elif name in ("getattr", "hasattr") and len(args) >= 2:
                key = _string(args[1])
                listed = self._listed_keys(args[1]) if key is None else None
                if key is not None:
                    self.key_reads.setdefault(key, []).append(node.lineno)
                elif listed is not None:
                    for name in listed:  # `for key in self.keys: getattr(FLAGS, key)`
                        self.key_reads.setdefault(name, []).append(node.lineno)
                elif id(node) in self._library_keys or self._lookup_helper(args[1]):
                    pass
                elif name == "getattr" and not self._is_foreign(args[0]):
                    # `getattr(loggers, k)` on an object another call built reads no option
                    self._escape(args[0], reads=True)
            elif name == "eval" and args and isinstance(args[0], ast.JoinedStr):
                parts = args[0].values  # eval(f"args.{name}"): a lookup by computed name
                if len(parts) == 2 and isinstance(parts[1], ast.FormattedValue):
                    prefix = (_string(parts[0]) or "").rstrip(".")
                    if prefix.isidentifier() and not self._lookup_helper(parts[1].value):
                        self.escapes.add(prefix)
            elif name in self._helpers and len(args) > self._helpers[name]:
                key = _string(args[self._helpers[name]])
                if key is not None:
                    self.key_reads.setdefault(key, []).append(node.lineno)
            elif (
                name == "vars"
                and args
                and id(node) not in self._spread_values
                and id(node) not in self._library_keys
                and id(node) not in self._names_only
            ):
                self._escape(args[0])
            elif name in self._getenv and first is not None:
                self.env_reads.append([first, node.lineno, _default_arg(node)])
        else:
            if name in ("get", "pop", "setdefault") and first is not None:
                self.key_reads.setdefault(first, []).append(node.lineno)
                if self._is_environ(func.value):  # type: ignore[attr-defined]
                    self.env_reads.append([first, node.lineno, _default_arg(node)])
            elif name == "getenv" and chain[0] in self._os and first is not None:
                self.env_reads.append([first, node.lineno, _default_arg(node)])
            elif len(args) >= 2 and (
                name == "setattr" or (name == "object" and chain[-2] == "patch")
            ):
                self._setattr(args[0], args[1])
            elif name == "add_argument":
                self._argparse_option(node)
            elif name.startswith("DEFINE_"):
                self._absl_flag(node, name)
        if name == "patch" and first is not None and "." in first:
            self.patches.append(first)
        if name == "setattr" and len(chain) > 1 and first is not None and "." in first:
            self.patches.append(first)  # monkeypatch.setattr("pkg.mod.NAME", value)
        if len(chain) == 1 and name in self.imports and self.imports[name][0] == "from":
            for index, argument in enumerate(args):
                key = _string(argument)
                if key is not None and key.isidentifier():
                    self.literal_calls.append([name, index, key])
        if len(chain) == 1 and name.startswith("DEFINE_") and name in self._absl_names():
            self._absl_flag(node, name)

    def _module_pattern(self, node: ast.AST) -> Optional[List[str]]:
        """``[prefix, suffix]`` of a module name computed between literal parts, when the
        prefix names a package (``"models." + name + "_model"``)."""
        if isinstance(node, ast.Name):
            values = self._literal_dict(node)  # the single value the name is bound to
            if values is None or values is node:
                return None
            node = values
        parts: List[Optional[str]] = []
        _string_parts(node, parts)
        if None not in parts or not parts:
            return None
        first = parts.index(None)
        last = len(parts) - 1 - parts[::-1].index(None)
        prefix = "".join(p for p in parts[:first] if p is not None)
        suffix = "".join(p for p in parts[last + 1 :] if p is not None)
        if "." not in prefix or not all(w.isidentifier() for w in prefix.split(".")[:-1]):
            return None
        return [prefix, suffix]

    def _options_in_main(self) -> bool:
        """Whether every option the module defines is defined under ``if __name__ ==
        "__main__":``: only running the file defines them, importing it does not."""
        lines = [o[2] for o in self.options] + [a[2] for a in self.absl]
        return bool(lines) and all(
            any(first <= line <= last for first, last in self._main_spans) for line in lines
        )

    def _listed_keys(self, key: ast.AST) -> Optional[List[str]]:
        """The names a computed ``getattr`` key takes when it is the variable of a loop over a
        literal list of strings (``for key in ["lr", "wd"]``, a name or ``self.keys`` bound to
        one)."""
        if not isinstance(key, ast.Name):
            return None
        for target, iterable in reversed(self._loops):
            if not _is_name(target, key.id):
                continue
            if isinstance(iterable, ast.Attribute) and _is_name(iterable.value, "self"):
                return self._self_lists.get(iterable.attr)
            if isinstance(iterable, ast.Name):
                bound = self._literal_dict(iterable)
                iterable = bound if bound is not None else iterable
            return _string_list(iterable)
        return None

    def _names_only_use(self, node: ast.Call) -> None:
        """Marks the namespace of ``x.keys()`` or ``set(x)`` (``x`` being ``vars(args)`` or
        ``args.__dict__``): the call uses the option names, not their values; and that of
        ``H.update(x)``, a copy whose values are then read by name through ``H``."""
        func = node.func
        inner: Optional[ast.AST] = None
        if isinstance(func, ast.Attribute) and func.attr == "keys" and not node.args:
            inner = func.value
        elif _is_call_to(node, "set", "list", "sorted", "tuple", "len") and len(node.args) == 1:
            inner = node.args[0]
        elif (
            isinstance(func, ast.Attribute)
            and func.attr == "update"
            and isinstance(func.value, ast.Name)
            and len(node.args) == 1
        ):
            inner = node.args[0]  # `H.update(vars(args))`: a copy, read by name through `H`
        if inner is not None and (
            (_is_call_to(inner, "vars") and len(inner.args) == 1)  # type: ignore[attr-defined]
            or (isinstance(inner, ast.Attribute) and inner.attr == "__dict__")
        ):
            self._names_only.add(id(inner))

    def _absl_names(self) -> Set[str]:
        return {
            local
            for _, local, target in self.import_scopes
            if target[0] == "from" and target[1] in ("absl.flags", "absl")
        }

    def _setattr(self, target: ast.AST, key_node: ast.AST) -> None:
        key = _string(key_node)
        if _is_sys_modules_self(target):
            if key is not None:
                self.multi.add(key)
            else:
                self.wholesale = True
            return
        chain = dotted(target)
        if chain is None:
            return
        if key is not None:
            self.writes.append((self._scope, [*chain, key]))
        else:
            self.wholesale_writes.append((self._scope, chain))

    def _escape(self, node: ast.AST, reads: bool = False) -> None:
        """``node`` may be read wholesale (``reads``: a value is looked up by a computed
        name); ``vars(x)`` or ``x.__dict__`` only logged or saved reads nothing."""
        if self._sink and not reads:
            return  # `print(vars(args))`, `json.dump(vars(args), f)`
        chain = dotted(node)
        if (
            chain
            and len(chain) > 1
            and chain[-1] not in NAMESPACE_NAMES
            and self._import_of(self._scope, chain[0]) is not None
        ):
            return  # `torchvision.models.__dict__`: a module's names, not a namespace
        if chain and chain[-1] not in ("self", "cls"):
            self.escapes.add(chain[-1])

    def _is_environ(self, node: ast.AST) -> bool:
        chain = dotted(node)
        if chain is None:
            return False
        if len(chain) == 2:
            return chain[0] in self._os and chain[1] == "environ"
        return len(chain) == 1 and chain[0] in self._environ

    def _argparse_option(self, node: ast.Call) -> None:
        names = [_string(a) for a in node.args]
        if names and names[0] is None and len(node.args) == 1:
            for key in self._loop_keys(node.args[0]):
                self._add_option(node, [f"--{key}"])
            return
        if not names or any(n is None for n in names):
            return
        self._add_option(node, [n for n in names if n])

    def _loop_keys(self, node: ast.AST) -> List[str]:
        """The literal keys behind ``f"--{k}"`` in ``for k, v in DEFAULTS.items():`` (an
        option defined from data: one option per key of a literal dict)."""
        if not (
            isinstance(node, ast.JoinedStr)
            and len(node.values) == 2
            and _string(node.values[0]) in ("-", "--")
            and isinstance(node.values[1], ast.FormattedValue)
            and isinstance(node.values[1].value, ast.Name)
        ):
            return []
        variable = node.values[1].value.id
        for target, iterable in reversed(self._loops):
            key = target.elts[0] if isinstance(target, ast.Tuple) and target.elts else target
            if not (isinstance(key, ast.Name) and key.id == variable):
                continue
            if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Attribute):
                if iterable.func.attr not in ("items", "keys") or iterable.args:
                    return []
                iterable = iterable.func.value
            return _dict_keys(self._literal_dict(iterable))
        return []

    def _literal_dict(self, node: ast.AST) -> Optional[ast.AST]:
        if isinstance(node, ast.Name):
            values = self._values_of(node.id)
            return values[0] if len(values) == 1 else None
        return node

    def _add_option(self, node: ast.Call, strings: List[str]) -> None:
        if not strings:
            return
        action = _string(_keyword(node, "action"))
        if action in ("help", "version"):
            return
        dest_node = _keyword(node, "dest")
        dest = _string(dest_node)
        if dest_node is not None and dest is None:
            return  # dest=argparse.SUPPRESS or computed
        if dest is None:
            dest = _argparse_dest(strings)
        if not dest or not dest.isidentifier():
            return
        default: Any = _keyword_literal(node, "default")
        if default is None and action in ("store_true", "store_false"):
            default = action == "store_false"
        self.options.append([dest, "/".join(strings), *self._span(node, node), default])
        self._switch(dest, _argparse_switch(node, action, default))

    def _switch(self, name: str, kind: str) -> None:
        """What a definition says its flag is: ``bool``, ``choice``, ``value`` or ``?``."""
        known = self.switches.get(name)
        if known is None or _SWITCH_RANK[kind] > _SWITCH_RANK[known]:
            self.switches[name] = kind

    def _absl_flag(self, node: ast.Call, function: str) -> None:
        name = _string(node.args[0]) if node.args else _string(_keyword(node, "name"))
        if not name or not name.isidentifier():
            return
        if any(f[0] == name and f[2] == node.lineno for f in self.absl):
            return
        if len(node.args) > 1:
            ok, default = literal_value(node.args[1])
        else:
            ok, default = literal_value(_keyword(node, "default") or ast.Constant(None))
        self.absl.append([name, function, *self._span(node, node), default if ok else None])
        if function in ("DEFINE_bool", "DEFINE_boolean"):
            self._switch(name, "bool")
        elif function.startswith("DEFINE_enum"):
            self._switch(name, "choice")
        else:
            self._switch(name, "value")

    # -- expression trees for tests --------------------------------------------------------

    def _expr(self, node: ast.AST) -> Leaf:
        self._depth += 1
        try:
            if self._depth > 50:
                return ["?"]
            return self._expr_inner(node)
        finally:
            self._depth -= 1

    def _expr_inner(self, node: ast.AST) -> Leaf:
        ok, value = literal_value(node)
        if ok:
            return ["c", value]
        if isinstance(node, ast.Name):
            if node.id in _IDIOM_NAMES:
                return ["?"]
            leaf: Leaf = ["g", node.id]
            self._scope.pending.append((node.id, leaf, node.lineno, None))
            return leaf
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return ["not", self._expr(node.operand)]
        if isinstance(node, ast.BoolOp):
            op = "and" if isinstance(node.op, ast.And) else "or"
            return [op, [self._expr(v) for v in node.values]]
        if isinstance(node, ast.Compare):
            if (
                len(node.ops) == 1
                and isinstance(node.ops[0], (ast.In, ast.NotIn))
                and self._is_environ(node.comparators[0])
                and _string(node.left) is not None
            ):
                var = _string(node.left) or ""
                return ["f", "env", var, var]
            return [
                "cmp",
                self._expr(node.left),
                [[_CMP_OPS[type(op)], self._expr(c)] for op, c in zip(node.ops, node.comparators)],
            ]
        if isinstance(node, ast.Attribute):
            return self._attribute_leaf(node)
        if isinstance(node, ast.Call):
            env = self._env_leaf(node)
            if env is not None:
                return env
            func = node.func
            if isinstance(func, ast.Name) and func.id == "bool" and len(node.args) == 1:
                return ["?", [["not", ["not", self._expr(node.args[0])]]]]
            if isinstance(func, ast.Attribute) and func.attr == "get" and node.args:
                key = _string(node.args[0])
                base = dotted(func.value)
                if key is not None and base is not None:
                    return self._keyed_leaf(base, key, node.lineno)
            return self._call_leaf(node)
        if isinstance(node, ast.Subscript):
            key = _string(node.slice)
            if key is not None and self._is_environ(node.value):
                return ["f", "env", key, key]
            base = dotted(node.value)
            if key is not None and base is not None:
                return self._keyed_leaf(base, key, node.lineno)
        if isinstance(node, ast.NamedExpr):
            return self._expr(node.value)
        callee = node.func if isinstance(node, ast.Call) else None
        inner = [
            self._expr(child)
            for child in child_nodes(node)
            if isinstance(child, ast.expr)
            and child is not callee
            and not isinstance(child, _FUNCTIONS + _COMPREHENSIONS)
        ]
        kept = [leaf for leaf in inner if leaf[0] != "c" and leaf != ["?"]]
        return ["?", kept] if kept else ["?"]

    def _call_leaf(self, node: ast.Call) -> Leaf:
        """A call's result carries a flag only through a conversion (``int(os.environ.get(X,
        0))``, ``getattr(args, "use_x")``, ``os.environ.get(X, "").lower()``): a flag passed
        to any other call (``load(path, args.use_swa)``) does not decide the result."""
        func, args = node.func, node.args
        if isinstance(func, ast.Name):
            if func.id in _CONVERSIONS and args:
                inner = self._expr(args[0])
                return ["?", [inner]] if inner[0] != "c" else ["?"]
            if func.id == "getattr" and len(args) >= 2:
                key, base = _string(args[1]), dotted(args[0])
                if key is not None and base is not None:
                    return self._attribute_leaf(
                        ast.Attribute(value=args[0], attr=key, ctx=ast.Load(), lineno=node.lineno)
                    )
        elif isinstance(func, ast.Attribute) and func.attr in _STRING_METHODS:
            inner = self._expr(func.value)
            return ["?", [inner]] if inner[0] != "c" else ["?"]
        return ["?"]

    def _attribute_leaf(self, node: ast.Attribute) -> Leaf:
        if (
            node.attr == "value"
            and isinstance(node.value, ast.Subscript)
            and _string(node.value.slice) is not None
        ):
            base = dotted(node.value.value)
            if base is not None:
                return self._keyed_leaf(base, _string(node.value.slice) or "", node.lineno)
        chain = dotted(node)
        if chain is None or chain[-1] == "TYPE_CHECKING":
            value = self._expr(node.value)
            return ["?", [value]] if value != ["?"] and value[0] != "c" else ["?"]
        leaf: Leaf = ["m", chain]
        self._scope.pending.append((chain[0], leaf, node.lineno, chain[1]))
        return leaf

    def _keyed_leaf(self, base: List[str], key: str, line: int) -> Leaf:
        leaf: Leaf = ["k", [*base, key]]
        self._scope.pending.append((base[0], leaf, line, None))
        return leaf

    def _env_leaf(self, node: ast.Call) -> Optional[Leaf]:
        chain = dotted(node.func)
        if chain is None or not node.args:
            return None
        var = _string(node.args[0])
        if var is None:
            return None
        if (len(chain) == 1 and chain[0] in self._getenv) or (
            len(chain) == 2 and chain[0] in self._os and chain[1] == "getenv"
        ):
            return ["f", "env", var, var]
        if (
            chain[-1] in ("get", "setdefault")
            and isinstance(node.func, ast.Attribute)  # a bare `get(...)` is some function
            and self._is_environ(node.func.value)
        ):
            return ["f", "env", var, var]
        return None

    # -- resolution of names at the end of each scope --------------------------------------

    def _close(self, scope: _Scope) -> None:
        """Resolve the names read in ``scope``: its own locals here, the rest further out."""
        values = self._convert_values(scope)
        outer = scope.parent
        while outer is not None and outer.kind == "class":
            outer = outer.parent
        if scope.kind == "class":
            outer = scope.parent
        through_values: List[Tuple[str, Leaf]] = []
        for entry in scope.pending:
            name, leaf, line, _ = entry
            if name in scope.cli_params and name in scope.locals:
                self._cli_read(scope.cli_params[name], line)
            if name in scope.locals and name not in scope.declared_global:
                if leaf is None:
                    continue
                if leaf[0] == "g" and name in values and name not in scope.cli_params:
                    if name in scope.parameters and _all_after(scope.values[name], line):
                        # `if x is None: x = USE_X`: the test reads the caller's argument
                        leaf[:] = ["?"]
                        continue
                    through_values.append((name, leaf))
                else:
                    self._resolve_local(scope, name, leaf)
            elif outer is not None:
                outer.pending.append(entry)
        # copies, not shared lists: a value may read its own name (`x = f(x)`)
        copies = {name: _copy_tree(tree, scope.locals) for name, tree in values.items()}
        for name, leaf in through_values:
            leaf[:] = copies[name]
        if scope.escapes_locals or any(n in ("locals", "vars") for n, *_ in scope.pending):
            for index in scope.cli_params.values():
                self.cli[index][-2] = True

    def _cli_read(self, index: int, line: int) -> None:
        lines = self.cli[index][-1]
        if line not in lines:
            lines.append(line)

    def _convert_values(self, scope: _Scope) -> Dict[str, Leaf]:
        """Expression trees of the values of locals that a test reads, so that flags flow
        through names (``use_mixup = args.use_mixup; if use_mixup:``).

        The trees are resolved like any other read of the scope, later in :meth:`_close`.
        """
        wanted = sorted(
            {
                name
                for name, leaf, _, _ in scope.pending
                if leaf is not None and leaf[0] == "g" and name in scope.values
            }
        )
        saved, self._scope = self._scope, scope
        converted = {n: ["?", [self._expr(v) for v in scope.values[n][:4]]] for n in wanted}
        self._scope = saved
        return converted

    def _resolve_local(self, scope: _Scope, name: str, leaf: Leaf) -> None:
        head = leaf[0]
        if head == "g":
            leaf[:] = ["f", "click", name, ""] if name in scope.cli_params else ["?"]
            return
        chain = leaf[1]
        kind = scope.objects.get(chain[0])
        if kind is None and chain[0] in NAMESPACE_NAMES and len(chain) == 2 and head == "m":
            kind = "ns?"
        if kind is None or len(chain) < 2:
            leaf[:] = ["?"]
        elif kind == "config":
            leaf[:] = ["f", "config", chain[-1], ""]
        elif len(chain) == 2:
            leaf[:] = ["f", kind, chain[1], ""]
        else:
            leaf[:] = ["?"]

    def _close_module(self) -> None:
        module = self._module
        candidates: Dict[str, Leaf] = {}
        saved, self._scope = self._scope, module
        for name, values in module.values.items():
            if self.bind_counts.get(name, 0) == 1 and name not in self.constants:
                candidates[name] = self._expr(values[0])
        self._scope = saved
        for name, leaf, line, first_attribute in module.pending:
            if leaf is not None and leaf[0] in ("m", "k"):
                if name in module.objects:
                    self._resolve_local(module, name, leaf)
                elif name in NAMESPACE_NAMES and len(leaf[1]) == 2 and leaf[0] == "m":
                    leaf[:] = ["f", "ns?", leaf[1][1], ""]
            if name in self.constants or name in candidates:
                self.reads.setdefault(name, []).append(line)
            elif name in self.imports:
                target = self.imports[name]
                if target[0] == "from":
                    self.reads.setdefault(name, []).append(line)
                    if first_attribute:  # `from pkg import config; config.X` reads a module
                        self.reads.setdefault(f"{name}.{first_attribute}", []).append(line)
                elif first_attribute:
                    self.reads.setdefault(f"{name}.{first_attribute}", []).append(line)
        for name, tree in candidates.items():
            flag = _first_flag(tree)
            if flag is not None and flag[1] != "ns?":
                self.runtime[name] = list(flag)
        self.reads = {
            key: sorted(set(lines))
            for key, lines in self.reads.items()
            if key in self.constants or key in self.runtime or key not in candidates
        }


_METHODS: Dict[type, Callable[[FactsExtractor, Any], None]] = {}
"""The ``_visit_<Node>`` method of each node class (``_generic`` when it has none)."""
_CHILD_FIELDS: Dict[type, Tuple[str, ...]] = {}
_NO_CHILDREN = frozenset({"ctx", "op", "ops"})
"""Fields that hold only operator and context singletons (``Load``, ``Add``...): nothing to
visit in them."""


def child_nodes(node: ast.AST) -> List[ast.AST]:
    """What ``ast.iter_child_nodes`` yields, without the operator and context singletons."""
    cls = type(node)
    fields = _CHILD_FIELDS.get(cls)
    if fields is None:
        fields = _CHILD_FIELDS[cls] = tuple(f for f in cls._fields if f not in _NO_CHILDREN)
    found: List[ast.AST] = []
    for name in fields:
        value = getattr(node, name, None)
        if isinstance(value, ast.AST):
            found.append(value)
        elif isinstance(value, list):
            found.extend(item for item in value if isinstance(item, ast.AST))
    return found


def _copy_tree(tree: Leaf, local_names: Set[str]) -> Leaf:
    """A copy of an expression tree in which reads of local names are undecidable."""
    head = tree[0]
    if head == "g":
        return ["?"] if tree[1] in local_names else list(tree)
    if head in ("c", "m", "k", "f") or (head == "?" and len(tree) == 1):
        return list(tree)
    if head == "not":
        return ["not", _copy_tree(tree[1], local_names)]
    if head == "cmp":
        return [
            "cmp",
            _copy_tree(tree[1], local_names),
            [[op, _copy_tree(right, local_names)] for op, right in tree[2]],
        ]
    return [head, [_copy_tree(item, local_names) for item in tree[1]]]


def _worth_keeping(tree: Leaf) -> bool:
    """Tests with a global name or a flag read in them; the rest cannot be decided."""
    stack = [tree]
    while stack:
        item = stack.pop()
        head = item[0]
        if head in ("g", "m", "f"):
            return True
        if head == "not":
            stack.append(item[1])
        elif head in ("and", "or") or (head == "?" and len(item) > 1):
            stack.extend(item[1])
        elif head == "cmp":
            stack.append(item[1])
            stack.extend(right for _, right in item[2])
    return False


def _may_build_namespace(function: str) -> bool:
    """``parse_args()``, ``get_config()``, ``copy.deepcopy(args)``, ``Namespace(...)``..."""
    lowered = function.lower()
    return function in _NAMESPACE_FACTORIES or any(
        word in lowered for word in ("arg", "parse", "config", "cfg", "opt", "flag", "hparam")
    )


def _is_namespace_copy(node: ast.AST) -> bool:
    """``vars(x)`` or ``x.__dict__``: a namespace as a plain dict."""
    if isinstance(node, ast.Attribute):
        return node.attr == "__dict__"
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "vars"
        and len(node.args) == 1
    )


def _dumps_namespace(node: ast.AST) -> bool:
    """``vars(x)``, ``x.__dict__``, ``x.flag_values_dict()``: a namespace as a dict."""
    return _is_namespace_copy(node) or (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "flag_values_dict"
    )


def _signatures(tree: ast.Module) -> Dict[str, List[Any]]:
    """``name -> [parameters, forwards, opaque]`` for the module's functions and classes (a
    class's ``__init__``): the named parameters a ``**mapping`` fills, the callees its
    ``**kwargs`` is handed on to (dotted names), and whether ``**kwargs`` goes anywhere else
    (``opaque``: it may read any key)."""
    found: Dict[str, List[Any]] = {}
    for statement in tree.body:
        function: Optional[ast.AST] = statement
        skip = 0
        if isinstance(statement, ast.ClassDef):
            function = next(
                (
                    s
                    for s in statement.body
                    if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
                    and s.name == "__init__"
                ),
                None,
            )
            skip = 1  # self
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        arguments = function.args
        names = [a.arg for a in (*arguments.posonlyargs, *arguments.args)][skip:]
        names += [a.arg for a in arguments.kwonlyargs]
        kwargs = arguments.kwarg.arg if arguments.kwarg is not None else None
        forwards: List[List[str]] = []
        opaque = False
        if kwargs is not None:
            loads = accounted = 0
            for node in ast.walk(function):  # every use of **kwargs must be accounted for
                if isinstance(node, ast.Name) and node.id == kwargs:
                    loads += 1
                elif isinstance(node, ast.Call):
                    for keyword in node.keywords:
                        if keyword.arg is None and _is_name(keyword.value, kwargs):
                            accounted += 1
                            chain = dotted(node.func)
                            if chain is None:
                                opaque = True  # `super().__init__(**kwargs)`, `f()(**kwargs)`
                            else:
                                forwards.append(chain)
                    if _is_sink(node.func):  # print(kwargs)
                        accounted += sum(_is_name(a, kwargs) for a in node.args)
                        accounted += sum(_is_name(k.value, kwargs) for k in node.keywords if k.arg)
                elif isinstance(node, ast.Attribute) and node.attr in ("get", "pop"):
                    accounted += _is_name(node.value, kwargs)  # kwargs.get("x"): a key read
                elif isinstance(node, ast.Subscript) and _string(node.slice) is not None:
                    accounted += _is_name(node.value, kwargs)  # kwargs["x"]
            opaque = opaque or loads > accounted
        found[statement.name] = [names, forwards, opaque]  # type: ignore[attr-defined]
    return found


def _saved_namespace_copies(tree: ast.Module) -> Set[int]:
    """``id`` of each assignment ``d = vars(args)`` (``args.__dict__``,
    ``FLAGS.flag_values_dict()``) in a scope where every read of ``d`` is an argument of a
    call that logs or saves (``json.dump(d, f)``, ``print(d)``, ``logger.info(d)``) or sits in
    an f-string: the copy reads no option, as ``json.dump(vars(args), f)`` reads none."""
    scopes: List[ast.AST] = [tree]
    copies: List[Tuple[ast.AST, ast.Assign]] = []
    stack: List[Tuple[ast.AST, ast.AST]] = [(tree, tree)]
    while stack:  # one walk: each function scope with its copies
        node, scope = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            scopes.append(node)
            scope = node
        elif (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and _dumps_namespace(node.value)
        ):
            copies.append((scope, node))
        stack.extend((child, scope) for child in ast.iter_child_nodes(node))
    found: Set[int] = set()
    for scope, copy in copies:
        name = copy.targets[0].id  # type: ignore[attr-defined]
        loads = 0
        sunk = 0  # the copy itself is the argument: `json.dump(d, f)`, `log(config=d)`, f"{d}"
        for node in ast.walk(scope):
            if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load):
                loads += 1
            elif isinstance(node, ast.FormattedValue) and _is_name(node.value, name):
                sunk += 1
            elif isinstance(node, ast.Call) and _is_sink(node.func):
                sunk += sum(_is_name(a, name) for a in node.args)
                sunk += sum(_is_name(k.value, name) for k in node.keywords)
        if loads and loads == sunk:
            found.add(id(copy))
    return found


_LIBRARY_KEYS = re.compile(r"parse_(?:known_)?args\(")
"""A module that parses options and may look them up by a computed name (it also holds
``getattr(``): the cheap test before :func:`_library_keys` walks the module."""
_PARSES = ("parse_args", "parse_known_args")
_DATA_VALUES = (
    ast.BinOp,
    ast.UnaryOp,
    ast.Compare,
    ast.BoolOp,
    ast.Constant,
    ast.List,
    ast.Tuple,
    ast.Set,
    ast.ListComp,
    ast.SetComp,
    ast.GeneratorExp,
    ast.JoinedStr,
)


def _library_keys(tree: ast.Module) -> Set[int]:
    """``id`` of each ``getattr(x, k)`` and ``vars(y)`` whose names are only those of a parser
    that a library alone filled (Lightning's ``nondefault_trainer_args``)::

        parser = argparse.ArgumentParser()
        parser = Trainer.add_argparse_args(parser)
        args = parser.parse_args([])
        return sorted(k for k in vars(args) if getattr(opt, k) != getattr(args, k))

    ``k`` is one of the library's options. When the module also applies that library call
    to another parser (the program's), argparse refuses an option string defined twice, so
    no option the project defines itself is among them: the lookups read none of its
    options. ``for k in nondefault_trainer_args(opt): getattr(opt, k)`` likewise."""
    applied: Dict[str, int] = {}  # every call of a dotted callee, by its text
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            chain = dotted(node.func)
            if chain:
                text = ".".join(chain)
                applied[text] = applied.get(text, 0) + 1
    filling: Dict[str, Set[int]] = {}  # the calls that fill library-only parsers
    key_functions: Dict[str, Set[str]] = {}
    found: Set[int] = set()
    scopes: List[ast.AST] = [tree]
    scopes += [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    for scope in [*scopes[1:], scopes[0]]:  # helpers before the `__main__` block that calls them
        returned = _ScopeKeys(scope, key_functions, filling, found).run()
        if returned is not None and not isinstance(scope, ast.Module):
            key_functions[scope.name] = returned  # type: ignore[attr-defined]
    if not filling or any(applied.get(a, 0) <= len(calls) for a, calls in filling.items()):
        return set()  # the library call fills no other parser: its names may be the project's
    return found


class _ScopeKeys:
    """The library-keyed lookups of one function (or the module's own statements)."""

    def __init__(
        self,
        scope: ast.AST,
        key_functions: Dict[str, Set[str]],
        filling: Dict[str, Set[int]],
        found: Set[int],
    ) -> None:
        self.nodes = list(_own_nodes(scope))
        self.key_functions = key_functions
        self.filling = filling
        self.found = found
        self.values: Dict[str, List[ast.AST]] = {}
        self.methods: Dict[str, Set[str]] = {}
        for node in self.nodes:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name):
                    self.values.setdefault(target.id, []).append(node.value)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
            ):
                self.methods.setdefault(node.func.value.id, set()).add(node.func.attr)

    def run(self) -> Optional[Set[str]]:
        """Records the lookups; returns the library calls whose option names the scope
        returns (``return sorted(k for k in vars(args) ...)``), if it does."""
        keys: Dict[str, Set[str]] = {}
        for node in self.nodes:
            loops: List[Tuple[ast.AST, ast.AST]] = []
            if isinstance(node, (ast.For, ast.AsyncFor)):
                loops = [(node.target, node.iter)]
            elif isinstance(node, _COMPREHENSIONS):
                loops = [(g.target, g.iter) for g in node.generators]
            for target, iterable in loops:
                adders = self.key_adders(iterable)
                if adders is not None and isinstance(target, ast.Name):
                    keys[target.id] = adders
        returned: Optional[Set[str]] = None
        for node in self.nodes:
            if (
                _is_call_to(node, "getattr", "hasattr")
                and len(node.args) >= 2  # type: ignore[attr-defined]
                and isinstance(node.args[1], ast.Name)  # type: ignore[attr-defined]
                and node.args[1].id in keys  # type: ignore[attr-defined]
            ):
                self.found.add(id(node))
            elif isinstance(node, ast.Return) and node.value is not None:
                adders = self.key_adders(node.value)
                if adders is not None:
                    returned = (returned or set()) | adders
        return returned

    def key_adders(self, iterable: ast.AST) -> Optional[Set[str]]:
        """The library calls whose option names ``iterable`` yields, if only those."""
        while _is_call_to(iterable, "sorted", "list", "set", "tuple"):
            if len(iterable.args) != 1:  # type: ignore[attr-defined]
                return None
            iterable = iterable.args[0]  # type: ignore[attr-defined]
        if (
            isinstance(iterable, ast.Call)
            and isinstance(iterable.func, ast.Attribute)
            and iterable.func.attr == "keys"
            and not iterable.args
        ):
            iterable = iterable.func.value
        if (
            isinstance(iterable, ast.Call)
            and isinstance(iterable.func, ast.Name)
            and iterable.func.id in self.key_functions
        ):
            return self.key_functions[iterable.func.id]
        if isinstance(iterable, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
            generators = iterable.generators
            target = generators[0].target
            if (
                len(generators) == 1
                and isinstance(target, ast.Name)
                and _is_name(iterable.elt, target.id)
            ):
                return self.key_adders(generators[0].iter)
            return None
        adders = self.namespace_adders(iterable)
        if adders is not None:
            self.found.add(id(iterable))
        return adders

    def namespace_adders(self, node: ast.AST) -> Optional[Set[str]]:
        if _is_call_to(node, "vars") and len(node.args) == 1:  # type: ignore[attr-defined]
            node = node.args[0]  # type: ignore[attr-defined]
        elif isinstance(node, ast.Attribute) and node.attr == "__dict__":
            node = node.value
        else:
            return None
        if not isinstance(node, ast.Name) or not self.values.get(node.id):
            return None
        adders: Set[str] = set()
        for value in self.values[node.id]:
            if isinstance(value, ast.Subscript):
                value = value.value  # `parser.parse_known_args([])[0]`
            if not (
                isinstance(value, ast.Call)
                and isinstance(value.func, ast.Attribute)
                and value.func.attr in _PARSES
                and isinstance(value.func.value, ast.Name)
            ):
                return None
            parser = self.parser_adders(value.func.value.id)
            if parser is None:
                return None
            adders |= parser
        return adders

    def parser_adders(self, name: str) -> Optional[Set[str]]:
        """The library calls that alone fill the parser ``name``
        (``parser = Trainer.add_argparse_args(parser)``)."""
        if not self.methods.get(name, set()) <= set(_PARSES):
            return None  # `parser.add_argument(...)`: the project's own options
        calls: List[Tuple[str, int]] = []
        for value in self.values.get(name, []):
            chain = dotted(value.func) if isinstance(value, ast.Call) else None
            if chain is None:
                return None
            if chain[-1] == "ArgumentParser":
                continue
            if not value.args or not _is_name(value.args[0], name):  # type: ignore[attr-defined]
                return None
            calls.append((".".join(chain), id(value)))
        for adder, call in calls:
            self.filling.setdefault(adder, set()).add(call)
        return {adder for adder, _ in calls} or None


def _overwrites(
    tree: ast.Module,
) -> Tuple[Dict[str, Dict[str, List[str]]], List[List[Any]], List[List[Any]]]:
    """The module's :attr:`FactsExtractor.overwrites`, :attr:`overwrite_calls` and
    :attr:`assigned`."""
    overwrites: Dict[str, Dict[str, List[str]]] = {}
    calls: List[List[Any]] = []
    assigned: List[List[Any]] = []
    _direct_assignments(tree.body, assigned)  # a script's statements, its `__main__` block
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            parameters = [a.arg for a in [*statement.args.posonlyargs, *statement.args.args]]
            assigned_on = _must_write(statement.body, parameters[:4])
            written = {
                str(index): sorted(assigned_on[parameter])
                for index, parameter in enumerate(parameters[:4])
                if parameter in assigned_on
            }
            if written:
                overwrites[statement.name] = written
            body: List[ast.stmt] = statement.body
        elif isinstance(statement, ast.If) and _is_main_test(statement.test):
            body = statement.body
        else:
            continue
        end = getattr(statement, "end_lineno", None) or statement.lineno
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            _direct_assignments(body, assigned)
        for inner in body:
            call = inner.value if isinstance(inner, ast.Expr) else None
            if not isinstance(call, ast.Call):
                continue
            chain = dotted(call.func)
            for index, argument in enumerate(call.args):
                if chain and isinstance(argument, ast.Name) and argument.id in NAMESPACE_HOLDERS:
                    calls.append([chain, index, inner.lineno, end])
    if calls:
        spans = {
            s.name: (s.lineno, getattr(s, "end_lineno", None) or s.lineno)
            for s in tree.body
            if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
        }
        loads: Dict[str, List[int]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id in spans and isinstance(node.ctx, ast.Load):
                loads.setdefault(node.id, []).append(node.lineno)
        for entry in calls:
            line, end = entry[2], entry[3]
            entry.append(
                [
                    [name, *spans[name]]
                    for name, lines in sorted(loads.items())
                    if all(line < at <= end for at in lines)
                ]
            )
    return overwrites, calls, assigned


def _direct_assignments(body: List[ast.stmt], found: List[List[Any]]) -> None:
    """``[namespace, attribute, line, last line of the block]`` of each statement that
    assigns an attribute of a namespace (``args.job_dir = shared_folder / name``) directly in
    ``body`` or a block nested in it: what follows it in that block reads the new value."""
    if not body:
        return
    end = getattr(body[-1], "end_lineno", None) or body[-1].lineno
    for statement in body:
        if isinstance(statement, (ast.Assign, ast.AnnAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id in NAMESPACE_HOLDERS
                ):
                    # from its last line: `args.lr = (\n    args.lr * 2)` reads it first
                    last = getattr(statement, "end_lineno", None) or statement.lineno
                    found.append([target.value.id, target.attr, last, end])
        elif isinstance(
            statement, (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try)
        ):
            for block in _blocks(statement):
                _direct_assignments(block, found)


def _is_main_test(test: ast.AST) -> bool:
    """``__name__ == "__main__"``."""
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and len(test.comparators) == 1
        and _string(test.comparators[0]) == "__main__"
    )


def _must_write(body: List[ast.stmt], parameters: Sequence[str]) -> Dict[str, Set[str]]:
    """For each of ``parameters``, the attributes ``body`` assigns on it on every path that
    returns (a path that raises returns nothing to read): one walk for all of them."""
    exits: List[Set[Tuple[str, str]]] = []
    end = _writes_through(body, set(parameters), set(), exits)
    if end is not None:
        exits.append(end)
    found: Dict[str, Set[str]] = {}
    if exits:
        for parameter, attribute in set.intersection(*exits):
            found.setdefault(parameter, set()).add(attribute)
    return found


_OTHER_COMPOUND = tuple(getattr(ast, name) for name in ("Match", "TryStar") if hasattr(ast, name))
"""Compound statements :func:`_writes_through` does not follow: a ``return`` inside one ends
what is certain."""


def _writes_through(
    body: List[ast.stmt],
    parameters: Set[str],
    written: Set[Tuple[str, str]],
    exits: List[Set[Tuple[str, str]]],
) -> Optional[Set[Tuple[str, str]]]:
    """The ``(parameter, attribute)`` pairs assigned when ``body`` falls through (``None``: it
    never does); each ``return`` on the way adds what is assigned by then to ``exits``."""
    written = set(written)
    for statement in body:
        if isinstance(statement, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                for element in ast.walk(target):
                    if (
                        isinstance(element, ast.Attribute)
                        and isinstance(element.ctx, ast.Store)
                        and isinstance(element.value, ast.Name)
                        and element.value.id in parameters
                    ):
                        written.add((element.value.id, element.attr))
        elif isinstance(statement, ast.Return):
            exits.append(written)
            return None
        elif isinstance(statement, ast.Raise):
            return None
        elif isinstance(statement, ast.If):
            arms = [
                _writes_through(statement.body, parameters, written, exits),
                _writes_through(statement.orelse, parameters, written, exits),
            ]
            through = [arm for arm in arms if arm is not None]
            if not through:
                return None
            written = set.intersection(*through)
        elif isinstance(statement, (ast.With, ast.AsyncWith)):
            after = _writes_through(statement.body, parameters, written, exits)
            if after is None:
                return None
            written = after
        elif isinstance(statement, (ast.For, ast.AsyncFor, ast.While, ast.Try)):
            # a loop may not run and a handler may run after any statement: what they
            # assign is not certain, but their returns are paths out
            for block in _blocks(statement):
                _writes_through(block, parameters, written, exits)
        elif isinstance(statement, _OTHER_COMPOUND) and any(
            isinstance(n, ast.Return) for n in ast.walk(statement)
        ):
            exits.append(written)  # `match`: a return inside, with nothing more certain
    return written


def _blocks(statement: ast.stmt) -> List[List[ast.stmt]]:
    blocks: List[List[ast.stmt]] = []
    for field in ("body", "orelse", "finalbody"):
        blocks.append(getattr(statement, field, []) or [])
    blocks.extend(h.body for h in getattr(statement, "handlers", []) or [])
    return blocks


def _own_nodes(scope: ast.AST) -> Iterator[ast.AST]:
    """The nodes of ``scope``'s own statements, not those of functions or classes in it."""
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))


def _target_name(target: ast.AST) -> str:
    return target.id if isinstance(target, ast.Name) else ""


def _word_list(text: str) -> List[str]:
    """The words of a comma-separated list written in a comment, unquoted (``dcgan, wgan,
    wgan-gp, lsgan``; ``Valid options are dcgan, wgan, or wgan-gp``): the first item is the
    last word before the first comma, the last one the first word after "or"/"and"."""
    parts = [part.strip() for part in text.split(",")]
    if len(parts) < 2 or not parts[0]:
        return []
    words = [parts[0].split()[-1]]
    for part in parts[1:]:
        tokens = part.split()
        if tokens and tokens[0] in ("or", "and"):
            tokens = tokens[1:]
        if not tokens:
            return []
        if len(tokens) > 1:
            return []  # a sentence, not a list
        words.append(tokens[0].rstrip(".;:)"))
    return words if len(set(words)) > 1 else []


def _string_list(node: ast.AST) -> Optional[List[str]]:
    """The strings of a literal list or tuple made only of strings."""
    ok, value = literal_value(node) if isinstance(node, (ast.List, ast.Tuple)) else (False, None)
    if not ok or not value or not all(isinstance(item, str) for item in value):
        return None
    return list(value)


def _string_parts(node: ast.AST, parts: List[Optional[str]]) -> None:
    """The literal pieces of a string built by ``+`` or an f-string, ``None`` for each
    computed piece."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        _string_parts(node.left, parts)
        _string_parts(node.right, parts)
    elif isinstance(node, ast.JoinedStr):
        for value in node.values:
            _string_parts(value, parts)
    elif isinstance(node, ast.Constant) and isinstance(node.value, str):
        parts.append(node.value)
    else:
        parts.append(None)


def _is_name(node: ast.AST, name: str) -> bool:
    if isinstance(node, ast.Starred):
        node = node.value
    return isinstance(node, ast.Name) and node.id == name


def _names_a_sink(name: str) -> bool:
    """A helper named for what it does with its arguments: ``yaml_save``, ``print_args``,
    ``save_config``, ``log_hparams``, ``dump_json`` log or save them."""
    words = name.lower().split("_")
    return len(words) > 1 and any(word in _SINK_WORDS for word in words)


def _is_sink(func: ast.AST) -> bool:
    """A call that logs, prints or saves its arguments (``print``, ``logger.info``,
    ``json.dump``, ``wandb.config.update``...): it reads no option of a namespace."""
    if isinstance(func, ast.Name):
        return func.id in _SINK_CALLS or _names_a_sink(func.id)
    if not isinstance(func, ast.Attribute):
        return False
    if func.attr in _SINK_METHODS or _names_a_sink(func.attr):
        return True
    chain = dotted(func)
    return chain is not None and chain[0] == "wandb" and chain[-1] in ("update", "init")


def _copies_namespace(node: ast.For) -> bool:
    """``for key, value in vars(args).items():`` (or ``args.__dict__``,
    ``FLAGS.flag_values_dict()``, maybe in ``sorted(...)``) whose body only stores each
    value under its own key or prints it, maybe behind a test: the namespace is saved, none
    of its options is read."""
    iterable, target = node.iter, node.target
    while _is_call_to(iterable, "sorted", "list", "tuple") and len(iterable.args) == 1:  # type: ignore[attr-defined]
        iterable = iterable.args[0]  # type: ignore[attr-defined]  # `sorted(vars(args).items())`
    if not (
        isinstance(iterable, ast.Call)
        and isinstance(iterable.func, ast.Attribute)
        and iterable.func.attr == "items"
        and isinstance(target, ast.Tuple)
        and len(target.elts) == 2
        and all(isinstance(e, ast.Name) for e in target.elts)
    ):
        return False
    wholesale = _dumps_namespace(iterable.func.value)
    key, value = (e.id for e in target.elts)  # type: ignore[attr-defined]
    return wholesale and _stores_only(node.body, key, value)


def _stores_only(body: List[ast.stmt], key: str, value: str) -> bool:
    for statement in body:
        if isinstance(statement, ast.If):
            if not (
                _stores_only(statement.body, key, value)
                and _stores_only(statement.orelse, key, value)
            ):
                return False
        elif isinstance(statement, ast.Assign):
            if not (
                isinstance(statement.value, ast.Name)
                and statement.value.id == value
                and all(
                    isinstance(t, ast.Subscript)
                    and isinstance(t.slice, ast.Name)
                    and t.slice.id == key
                    for t in statement.targets
                )
            ):
                return False
        elif not (
            isinstance(statement, ast.Expr)
            and isinstance(statement.value, ast.Call)
            and _is_sink(statement.value.func)
        ):
            return False
    return True


def _all_after(values: List[ast.AST], line: int) -> bool:
    """Whether every value bound to a name is assigned after ``line``."""
    return all(getattr(value, "lineno", 0) > line for value in values)


def _as_call(node: Optional[ast.AST]) -> Optional[ast.Call]:
    return node if isinstance(node, ast.Call) else None


def _only_call(body: List[ast.stmt]) -> Tuple[str, Optional[ast.Call]]:
    """The call of an arm that is a single call statement, ``return`` of a call or
    assignment of one, with what it is assigned to."""
    if len(body) != 1:
        return "", None
    statement = body[0]
    if isinstance(statement, ast.Assign):
        targets = "".join(ast.dump(t) for t in statement.targets)
        return targets, _as_call(statement.value)
    if isinstance(statement, (ast.Expr, ast.Return)):
        return type(statement).__name__, _as_call(statement.value)
    return "", None


def _call_arguments(call: ast.Call) -> str:
    return ast.dump(ast.Tuple(elts=list(call.args), ctx=ast.Load())) + "".join(
        ast.dump(k) for k in call.keywords
    )


def _is_validation(body: List[ast.stmt]) -> bool:
    """An arm that only rejects the input (``raise``, ``parser.error(...)``, ``sys.exit``),
    optionally after printing why, or that only warns about it (``warnings.warn(...)``,
    ``logger.warning(...)``): validation, not a code path."""
    if not body:
        return False
    if all(
        isinstance(s, ast.Expr)
        and isinstance(s.value, ast.Call)
        and (dotted(s.value.func) or [""])[-1] in ("warn", "warning")
        for s in body
    ):
        return True
    *before, last = body
    if isinstance(last, ast.Raise):
        pass
    elif isinstance(last, ast.Expr) and isinstance(last.value, ast.Call):
        chain = dotted(last.value.func)
        if chain is None or chain[-1] not in _TERMINAL_CALLS:
            return False
    else:
        return False
    return all(
        isinstance(s, ast.Expr) and isinstance(s.value, ast.Call) and _is_sink(s.value.func)
        for s in before
    )


def _dict_keys(node: Optional[ast.AST]) -> List[str]:
    """The keys of a dict literal (``{"lr": 0.1}`` or ``dict(lr=0.1)``), when all are strings."""
    if isinstance(node, ast.Dict):
        keys = [_string(k) if k is not None else None for k in node.keys]
        return [k for k in keys if k] if all(k and k.isidentifier() for k in keys) else []
    if isinstance(node, ast.Call) and _is_call_to(node, "dict") and not node.args:
        return [k.arg for k in node.keywords if k.arg]
    return []


def _argparse_switch(node: ast.Call, action: Optional[str], default: Any) -> str:
    """``bool`` (store_true, type=bool, a bool default), ``choice`` (choices=), ``value``
    (a typed or string/number option) or ``?`` (nothing says)."""
    if action in ("store_true", "store_false"):
        return "bool"
    action_node = _keyword(node, "action")
    chain = dotted(action_node) if action_node is not None else None
    if chain and chain[-1] == "BooleanOptionalAction":
        return "bool"
    if action in ("store_const", "append", "append_const", "count", "extend"):
        return "value"
    type_node = _keyword(node, "type")
    type_chain = dotted(type_node) if type_node is not None else None
    type_name = type_chain[-1] if type_chain else None
    if type_name in _BOOL_TYPES or isinstance(default, bool):
        return "bool"
    if _keyword(node, "choices") is not None:
        return "choice"
    if type_name == "int" and default in (0, 1):
        return "bool"
    if type_node is not None or _keyword(node, "nargs") is not None:
        return "value"
    if isinstance(default, (str, int, float)) or _keyword(node, "default") is not None:
        return "value"
    return "?"


def _cli_switch(at: ast.AST, default: Any) -> str:
    if isinstance(default, bool):
        return "bool"
    if isinstance(at, ast.Call):
        if _keyword_literal(at, "is_flag") is True:
            return "bool"
        if any("/" in (_string(a) or "") for a in at.args):
            return "bool"
        type_node = _keyword(at, "type")
        if isinstance(type_node, ast.Call) and (dotted(type_node.func) or [""])[-1] == "Choice":
            return "choice"
        if type_node is not None and (dotted(type_node) or [""])[-1] == "bool":
            return "bool"
        if type_node is not None or default is not None:
            return "value"
    elif isinstance(at, ast.arg) and at.annotation is not None:
        annotation = dotted(at.annotation)
        if annotation and annotation[-1] == "bool":
            return "bool"
        return "value" if annotation else "?"
    return "?"


def _is_call_to(node: ast.AST, *names: str) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names


def _is_sys_modules_self(node: ast.AST) -> bool:
    """``sys.modules[__name__]``."""
    return (
        isinstance(node, ast.Subscript)
        and dotted(node.value) == ["sys", "modules"]
        and isinstance(node.slice, ast.Name)
        and node.slice.id == "__name__"
    )


def _is_parse_call(node: ast.AST) -> bool:
    if isinstance(node, ast.Subscript):
        node = node.value
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("parse_args", "parse_known_args", "parse_intermixed_args")
    )


def _object_kind_of_annotation(annotation: Optional[ast.AST]) -> Optional[str]:
    if annotation is None:
        return None
    chain = dotted(annotation)
    if chain is None:
        text = _string(annotation)
        chain = text.split(".") if text else None
    if not chain:
        return None
    if chain[-1] == "Namespace":
        return "ns"
    if chain[-1] in _CONFIG_TYPES:
        return "config"
    return None


def _keyword(node: ast.Call, name: str) -> Optional[ast.AST]:
    for keyword in node.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def _keyword_literal(node: ast.Call, name: str) -> Any:
    value = _keyword(node, name)
    if value is None:
        return None
    ok, literal = literal_value(value)
    return literal if ok else None


def _default_arg(node: ast.Call) -> Any:
    if len(node.args) > 1:
        ok, value = literal_value(node.args[1])
        return value if ok else None
    return None


def _argparse_dest(strings: List[str]) -> Optional[str]:
    """The ``dest`` argparse derives from option strings (``--use-mixup`` -> ``use_mixup``)."""
    if not strings[0].startswith("-"):
        return strings[0]
    long = [s for s in strings if s.startswith("--")]
    chosen = long[0] if long else strings[0]
    return chosen.lstrip("-").replace("-", "_") or None


def _click_name(declared: List[str]) -> Optional[str]:
    """The parameter name click derives from an option's declarations."""
    for item in declared:
        if item.isidentifier():
            return item
    options = [d.split("/")[0].strip() for d in declared if d.startswith("-")]
    if not options:
        return None
    options.sort(key=lambda o: len(o) - len(o.lstrip("-")), reverse=True)
    name = options[0].lstrip("-").replace("-", "_").lower()
    return name if name.isidentifier() else None


def _is_typer_param(node: Optional[ast.AST]) -> bool:
    if not isinstance(node, ast.Call):
        return False
    chain = dotted(node.func)
    return chain is not None and chain[-1] in ("Option",) and chain[0] in ("typer", "Option")


def _is_typer_annotation(node: Optional[ast.AST]) -> bool:
    if not isinstance(node, ast.Subscript) or dotted(node.value) not in (
        ["Annotated"],
        ["typing", "Annotated"],
        ["typing_extensions", "Annotated"],
    ):
        return False
    items = node.slice.elts if isinstance(node.slice, ast.Tuple) else []
    return any(_is_typer_param(item) for item in items[1:])


def _is_dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def extract_facts(tree: ast.Module, text: str) -> Optional[Dict[str, Any]]:
    """The flag facts of one module (``None`` when the tree is too deep to walk)."""
    try:
        return FactsExtractor(text).run(tree)
    except RecursionError:
        return None
