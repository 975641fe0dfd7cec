"""``mllint retire FLAG[=VALUE]``: the experiment behind a flag is over, its value is fixed.

Every read of the flag is replaced by the value as a literal, the tests that become constant
are folded by the fix engine's folder (:mod:`mllint.fixing.fold`: the live arm kept and
dedented, the dead one dropped, code after a ``return`` that is now unconditional too), and
the flag's definition goes: the module constant, the ``add_argument`` / ``DEFINE_*`` /
``@click.option`` call with its help text, the click or typer parameter, the environment
lookup. A name that is then bound once to a literal (``USE_X = os.environ.get("USE_X") ==
"1"`` becomes ``USE_X = True``) is retired in turn, across modules, with the imports of it.
Files other than Python that still mention the flag (configs, launch scripts, docs) are listed,
never edited.

The rewrite works on LibCST trees, so everything outside the changed statements keeps its
bytes; every rewritten file must parse again and ``compile()``, or it is left as it was.
"""

from __future__ import annotations

import ast
import difflib
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import (
    Any,
    Dict,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Set,
    Tuple,
    Union,
)

import libcst as cst
from libcst.metadata import (
    ExpressionContext,
    ExpressionContextProvider,
    FunctionScope,
    GlobalScope,
    MetadataWrapper,
    ParentNodeProvider,
    PositionProvider,
    ScopeProvider,
)

from mllint.fixing.edits import (
    drop_imports,
    drop_params,
    used_names,
    with_last_comma,
    without_strings,
)
from mllint.fixing.engine import compiles
from mllint.fixing.fold import STRING_METHODS, UNKNOWN, Folder, literal_value
from mllint.flags.facts import NAMESPACE_NAMES
from mllint.flags.index import FlagIndex, Module, candidate_names
from mllint.flags.inventory import Flag
from mllint.flags.launch import collect_launch_texts
from mllint.safeio import read_limited

KINDS = ("constant", "argparse", "absl", "click", "env", "config")
_SCALARS = (bool, int, float, str, type(None))
_MAX_ROUNDS = 8
_CONVERSIONS = frozenset({"int", "float", "bool", "str", "strtobool", "str2bool"})


class RetireError(Exception):
    """A usage error: an unknown or ambiguous flag, a value its type cannot take."""


@dataclass(frozen=True)
class Request:
    """What the user asked: ``FLAG[=VALUE]``."""

    name: str
    has_value: bool
    value: Any


@dataclass
class Retirement:
    """The outcome of planning a retirement: new texts and what could not be done."""

    flags: List[Flag]
    value: Any
    old: Dict[str, str] = field(default_factory=dict)
    new: Dict[str, str] = field(default_factory=dict)
    failures: List[str] = field(default_factory=list)
    """``path: reason`` of files left untouched."""
    notes: List[str] = field(default_factory=list)
    """What was left in place and why."""
    mentions: List[Tuple[str, int, str]] = field(default_factory=list)
    """``(path, line, text)`` of the mentions the rewrite did not remove."""
    derived: List[Tuple[str, str]] = field(default_factory=list)
    """``(module path, name)`` of the names that held the flag's value and went with it."""

    @property
    def changed(self) -> List[str]:
        """The files whose text changes, sorted."""
        return sorted(p for p, text in self.new.items() if text != self.old[p])

    def lines_removed(self) -> int:
        """Lines of the old texts that the new ones no longer have."""
        removed = 0
        for path in self.changed:
            diff = difflib.ndiff(self.old[path].splitlines(), self.new[path].splitlines())
            removed += sum(1 for line in diff if line.startswith("- "))
        return removed


# -- the request -----------------------------------------------------------------------------


def parse_request(text: str) -> Request:
    """``FLAG`` or ``FLAG=VALUE`` (VALUE: true/false/None, a number, a quoted string, or a
    bare word taken as a string)."""
    name, equals, raw = text.partition("=")
    name = name.strip()
    if not re.fullmatch(r"-{0,2}[A-Za-z_][A-Za-z0-9_.-]*", name):
        raise RetireError(f"{text!r} is not FLAG or FLAG=VALUE")
    if not equals:
        return Request(name, False, None)
    return Request(name, True, parse_value(raw))


def parse_value(raw: str) -> Any:
    """A command-line VALUE as a Python scalar."""
    word = raw.strip()
    lowered = word.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("none", "null"):
        return None
    try:
        value = ast.literal_eval(word)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        value = ast  # a sentinel: not a literal
    if value is not ast:
        if isinstance(value, _SCALARS):
            return value
        raise RetireError(f"VALUE {raw!r} is not a scalar (true, false, None, a number, a string)")
    if re.fullmatch(r"[A-Za-z0-9_.:/+@-]+", word):
        return word
    raise RetireError(f"VALUE {raw!r} is not true, false, None, a number or a quoted string")


def normalized(name: str) -> str:
    """How names are compared: case-insensitively, ``-`` as ``_``, no leading dashes."""
    return name.lstrip("-").replace("-", "_").casefold()


def _flag_names(flag: Flag) -> List[str]:
    if flag.kind == "env":
        return [normalized(n) for n in candidate_names(flag.name, flag.name)]
    return [normalized(flag.name)]


def close_names(flags: Sequence[Flag], name: str) -> List[str]:
    """Names of the inventory that look like ``name`` (for an unknown flag)."""
    names = sorted({f.name for f in flags})
    by_key = {normalized(n): n for n in names}
    close = difflib.get_close_matches(normalized(name), list(by_key), n=5, cutoff=0.6)
    return [by_key[c] for c in close]


def select_flags(
    flags: Sequence[Flag],
    name: str,
    kinds: Sequence[str],
    sources: Mapping[str, str],
) -> List[Flag]:
    """The flags of the inventory that ``name`` names (restricted to ``kinds`` if any).

    Flags of several kinds are one experiment when they are wired together: an environment
    read assigned to a name of the flag's name, an option whose definition reads such a name
    (``default=config.USE_X``). Otherwise the name is ambiguous and ``--kind`` decides."""
    key = normalized(name)
    found = [f for f in flags if key in _flag_names(f) and (not kinds or f.kind in kinds)]
    if not found:
        close = close_names(flags, name)
        hint = f"; close names: {', '.join(close)}" if close else ""
        raise RetireError(f"no flag named {name!r} in the analysed files{hint}")
    for flag in found:
        if flag.kind == "constant" and not flag.constant:
            raise RetireError(
                f"{flag.name} ({_where(flag)}) is rebound or rewritten at run time "
                "(module.NAME = ..., global, setattr): its value is not fixed"
            )
    unlinked = [f for f in found if not _linked(f, key, found, sources)]
    if len({f.kind for f in unlinked}) > 1:
        places = "; ".join(f"{f.kind} {f.name} ({_where(f)})" for f in found)
        choices = ", ".join(sorted({f.kind for f in found}))
        raise RetireError(
            f"{name!r} names flags of several kinds that are not wired together: {places}. "
            f"Choose with --kind ({choices}, or all)"
        )
    return found


def _where(flag: Flag) -> str:
    place = flag.defined_at or (flag.references[0] if flag.references else None)
    return "nowhere" if place is None else f"{_shown(place[0], os.getcwd())}:{place[1]}"


def _statement_at(source: str, line: int) -> Optional[ast.stmt]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    best: Optional[ast.stmt] = None
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.stmt)
            and node.lineno <= line <= (node.end_lineno or line)
            and (best is None or node.lineno >= best.lineno)
            and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        ):
            best = node
    return best


def _identifiers(node: ast.AST) -> Set[str]:
    found: Set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            found.add(normalized(child.id))
        elif isinstance(child, ast.Attribute):
            found.add(normalized(child.attr))
    return found


def _linked(flag: Flag, key: str, group: Sequence[Flag], sources: Mapping[str, str]) -> bool:
    places = [flag.defined_at] if flag.defined_at else list(flag.references)
    if flag.kind == "constant":
        return any(g is not flag and g.kind != "constant" for g in group) and any(
            _linked(g, key, group, sources) for g in group if g.kind != "constant"
        )
    for path, line in places:
        statement = _statement_at(sources.get(path, ""), line)
        if statement is None:
            continue
        if flag.kind == "env" and isinstance(statement, (ast.Assign, ast.AnnAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            if any(key in _identifiers(t) for t in targets):
                return True
        elif flag.kind in ("argparse", "absl", "click") and key in _identifiers(statement):
            return True
    return False


# -- values and types ------------------------------------------------------------------------


@dataclass(frozen=True)
class FlagType:
    """What values a flag can take: ``bool``, ``int``, ``float``, ``str``, ``choice`` or
    ``any``."""

    kind: str
    choices: Tuple[Any, ...] = ()


def flag_type(flag: Flag, sources: Mapping[str, str]) -> FlagType:
    """The type of a flag, from its definition (or its constant's value)."""
    if flag.kind == "constant":
        return _type_of_value(flag.value)
    if flag.kind in ("env", "config") or flag.defined_at is None:
        return FlagType("any")
    call = _nearest_definition(sources.get(flag.defined_at[0], ""), flag, flag.defined_at[1])
    if call is None:
        return _type_of_value(flag.value) if flag.value is not None else FlagType("any")
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    choices = keywords.get("choices")
    if isinstance(choices, (ast.List, ast.Tuple, ast.Set)):
        try:
            return FlagType("choice", tuple(ast.literal_eval(e) for e in choices.elts))
        except ValueError:
            pass
    if flag.kind == "absl":
        function = _call_name(call).rsplit(".", 1)[-1]
        if function in ("DEFINE_bool", "DEFINE_boolean"):
            return FlagType("bool")
        if function == "DEFINE_enum" and len(call.args) > 2:
            try:
                return FlagType("choice", tuple(ast.literal_eval(call.args[2])))
            except ValueError:
                return FlagType("any")
        return {
            "DEFINE_integer": FlagType("int"),
            "DEFINE_float": FlagType("float"),
            "DEFINE_string": FlagType("str"),
        }.get(function, FlagType("any"))
    action = keywords.get("action")
    if isinstance(action, ast.Constant) and action.value in ("store_true", "store_false"):
        return FlagType("bool")
    flag_keyword = keywords.get("is_flag")
    if isinstance(flag_keyword, ast.Constant) and flag_keyword.value is True:
        return FlagType("bool")
    converter = keywords.get("type")
    if isinstance(converter, ast.Name):
        named = {"int": "int", "float": "float", "str": "str", "bool": "bool"}
        if converter.id in named:
            return FlagType(named[converter.id])
        if converter.id in ("str2bool", "strtobool"):
            return FlagType("bool")
    if flag.value is not None:
        return _type_of_value(flag.value)
    return FlagType("any")


def _type_of_value(value: Any) -> FlagType:
    if isinstance(value, bool):
        return FlagType("bool")
    if isinstance(value, int):
        return FlagType("int")
    if isinstance(value, float):
        return FlagType("float")
    if isinstance(value, str):
        return FlagType("str")
    return FlagType("any")


def coerce(value: Any, kind: FlagType, shown: str) -> Any:
    """``value`` as a value of the type, or :class:`RetireError` naming the flag."""
    if kind.kind == "any":
        return value
    if kind.kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        raise RetireError(
            f"{shown} is a boolean switch: VALUE must be true or false, not {value!r}"
        )
    if kind.kind == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise RetireError(f"{shown} takes an integer, not {value!r}")
    if kind.kind == "float":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise RetireError(f"{shown} takes a number, not {value!r}")
    if kind.kind == "str":
        if isinstance(value, str) or value is None:
            return value
        raise RetireError(f"{shown} takes a string, not {value!r} (quote it: '\"{value}\"')")
    if value in kind.choices:
        return value
    if str(value) in kind.choices:
        return str(value)
    shown_choices = ", ".join(repr(c) for c in kind.choices)
    raise RetireError(f"{shown} takes one of {shown_choices}, not {value!r}")


def _call_name(call: ast.Call) -> str:
    parts: List[str] = []
    node: ast.AST = call.func
    while isinstance(node, ast.Attribute):
        parts.insert(0, node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.insert(0, node.id)
    return ".".join(parts)


def _parameter_default(source: str, flag: Flag) -> Tuple[bool, Any]:
    """``(True, default)`` of the literal default of the command parameter that a click or
    typer flag is, nearest to its definition line."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False, None
    line = flag.defined_at[1] if flag.defined_at else 0
    found: List[Tuple[int, Any]] = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        arguments = node.args
        positional = [*arguments.posonlyargs, *arguments.args]
        defaults: List[Optional[ast.expr]] = [None] * (len(positional) - len(arguments.defaults))
        pairs = list(zip(positional, [*defaults, *arguments.defaults]))
        pairs += list(zip(arguments.kwonlyargs, arguments.kw_defaults))
        for argument, default in pairs:
            if argument.arg != flag.name or default is None:
                continue
            try:
                value = ast.literal_eval(default)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                continue
            if isinstance(value, _SCALARS):
                found.append((abs(node.lineno - line), value))
    if not found:
        return False, None
    return True, min(found, key=lambda item: item[0])[1]


def _nearest_definition(source: str, flag: Flag, line: int) -> Optional[ast.Call]:
    """The call that defines ``flag`` nearest to ``line`` (a statement, or a decorator)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _defines(n, flag)]
    return min(calls, key=lambda c: abs(c.lineno - line), default=None)


def _defines(call: ast.Call, flag: Flag) -> bool:
    name = _call_name(call).rsplit(".", 1)[-1]
    strings = [
        a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
    ]
    if flag.kind == "argparse" and name == "add_argument":
        return _argparse_dest(strings, call) == flag.name
    if flag.kind == "absl" and name.startswith("DEFINE"):
        first = strings[0] if strings else _keyword_string(call, "name")
        return first == flag.name
    if flag.kind == "click" and name in ("option", "Option", "argument", "Argument"):
        return bool(strings) and _click_dest(strings) == flag.name
    return False


def _keyword_string(call: ast.Call, name: str) -> Optional[str]:
    for keyword in call.keywords:
        if keyword.arg == name and isinstance(keyword.value, ast.Constant):
            value = keyword.value.value
            return value if isinstance(value, str) else None
    return None


def _argparse_dest(strings: Sequence[str], call: ast.Call) -> Optional[str]:
    explicit = _keyword_string(call, "dest")
    if explicit:
        return explicit
    longs = [s for s in strings if s.startswith("--")]
    chosen = longs[0] if longs else (strings[0] if strings else None)
    return None if chosen is None else chosen.lstrip("-").replace("-", "_")


def _click_dest(strings: Sequence[str]) -> Optional[str]:
    plain = [s for s in strings if not s.startswith("-")]
    if plain:
        return plain[0]
    longs = [s for s in strings if s.startswith("--")]
    chosen = longs[0] if longs else (strings[0] if strings else None)
    if chosen is None:
        return None
    return chosen.split("/")[0].lstrip("-").replace("-", "_").lower()


def choose_value(request: Request, flags: Sequence[Flag], sources: Mapping[str, str]) -> Any:
    """The value to inline: the request's, checked against every flag's type, or the
    current value (a constant's, else an option's default)."""
    if request.has_value:
        value = request.value
        for flag in flags:
            value = coerce(value, flag_type(flag, sources), f"{flag.kind} {flag.name}")
        return value
    for kind in ("constant", "argparse", "absl", "click", "env"):
        for flag in flags:
            if flag.kind != kind:
                continue
            if flag.value is not None or kind == "constant":
                return flag.value  # an environment variable's default is its raw string
            if kind == "click" and flag.defined_at is not None:
                found, default = _parameter_default(sources.get(flag.defined_at[0], ""), flag)
                if found:
                    return default  # typer: `use_x: Annotated[bool, typer.Option()] = False`
            if kind != "env" and flag_type(flag, sources).kind == "bool":
                return False  # a switch without a default is off
    raise RetireError(
        f"{request.name!r} has no value or default to keep: give one as {request.name}=VALUE"
    )


# -- what to rewrite -------------------------------------------------------------------------


@dataclass
class Targets:
    """Everything that reads or defines the retired flag, by kind."""

    value: Any
    constants: Dict[Tuple[str, str], Any] = field(default_factory=dict)
    """``(module path, name)`` -> value: module-level names to inline and delete."""
    attributes: Dict[str, Set[str]] = field(default_factory=dict)
    """Option dests and config attributes (``args.X``, ``FLAGS.X``, ``cfg.X`` reads) -> the
    kinds of flag they are."""
    variables: Set[str] = field(default_factory=set)
    """Environment variables."""
    definitions: Dict[str, List[Tuple[int, Flag]]] = field(default_factory=dict)
    """Path -> (line, flag) of option definitions to delete."""

    def tokens(self) -> Set[str]:
        """Words a file must contain to be worth parsing."""
        words = {name for _, name in self.constants} | set(self.attributes) | self.variables
        return {w.casefold() for w in words}


def targets_for(flags: Sequence[Flag], value: Any) -> Targets:
    """The targets of the selected flags."""
    targets = Targets(value)
    for flag in flags:
        if flag.kind == "constant" and flag.defined_at is not None:
            targets.constants[(flag.defined_at[0], flag.name)] = value
        elif flag.kind == "env":
            targets.variables.add(flag.name)
        else:
            targets.attributes.setdefault(flag.name, set()).add(flag.kind)
            if flag.defined_at is not None:
                place = targets.definitions.setdefault(flag.defined_at[0], [])
                place.append((flag.defined_at[1], flag))
    return targets


# -- the rewrite of one file -----------------------------------------------------------------


def _dotted(node: cst.BaseExpression) -> Optional[List[str]]:
    parts: List[str] = []
    while isinstance(node, cst.Attribute):
        parts.insert(0, node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.insert(0, node.value)
        return parts
    return None


def _string_value(node: Optional[cst.CSTNode]) -> Optional[str]:
    if isinstance(node, cst.SimpleString):
        try:
            value = ast.literal_eval(node.value)
        except (ValueError, SyntaxError):
            return None
        return value if isinstance(value, str) else None
    return None


def _is_environ(node: cst.BaseExpression) -> bool:
    parts = _dotted(node)
    return parts is not None and parts[-1] == "environ"


class _Finder(cst.CSTVisitor):
    """Finds, in one module, the reads to replace and the statements to delete."""

    METADATA_DEPENDENCIES = (
        ScopeProvider,
        ParentNodeProvider,
        ExpressionContextProvider,
        PositionProvider,
    )

    def __init__(
        self,
        path: str,
        index: FlagIndex,
        targets: Targets,
        local: Dict[Tuple[str, str], Any],
        qualnames: Mapping[int, str],
    ) -> None:
        super().__init__()
        self.path = path
        self.index = index
        self.targets = targets
        self.local = local
        """``(qualified name of a function, name)`` -> value: local names to inline."""
        self.qualnames = qualnames
        self.replace: Dict[int, Any] = {}
        self.delete: Set[int] = set()
        self.drop_aliases: Dict[int, Set[str]] = {}
        self.drop_decorators: Set[int] = set()
        self.drop_params: Dict[int, Set[str]] = {}
        self.drop_all_items: Set[int] = set()
        self.problems: List[str] = []
        self.own = {name for (p, name) in targets.constants if p == path}
        self._constant_names = {name for _, name in targets.constants}
        self._globals = self._global_aliases()
        self._definitions = targets.definitions.get(path, [])
        self.namespaces: Set[str] = set()
        """Names this module binds to a parsed namespace (``a = parser.parse_args()``)."""

    def visit_Assign(self, node: cst.Assign) -> None:
        value = node.value
        if isinstance(value, cst.Subscript):
            value = value.value  # parse_known_args()[0]
        if not isinstance(value, cst.Call):
            return
        called = _dotted(value.func) or [""]
        if called[-1] in ("parse_args", "parse_known_args", "parse_intermixed_args"):
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    self.namespaces.add(target.target.value)
                elif isinstance(target.target, cst.Tuple) and target.target.elements:
                    first = target.target.elements[0].value
                    if isinstance(first, cst.Name):
                        self.namespaces.add(first.value)

    # -- names --------------------------------------------------------------------------

    def _constant_of(self, module: str, name: str, depth: int = 0) -> Optional[Tuple[str, str]]:
        """The retired constant that the global ``name`` of ``module`` is, if any."""
        if (module, name) in self.targets.constants:
            return (module, name)
        facts = self.index.facts.get(module)
        if facts is None or depth > 10:
            return None
        target = facts.get("imports", {}).get(name)
        if target is not None:
            if target[0] != "from":
                return None
            source = self.index.resolve_module(module, target[1], target[2])
            return None if source is None else self._constant_of(source, target[3], depth + 1)
        if name in facts.get("bound", ()):
            return None
        for star, level in facts.get("stars", ()):
            source = self.index.resolve_module(module, star, level)
            if source is not None:
                found = self._constant_of(source, name, depth + 1)
                if found is not None:
                    return found
        return None

    def _global_aliases(self) -> Dict[str, Tuple[str, str]]:
        facts = self.index.facts.get(self.path, {})
        found: Dict[str, Tuple[str, str]] = {}
        for local in set(facts.get("imports", {})) | self._constant_names:
            constant = self._constant_of(self.path, local)
            if constant is not None:
                found[local] = constant
        return found

    def _module_of(self, parts: Sequence[str]) -> Optional[str]:
        if self.path not in self.index.facts or not parts:
            return None
        found = self.index.resolve_chain(self.path, list(parts))
        return found.path if isinstance(found, Module) else None

    def _is_load(self, node: cst.CSTNode) -> bool:
        context = self.get_metadata(ExpressionContextProvider, node, None)
        return context is ExpressionContext.LOAD

    def _line(self, node: cst.CSTNode) -> int:
        position = self.get_metadata(PositionProvider, node, None)
        return 0 if position is None else int(position.start.line)

    def visit_Name(self, node: cst.Name) -> None:
        parent = self.get_metadata(ParentNodeProvider, node, None)
        if isinstance(parent, cst.Attribute) and parent.attr is node:
            return
        if isinstance(parent, cst.Arg) and parent.keyword is node:
            return
        if not self._is_load(node):
            return
        scope = self.get_metadata(ScopeProvider, node, None)
        if scope is None:
            return
        name = node.value
        assignments = list(scope[name])
        if name in self._globals and all(isinstance(a.scope, GlobalScope) for a in assignments):
            self.replace[id(node)] = self.targets.constants[self._globals[name]]
            return
        if self.local and len(assignments) == 1:
            key = (self.qualnames.get(id(getattr(assignments[0].scope, "node", None)), ""), name)
            if key in self.local:
                self.replace[id(node)] = self.local[key]

    def visit_Attribute(self, node: cst.Attribute) -> None:
        parts = _dotted(node)
        if parts is None or len(parts) < 2 or not self._is_load(node):
            return
        name = parts[-1]
        if name in self._constant_names:
            module = self._module_of(parts[:-1])
            if module is not None and (module, name) in self.targets.constants:
                self.replace[id(node)] = self.targets.constants[(module, name)]
                return
        if name in self.targets.attributes and self._reads_option(parts):
            self.replace[id(node)] = self.targets.value

    def _reads_option(self, parts: Sequence[str]) -> bool:
        """Whether ``a.b.name`` reads the flag: an absl flag through ``FLAGS``, an option
        through a parsed namespace (``args``, ``opt``, a name bound to ``parse_args()``...),
        a config attribute through any object but a module or ``self`` itself (``self.use_x``
        may be any constructor argument)."""
        if len(parts) < 2 or parts[0] in ("os", "sys"):
            return False
        kinds = self.targets.attributes.get(parts[-1], set())
        base = parts[-2]
        if "absl" in kinds and base == "FLAGS":
            return True
        if kinds & {"argparse", "click"} and (base in NAMESPACE_NAMES or base in self.namespaces):
            return True
        if "config" in kinds and not (len(parts) == 2 and parts[0] in ("self", "cls")):
            return self._module_of(parts[:-1]) is None
        return False

    def visit_Call(self, node: cst.Call) -> None:
        parts = _dotted(node.func)
        if parts is None or not node.args:
            return
        first = _string_value(node.args[0].value)
        if parts[-1] == "getattr" and len(node.args) >= 2:
            name = _string_value(node.args[1].value)
            base = _dotted(node.args[0].value)
            if name in self.targets.attributes and base and self._reads_option([*base, name]):
                self.replace[id(node)] = self.targets.value
            return
        on_environ = len(parts) >= 2 and parts[-2] == "environ"
        if (parts[-1] == "get" and on_environ) or parts[-1] == "getenv":
            if first in self.targets.variables:
                self._env_read(node)
        elif (
            parts[-1] == "get"
            and len(parts) >= 2
            and first in self.targets.attributes
            and "config" in self.targets.attributes[first]
            and self._module_of(parts[:-1]) is None
        ):
            self.replace[id(node)] = self.targets.value  # cfg.get("use_x", False)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if len(node.slice) != 1 or not self._is_load(node):
            return
        element = node.slice[0].slice
        if not isinstance(element, cst.Index):
            return
        key = _string_value(element.value)
        if _is_environ(node.value):
            if key in self.targets.variables:
                self._env_read(node)
        elif key in self.targets.attributes and "config" in self.targets.attributes[key]:
            self.replace[id(node)] = self.targets.value  # cfg["use_x"]

    def visit_Comparison(self, node: cst.Comparison) -> None:
        if len(node.comparisons) != 1:
            return
        target = node.comparisons[0]
        if (
            isinstance(target.operator, (cst.In, cst.NotIn))
            and _is_environ(target.comparator)
            and _string_value(node.left) in self.targets.variables
        ):
            present = self.targets.value not in (None, False)
            if isinstance(target.operator, cst.NotIn):
                present = not present
            self.replace[id(node)] = present

    def _env_read(self, node: cst.BaseExpression) -> None:
        """An environment read: its raw string where the value is a string, else the value
        of the conversion around it (``== "1"``, ``int(...)``, ``.lower() in (...)``)."""
        value = self.targets.value
        if isinstance(value, str) or value is None:
            self.replace[id(node)] = value
            return
        top: cst.CSTNode = node
        while True:
            parent = self.get_metadata(ParentNodeProvider, top, None)
            if isinstance(parent, cst.Arg):
                call = self.get_metadata(ParentNodeProvider, parent, None)
                name = _dotted(call.func) if isinstance(call, cst.Call) else None
                if name and name[-1] in _CONVERSIONS and call.args[0] is parent:  # type: ignore[union-attr]
                    top = call  # type: ignore[assignment]
                    continue
                break
            if isinstance(parent, cst.Attribute) and parent.attr.value in STRING_METHODS:
                call = self.get_metadata(ParentNodeProvider, parent, None)
                if isinstance(call, cst.Call) and call.func is parent:
                    top = call
                    continue
                break
            if isinstance(parent, cst.Comparison) and len(parent.comparisons) == 1:
                other = parent.comparisons[0].comparator if parent.left is top else parent.left
                if literal_value(other) is not UNKNOWN:
                    top = parent
                    continue
            break
        self.replace[id(top)] = value

    # -- definitions --------------------------------------------------------------------

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        if len(node.body) != 1:
            return
        statement = node.body[0]
        parent = self.get_metadata(ParentNodeProvider, node, None)
        at_module = isinstance(parent, cst.Module)
        if isinstance(statement, (cst.Assign, cst.AnnAssign)):
            self._assignment(node, statement, at_module)
        elif (
            isinstance(statement, cst.Expr)
            and isinstance(statement.value, cst.Call)
            and self._defines_option(statement.value)
        ):
            self.delete.add(id(node))

    def _assignment(
        self,
        line: cst.SimpleStatementLine,
        statement: Union[cst.Assign, cst.AnnAssign],
        at_module: bool,
    ) -> None:
        if isinstance(statement, cst.Assign):
            if len(statement.targets) != 1:
                return
            target = statement.targets[0].target
        else:
            target = statement.target
        if isinstance(target, cst.Name):
            name = target.value
            if at_module and name in self.own:
                self.delete.add(id(line))
            elif at_module and name == "__all__" and statement.value is not None:
                self.drop_all_items.add(id(statement.value))
            elif not at_module and self.local:
                scope = self.get_metadata(ScopeProvider, target, None)
                if scope is not None:
                    key = (self.qualnames.get(id(getattr(scope, "node", None)), ""), name)
                    if key in self.local:
                        self.delete.add(id(line))
        elif isinstance(target, cst.Attribute) and target.attr.value in self.targets.attributes:
            written = _dotted(target)
            value = statement.value
            read = _dotted(value) if value is not None else None
            if written is None or not self._reads_option(written):
                return
            if read is None or read[-1] not in self.targets.attributes:
                shown = ".".join(written)
                where = _shown(self.path, os.getcwd())
                self.problems.append(f"{where}:{self._line(line)}: {shown} is assigned")

    def _defines_option(self, call: cst.Call) -> bool:
        definitions = [flag for _, flag in self._definitions if flag.kind in ("argparse", "absl")]
        if not definitions:
            return False
        parsed = _as_ast_call(call)
        return parsed is not None and any(_defines(parsed, flag) for flag in definitions)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        clicks = [(line, flag) for line, flag in self._definitions if flag.kind == "click"]
        if not clicks:
            return
        start = self._line(node.decorators[0]) if node.decorators else self._line(node)
        end = self._line(node.body)
        params = [*node.params.params, *node.params.kwonly_params]
        for line, flag in clicks:
            if not start <= line <= max(end, start) or flag.name not in {
                p.name.value for p in params
            }:
                continue
            for decorator in node.decorators:
                call = decorator.decorator
                if not isinstance(call, cst.Call):
                    continue
                strings = [_string_value(a.value) for a in call.args if a.keyword is None]
                parts = _dotted(call.func) or [""]
                names = [s for s in strings if s is not None]
                if parts[-1] in ("option", "argument") and _click_dest(names) == flag.name:
                    self.drop_decorators.add(id(decorator))
            self.drop_params.setdefault(id(node), set()).add(flag.name)
            self.local[(self.qualnames.get(id(node), ""), flag.name)] = self.targets.value

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        gone: Set[str] = set()
        for alias in node.names:
            if not isinstance(alias.name, cst.Name):
                continue
            asname = alias.asname.name if alias.asname else alias.name
            if isinstance(asname, cst.Name) and asname.value in self._globals:
                gone.add(alias.name.value)
        if gone:
            self.drop_aliases[id(node)] = gone


def _as_ast_call(call: cst.Call) -> Optional[ast.Call]:
    code = cst.Module(body=[]).code_for_node(call)
    try:
        parsed = ast.parse("(" + code.strip() + ")", mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return parsed if isinstance(parsed, ast.Call) else None


class _Rewrite(Folder):
    """Applies what :class:`_Finder` found, then simplifies and folds the tests that now
    hold a retired value."""

    def __init__(self, finder: _Finder) -> None:
        super().__init__()
        self.finder = finder
        self.known = finder.replace
        self.bound = False
        """Whether a name is now assigned one of the literals made (:attr:`marked`)."""

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> cst.Assign:
        if id(updated_node.value) in self.marked:
            self.bound = True
        return updated_node

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine:
        if id(original_node) in self.finder.delete:
            self.replace(updated_node, [])
            return updated_node
        return super().leave_SimpleStatementLine(original_node, updated_node)

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> Union[cst.ImportFrom, cst.RemovalSentinel]:
        gone = self.finder.drop_aliases.get(id(original_node))
        if not gone or isinstance(updated_node.names, cst.ImportStar):
            return updated_node
        kept = [
            a
            for a in updated_node.names
            if not (isinstance(a.name, cst.Name) and a.name.value in gone)
        ]
        if not kept:
            return cst.RemovalSentinel.REMOVE
        return updated_node.with_changes(names=with_last_comma(kept, updated_node.names))

    def _drop_items(self, original: cst.CSTNode, updated: Union[cst.List, cst.Tuple]) -> Any:
        if id(original) not in self.finder.drop_all_items:
            return updated
        return without_strings(updated, self.finder.own)

    def leave_List(self, original_node: cst.List, updated_node: cst.List) -> Any:
        return self._drop_items(original_node, updated_node)

    def leave_Tuple(self, original_node: cst.Tuple, updated_node: cst.Tuple) -> Any:
        return self._drop_items(original_node, updated_node)

    def leave_Decorator(
        self, original_node: cst.Decorator, updated_node: cst.Decorator
    ) -> Union[cst.Decorator, cst.RemovalSentinel]:
        if id(original_node) in self.finder.drop_decorators:
            return cst.RemovalSentinel.REMOVE
        return updated_node

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        gone = self.finder.drop_params.get(id(original_node))
        if not gone:
            return updated_node
        return updated_node.with_changes(params=drop_params(updated_node.params, gone))


@dataclass
class _FileOutcome:
    text: str
    module_constants: Dict[str, Any]
    problems: List[str]


def _walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children)


def rewrite_file(
    path: str,
    text: str,
    index: FlagIndex,
    targets: Targets,
) -> _FileOutcome:
    """One file with the targets' reads replaced, its tests folded and the definitions
    removed; local names then bound to the retired value are inlined too."""
    local: Dict[Tuple[str, str], Any] = {}
    problems: List[str] = []
    module_constants: Dict[str, Any] = {}
    current = text
    for _ in range(_MAX_ROUNDS):
        module = cst.parse_module(current)
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        finder = _Finder(path, index, targets, local, _qualnames(module))
        wrapper.visit(finder)
        problems.extend(p for p in finder.problems if p not in problems)
        if not (finder.replace or finder.delete or finder.drop_aliases or finder.drop_params):
            break
        rewrite = _Rewrite(finder)
        new_module = module.visit(rewrite)
        fresh: Dict[Tuple[str, str], Any] = {}
        if rewrite.bound:
            found_module, found_local = _bound_to_literals(new_module, rewrite.marked)
            module_constants.update(found_module)
            fresh = {k: v for k, v in found_local.items() if k not in local}
            local.update(fresh)
        if not path.endswith("__init__.py"):
            new_module = _drop_unused_imports(module, new_module)
        current = new_module.code
        if not fresh:
            break  # one pass folds everything; only new local names need another
    return _FileOutcome(current, module_constants, problems)


class _Qualnames(cst.CSTVisitor):
    """Id of every function of a module -> its qualified name (``Ranker.step``), a key that
    survives the rewrite; a name defined twice gets none."""

    def __init__(self) -> None:
        super().__init__()
        self.names: Dict[int, str] = {}
        self.seen: Dict[str, int] = {}
        self.stack: List[str] = []

    def _enter(self, node: Union[cst.FunctionDef, cst.ClassDef]) -> None:
        self.stack.append(node.name.value)
        if isinstance(node, cst.FunctionDef):
            name = ".".join(self.stack)
            self.seen[name] = self.seen.get(name, 0) + 1
            self.names[id(node)] = name

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._enter(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.stack.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._enter(node)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.stack.pop()


def _qualnames(module: cst.Module) -> Dict[int, str]:
    """See :class:`_Qualnames`."""
    visitor = _Qualnames()
    module.visit(visitor)
    return {key: name for key, name in visitor.names.items() if visitor.seen[name] == 1}


def _bound_to_literals(
    module: cst.Module, marked: Mapping[int, Any]
) -> Tuple[Dict[str, Any], Dict[Tuple[str, str], Any]]:
    """Names bound once to a literal the rewrite made: module globals and function locals
    (keyed by the function's qualified name)."""
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    scopes = wrapper.resolve(ScopeProvider)
    qualnames = _qualnames(module)
    module_level: Dict[str, Any] = {}
    local: Dict[Tuple[str, str], Any] = {}
    for node in _walk(module):
        if not isinstance(node, cst.Assign) or id(node.value) not in marked:
            continue
        if len(node.targets) != 1 or not isinstance(node.targets[0].target, cst.Name):
            continue
        name = node.targets[0].target.value
        scope = scopes.get(node.targets[0].target)
        if scope is None or len(scope.assignments[name]) != 1:
            continue
        if isinstance(scope, GlobalScope):
            module_level[name] = marked[id(node.value)]
        elif (
            isinstance(scope, FunctionScope)
            and id(scope.node) in qualnames
            and name not in _declared_elsewhere(scope.node)
        ):
            local[(qualnames[id(scope.node)], name)] = marked[id(node.value)]
    return module_level, local


def _declared_elsewhere(function: cst.CSTNode) -> Set[str]:
    """Names a function declares ``global`` or ``nonlocal`` (not locals, then)."""
    found: Set[str] = set()
    for node in _walk(function):
        if isinstance(node, (cst.Global, cst.Nonlocal)):
            found.update(item.name.value for item in node.names)
    return found


def _drop_unused_imports(before: cst.Module, after: cst.Module) -> cst.Module:
    """Remove the import aliases that only the removed code used: the names the module
    used before the rewrite and no longer uses."""
    return drop_imports(after, used_names(before) - used_names(after))


# -- the project -----------------------------------------------------------------------------


def plan_retirement(
    flags: Sequence[Flag],
    value: Any,
    sources: Mapping[str, str],
    index: FlagIndex,
) -> Retirement:
    """The new text of every file that reads or defines the flags (nothing is written).

    Rounds: a name that the rewrite binds to the value (``USE_X = True`` from an environment
    read) is retired in the next round, in every module that imports it."""
    targets = targets_for(flags, value)
    result = Retirement(list(flags), value, old=dict(sources))
    texts = dict(sources)
    failed: Set[str] = set()
    problems: List[str] = []
    for _ in range(_MAX_ROUNDS):
        tokens = targets.tokens()
        grew = False
        changed = False
        for path in sorted(texts):
            defines = path in targets.definitions
            if path in failed or not (defines or any(t in texts[path].casefold() for t in tokens)):
                continue
            try:
                outcome = rewrite_file(path, texts[path], index, targets)
            except Exception as exc:  # a file LibCST cannot take, or a case the rewrite misses
                failed.add(path)
                result.failures.append(f"{path}: not rewritten: {type(exc).__name__}: {exc}")
                continue
            problems.extend(p for p in outcome.problems if p not in problems)
            if outcome.text != texts[path]:
                texts[path] = outcome.text
                changed = True
            for name, found in outcome.module_constants.items():
                key = (path, name)
                if key in targets.constants or path in index.wholesale:
                    continue
                if key in index.rebound:
                    result.notes.append(f"{path}: {name} is rebound elsewhere: left in place")
                    continue
                targets.constants[key] = found
                result.derived.append(key)
                grew = True
        if not grew and not changed:
            break
    if problems:
        raise RetireError(
            "the flag's value is not fixed: it is assigned at "
            + "; ".join(problems)
            + ". Nothing was changed"
        )
    for path in sorted(texts):
        new = texts[path]
        if new == sources[path] or path in failed:
            continue
        reason = verify(path, new)
        if reason is not None:
            result.failures.append(f"{path}: left untouched: the rewrite {reason}")
            continue
        result.new[path] = new
    result.notes.extend(_leftovers(targets, result))
    return result


def verify(path: str, text: str) -> Optional[str]:
    """Why a rewritten text may not be written (it must parse with LibCST and compile), or
    ``None``."""
    try:
        cst.parse_module(text)
        compiles(text, path)
    except (SyntaxError, cst.ParserSyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return f"does not parse ({type(exc).__name__}: {exc})"
    return None


def _leftovers(targets: Targets, result: Retirement) -> List[str]:
    """Definitions the rewrite could not remove (an option added in a loop, a call that is
    not a statement of its own): they stay, and the user is told where."""
    notes: List[str] = []
    for path, definitions in sorted(targets.definitions.items()):
        text = result.new.get(path, result.old.get(path, ""))
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
        for _line, flag in definitions:
            for call in calls:
                if _defines(call, flag):
                    notes.append(
                        f"{path}:{call.lineno}: the definition of {flag.name} was left in place"
                    )
    return sorted(set(notes))


def spellings(flags: Sequence[Flag], targets: Optional[Targets] = None) -> re.Pattern[str]:
    """A pattern for every way text outside the code may spell the flags (``use_new_loss``,
    ``--use-new-loss``, ``USE_NEW_LOSS``, the environment variable)."""
    words: Set[str] = set()
    for flag in flags:
        words.add(normalized(flag.name))
    if targets is not None:
        words.update(normalized(name) for _, name in targets.constants)
    parts = sorted(
        ("[-_]".join(re.escape(p) for p in word.split("_") if p) for word in words if word),
        key=len,
        reverse=True,
    )
    return re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(parts) + r")(?![A-Za-z0-9])", re.I)


def find_mentions(
    roots: Sequence[str],
    pattern: re.Pattern[str],
    texts: Mapping[str, str],
) -> List[Tuple[str, int, str]]:
    """``(path, line, text)`` of every line that still mentions the flag: the files where
    runs are launched and documented (shell scripts, configs, docs, notebooks: read as ML107
    reads them, with its bounds, never through links) and what is left in the Python files
    ``texts`` (strings, comments)."""
    launch = collect_launch_texts([Path(root) for root in roots])
    found: List[Tuple[str, int, str]] = []
    for path, text in [*launch.items(), *texts.items()]:
        for number, line in enumerate(text.splitlines(), 1):
            if pattern.search(line):
                found.append((path, number, line.strip()[:200]))
    return sorted(set(found))


# -- the command -----------------------------------------------------------------------------


def run_retire(
    spec: str,
    paths: Sequence[Path],
    settings: Any,
    *,
    diff: bool,
    kinds: Sequence[str] = (),
    use_cache: bool = True,
    jobs: int = 0,
    echo: Optional[Any] = None,
) -> int:
    """``mllint retire``: plan, then print the diff or write; the exit status (0 done,
    1 a diff shown with ``--diff``, 2 a usage error or a file that could not be rewritten)."""
    import click

    from mllint.display import printable
    from mllint.engine import analyze_tree
    from mllint.fixing.engine import FixRun, unified_diff, write_fixes
    from mllint.flags.index import FAMILY, flag_index
    from mllint.flags.inventory import inventory
    from mllint.project import Project

    say = echo or click.echo

    def error(message: str) -> None:
        say(f"mllint: error: {printable(message)}", err=True)

    try:
        request = parse_request(spec)
    except RetireError as exc:
        error(str(exc))
        return 2
    tree = analyze_tree(paths, settings, jobs=jobs, use_cache=use_cache, needs_facts=FAMILY)
    for missing in tree.missing:
        error(f"{missing}: no such file or folder")
    if tree.missing:
        return 2
    project = Project(settings=settings, files={p: tree.results[p] for p in tree.files})
    index = flag_index(project)
    found = inventory(index, settings.flag_patterns)
    original: Dict[str, bytes] = {}
    sources: Dict[str, str] = {}
    for path in index.paths:
        try:
            data = read_limited(Path(path), settings.max_file_size, follow=False)
            sources[path] = data.decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        original[path] = data
    chosen = [] if "all" in kinds else list(kinds)
    try:
        flags = select_flags(found, request.name, chosen, sources)
        value = choose_value(request, flags, sources)
        result = plan_retirement(flags, value, sources, index)
    except RetireError as exc:
        error(str(exc))
        return 2
    cwd = os.getcwd()
    after = {p: result.new.get(p, text) for p, text in sources.items()}
    mentions = find_mentions([str(p) for p in paths], spellings(flags), after)
    counted: Dict[str, int] = {}
    for flag in flags:
        counted[f"{flag.kind} {flag.name}"] = counted.get(f"{flag.kind} {flag.name}", 0) + 1
    described = ", ".join(
        name if number == 1 else f"{name} ({number} definitions)"
        for name, number in counted.items()
    )
    removed = result.lines_removed()
    changed = [p for p in result.changed if p in result.new]
    problems = list(result.failures)
    run = FixRun(
        changes={p: (result.old[p], result.new[p]) for p in changed},
        digests={p: hashlib.sha256(original[p]).hexdigest() for p in changed},
        max_size=settings.max_file_size,
    )
    if diff:
        text = unified_diff(run.changes, Path(cwd))
        if text:
            say(text, nl=False)
    else:  # the fix engine's write: unchanged since read, below the paths, no links, atomic
        unwritten = write_fixes(run, list(paths))
        problems.extend(f"{path}: not written: {why}" for path, why in unwritten.items())
    report = say if not diff else (lambda message: say(message, err=True))
    verb = "Would retire" if diff else "Retired"
    if result.derived:
        names = ", ".join(f"{_shown(p, cwd)}:{name}" for p, name in result.derived)
        described += f"; names bound to it: {printable(names)}"
    report(
        f"{verb} {request.name} = {value!r} ({described}): "
        f"{len(changed)} file{'s' if len(changed) != 1 else ''} changed, "
        f"{removed} line{'s' if removed != 1 else ''} removed."
    )
    for note in result.notes:
        report(f"note: {_shown_message(note, cwd)}")
    if mentions:
        report("Still mentioned (not edited):")
        for path, line, text in mentions:
            report(f"  {printable(_shown(path, cwd))}:{line}: {printable(text)}")
    for problem in problems:
        error(_shown_message(problem, cwd))
    if problems:
        return 2
    return 1 if diff and changed else 0


def _shown_message(message: str, cwd: str) -> str:
    path, sep, rest = message.partition(":")
    return f"{_shown(path, cwd)}{sep}{rest}" if sep else message


def _shown(path: str, cwd: str) -> str:
    """``path`` relative to ``cwd`` when it lies below it."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, cwd)
    return path if relative.startswith("..") else relative
