"""mllint as a library: :func:`check`, :func:`flags` and :func:`stats` from Python.

Each runs what the command of the same name runs and returns data instead of printing::

    from mllint import api

    for finding in api.check(["src"], select=["ML1"], max_age_days=30):
        print(finding.path, finding.line, finding.code, finding.message)

Settings come from the nearest ``pyproject.toml`` with a ``[tool.mllint]`` table above the
first path (or from ``config``), with the keyword settings on top. A keyword setting is a
``[tool.mllint]`` key with ``_`` for ``-`` (``max_age_days`` for ``max-age-days``) and takes
the values the key takes; like the command line's options, ``select``, ``ignore`` and
``exclude`` replace the configuration's value and ``extend_select``, ``extend_ignore`` and
``extend_exclude`` add to it. Globs (``exclude``, ``per_file_ignores``) are relative to the
configuration file's folder; without one, to the project's root (its git work tree, else the
current folder). Paths in results are absolute, as discovered.

Nothing here prints or exits: a usage, configuration or internal error (what makes the
command line exit 2) raises :class:`MllintError`. The linted code is read, never imported or
run. Runs use and fill the same cache as the command line unless ``cache=False``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import (
    TYPE_CHECKING,
    Any,
    Dict,
    List,
    Literal,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    TypedDict,
    Union,
)

from mllint.config import ConfigError, Settings, apply_overrides, find_config, load_settings
from mllint.flags.inventory import Flag, FlagDates
from mllint.model import Finding, Severity, Span
from mllint.stats import Stats, Tally

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from mllint.ages import History

__all__ = [
    "Finding",
    "Flag",
    "FlagDates",
    "FlagInfo",
    "MllintError",
    "Options",
    "Severity",
    "Span",
    "Stats",
    "Tally",
    "check",
    "flags",
    "stats",
]

PathLike = Union[str, "os.PathLike[str]"]
"""A path as a string or a :class:`pathlib.Path`."""


class MllintError(Exception):
    """A usage, configuration or internal error: a path that does not exist, an unknown or
    ill-typed setting, a broken configuration file or baseline, a file the analysis failed
    on. The message says what and where, as the command line would."""


class Options(TypedDict, total=False):
    """The keyword settings: the ``[tool.mllint]`` keys, with ``_`` for ``-``."""

    select: Sequence[str]
    ignore: Sequence[str]
    extend_select: Sequence[str]
    extend_ignore: Sequence[str]
    exclude: Sequence[str]
    extend_exclude: Sequence[str]
    per_file_ignores: Mapping[str, Sequence[str]]
    fail_on: Literal["error", "warning", "note"]
    max_age_days: int
    glue_threshold: float
    flag_patterns: Sequence[str]
    platform_flag_patterns: Sequence[str]
    glue_modules: Sequence[str]
    algorithm_modules: Sequence[str]
    glue_roles: Mapping[str, str]
    max_glue_ratio: float
    max_file_size: int


@dataclass(frozen=True)
class FlagInfo:
    """One flag of :func:`flags`: what ``mllint flags`` lists about it."""

    flag: Flag
    """Its name, kind, definition, value or default, reads, and whether it is constant."""
    dates: Optional[FlagDates]
    """When it was introduced and last changed, from git; ``None`` without history."""


_SELECTION = ("select", "ignore", "extend_select", "extend_ignore")


def _targets(paths: Union[PathLike, Sequence[PathLike]]) -> List[Path]:
    if isinstance(paths, (str, os.PathLike)):
        return [Path(paths)]
    targets = [Path(p) for p in paths]
    return targets or [Path(".")]


def _toml_value(value: Any) -> Any:
    """A keyword setting's value as TOML data: tuples as lists, mappings as tables."""
    if isinstance(value, Mapping):
        return {k: _toml_value(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return list(value)
    return value


def _validated(options: Mapping[str, Any]) -> Dict[str, Any]:
    """The keyword settings checked as ``[tool.mllint]`` checks its keys: Settings values."""
    from mllint.config import validate_table

    values: Dict[str, Any] = {}
    for name, value in options.items():
        if name not in Options.__annotations__:
            known = ", ".join(sorted(Options.__annotations__))
            raise MllintError(f"unknown setting '{name}' (known settings: {known})")
        key = name.replace("_", "-")
        try:
            values.update(validate_table({key: _toml_value(value)}, "mllint.api"))
        except ConfigError as exc:
            message = str(exc).replace(f"mllint.api: [tool.mllint] '{key}'", f"'{name}'")
            raise MllintError(f"setting {message}") from None
    return values


def _settings(
    targets: Sequence[Path],
    config: Optional[PathLike],
    cache_dir: Optional[PathLike],
    options: Mapping[str, Any],
) -> Tuple[Settings, Dict[str, Tuple[str, ...]]]:
    """The run's settings and the selection overrides nested configurations get too."""
    from mllint.cache import locate, project_root

    values = _validated(options)
    try:
        found = Path(config) if config is not None else find_config(targets)
        settings = load_settings(found, project_root(targets))
    except ConfigError as exc:
        raise MllintError(str(exc)) from None
    overrides = {key: tuple(values.pop(key)) for key in _SELECTION if key in values}
    if "extend_exclude" in values:
        values["exclude"] = values.get("exclude", settings.exclude) + values.pop("extend_exclude")
    settings = apply_overrides(replace(settings, **values), overrides)
    chosen = None if cache_dir is None else os.fspath(cache_dir)
    return replace(settings, cache_dir=str(locate(targets, chosen))), overrides


def _history(
    targets: Sequence[Path],
    settings: Settings,
    use_git: bool,
    reference_date: Optional[datetime],
    cache: bool,
    jobs: int,
) -> Optional[History]:
    from mllint.cli import make_history
    from mllint.engine import default_jobs

    return make_history(
        targets,
        settings,
        no_git=not use_git,
        reference_date=reference_date,
        use_cache=cache,
        jobs=jobs or default_jobs(),
    )


def _raise_problems(missing: Sequence[str], errors: Sequence[str]) -> None:
    problems = [f"{path}: no such file or folder" for path in missing] + list(errors)
    if problems:
        raise MllintError("; ".join(problems))


def check(
    paths: Union[PathLike, Sequence[PathLike]],
    *,
    config: Optional[PathLike] = None,
    baseline: Optional[PathLike] = None,
    use_git: bool = True,
    reference_date: Optional[datetime] = None,
    cache: bool = True,
    cache_dir: Optional[PathLike] = None,
    jobs: int = 0,
    **settings: Unpack[Options],
) -> List[Finding]:
    """Lint ``paths`` (files or folders) as ``mllint check`` does; return the findings it
    would print, in file and position order.

    ``config``: a file to read ``[tool.mllint]`` from instead of the nearest one.
    ``baseline``: a JSON or SARIF report of an earlier run whose findings are left out.
    ``use_git``: read git history for ages (``properties["ageDays"]``...) and ML301.
    ``reference_date``: count ages up to this moment (UTC unless it says) instead of now.
    ``cache`` / ``cache_dir``: use the cache (``--no-cache``, ``--cache-dir``).
    ``jobs``: worker processes (0: one per CPU). ``settings``: see :class:`Options`.
    Raises :class:`MllintError`.
    """
    from mllint.engine import run_check

    targets = _targets(paths)
    run_settings, overrides = _settings(targets, config, cache_dir, settings)
    history = _history(targets, run_settings, use_git, reference_date, cache, jobs)
    try:
        result = run_check(
            targets,
            run_settings,
            overrides=overrides,
            jobs=jobs,
            use_cache=cache,
            history=history,
        )
    except ConfigError as exc:  # a nested pyproject.toml found while walking
        raise MllintError(str(exc)) from None
    _raise_problems(result.missing, result.errors)
    if baseline is not None:
        from mllint.baseline import BaselineError, hide_baselined, load_baseline
        from mllint.repository import root_of

        try:
            known = load_baseline(Path(baseline))
        except BaselineError as exc:
            raise MllintError(str(exc)) from None
        result = hide_baselined(result, root_of(run_settings.root), known)
    return list(result.findings)


def flags(
    paths: Union[PathLike, Sequence[PathLike]],
    *,
    config: Optional[PathLike] = None,
    use_git: bool = True,
    reference_date: Optional[datetime] = None,
    cache: bool = True,
    cache_dir: Optional[PathLike] = None,
    jobs: int = 0,
    **settings: Unpack[Options],
) -> List[FlagInfo]:
    """Every flag and experiment switch of the project, as ``mllint flags`` lists them
    (sorted by kind, name and place), with their ages from git when ``use_git``.
    Keywords as for :func:`check`. Raises :class:`MllintError`."""
    from mllint.engine import analyze_tree, project_flags
    from mllint.project import Project

    targets = _targets(paths)
    run_settings, _ = _settings(targets, config, cache_dir, settings)
    try:
        tree = analyze_tree(targets, run_settings, jobs=jobs, use_cache=cache)
    except ConfigError as exc:
        raise MllintError(str(exc)) from None
    _raise_problems(tree.missing, tree.errors)
    project = Project(settings=run_settings, files={p: tree.results[p] for p in tree.files})
    found = project_flags(project)
    history = _history(targets, run_settings, use_git, reference_date, cache, jobs)
    ages = {} if history is None else history.inventory_ages(found)
    return [FlagInfo(flag, ages.get(flag.key)) for flag in found]


def stats(
    paths: Union[PathLike, Sequence[PathLike]],
    *,
    config: Optional[PathLike] = None,
    cache: bool = True,
    cache_dir: Optional[PathLike] = None,
    jobs: int = 0,
    **settings: Unpack[Options],
) -> Stats:
    """Glue versus algorithm statements per file, folder and import package and in total,
    as ``mllint stats`` measures them (paths absolute). Keywords as for :func:`check`.
    Raises :class:`MllintError`."""
    from mllint.engine import analyze_tree
    from mllint.rules.glue import GLUE_FACTS
    from mllint.stats import tally

    targets = _targets(paths)
    run_settings, _ = _settings(targets, config, cache_dir, settings)
    try:
        tree = analyze_tree(
            targets, run_settings, jobs=jobs, use_cache=cache, needs_facts=GLUE_FACTS
        )
    except ConfigError as exc:
        raise MllintError(str(exc)) from None
    _raise_problems(tree.missing, tree.errors)
    return tally(tree.results, {path: path for path in tree.results})
