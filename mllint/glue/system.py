"""The system-level glue ratio: per import package, the figure Sculley et al. care about.

A file belongs to the outermost package reached by walking up from its folder while each
folder holds an ``__init__.py`` among the analysed files; a file outside any package (a
script) belongs to none. Tests are not part of the system and are left out of the sums.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Set, Tuple

from mllint.glue.classifier import glue_ratio


@dataclass(frozen=True)
class PackageTally:
    """Statement counts of one package (its folder, ``/``-separated) over its modules."""

    path: str
    glue: int
    algorithm: int
    other: int
    modules: int

    @property
    def glue_ratio(self) -> Optional[float]:
        """``glue / (glue + algorithm)``; ``None`` when both are 0."""
        return glue_ratio(self.glue, self.algorithm)


def package_of(path: str, packages: Set[str]) -> Optional[str]:
    """The outermost package folder of ``path`` among ``packages`` (folders with an
    ``__init__.py``), or ``None``."""
    folder = posixpath.dirname(path)
    found: Optional[str] = None
    while folder in packages:
        found = folder
        parent = posixpath.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return found


def package_tallies(files: Iterable[Tuple[str, int, int, int, str]]) -> List[PackageTally]:
    """Sum ``(path, glue, algorithm, other, role)`` of files per package, tests left out;
    paths ``/``-separated."""
    rows = list(files)
    packages = {
        posixpath.dirname(path) for path, *_ in rows if posixpath.basename(path) == "__init__.py"
    }
    sums: Dict[str, List[int]] = {}
    for path, glue, algorithm, other, role in rows:
        if role == "test":
            continue
        package = package_of(path, packages)
        if package is None:
            continue
        entry = sums.setdefault(package, [0, 0, 0, 0])
        entry[0] += glue
        entry[1] += algorithm
        entry[2] += other
        entry[3] += 1
    return [PackageTally(path, *counts) for path, counts in sorted(sums.items())]
