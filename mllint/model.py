"""Plain data passed between the stages of the pipeline."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple


class Severity(str, enum.Enum):
    """How loud a finding is; maps onto SARIF levels and LSP severities."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True)
class Span:
    """A region of a file: 1-based lines, 1-based columns counted in code points."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class RelatedLocation:
    """Another place a finding is about: the constant that decides a stale branch, a
    reference that only dead code makes. SARIF's ``relatedLocations``, LSP's
    ``relatedInformation``."""

    path: str
    """POSIX path of the file (absolute, like :attr:`Finding.path`)."""
    span: Span
    message: str
    """What is there, as a noun phrase ("definition of `USE_X = False`")."""

    def to_json(self) -> List[Any]:
        """Plain JSON data (for the cache)."""
        span = self.span
        return [self.path, [span.line, span.column, span.end_line, span.end_column], self.message]

    @classmethod
    def from_json(cls, data: Sequence[Any]) -> RelatedLocation:
        """Inverse of :meth:`to_json`."""
        path, span, message = data
        return cls(path=path, span=Span(*span), message=message)


@dataclass(frozen=True)
class Finding:
    """One problem found in one file."""

    path: str
    """POSIX path of the file, as discovered (absolute)."""
    span: Span
    code: str
    name: str
    message: str
    severity: Severity
    properties: Mapping[str, Any] = field(default_factory=dict)
    related: Tuple[RelatedLocation, ...] = ()
    """Other places the finding is about; never part of its identity (fingerprints and
    baselines ignore them)."""

    @property
    def line(self) -> int:
        """First line of the finding."""
        return self.span.line

    @property
    def column(self) -> int:
        """First column of the finding."""
        return self.span.column

    def sort_key(self) -> Tuple[str, int, int, str]:
        """Stable output order: file, position, code."""
        return (self.path, self.span.line, self.span.column, self.code)

    def moved_to(self, path: str) -> Finding:
        """The finding in a file of the same content at ``path`` (a cached result re-used):
        related locations in its own file move with it."""
        if path == self.path:
            return self
        related = tuple(replace(r, path=path) if r.path == self.path else r for r in self.related)
        return replace(self, path=path, related=related)

    def to_json(self) -> Dict[str, Any]:
        """The finding as plain JSON data (for the cache); ``related`` only when there are."""
        data: Dict[str, Any] = {
            "path": self.path,
            "span": [self.span.line, self.span.column, self.span.end_line, self.span.end_column],
            "code": self.code,
            "name": self.name,
            "message": self.message,
            "severity": self.severity.value,
            "properties": dict(self.properties),
        }
        if self.related:
            data["related"] = [r.to_json() for r in self.related]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Finding:
        """Inverse of :meth:`to_json`."""
        return cls(
            path=data["path"],
            span=Span(*data["span"]),
            code=data["code"],
            name=data["name"],
            message=data["message"],
            severity=Severity(data["severity"]),
            properties=dict(data["properties"]),
            related=tuple(RelatedLocation.from_json(r) for r in data.get("related", ())),
        )


@dataclass(frozen=True)
class NoqaMap:
    """The ``# noqa`` comments of one file.

    ``lines`` maps a line to the codes (or prefixes) it silences; an empty set silences every
    code. ``file_codes`` is the same for a file-level ``# mllint: noqa`` (``None`` when absent).
    """

    lines: Mapping[int, FrozenSet[str]] = field(default_factory=dict)
    file_codes: Optional[FrozenSet[str]] = None

    def silences(self, code: str, line: int) -> bool:
        """Whether ``code`` reported at ``line`` is suppressed."""
        if self.file_codes is not None and _matches(code, self.file_codes):
            return True
        codes = self.lines.get(line)
        return codes is not None and _matches(code, codes)

    def to_json(self) -> Dict[str, Any]:
        """Plain JSON data for the cache."""
        return {
            "lines": {str(k): sorted(v) for k, v in self.lines.items()},
            "file": None if self.file_codes is None else sorted(self.file_codes),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> NoqaMap:
        """Inverse of :meth:`to_json`."""
        file_codes = data["file"]
        return cls(
            lines={int(k): frozenset(v) for k, v in data["lines"].items()},
            file_codes=None if file_codes is None else frozenset(file_codes),
        )


def _matches(code: str, codes: FrozenSet[str]) -> bool:
    return not codes or any(code.startswith(c) for c in codes)


@dataclass(frozen=True)
class FileResult:
    """What the per-file stage learns about one file; cached by content hash.

    ``facts`` holds each rule family's per-file facts for the project stage, keyed by family,
    as JSON-able data.
    """

    findings: Tuple[Finding, ...]
    noqa: NoqaMap
    facts: Mapping[str, Any] = field(default_factory=dict)
    lines: int = 0

    def to_json(self) -> Dict[str, Any]:
        """Plain JSON data for the cache (paths are re-attached on load)."""
        return {
            "findings": [f.to_json() for f in self.findings],
            "noqa": self.noqa.to_json(),
            "facts": dict(self.facts),
            "lines": self.lines,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FileResult:
        """Inverse of :meth:`to_json`."""
        return cls(
            findings=tuple(Finding.from_json(f) for f in data["findings"]),
            noqa=NoqaMap.from_json(data["noqa"]),
            facts=dict(data["facts"]),
            lines=int(data["lines"]),
        )
