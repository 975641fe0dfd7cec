"""Gitignore-style path matching (the semantics of gitignore(5)), stdlib only.

Each pattern line is translated once into a regular expression over POSIX paths relative
to the directory that holds the ignore file. Consecutive patterns of the same polarity are
joined into one alternation, and patterns without a slash are matched against the last
path component only, so a typical ``.gitignore`` costs a regex match or two per path.
Directory verdicts are memoised, because every file of a directory asks about the same
parents.

Matching is case-sensitive and works on Unicode code points (git works on bytes, so a
``?`` there matches one byte of a multi-byte UTF-8 character; here it matches one
character).
"""

from __future__ import annotations

import functools
import itertools
import pathlib
import re
import string
from dataclasses import dataclass
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

__all__ = ["IgnoreSpec", "IgnoreStack", "compile_globs"]

# Beyond this many memoised directories a cache is simply emptied; a walk only revisits
# the directories along its current path, so losing the memo costs little.
_DIR_CACHE_LIMIT = 65536

# ASCII like git's own ctype tables, whatever the locale.
_POSIX_CLASSES: Dict[str, str] = {
    "alnum": "a-zA-Z0-9",
    "alpha": "a-zA-Z",
    "blank": " \\t",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "".join(re.escape(c) for c in string.punctuation),
    "space": " \\t\\n\\r\\x0b\\x0c",
    "upper": "A-Z",
    "xdigit": "0-9A-Fa-f",
}


@dataclass(frozen=True)
class _Rule:
    """One parsed pattern line."""

    pattern: str
    regex: str  # for the base name if ``basename_only``, else for the path below the base
    negated: bool
    dir_only: bool
    basename_only: bool


# (negated, regex for the base name, regex for the whole path) of one run of rules that
# share a polarity; the last matching pattern wins, so only the run matters, not the rule.
_Group = Tuple[bool, Optional[re.Pattern[str]], Optional[re.Pattern[str]]]


def _trim_trailing_spaces(line: str) -> str:
    """Drop trailing spaces unless backslash-escaped (tabs are kept, as git does)."""
    last_space: Optional[int] = None
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if c == " ":
            if last_space is None:
                last_space = i
        else:
            last_space = None
            if c == "\\":
                i += 1
                if i >= n:
                    return line
        i += 1
    return line if last_space is None else line[:last_space]


def _translate_class(pat: str, start: int) -> Optional[Tuple[str, int]]:
    """Translate the bracket expression at ``pat[start] == '['``.

    Returns the regex and the index just past the closing ``]``, or None when the
    expression is malformed (unterminated, or an unknown ``[:name:]``), in which case git
    lets the whole pattern match nothing.
    """
    n = len(pat)
    i = start + 1
    negated = i < n and pat[i] in "!^"
    if negated:
        i += 1
    items: List[str] = []
    prev: Optional[str] = None  # last single character, the possible start of a range
    first = True  # a ']' right after '[' (or '[!') is a literal
    while True:
        if i >= n:
            return None
        c = pat[i]
        if c == "]" and not first:
            break
        first = False
        if c == "\\":
            i += 1
            if i >= n:
                return None
            prev = pat[i]
            items.append(re.escape(prev))
            i += 1
        elif c == "-" and prev is not None and i + 1 < n and pat[i + 1] != "]":
            i += 1
            high = pat[i]
            if high == "\\":
                i += 1
                if i >= n:
                    return None
                high = pat[i]
            if prev <= high:  # a reversed range matches nothing, as in git
                items.append(f"{re.escape(prev)}-{re.escape(high)}")
            prev = None
            i += 1
        elif c == "[" and i + 1 < n and pat[i + 1] == ":":
            end = pat.find("]", i + 2)
            if end < 0:
                return None
            content = pat[i + 2 : end]
            if content.endswith(":"):
                posix = _POSIX_CLASSES.get(content[:-1])
                if posix is None:
                    return None
                items.append(posix)
                prev = None
                i = end + 1
            else:  # no ':]', so the '[' is an ordinary member
                prev = "["
                items.append(re.escape(prev))
                i += 1
        else:
            prev = c
            items.append(re.escape(c))
            i += 1
    body = "".join(items)
    # A class never matches '/', even through a range such as '[+-0]'.
    if negated:
        return f"[^/{body}]", i + 1
    return f"(?!/)[{body}]", i + 1


def _split_segments(pat: str) -> Optional[List[Tuple[bool, str]]]:
    """Split a glob at its slashes into ``(is_double_star, regex)`` segments.

    Returns None when the glob can never match (malformed class, trailing backslash).
    """
    segments: List[Tuple[bool, str]] = []
    parts: List[str] = []
    only_stars = True
    stars = 0
    prev_star = False
    i, n = 0, len(pat)

    def finish() -> None:
        nonlocal only_stars, stars, prev_star
        segments.append((only_stars and stars >= 2, "".join(parts)))
        parts.clear()
        only_stars, stars, prev_star = True, 0, False

    while i < n:
        c = pat[i]
        if c == "/" or (c == "\\" and pat[i + 1 : i + 2] == "/"):
            finish()
            i += 1 if c == "/" else 2
            continue
        if c == "*":
            stars += 1
            if not prev_star:  # runs of '*' collapse, which also avoids regex blow-ups
                parts.append("[^/]*")
            prev_star = True
            i += 1
            continue
        only_stars = False
        prev_star = False
        if c == "?":
            parts.append("[^/]")
            i += 1
        elif c == "\\":
            if i + 1 >= n:
                return None
            parts.append(re.escape(pat[i + 1]))
            i += 2
        elif c == "[":
            translated = _translate_class(pat, i)
            if translated is None:
                return None
            regex, i = translated
            parts.append(regex)
        else:
            parts.append(re.escape(c))
            i += 1
    finish()
    return segments


def _glob_to_regex(pat: str) -> Optional[str]:
    """Regex (for ``fullmatch``) of a glob whose leading '/' has been removed."""
    segments = _split_segments(pat)
    if segments is None:
        return None
    out: List[str] = []
    last = len(segments) - 1
    for index, (double_star, regex) in enumerate(segments):
        if double_star:
            # '**/' is zero or more directories; a final '**' is everything below.
            out.append(".*" if index == last else "(?:.*/)?")
        else:
            out.append(regex)
            if index != last:
                out.append("/")
    return "".join(out)


@functools.lru_cache(maxsize=8192)
def _parse_line(line: str) -> Optional[_Rule]:
    """Parse one line (without its line break) of an ignore file; None if it has no rule."""
    if not line or line.startswith("#"):
        return None
    text = _trim_trailing_spaces(line)
    negated = text.startswith("!")
    if negated:
        text = text[1:]
    dir_only = text.endswith("/")
    if dir_only:
        text = text[:-1]
    if not text:
        return None
    # Without a slash a pattern matches at any depth, i.e. against the base name; its regex
    # cannot match a '/' so testing the base name alone is exact.
    basename_only = "/" not in text
    regex = _glob_to_regex(text[1:] if text.startswith("/") else text)
    if regex is None:
        return None
    return _Rule(_trim_trailing_spaces(line), regex, negated, dir_only, basename_only)


def _groups_of(rules: Sequence[_Rule]) -> Tuple[_Group, ...]:
    """Runs of same-polarity ``rules`` as compiled groups, the last run first."""
    groups: List[_Group] = []
    for negated, run in itertools.groupby(rules, key=lambda rule: rule.negated):
        members = list(run)
        base_regex = _compile_alternation(tuple(r.regex for r in members if r.basename_only))
        full_regex = _compile_alternation(tuple(r.regex for r in members if not r.basename_only))
        groups.append((negated, base_regex, full_regex))
    groups.reverse()
    return tuple(groups)


@functools.lru_cache(maxsize=1024)
def _compile_alternation(regexes: Tuple[str, ...]) -> Optional[re.Pattern[str]]:
    """One compiled regex matching any of ``regexes`` in full; None for none."""
    if not regexes:
        return None
    if len(regexes) == 1:
        return re.compile(regexes[0], re.DOTALL)
    return re.compile("|".join(f"(?:{r})" for r in regexes), re.DOTALL)


def _normalize(relpath: str) -> str:
    """Strip a leading './' and trailing slashes from a relative POSIX path."""
    while relpath.startswith("./"):
        relpath = relpath[2:]
    if relpath.endswith("/"):
        relpath = relpath.rstrip("/")
    return "" if relpath == "." else relpath


def _normalize_base(base: str) -> str:
    """Canonical form of a base directory: no leading/trailing slashes, '' for root."""
    return _normalize(base.strip("/"))


def _dir_excluded(
    directory: str,
    cache: Dict[str, bool],
    decide: Callable[[str, bool], Optional[bool]],
) -> bool:
    """Whether ``directory`` or one of its ancestors is excluded, memoised in ``cache``."""
    hit = cache.get(directory)
    if hit is not None:
        return hit
    pending: List[str] = []
    current = directory
    excluded = False
    while True:
        hit = cache.get(current)
        if hit is not None:
            excluded = hit
            break
        pending.append(current)
        cut = current.rfind("/")
        if cut < 0:
            break
        current = current[:cut]
    if len(cache) + len(pending) > _DIR_CACHE_LIMIT:
        cache.clear()
    for path in reversed(pending):  # shallowest first
        if not excluded:
            excluded = decide(path, True) is True
        cache[path] = excluded
    return excluded


class IgnoreSpec:
    """Compiled gitignore patterns anchored at a base directory."""

    __slots__ = ("_base", "_dir_cache", "_dir_groups", "_file_groups", "_prefix", "_rules")

    def __init__(self, lines: Iterable[str] = (), base: str = "") -> None:
        """Compile pattern ``lines`` of an ignore file held in directory ``base``."""
        self._base = _normalize_base(base)
        self._prefix = self._base + "/" if self._base else ""
        rules: List[_Rule] = []
        for item in lines:
            for line in item.split("\n"):
                rule = _parse_line(line[:-1] if line.endswith("\r") else line)
                if rule is not None:
                    rules.append(rule)
        self._rules: Tuple[_Rule, ...] = tuple(rules)
        self._dir_groups = _groups_of(rules)
        self._file_groups = _groups_of([rule for rule in rules if not rule.dir_only])
        self._dir_cache: Dict[str, bool] = {}

    @classmethod
    def from_lines(cls, lines: Iterable[str], base: str = "") -> IgnoreSpec:
        """Compile gitignore ``lines``; ``base`` is the POSIX directory holding them."""
        return cls(lines, base)

    @classmethod
    def from_file(cls, path: pathlib.Path, base: str = "") -> IgnoreSpec:
        """Read an ignore file (UTF-8); a missing or unreadable file gives an empty spec."""
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except (OSError, ValueError):
            return cls((), base)
        if text.startswith("\ufeff"):  # git skips a UTF-8 byte-order mark too
            text = text[1:]
        return cls((text,), base)

    @property
    def base(self) -> str:
        """The directory holding the patterns (POSIX, relative to the project root)."""
        return self._base

    @property
    def patterns(self) -> Tuple[str, ...]:
        """The effective pattern lines, in order (comments and blank lines dropped)."""
        return tuple(rule.pattern for rule in self._rules)

    def __repr__(self) -> str:
        return f"IgnoreSpec(base={self._base!r}, patterns={list(self.patterns)!r})"

    def _relative(self, path: str) -> Optional[str]:
        """``path`` relative to the base, or None if it is not strictly below it."""
        if not self._prefix:
            return path or None
        if path.startswith(self._prefix) and len(path) > len(self._prefix):
            return path[len(self._prefix) :]
        return None

    def _decide(self, rel: str, is_dir: bool) -> Optional[bool]:
        """Verdict of the last pattern matching ``rel`` itself (parents not consulted)."""
        name = rel[rel.rfind("/") + 1 :]
        for negated, base_regex, full_regex in self._dir_groups if is_dir else self._file_groups:
            if (base_regex is not None and base_regex.fullmatch(name)) or (
                full_regex is not None and full_regex.fullmatch(rel)
            ):
                return not negated
        return None

    def _match_own(self, path: str, is_dir: bool) -> Optional[bool]:
        """Verdict on a normalized project path itself, ignoring its parents."""
        if not self._rules:
            return None
        rel = self._relative(path)
        return None if rel is None else self._decide(rel, is_dir)

    def match(self, relpath: str, is_dir: bool) -> Optional[bool]:
        """True if ``relpath`` is ignored, False if re-included by '!', None if unmatched.

        ``relpath`` is POSIX and relative to the project root. An excluded parent
        directory makes the path ignored whatever the patterns say about the path itself.
        """
        if not self._rules:
            return None
        rel = self._relative(_normalize(relpath))
        if rel is None:
            return None
        cut = rel.rfind("/")
        if cut > 0 and _dir_excluded(rel[:cut], self._dir_cache, self._decide):
            return True
        return self._decide(rel, is_dir)


class IgnoreStack:
    """Several IgnoreSpecs, deeper (more specific) ones taking precedence.

    Like nested ``.gitignore`` files: for a given path the most specific spec with a
    matching pattern decides, and nothing below an excluded directory can be re-included.
    """

    __slots__ = ("_by_precedence", "_dir_cache", "_specs")

    def __init__(self, specs: Sequence[IgnoreSpec] = ()) -> None:
        """Stack ``specs``, ordered from least to most specific."""
        self._specs: Tuple[IgnoreSpec, ...] = tuple(specs)
        self._by_precedence: Tuple[IgnoreSpec, ...] = tuple(
            spec for spec in reversed(self._specs) if spec.patterns
        )
        self._dir_cache: Dict[str, bool] = {}

    @property
    def specs(self) -> Tuple[IgnoreSpec, ...]:
        """The specs, from least to most specific."""
        return self._specs

    def __repr__(self) -> str:
        return f"IgnoreStack({list(self._specs)!r})"

    def push(self, spec: IgnoreSpec) -> IgnoreStack:
        """A new stack with ``spec`` added as the most specific; this one is unchanged."""
        return IgnoreStack((*self._specs, spec))

    def _decide(self, path: str, is_dir: bool) -> Optional[bool]:
        """Verdict of the most specific spec with a pattern matching ``path`` itself."""
        for spec in self._by_precedence:
            verdict = spec._match_own(path, is_dir)
            if verdict is not None:
                return verdict
        return None

    def is_ignored(self, relpath: str, is_dir: bool) -> bool:
        """Whether ``relpath`` (POSIX, relative to the project root) is ignored.

        A path is ignored when one of its parent directories is, or when the most specific
        spec that has a matching pattern for the path says so.
        """
        if not self._by_precedence:
            return False
        path = _normalize(relpath)
        if not path:
            return False
        cut = path.rfind("/")
        if cut > 0 and _dir_excluded(path[:cut], self._dir_cache, self._decide):
            return True
        return self._decide(path, is_dir) is True


def compile_globs(patterns: Iterable[str]) -> IgnoreSpec:
    """Compile gitignore-style globs (e.g. the config key ``exclude``) at the project root."""
    return IgnoreSpec.from_lines(patterns, "")
