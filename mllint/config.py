"""Settings: ``[tool.mllint]`` in pyproject.toml, validated, with command-line overrides."""

from __future__ import annotations

import functools
import hashlib
import json
import re
import sys
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from mllint.safeio import TooLarge, UnsafePath, read_limited

if sys.version_info >= (3, 11):
    from re import _constants as sre_constants
    from re import _parser as sre_parse

    import tomllib
else:  # pragma: no cover - exercised on older Pythons only
    import sre_constants
    import sre_parse

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

DEFAULT_PLATFORM_PATTERNS: Tuple[str, ...] = (
    r"(?:^|_)(?:tpu|gpu|cuda|cpu|xla|mps|cudnn|a100|v100|h100|volta|ampere)s?(?:\d|_|$)",
    r"(?:^|_)(?:accel|accelerator|device|devices)(?:_|$)",
    r"(?:^|_)(?:fp16|fp32|bf16|b?float(?:16|32|64)|amp|apex|half|mixed|precision)(?:_|$)",
    r"(?:^|_)(?:jit|compile|tf32|eager)(?:_|$)",
    r"(?:^|_)(?:debug|verbose|quiet|profile|profiler|profiling|benchmark|deterministic)(?:_|$)",
    r"(?:^|_)(?:wandb|tensorboard|tb|mlflow|comet|neptune|visdom|tqdm|log|logging|plot)(?:_|$)",
    r"(?:^|_)(?:dist|distributed|ddp|slurm|submitit|workers|pin|checkpoint|eval)(?:_|$)",
    r"(?:^|_)(?:sync_?bn|bn_?sync|syncbn|cv2|opencv|ffmpeg|grappler|xformers|triton)(?:_|$)",
    r"(?:^|_)(?:flash|fused|kernel|kernels)(?:_|$)",
)
"""Regexes (searched case-insensitively on a flag's name) of platform, precision, debug and
tooling switches: they select where and how a run executes, not which idea is tried, so they
are listed by ``mllint flags`` but are not experiment switches (ML103, ML107, ML301).
Synchronised batch norm across workers, and switches that turn a library or a runtime
component on or off (OpenCV, ffmpeg, TensorFlow's grappler optimiser, xformers, triton,
flash-attention and fused kernels) belong here too: they change how a run executes."""

_CODE_SELECTOR = re.compile(r"^(ALL|ML[0-9]{0,3})$")

MAX_CONFIG_SIZE = 1_048_576
"""A configuration file larger than this many bytes is an error (never read to the end)."""

MAX_PATTERN_LENGTH = 200
"""The longest ``flag-patterns`` entry accepted, in characters."""

MAX_NAME_LENGTH = 128
"""Names longer than this are never matched against ``flag-patterns`` (they are not flags);
with :data:`MAX_PATTERN_PATHS`, this bounds the cost of every match."""

MAX_PATTERN_PATHS = 512
"""The most ways a ``flag-patterns`` entry may have of matching at one position of a name
(the product of its alternatives and of the counts its quantifiers allow, a quantifier
counting up to :data:`MAX_NAME_LENGTH` + 1): Python's backtracking engine may try each of
them, so a pattern such as ``^(a+)+$`` or ``(a|a)(a|a)...`` would take forever on a hostile
name. One open-ended quantifier, as in ``^use_.*_v2$``, is allowed."""


class ConfigError(Exception):
    """A configuration problem; the message names the file and the key."""


@dataclass(frozen=True)
class Settings:
    """The effective settings of one run."""

    select: Tuple[str, ...] = ("ML",)
    ignore: Tuple[str, ...] = ()
    extend_select: Tuple[str, ...] = ()
    extend_ignore: Tuple[str, ...] = ()
    """``extend-ignore``: codes disabled on top of ``ignore`` (``--ignore`` keeps them)."""
    exclude: Tuple[str, ...] = ()
    """``exclude`` then ``extend-exclude``: globs of files and folders discovery skips."""
    fail_on: str = "warning"
    """``fail-on``: the lowest severity that makes the run exit 1 (error, warning or note)."""
    per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    max_age_days: int = 90
    glue_threshold: float = 0.8
    flag_patterns: Tuple[str, ...] = DEFAULT_FLAG_PATTERNS
    platform_flag_patterns: Tuple[str, ...] = DEFAULT_PLATFORM_PATTERNS
    glue_modules: Tuple[str, ...] = ()
    algorithm_modules: Tuple[str, ...] = ()
    glue_roles: Tuple[Tuple[str, str], ...] = ()
    """``glue-roles``: (glob, role) pairs that set a module's role for ML201/ML202."""
    max_glue_ratio: Optional[float] = None
    """``max-glue-ratio``: ML205 reports a package whose glue ratio exceeds it (off: None)."""
    max_file_size: int = 1_048_576
    """Files larger than this many bytes are reported as ML000 "too large", not parsed."""
    root: str = "."
    """Folder that relative paths in the settings are anchored to (the config file's)."""
    config_file: Optional[str] = None
    cache_dir: Optional[str] = None
    """The cache folder (``--cache-dir``; never a ``[tool.mllint]`` key: a repository must not
    choose where mllint writes); ``None``: see :func:`mllint.cache.cache_folder`."""

    def analysis_key(self) -> str:
        """Hash of the settings that change what the per-file stage computes (cache key)."""
        relevant = {
            "flag_patterns": self.flag_patterns,
            "glue_modules": self.glue_modules,
            "algorithm_modules": self.algorithm_modules,
            "glue_threshold": self.glue_threshold,
            "glue_roles": self.glue_roles,
            "max_file_size": self.max_file_size,
        }
        return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()[:16]

    def is_enabled(self, code: str) -> bool:
        """Whether ``code`` is selected: the most specific selector wins, ignore wins ties.
        A preview rule must be selected by its exact code (a prefix or ``ALL`` is not enough)."""
        if code in _preview_codes() and code not in (*self.select, *self.extend_select):
            return False
        chosen = _longest_match(code, self.select + self.extend_select)
        if chosen < 0:
            return False
        return chosen > _longest_match(code, self.ignore + self.extend_ignore)

    def to_json(self) -> Dict[str, Any]:
        """The settings as JSON data (for reports and hashing)."""
        return asdict(self)


@functools.lru_cache(maxsize=1)
def _preview_codes() -> frozenset:  # type: ignore[type-arg]
    from mllint.rules import ALL_RULES

    return frozenset(rule.code for rule in ALL_RULES if rule.preview)


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
    "extend-ignore": ("extend_ignore", "codes"),
    "exclude": ("exclude", "strings"),
    "extend-exclude": ("extend_exclude", "strings"),
    "fail-on": ("fail_on", "severity"),
    "per-file-ignores": ("per_file_ignores", "table"),
    "max-age-days": ("max_age_days", "int"),
    "glue-threshold": ("glue_threshold", "ratio"),
    "flag-patterns": ("flag_patterns", "regexes"),
    "platform-flag-patterns": ("platform_flag_patterns", "regexes"),
    "glue-modules": ("glue_modules", "strings"),
    "algorithm-modules": ("algorithm_modules", "strings"),
    "glue-roles": ("glue_roles", "roles"),
    "max-glue-ratio": ("max_glue_ratio", "ratio"),
    "max-file-size": ("max_file_size", "int"),
}


SEVERITIES: Tuple[str, ...] = ("error", "warning", "note")
"""Severities from the loudest down: ``fail-on`` names one, and every louder one fails too."""


def fails(severity: str, fail_on: str) -> bool:
    """Whether a finding of ``severity`` makes a run with ``fail-on = fail_on`` exit 1."""
    return SEVERITIES.index(severity) <= SEVERITIES.index(fail_on)


def apply_overrides(settings: Settings, overrides: Mapping[str, Tuple[str, ...]]) -> Settings:
    """Settings with command-line selections on top: ``select``/``ignore`` replace, the
    ``extend_*`` ones add."""
    values: Dict[str, Any] = {}
    for key in ("select", "ignore"):
        if key in overrides:
            values[key] = overrides[key]
    for key in ("extend_select", "extend_ignore"):
        if key in overrides:
            values[key] = getattr(settings, key) + overrides[key]
    return replace(settings, **values)


def config_in(folder: Path) -> Optional[Path]:
    """``folder/pyproject.toml`` if it is a regular file with a ``[tool.mllint]`` table.

    A folder that cannot be read, and a pyproject.toml that is a FIFO, a device, too large
    or unreadable, hold no configuration: this never raises and never blocks.
    """
    candidate = folder / "pyproject.toml"
    return candidate if _has_mllint_table(candidate) else None


def find_config(paths: Sequence[Path]) -> Optional[Path]:
    """The nearest pyproject.toml with a ``[tool.mllint]`` table above the linted paths."""
    starts = [p.resolve() for p in paths] or [Path.cwd().resolve()]
    try:
        start = starts[0] if starts[0].is_dir() else starts[0].parent
    except OSError:  # a path inside a folder we may not look into
        start = starts[0].parent
    for folder in (start, *start.parents):
        found = config_in(folder)
        if found is not None:
            return found
    return None


def _has_mllint_table(path: Path) -> bool:
    try:
        data = read_limited(path, MAX_CONFIG_SIZE)
    except OSError:  # missing, unreadable, not a regular file, too large
        return False
    text = data.decode("utf-8", errors="replace")
    return re.search(r"^\s*\[\s*tool\s*\.\s*mllint\b", text, re.MULTILINE) is not None


def read_config(config: Path) -> Dict[str, Any]:
    """The TOML document of a configuration file; :class:`ConfigError` names the file.

    Only a regular file of at most :data:`MAX_CONFIG_SIZE` bytes is read (``--config
    /dev/zero`` or a FIFO is refused at once), and it must be UTF-8.
    """
    name = str(config)
    try:
        data = read_limited(config, MAX_CONFIG_SIZE)
    except TooLarge as exc:
        raise ConfigError(
            f"{name}: cannot read configuration: larger than {exc.limit} bytes"
        ) from None
    except UnsafePath:
        raise ConfigError(f"{name}: cannot read configuration: not a regular file") from None
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read configuration: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{name}: invalid TOML: not UTF-8 (byte {exc.start + 1} of the file)"
        ) from None
    try:
        document: Dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{name}: invalid TOML: {exc}") from None
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise ConfigError(f"{name}: invalid TOML: arrays or tables nested too deeply") from None
    return document


def load_settings(config: Optional[Path], fallback_root: Path) -> Settings:
    """Read and validate ``[tool.mllint]`` from ``config`` (defaults when ``None``)."""
    if config is None:
        return Settings(root=str(fallback_root.resolve()))
    name = str(config)
    document = read_config(config)
    tool = document.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{name}: 'tool' must be a table, got {_toml_type(tool)}")
    table = tool.get("mllint", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{name}: [tool.mllint] must be a table, got {_toml_type(table)}")
    values = validate_table(table, name)
    extend_exclude = values.pop("extend_exclude", ())
    values["exclude"] = values.get("exclude", Settings.exclude) + extend_exclude
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
                problem = check_pattern(pattern)
                if problem is not None:
                    raise ConfigError(f"{where}: invalid regex {_shown(pattern)}: {problem}")
        return tuple(value)
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where} must be a non-negative integer, got {_type(value)}")
        if value < 0:
            raise ConfigError(f"{where} must be a non-negative integer, got {value}")
        return value
    if kind == "severity":
        if not isinstance(value, str) or value.lower() not in SEVERITIES:
            shown = repr(value) if isinstance(value, str) else _type(value)
            raise ConfigError(f"{where} must be one of {', '.join(SEVERITIES)}, got {shown}")
        return value.lower()
    if kind == "ratio":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise ConfigError(f"{where} must be a number between 0 and 1, got {value!r}")
        return float(value)
    if kind == "roles":
        from mllint.glue.roles import ROLES

        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise ConfigError(f"{where} must be a table of glob = role, got {_type(value)}")
        for glob, role in value.items():
            if role not in ROLES:
                raise ConfigError(
                    f"{where}: '{glob}' has unknown role '{role}' (known: {', '.join(ROLES)})"
                )
        return tuple(value.items())
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


def _toml_type(value: Any) -> str:
    if isinstance(value, list):
        return "an array (`[[tool]]` or `tool = [...]`)"
    return f"a {_type(value)}"


def _shown(pattern: str) -> str:
    return repr(pattern if len(pattern) <= 60 else pattern[:57] + "...")


class _Rejected(Exception):
    """A construct whose matching cost cannot be bounded."""


def check_pattern(pattern: str) -> Optional[str]:
    """Why ``pattern`` cannot be a ``flag-patterns`` entry, or ``None`` when it can.

    Python's regex engine backtracks: nested quantifiers (``(a+)+``), a quantified or
    repeated alternation, or many quantifiers in a row make it try exponentially or
    polynomially many ways on a hostile name. Rather than depend on another engine, mllint
    accepts the patterns whose number of ways to match (see :data:`MAX_PATTERN_PATHS`) is
    small, which covers the prefixes, suffixes and words flag patterns are made of.
    """
    if len(pattern) > MAX_PATTERN_LENGTH:
        return f"longer than {MAX_PATTERN_LENGTH} characters"
    try:
        re.compile(pattern, re.IGNORECASE)
        parsed = sre_parse.parse(pattern, re.IGNORECASE)
    except (re.error, RecursionError, OverflowError) as exc:
        return str(exc)
    try:
        paths = _paths(parsed)
    except _Rejected as exc:
        return str(exc)
    if paths > MAX_PATTERN_PATHS:
        return (
            "too costly to match (nested or repeated quantifiers or alternatives, e.g. "
            "`(a+)+` or `.*_.*_`); use at most one open-ended quantifier (`*`, `+`, `{n,}`), "
            "none inside another: patterns are searched anywhere in the name, so a leading "
            "or trailing `.*` is not needed"
        )
    return None


_LIMIT = MAX_PATTERN_PATHS + 1
_SINGLE = {
    sre_constants.LITERAL,
    sre_constants.NOT_LITERAL,
    sre_constants.ANY,
    sre_constants.IN,
    sre_constants.AT,
    sre_constants.CATEGORY,
}
_REPEATS = {
    sre_constants.MAX_REPEAT,
    sre_constants.MIN_REPEAT,
    *([sre_constants.POSSESSIVE_REPEAT] if hasattr(sre_constants, "POSSESSIVE_REPEAT") else []),
}


def _paths(items: Any) -> int:
    """How many ways a parsed sequence may match at one position, saturated at ``_LIMIT``."""
    total = 1
    for op, argument in items:
        total = min(_LIMIT, total * _item_paths(op, argument))
    return total


def _item_paths(op: Any, argument: Any) -> int:
    if op in _SINGLE:
        return 1
    if op is sre_constants.BRANCH:
        return min(_LIMIT, sum(_paths(arm) for arm in argument[1]))
    if op is sre_constants.SUBPATTERN:
        return _paths(argument[-1])
    if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
        return _paths(argument[1])
    if getattr(sre_constants, "ATOMIC_GROUP", None) is op:
        return _paths(argument)
    if op in _REPEATS:
        low, high, body = (int(argument[0]), int(argument[1]), argument[2])
        high = max(low, min(high, MAX_NAME_LENGTH))
        each = _paths(body)
        if each == 1:
            return min(_LIMIT, high - low + 1)
        ways, power = 0, min(_LIMIT, each ** min(low, 64))
        for _ in range(low, high + 1):
            ways = min(_LIMIT, ways + power)
            power = min(_LIMIT, power * each)
            if ways >= _LIMIT:
                break
        return ways
    if op in (sre_constants.GROUPREF, sre_constants.GROUPREF_EXISTS):
        raise _Rejected("back-references are not supported (they can take exponential time)")
    raise _Rejected(f"unsupported construct {op}")
