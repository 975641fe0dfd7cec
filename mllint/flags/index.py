"""The project-wide flag index: per-file facts joined across modules.

Module names come from the analysed paths alone (a folder is a package when its
``__init__.py`` was analysed), so nothing here reads the file system.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    List,
    Mapping,
    Optional,
    Sequence,
    Set,
    Tuple,
    Union,
)

from mllint.config import MAX_NAME_LENGTH
from mllint.flags.facts import NAMESPACE_HOLDERS, leaves

FAMILY = "flags"
"""Key of the flag facts in :attr:`FileResult.facts`."""

_UNKNOWN = object()
_MAX_DEPTH = 20


@dataclass(frozen=True)
class Constant:
    """A module-level name bound once to a literal and never rebound."""

    name: str
    value: Any
    path: str
    line: int
    column: int


@dataclass(frozen=True)
class Module:
    """A name that refers to a module of the project."""

    path: str


@dataclass(frozen=True)
class RuntimeFlag:
    """A flag read at run time: ``kind`` env / config / absl / ns / ns? / click."""

    kind: str
    name: str
    variable: str = ""


Resolved = Union[Constant, Module, RuntimeFlag, None]


@dataclass
class Decision:
    """The outcome of evaluating a branch test under the project's constants."""

    truth: Optional[bool]
    constants: List[Constant] = field(default_factory=list)


class FlagIndex:
    """Every module's flag facts, with name resolution across imports."""

    def __init__(self, facts: Mapping[str, Mapping[str, Any]]) -> None:
        self.facts = dict(facts)
        self.paths = sorted(self.facts)
        self._path_set = set(self.paths)
        self.names: Dict[str, str] = {p: self._module_name(p) for p in self.paths}
        self._by_name: Dict[str, List[str]] = {}
        self._by_suffix: Dict[str, List[str]] = {}
        """Paths by each proper dotted suffix of their module name (``b.c`` of ``a.b.c``)."""
        for path, name in self.names.items():
            self._by_name.setdefault(name, []).append(path)
            parts = name.split(".")
            for start in range(1, len(parts)):
                self._by_suffix.setdefault(".".join(parts[start:]), []).append(path)
        self._module_cache: Dict[Tuple[str, str, int], Optional[str]] = {}
        self._root_folder: Optional[Tuple[str, str]] = None
        self._spread_cache: Dict[Tuple[str, bool], Optional[Set[str]]] = {}
        self._resolve_cache: Dict[Tuple[str, str], Resolved] = {}
        self.wholesale: Set[str] = {p for p in self.paths if self.facts[p].get("wholesale")}
        self.rebound: Set[Tuple[str, str]] = set()
        self._collect_rebinding()
        self._escaping_folders: Optional[Set[str]] = None
        self._by_folder: Optional[Dict[str, Set[str]]] = None
        self._mentioned: Optional[Set[str]] = None
        self._imports: Optional[Dict[str, Set[str]]] = None
        self._folders: Optional[Dict[str, List[str]]] = None
        self._helper_cache: Dict[str, Set[str]] = {}
        self._importers: Optional[Dict[str, Set[str]]] = None
        self._switch_kinds: Optional[Dict[str, Set[str]]] = None
        self._defined_outside_tests: Set[str] = set()
        self._decided: Optional[List[Tuple[str, Dict[str, Any], Decision, Optional[str]]]] = None

    # -- modules -------------------------------------------------------------------------

    def _module_name(self, path: str) -> str:
        directory, filename = os.path.split(path)
        stem = filename[:-3] if filename.endswith(".py") else filename
        parts = [] if stem == "__init__" else [stem]
        while os.path.join(directory, "__init__.py") in self._path_set:
            directory, package = os.path.split(directory)
            if not package:
                break
            parts.insert(0, package)
        return ".".join(parts)

    def resolve_module(self, importer: str, module: str, level: int) -> Optional[str]:
        """The path of the module ``module`` imported from ``importer`` (``level`` dots)."""
        key = (importer, module, level)
        if key not in self._module_cache:
            self._module_cache[key] = self._find_module(importer, module, level)
        return self._module_cache[key]

    def _find_module(self, importer: str, module: str, level: int) -> Optional[str]:
        parts = [p for p in module.split(".") if p]
        if level:
            directory = os.path.dirname(importer)
            for _ in range(level - 1):
                directory = os.path.dirname(directory)
            return self._at(directory, parts)
        if not parts:
            return None
        sibling = self._at(os.path.dirname(importer), parts)  # a script importing its neighbour
        if sibling is not None:
            return sibling
        exact = self._by_name.get(module)
        if exact:
            return _nearest(importer, exact)
        candidates = self._by_suffix.get(module, ())
        if len(candidates) == 1:
            return candidates[0]
        root = self._root()
        if root is None or len(parts) < 2:
            return None
        # a folder without `__init__.py` on the way (`maddpg/trainer/maddpg.py` imported as
        # `maddpg.trainer.maddpg`): Python 3 imports it as a namespace package from the top
        found = self._at(root[0], parts)
        if found is None and parts[0] == os.path.basename(root[1]):
            # `import mae_st.util.misc` in a repository cloned as `mae_st/` with no
            # `__init__.py` at its top: the repository is the package
            found = self._at(root[0], parts[1:])
        return found

    def _root(self) -> Optional[Tuple[str, str]]:
        """The folder holding every analysed file, as the paths spell it and absolute."""
        if self._root_folder is None:
            try:
                common = os.path.commonpath(self.paths) if self.paths else ""
            except ValueError:  # absolute and relative paths mixed
                common = ""
            if common and common in self._path_set:
                common = os.path.dirname(common)  # a single file
            self._root_folder = (common, os.path.abspath(common or os.curdir))
        return self._root_folder

    def _at(self, directory: str, parts: Sequence[str]) -> Optional[str]:
        base = os.path.join(directory, *parts)
        for candidate in (base + ".py", os.path.join(base, "__init__.py")):
            if candidate in self._path_set:
                return candidate
        return None

    def _submodule(self, package: str, name: str) -> Optional[str]:
        if not package.endswith("__init__.py"):
            return None
        return self._at(os.path.dirname(package), [name])

    def _import_target(self, path: str, target: Sequence[Any]) -> Resolved:
        """What an import binds: ``["module", dotted, 0, None]`` / ``["from", m, level, n]``."""
        kind, module, level, name = target
        if kind == "module":
            found = self.resolve_module(path, module, level)
            return Module(found) if found else None
        source = self.resolve_module(path, module, level)
        if source is None:
            return None
        submodule = self._submodule(source, name)
        if submodule is not None:
            return Module(submodule)
        return self.resolve_name(source, name)

    # -- rebinding -----------------------------------------------------------------------

    def _collect_rebinding(self) -> None:
        for path in self.paths:
            facts = self.facts[path]
            for target, chain in facts.get("writes", ()):
                found = self._module_of_chain(path, target, chain[:-1])
                if found is not None and chain:
                    self._mark_rebound(found, chain[-1], 0)
            for target, chain in facts.get("wholesale_writes", ()):
                found = self._module_of_chain(path, target, chain)
                if found is not None:
                    self.wholesale.add(found)
            for dotted_name in facts.get("patches", ()):
                module, _, name = dotted_name.rpartition(".")
                found = self.resolve_module(path, module, 0)
                if found is not None:
                    self._mark_rebound(found, name, 0)

    def _module_of_chain(
        self, path: str, target: Sequence[Any], chain: Sequence[str]
    ) -> Optional[str]:
        kind, module, level, name = target
        if kind == "module":
            current = self.resolve_module(path, module, level)
        else:
            source = self.resolve_module(path, module, level)
            current = self._submodule(source, name) if source else None
            if current is None and source is not None and not chain:
                return None
        for part in chain:
            if current is None:
                return None
            current = self._submodule(current, part)
        return current

    def _mark_rebound(self, path: str, name: str, depth: int) -> None:
        """``module.name = ...`` rebinds the name there and, through re-exports, its source."""
        if depth > _MAX_DEPTH or (path, name) in self.rebound:
            return
        self.rebound.add((path, name))
        target = self.facts[path].get("imports", {}).get(name)
        if target is not None and target[0] == "from":
            source = self.resolve_module(path, target[1], target[2])
            if source is not None:
                self._mark_rebound(source, target[3], depth + 1)

    # -- names ---------------------------------------------------------------------------

    def resolve_name(self, path: str, name: str, depth: int = 0) -> Resolved:
        """What the module-global ``name`` of module ``path`` is, if the project can tell."""
        key = (path, name)
        if key in self._resolve_cache:
            return self._resolve_cache[key]
        self._resolve_cache[key] = None  # cycles resolve to "unknown"
        found = self._resolve_name(path, name, depth) if depth <= _MAX_DEPTH else None
        self._resolve_cache[key] = found
        return found

    def _resolve_name(self, path: str, name: str, depth: int) -> Resolved:
        facts = self.facts[path]
        if path in self.wholesale or name in facts["multi"] or (path, name) in self.rebound:
            return None
        constant = facts["constants"].get(name)
        if constant is not None:
            value, line, column = constant[0], constant[1], constant[2]
            return Constant(name=name, value=value, path=path, line=line, column=column)
        runtime = facts["runtime"].get(name)
        if runtime is not None:
            return RuntimeFlag(runtime[1], name, runtime[3] or runtime[2])
        target = facts["imports"].get(name)
        if target is not None:
            return self._import_target(path, target)
        if name in facts["bound"]:
            return None
        for module, level in facts["stars"]:
            source = self.resolve_module(path, module, level)
            if source is not None:
                found = self.resolve_name(source, name, depth + 1)
                if found is not None:
                    return found
        return None

    def resolve_chain(self, path: str, chain: Sequence[str]) -> Resolved:
        """``a.b.c`` read in module ``path``: follows module aliases and submodules."""
        current = self.resolve_name(path, chain[0])
        for part in chain[1:]:
            if not isinstance(current, Module):
                return None
            submodule = self._submodule(current.path, part)
            current = Module(submodule) if submodule else self.resolve_name(current.path, part)
        return current

    # -- evaluation ----------------------------------------------------------------------

    def decide(self, path: str, tree: Sequence[Any]) -> Decision:
        """The truth of a test tree under the project's constants (``None``: undecided)."""
        used: List[Constant] = []
        value = self._value(path, tree, used)
        if value is _UNKNOWN or not used:
            return Decision(None)
        return Decision(bool(value), used)

    def constants_in(self, path: str, tree: Sequence[Any]) -> List[Constant]:
        """The project constants a test tree reads."""
        used: List[Constant] = []
        self._value(path, tree, used)
        return used

    def _value(self, path: str, tree: Sequence[Any], used: List[Constant]) -> Any:
        head = tree[0]
        if head == "c":
            return tree[1]
        if head in ("g", "m"):
            found = (
                self.resolve_name(path, tree[1])
                if head == "g"
                else self.resolve_chain(path, tree[1])
            )
            if isinstance(found, Constant):
                used.append(found)
                return found.value
            return _UNKNOWN
        if head == "not":
            inner = self._value(path, tree[1], used)
            return _UNKNOWN if inner is _UNKNOWN else not inner
        if head in ("and", "or"):
            values = [self._value(path, item, used) for item in tree[1]]
            known = [bool(v) for v in values if v is not _UNKNOWN]
            if head == "and":
                if False in known:
                    return False
                return True if len(known) == len(values) else _UNKNOWN
            if True in known:
                return True
            return False if len(known) == len(values) else _UNKNOWN
        if head == "cmp":
            left = self._value(path, tree[1], used)
            if left is _UNKNOWN:
                return _UNKNOWN
            for op, right_tree in tree[2]:
                right = self._value(path, right_tree, used)
                outcome = _compare(op, left, right)
                if outcome is not True:
                    return outcome
                left = right
            return True
        return _UNKNOWN

    def decided_tests(self) -> List[Tuple[str, Dict[str, Any], Decision, Optional[str]]]:
        """``(path, test, decision, dead arm)`` for every test the constants decide."""
        if self._decided is None:
            self._decided = []
            for path in self.paths:
                for test in self.facts[path]["tests"]:
                    decision = self.decide(path, test["e"])
                    if (
                        decision.truth is not None
                        and not self._knob_in(decision)
                        and not self._weight_guard(test["e"], decision)
                    ):
                        self._decided.append((path, test, decision, dead_arm(test, decision)))
        return self._decided

    def _knob_in(self, decision: Decision) -> bool:
        """Whether a constant deciding a test documents its other values at its definition
        (``ARCH = 'tape'`` over ``# ARCH = 'transunet'``): a knob meant to be edited, so both
        arms are wanted."""
        return any(c.name in self.facts[c.path].get("knobs", ()) for c in decision.constants)

    def _weight_guard(self, tree: Any, decision: Decision) -> bool:
        """Whether a test only orders numbers the module multiplies by (``lambda_cyc = 0``,
        ``lambda_cyc * loss``, ``if lambda_cyc > 0``): the constant is a loss weight tuned by
        editing it, and the test guards the term it weighs. A threshold only compared
        (``THRESHOLD < 2``) still decides a switch."""
        if not decision.constants or not all(
            isinstance(c.value, (int, float))
            and not isinstance(c.value, bool)
            and c.name in self.facts[c.path].get("weights", ())
            for c in decision.constants
        ):
            return False
        operators: List[str] = []
        stack: List[Any] = [tree]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                if len(node) == 3 and node[0] == "cmp" and isinstance(node[2], list):
                    operators.extend(p[0] for p in node[2] if isinstance(p, list) and p)
                stack.extend(node)
        return bool(operators) and all(op in ("<", ">", "<=", ">=") for op in operators)

    def dead_arms(self) -> Dict[str, Dict[str, str]]:
        """The arm keys (see :mod:`mllint.flags.facts`) that stale constants make dead, per
        file, each with the name of the constant that decides it."""
        dead: Dict[str, Dict[str, str]] = {}
        for path, test, decision, arm in self.decided_tests():
            if arm is not None and test[arm]:
                dead.setdefault(path, {})[test[arm]] = decision.constants[0].name
        return dead

    def flags_in(self, path: str, tree: Sequence[Any]) -> List[RuntimeFlag]:
        """Every runtime flag a test reads, directly or through a module-level name."""
        found: List[RuntimeFlag] = []
        for item in leaves(list(tree)):
            head = item[0]
            if head == "f":
                found.append(RuntimeFlag(item[1], item[2], item[3]))
            elif head in ("g", "m"):
                target = (
                    self.resolve_name(path, item[1])
                    if head == "g"
                    else self.resolve_chain(path, item[1])
                )
                if isinstance(target, RuntimeFlag):
                    found.append(target)
        return found

    # -- project-wide reads of options ---------------------------------------------------

    def attribute_reads(self) -> Dict[str, List[Tuple[str, int]]]:
        """Every attribute and string key read in the project, with where."""
        reads: Dict[str, List[Tuple[str, int]]] = {}
        for path in self.paths:
            facts = self.facts[path]
            for table in ("attr_reads", "key_reads"):
                for name, lines in facts.get(table, {}).items():
                    reads.setdefault(name, []).extend((path, line) for line in lines)
        return reads

    def namespace_escapes(self, path: str) -> bool:
        """Whether a parsed namespace may be read wholesale (``vars(args)``...) for options
        defined in ``path``."""
        if self.facts[path].get("escapes"):
            return True
        if self._escaping_folders is None:
            self._escaping_folders = {
                os.path.dirname(other)
                for other in self.paths
                if any(n in NAMESPACE_HOLDERS for n in self.facts[other].get("escapes", ()))
            }
        return os.path.dirname(path) in self._escaping_folders

    # -- programs: the modules that run together -------------------------------------------

    def imports_of(self, path: str) -> Set[str]:
        """The project modules that ``path`` imports, in any scope."""
        if self._imports is None:
            self._imports = {}
            for source in self.paths:
                facts = self.facts[source]
                targets = facts.get("imported") or list(facts.get("imports", {}).values())
                found: Set[str] = set()
                for kind, module, level, name in targets:
                    resolved = self.resolve_module(source, module, level)
                    if resolved is None:
                        continue
                    found.add(resolved)
                    if kind == "from":
                        submodule = self._submodule(resolved, name)
                        if submodule is not None:
                            found.add(submodule)
                for prefix, suffix in facts.get("dynamic_imports", ()):
                    found |= self._dynamic_modules(source, prefix, suffix)
                found.discard(source)
                self._imports[source] = found
        return self._imports.get(path, set())

    def _dynamic_modules(self, importer: str, prefix: str, suffix: str) -> Set[str]:
        """The project modules ``importlib.import_module(prefix + name + suffix)`` may
        import: those of the package ``prefix`` names whose name fits."""
        package, _, start = prefix.rpartition(".")
        found = self.resolve_module(importer, package, 0)
        if found is not None and found.endswith("__init__.py"):
            folders = {os.path.dirname(found)}
        else:  # a folder without `__init__.py`, beside the importer or at the top
            parts = package.split(".")
            top = self._root()
            folders = {os.path.join(os.path.dirname(importer), *parts)}
            if top is not None:
                folders.add(os.path.join(top[0], *parts))
        modules: Set[str] = set()
        for folder in folders:
            for path in self._in_folder(folder):
                stem = os.path.basename(path)[:-3]
                if stem != "__init__" and stem.startswith(start) and stem.endswith(suffix):
                    modules.add(path)
        return modules

    def _in_folder(self, folder: str) -> List[str]:
        if self._folders is None:
            self._folders = {}
            for path in self.paths:
                self._folders.setdefault(os.path.dirname(path), []).append(path)
        return self._folders.get(os.path.normpath(folder) if folder else folder, [])

    def program(self, path: str) -> Set[str]:
        """The modules that run with the options defined in ``path``: the entry points that
        import it (directly or not), and every project module they import in turn."""
        if self._importers is None:
            self._importers = {}
            for source in self.paths:
                for target in self.imports_of(source):
                    self._importers.setdefault(target, set()).add(source)
        importers = self._importers
        if self.facts[path].get("options_in_main"):
            roots = {path}  # options of a `__main__` block: its importers never define them
        else:
            roots = _closure([path], lambda p: importers.get(p, ()))
        return _closure(sorted(roots), self.imports_of)

    def reads_in(self, program: Iterable[str]) -> Set[str]:
        """Every attribute (except of objects built by other calls) and string key read by
        the modules of a program."""
        names: Set[str] = set()
        for path in program:
            facts = self.facts[path]
            reads = facts.get("option_reads")
            names.update(facts.get("attr_reads", {}) if reads is None else reads)
            names.update(facts.get("key_reads", {}))
            names.update(self._helper_reads(path))
        return names

    def _helper_reads(self, path: str) -> Set[str]:
        """The keys ``path`` hands to lookup helpers of other modules (``getVal(kwargs,
        "name", None)`` with ``def getVal(kwargs, key, default): return kwargs.get(key,
        default)`` in ``utils``). Once per module: every program holding it asks again."""
        found = self._helper_cache.get(path)
        if found is None:
            found = set()
            for name, index, key in self.facts[path].get("literal_calls", ()):
                callee = self._callee(path, [name], "lookup_helpers")
                if (
                    callee is not None
                    and self.facts[callee[0]]["lookup_helpers"][callee[1]] == index
                ):
                    found.add(key)
            self._helper_cache[path] = found
        return found

    def consumed_in(self, path: str, program: Iterable[str]) -> bool:
        """Whether a namespace of the program may be read wholesale: ``vars(x)``,
        ``x.__dict__`` or ``getattr(x, name)`` not only logged (in the defining file, on any
        object; elsewhere, on a name such as ``args``), or handed to a function from outside
        the project (``create_optimizer(args)``), which may read any option."""
        facts = self.facts[path]
        modules = facts.get("imports", {})
        if any(name not in modules for name in facts.get("escapes", ())):
            return True  # `models.__dict__[args.model]` reads a module, not a namespace
        for other in program:
            facts = self.facts[other]
            own = other != path and bool(facts.get("options") or facts.get("absl"))
            if not own and any(n in NAMESPACE_HOLDERS for n in facts.get("escapes", ())):
                return True  # (an entry point with its own parser consumes its own namespace)
            for target, _chain, _line in facts.get("passes", ()):
                _kind, module, level, _name = target
                if self.resolve_module(other, module, level) is None:
                    return True
            if not own and self._spread_names(other, other == path) is None:
                return True  # spread into a callee from outside the project: any option
        return False

    def spread_reads(self, path: str, program: Iterable[str]) -> Set[str]:
        """The options read by spreading a namespace into the named parameters of the
        project's callees (``models_vit.__dict__[args.model](**vars(args))`` reads the
        parameter names of every model factory and the constructors they hand
        ``**kwargs`` to)."""
        names: Set[str] = set()
        for other in program:
            facts = self.facts[other]
            own = other != path and bool(facts.get("options") or facts.get("absl"))
            if not own:
                names |= self._spread_names(other, other == path) or set()
        return names

    def _spread_names(self, path: str, defining: bool) -> Optional[Set[str]]:
        """Parameter names the spreads of ``path`` fill; ``None`` when a callee is not
        the project's or hands ``**kwargs`` on where it cannot be followed. Outside the
        defining file only a namespace-like name (``args``, ``opt``, ``cfg``...) counts, as
        for ``vars(x)``: ``copyconf(default_opt)`` spreads its own parameter."""
        key = (path, defining)
        if key not in self._spread_cache:
            self._spread_cache[key] = self._spread_targets(path, defining)
        return self._spread_cache[key]

    def _spread_targets(self, path: str, defining: bool) -> Optional[Set[str]]:
        names: Set[str] = set()
        for kind, chain, _line, spread in self.facts[path].get("spreads", ()):
            if not defining and spread not in NAMESPACE_HOLDERS:
                continue
            if kind == "module":
                module = self._chain_module(path, chain)
                if module is None:
                    return None
                callees = [(module, name) for name in self.facts[module].get("signatures", {})]
            else:
                callee = self._callee(path, chain)
                if callee is None:
                    return None
                callees = [callee]
            for module, name in callees:
                if not self._parameters(module, name, names, set()):
                    return None
        return names

    def _parameters(
        self, path: str, name: str, names: Set[str], seen: Set[Tuple[str, str]]
    ) -> bool:
        """Add the named parameters of ``path``'s ``name`` and of what its ``**kwargs``
        reaches; ``False`` when that cannot be followed."""
        if (path, name) in seen:
            return True
        seen.add((path, name))
        signature = self.facts[path].get("signatures", {}).get(name)
        if signature is None or len(seen) > 50:
            return False
        parameters, forwards, opaque = signature
        names.update(parameters)
        if opaque:
            return False
        for chain in forwards:
            callee = self._callee(path, chain)
            if callee is None or not self._parameters(*callee, names, seen):
                return False
        return True

    def overwriters(self, program: Iterable[str]) -> Dict[str, List[Tuple[str, str, int, int]]]:
        """For each attribute name, the call statements of the program that assign it on a
        namespace before what follows them: ``utils.init_distributed_mode(args)`` at the top
        of a body, whose project function sets ``args.distributed`` on every path that
        returns (``(call, module, line, last line of the body)``)."""
        found: Dict[str, List[Tuple[str, str, int, int]]] = {}
        for module in sorted(program):
            for chain, position, line, end, _helpers in self.facts[module].get(
                "overwrite_calls", ()
            ):
                callee = self._callee(module, chain, "overwrites")
                if callee is None:
                    continue
                source, function = callee
                written = self.facts[source]["overwrites"][function].get(str(position), ())
                shown = f"`{'.'.join(chain)}(...)`"
                for name in written:
                    found.setdefault(name, []).append((shown, module, line, end))
            for namespace, name, line, end in self.facts[module].get("assigned", ()):
                shown = f"`{namespace}.{name} = ...`"
                found.setdefault(name, []).append((shown, module, line, end))
        return found

    def overwritten(
        self, program: Iterable[str], name: str, calls: Sequence[Tuple[str, str, int, int]]
    ) -> Optional[str]:
        """The call of ``calls`` (:meth:`overwriters`) after which, in the same body, come
        all the program's reads of ``name``: the option's own value is never read (reads of
        a module's attribute, ``torch.distributed``, are not reads of an option)."""
        modules = sorted(program)
        for call, module, line, end in calls:
            if self._read_only_within(modules, name, module, line, end):
                return call
        return None

    def _later_spans(self, modules: Sequence[str], path: str, line: int) -> List[Tuple[int, int]]:
        """The line spans of the functions of ``path`` that only the body of the call at
        ``line`` calls, after it, and that no other module imports."""
        calls = self.facts[path].get("overwrite_calls", ())
        helpers: List[List[Any]] = next((c[4] for c in calls if c[2] == line), [])
        imported = {
            target[3]
            for other in modules
            if other != path
            for target in self.facts[other].get("imports", {}).values()
            if target[0] == "from" and self.resolve_module(other, target[1], target[2]) == path
        }
        return [(first, last) for name, first, last in helpers if name not in imported]

    def _read_only_within(
        self, modules: Sequence[str], name: str, path: str, start: int, end: int
    ) -> bool:
        for module in modules:
            facts = self.facts[module]
            if name in facts.get("key_reads", {}):
                return False  # `getattr(args, "distributed")`, `d["distributed"]`
            reads = facts.get("option_reads")
            if name not in (facts.get("attr_reads", {}) if reads is None else reads):
                continue
            if name in facts.get("module_attrs", ()):
                continue
            if module != path:
                return False
            later: Optional[List[Tuple[int, int]]] = None
            for line in facts["attr_reads"].get(name, ()):
                if start < line <= end:
                    continue
                if later is None:
                    later = self._later_spans(modules, path, start)
                if not any(first <= line <= last for first, last in later):
                    return False
        return True

    def _chain_module(self, path: str, chain: Sequence[str]) -> Optional[str]:
        """The project module a dotted name refers to in ``path`` (``models_vit``)."""
        found = self.resolve_chain(path, list(chain))
        return found.path if isinstance(found, Module) else None

    def _callee(
        self, path: str, chain: Sequence[str], table: str = "signatures"
    ) -> Optional[Tuple[str, str]]:
        """``(module, name)`` of the project function or class a call's dotted name refers
        to in ``path``, if the defining module's facts list it in ``table`` (its known
        signatures, the attributes it ``overwrites``, its ``lookup_helpers``)."""
        if len(chain) == 1:
            name = chain[0]
            if name in self.facts[path].get(table, {}):
                return path, name
            target = self.facts[path]["imports"].get(name)
            if target is None or target[0] != "from":
                return None
            source = self.resolve_module(path, target[1], target[2])
            if source is None or target[3] not in self.facts[source].get(table, {}):
                return None
            return source, target[3]
        module = self._chain_module(path, chain[:-1])
        if module is None or chain[-1] not in self.facts[module].get(table, {}):
            return None
        return module, chain[-1]

    def switch_kinds(self, name: str) -> Set[str]:
        """What the project's definitions of a flag named ``name`` say it is (``bool``,
        ``choice``, ``value``, ``?``); empty when the project defines no such flag."""
        if self._switch_kinds is None:
            self._switch_kinds = {}
            self._defined_outside_tests = set()
            # below the folder shared by every analysed file: a project checked out in a
            # folder named `tests` is not test code
            top = _common_folder(self.paths)
            for path in self.paths:
                in_tests = is_test_path(os.path.relpath(path, top) if top else path)
                for flag, kind in self.facts[path].get("switches", {}).items():
                    self._switch_kinds.setdefault(flag, set()).add(kind)
                    if not in_tests:
                        self._defined_outside_tests.add(flag)
        return self._switch_kinds.get(name, set())

    def defined_only_in_tests(self, name: str) -> bool:
        """Whether the project defines a flag named ``name`` and every definition lies in
        test code (see :func:`is_test_path`): a test harness's option."""
        return bool(self.switch_kinds(name)) and name not in self._defined_outside_tests

    def is_referenced(self, identifier: str) -> bool:
        """Whether any file of the project mentions ``identifier`` (a read, an attribute, a
        string)."""
        if self._mentioned is None:
            self._mentioned = set()
            for path in self.paths:
                self._mentioned.update(self.facts[path].get("live", ()))
                self._mentioned.update(self.facts[path].get("armed", {}))
        return identifier in self._mentioned

    def options(self) -> Iterable[Tuple[str, List[Any]]]:
        """``(path, option)`` for every argparse option of the project."""
        for path in self.paths:
            for option in self.facts[path].get("options", ()):
                yield path, option

    def options_in_folder(self, folder: str) -> Set[str]:
        """The dests of the argparse options defined in the files of one folder."""
        if self._by_folder is None:
            self._by_folder = {}
            for path, option in self.options():
                self._by_folder.setdefault(os.path.dirname(path), set()).add(option[0])
        return self._by_folder.get(folder, set())


def dead_arm(test: Mapping[str, Any], decision: Decision) -> Optional[str]:
    """Which arm of a decided test can never run: ``"body"``, ``"orelse"`` or ``None``."""
    if decision.truth is False:
        return "body"
    if test["kw"] != "while" and test["orelse"]:
        return "orelse"
    return None


def _closure(start: Iterable[str], step: Callable[[str], Iterable[str]]) -> Set[str]:
    seen: Set[str] = set(start)
    stack = list(seen)
    while stack:
        for following in step(stack.pop()):
            if following not in seen:
                seen.add(following)
                stack.append(following)
    return seen


def _nearest(importer: str, candidates: Sequence[str]) -> str:
    """The candidate that shares the longest path prefix with ``importer``."""
    return max(candidates, key=lambda p: (len(os.path.commonpath([importer, p])), p))


def _compare(op: str, left: Any, right: Any) -> Any:
    if right is _UNKNOWN:
        return _UNKNOWN
    try:
        if op == "==":
            return left == right
        if op == "!=":
            return left != right
        if op in ("is", "is not"):
            if not (left is None or right is None or isinstance(left, bool)):
                return _UNKNOWN
            same = left is right or (left == right and type(left) is type(right))
            return same if op == "is" else not same
        if op in ("in", "not in"):
            if not isinstance(right, (list, str)):
                return _UNKNOWN
            inside = left in right
            return inside if op == "in" else not inside
        if isinstance(left, (list, type(None))) or isinstance(right, (list, type(None))):
            return _UNKNOWN
        if op == "<":
            return left < right
        if op == "<=":
            return left <= right
        if op == ">":
            return left > right
        if op == ">=":
            return left >= right
    except TypeError:
        return _UNKNOWN
    return _UNKNOWN


def matches(name: str, patterns: Sequence[str]) -> bool:
    """Whether ``name`` matches one of the ``flag-patterns`` (case-insensitively).

    A name longer than ``MAX_NAME_LENGTH`` never does: that bound, with the patterns checked
    by :func:`mllint.config.check_pattern`, keeps every match cheap on hostile names."""
    if len(name) > MAX_NAME_LENGTH:
        return False
    return any(_compiled(p).search(name) for p in patterns)


def candidate_names(name: str, variable: str = "") -> List[str]:
    """The names ``flag-patterns`` are matched against: the flag's name and its environment
    variable's, without a leading underscore, and the variable's without its first word too
    (a project prefix: ``ACME_USE_OLD_CACHE`` is matched as ``USE_OLD_CACHE``)."""
    names = [name.lstrip("_")]
    if variable:
        bare = variable.lstrip("_")
        names.append(bare)
        prefix, _, rest = bare.partition("_")
        if prefix and rest:
            names.append(rest)
    return names


_TEST_PATH = re.compile(
    r"(^|/)(tests?|testing)/|(^|/)test_[^/]*\.py$|_test\.py$|(^|/)conftest\.py$"
)


def _common_folder(paths: Sequence[str]) -> str:
    """The deepest folder holding every path (``""`` when they share none)."""
    if not paths:
        return ""
    try:
        top = os.path.commonpath(paths)
    except ValueError:  # absolute and relative paths mixed
        return ""
    return os.path.dirname(top) if top in paths else top


def is_test_path(path: str) -> bool:
    """Test code: a file in a ``test``/``tests``/``testing`` folder, ``test_*.py``,
    ``*_test.py`` or ``conftest.py``."""
    return _TEST_PATH.search(path.replace(os.sep, "/")) is not None


def is_experiment_name(
    name: str, variable: str, patterns: Sequence[str], platform: Sequence[str]
) -> bool:
    """Whether a flag's names match ``flag-patterns`` and none is a platform, precision or
    debug switch (``platform-flag-patterns``)."""
    names = candidate_names(name, variable)
    if not any(matches(n, patterns) for n in names):
        return False
    return not any(matches(n, platform) for n in names)


_PATTERNS: Dict[str, re.Pattern[str]] = {}


def _compiled(pattern: str) -> re.Pattern[str]:
    compiled = _PATTERNS.get(pattern)
    if compiled is None:
        compiled = _PATTERNS[pattern] = re.compile(pattern, re.IGNORECASE)
    return compiled


_LAST: List[Tuple[object, FlagIndex]] = []


def flag_index(project: Any) -> FlagIndex:
    """The index of a project (built once per project, shared by the project rules)."""
    if _LAST and _LAST[0][0] is project:
        return _LAST[0][1]
    index = FlagIndex(dict(project.facts(FAMILY)))
    _LAST[:] = [(project, index)]
    return index
