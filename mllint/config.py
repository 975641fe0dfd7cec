"""Settings: ``[tool.mllint]`` in pyproject.toml, validated, with command-line overrides."""

from __future__ import annotations

import hashlib
import json
import re
import sys
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on older Pythons only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

DEFAULT_FLAG_PATTERNS: Tuple[str, ...] = (
    r"^use_",
    r"^enable_",
    r"^disable_",
    r"^try_",
    r"^exp_",
    r"experiment",
    r"^legacy_",
    r"^old_",
    r"^new_",
    r"_v2$",
    r"_legacy$",
)
"""Regexes (searched case-insensitively) that mark a name as an experiment switch."""

_CODE_SELECTOR = re.compile(r"^(ALL|ML[0-9]{0,3})$")


class ConfigError(Exception):
    """A configuration problem; the message names the file and the key."""


@dataclass(frozen=True)
class Settings:
    """The effective settings of one run."""

    select: Tuple[str, ...] = ("ML",)
    ignore: Tuple[str, ...] = ()
    extend_select: Tuple[str, ...] = ()
    exclude: Tuple[str, ...] = ()
    per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    max_age_days: int = 90
    glue_threshold: float = 0.8
    flag_patterns: Tuple[str, ...] = DEFAULT_FLAG_PATTERNS
    glue_modules: Tuple[str, ...] = ()
    algorithm_modules: Tuple[str, ...] = ()
    max_file_size: int = 1_048_576
    """Files larger than this many bytes are reported as ML000 "too large", not parsed."""
    root: str = "."
    """Folder that relative paths in the settings are anchored to (the config file's)."""
    config_file: Optional[str] = None

    def analysis_key(self) -> str:
        """Hash of the settings that change what the per-file stage computes (cache key)."""
        relevant = {
            "flag_patterns": self.flag_patterns,
            "glue_modules": self.glue_modules,
            "algorithm_modules": self.algorithm_modules,
            "glue_threshold": self.glue_threshold,
            "max_file_size": self.max_file_size,
        }
        return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()[:16]

    def is_enabled(self, code: str) -> bool:
        """Whether ``code`` is selected: the most specific selector wins, ignore wins ties."""
        chosen = _longest_match(code, self.select + self.extend_select)
        if chosen < 0:
            return False
        return chosen > _longest_match(code, self.ignore)

    def to_json(self) -> Dict[str, Any]:
        """The settings as JSON data (for reports and hashing)."""
        return asdict(self)


def _longest_match(code: str, selectors: Iterable[str]) -> int:
    best = -1
    for selector in selectors:
        if selector == "ALL":
            best = max(best, 0)
        elif code.startswith(selector):
            best = max(best, len(selector))
    return best


# key in pyproject -> (attribute, kind)
_KEYS: Dict[str, Tuple[str, str]] = {
    "select": ("select", "codes"),
    "ignore": ("ignore", "codes"),
    "extend-select": ("extend_select", "codes"),
    "exclude": ("exclude", "strings"),
    "per-file-ignores": ("per_file_ignores", "table"),
    "max-age-days": ("max_age_days", "int"),
    "glue-threshold": ("glue_threshold", "ratio"),
    "flag-patterns": ("flag_patterns", "regexes"),
    "glue-modules": ("glue_modules", "strings"),
    "algorithm-modules": ("algorithm_modules", "strings"),
    "max-file-size": ("max_file_size", "int"),
}


def apply_overrides(settings: Settings, overrides: Mapping[str, Tuple[str, ...]]) -> Settings:
    """Settings with command-line selections on top: ``select``/``ignore`` replace, the
    ``extend_*`` ones add."""
    values: Dict[str, Any] = {}
    for key in ("select", "ignore"):
        if key in overrides:
            values[key] = overrides[key]
    if "extend_select" in overrides:
        values["extend_select"] = settings.extend_select + overrides["extend_select"]
    if "extend_ignore" in overrides:
        values["ignore"] = values.get("ignore", settings.ignore) + overrides["extend_ignore"]
    return replace(settings, **values)


def config_in(folder: Path) -> Optional[Path]:
    """``folder/pyproject.toml`` if it exists and has a ``[tool.mllint]`` table."""
    candidate = folder / "pyproject.toml"
    return candidate if candidate.is_file() and _has_mllint_table(candidate) else None


def find_config(paths: Sequence[Path]) -> Optional[Path]:
    """The nearest pyproject.toml with a ``[tool.mllint]`` table above the linted paths."""
    starts = [p.resolve() for p in paths] or [Path.cwd().resolve()]
    start = starts[0] if starts[0].is_dir() else starts[0].parent
    for folder in (start, *start.parents):
        found = config_in(folder)
        if found is not None:
            return found
    return None


def _has_mllint_table(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return re.search(r"^\s*\[\s*tool\s*\.\s*mllint\b", text, re.MULTILINE) is not None


def load_settings(config: Optional[Path], fallback_root: Path) -> Settings:
    """Read and validate ``[tool.mllint]`` from ``config`` (defaults when ``None``)."""
    if config is None:
        return Settings(root=str(fallback_root.resolve()))
    name = str(config)
    try:
        with open(config, "rb") as handle:
            document = tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read configuration: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{name}: invalid TOML: {exc}") from None
    table = document.get("tool", {}).get("mllint", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{name}: [tool.mllint] must be a table")
    values = validate_table(table, name)
    return replace(Settings(), root=str(config.parent.resolve()), config_file=name, **values)


def validate_table(table: Mapping[str, Any], name: str) -> Dict[str, Any]:
    """Check every key of a ``[tool.mllint]`` table; return Settings keyword arguments."""
    values: Dict[str, Any] = {}
    for key, value in table.items():
        if key not in _KEYS:
            known = ", ".join(sorted(_KEYS))
            raise ConfigError(f"{name}: [tool.mllint] unknown key '{key}' (known keys: {known})")
        attribute, kind = _KEYS[key]
        values[attribute] = _convert(key, kind, value, name)
    return values


def _convert(key: str, kind: str, value: Any, name: str) -> Any:
    where = f"{name}: [tool.mllint] '{key}'"
    if kind in ("codes", "strings", "regexes"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where} must be a list of strings, got {_type(value)}")
        if kind == "codes":
            return tuple(check_selectors(value, where))
        if kind == "regexes":
            for pattern in value:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ConfigError(f"{where}: invalid regex {pattern!r}: {exc}") from None
        return tuple(value)
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(f"{where} must be a non-negative integer, got {_type(value)}")
        return value
    if kind == "ratio":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise ConfigError(f"{where} must be a number between 0 and 1, got {value!r}")
        return float(value)
    assert kind == "table"
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a table of glob = [codes], got {_type(value)}")
    pairs: List[Tuple[str, Tuple[str, ...]]] = []
    for glob, codes in value.items():
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise ConfigError(f"{where}: '{glob}' must map to a list of codes")
        pairs.append((glob, tuple(check_selectors(codes, f"{where}: '{glob}'"))))
    return tuple(pairs)


def check_selectors(selectors: Iterable[str], where: str) -> List[str]:
    """Validate rule selectors (codes, prefixes such as ``ML1``, or ``ALL``)."""
    from mllint.rules import RULES_BY_CODE

    checked = []
    for selector in selectors:
        selector = selector.strip().upper()
        if not _CODE_SELECTOR.match(selector) or not (
            selector == "ALL" or any(code.startswith(selector) for code in RULES_BY_CODE)
        ):
            raise ConfigError(f"{where}: unknown rule selector '{selector}'")
        checked.append(selector)
    return checked


def _type(value: Any) -> str:
    return type(value).__name__
