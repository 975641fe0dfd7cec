"""The edits around a fold, shared by ``check --fix`` and ``mllint retire``: dropping the
imports that only removed code used, parameters, and items of a list, each keeping the
layout of what stays (a trailing comma, an import laid out one name a line)."""

from __future__ import annotations

import re
from typing import List, Optional, Sequence, Set, TypeVar, Union

import libcst as cst

from mllint.fixing.fold import Blocks

_Item = TypeVar("_Item", cst.Param, cst.ImportAlias, cst.BaseElement)


def with_last_comma(kept: List[_Item], items: Sequence[_Item]) -> List[_Item]:
    """``kept`` (what stays of ``items``) with its last item's comma as the old last item
    had it (none, or the trailing comma of a list laid out one item a line)."""
    if kept and kept[-1] is not items[-1]:
        kept[-1] = kept[-1].with_changes(comma=items[-1].comma)
    return kept


def drop_params(params: cst.Parameters, names: Set[str]) -> cst.Parameters:
    """``params`` without the parameters named ``names``."""

    def kept(items: Sequence[cst.Param]) -> List[cst.Param]:
        return with_last_comma([p for p in items if p.name.value not in names], items)

    return params.with_changes(
        posonly_params=kept(params.posonly_params),
        params=kept(params.params),
        kwonly_params=kept(params.kwonly_params),
    )


def without_strings(
    value: Union[cst.List, cst.Tuple], names: Set[str]
) -> Union[cst.List, cst.Tuple]:
    """A list or tuple of strings (``__all__``) without the strings ``names``."""
    elements = list(value.elements)
    kept = [
        e
        for e in elements
        if not (isinstance(e.value, cst.SimpleString) and e.value.evaluated_value in names)
    ]
    if len(kept) == len(elements):
        return value
    if not kept and isinstance(value, cst.Tuple) and not value.lpar:
        return value.with_changes(elements=[], lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return value.with_changes(elements=with_last_comma(kept, elements))  # `"a",` keeps its comma


def local_name(alias: cst.ImportAlias) -> Optional[str]:
    """The name an import alias binds (``np`` for ``numpy as np``, ``os`` for ``os.path``)."""
    if alias.asname is not None:
        name = alias.asname.name
        return name.value if isinstance(name, cst.Name) else None
    node: cst.BaseExpression = alias.name
    while isinstance(node, cst.Attribute):
        node = node.value
    return node.value if isinstance(node, cst.Name) else None


class _Used(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: Set[str] = set()

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self.names.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", node.value))


def used_names(module: cst.Module) -> Set[str]:
    """The names a module uses outside its imports, and the words of its strings (which may
    name them: ``__all__`` entries, ``getattr``, string annotations such as ``"List[int]"``)."""
    visitor = _Used()
    module.visit(visitor)
    return visitor.names


def drop_imports(module: cst.Module, names: Set[str]) -> cst.Module:
    """``module`` without the import aliases that bind ``names`` (an import left empty goes,
    its blank lines stay; ``__future__`` imports and ``*`` stay)."""
    return module.visit(_ImportDropper(names)) if names else module


_Imp = TypeVar("_Imp", cst.Import, cst.ImportFrom)


class _ImportDropper(Blocks):
    def __init__(self, names: Set[str]) -> None:
        super().__init__()
        self.names = names

    def leave_Import(
        self, original_node: cst.Import, updated_node: cst.Import
    ) -> Union[cst.Import, cst.RemovalSentinel]:
        kept = [a for a in updated_node.names if local_name(a) not in self.names]
        return self._rebuilt(updated_node, kept)

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> Union[cst.ImportFrom, cst.RemovalSentinel]:
        if isinstance(updated_node.names, cst.ImportStar):
            return updated_node
        module = updated_node.module
        if isinstance(module, cst.Name) and module.value == "__future__":
            return updated_node
        kept = [a for a in updated_node.names if local_name(a) not in self.names]
        return self._rebuilt(updated_node, kept)

    @staticmethod
    def _rebuilt(node: _Imp, kept: List[cst.ImportAlias]) -> Union[_Imp, cst.RemovalSentinel]:
        names = list(node.names) if not isinstance(node.names, cst.ImportStar) else []
        if len(kept) == len(names):
            return node
        if not kept:
            return cst.RemovalSentinel.REMOVE
        kept = with_last_comma(kept, names)
        if isinstance(node, cst.ImportFrom) and node.rpar is None:
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return node.with_changes(names=kept)
