"""Settings the editor gives the server: ``initializationOptions`` at start, and
``workspace/didChangeConfiguration`` later.

They act as ``mllint check``'s command-line options do, on top of each workspace folder's
``[tool.mllint]``: ``select`` and ``ignore`` replace the configuration's lists,
``extend-select`` and ``extend-ignore`` add to them, ``glue-threshold`` and ``max-age-days``
(which a hover on a flag compares its age with) replace theirs. Keys are
spelled as in ``pyproject.toml`` (``extend-select``) or in camel case (``extendSelect``), at
the top level of the object or under ``"mllint"`` (VS Code's and Neovim's ``settings``
convention). A key that is unknown or of the wrong type is reported and ignored; the other
keys still apply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Dict, List, Mapping, Optional, Tuple

from mllint.config import ConfigError, Settings, apply_overrides, validate_table

EDITOR_KEYS = (
    "select",
    "ignore",
    "extend-select",
    "extend-ignore",
    "glue-threshold",
    "max-age-days",
)
"""The ``[tool.mllint]`` keys an editor may set."""

_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")


@dataclass(frozen=True)
class EditorSettings:
    """What the editor chose; ``None`` / empty: the configuration's own value."""

    select: Optional[Tuple[str, ...]] = None
    ignore: Optional[Tuple[str, ...]] = None
    extend_select: Tuple[str, ...] = ()
    extend_ignore: Tuple[str, ...] = ()
    glue_threshold: Optional[float] = None
    max_age_days: Optional[int] = None

    def apply(self, settings: Settings) -> Settings:
        """``settings`` (from a ``[tool.mllint]``) with the editor's choices on top."""
        overrides: Dict[str, Tuple[str, ...]] = {}
        if self.select is not None:
            overrides["select"] = self.select
        if self.ignore is not None:
            overrides["ignore"] = self.ignore
        if self.extend_select:
            overrides["extend_select"] = self.extend_select
        if self.extend_ignore:
            overrides["extend_ignore"] = self.extend_ignore
        settings = apply_overrides(settings, overrides)
        if self.glue_threshold is not None:
            settings = replace(settings, glue_threshold=self.glue_threshold)
        if self.max_age_days is not None:
            settings = replace(settings, max_age_days=self.max_age_days)
        return settings


def _kebab(key: str) -> str:
    return _CAMEL.sub(lambda m: "-" + m.group(1).lower(), key).replace("_", "-")


def parse_editor_settings(value: Any, where: str) -> Tuple[EditorSettings, List[str]]:
    """The editor settings in ``value`` (an ``initializationOptions`` or ``settings`` object),
    and a message for each key that was ignored. ``where`` names the source in messages."""
    if value is None:
        return EditorSettings(), []
    if isinstance(value, Mapping) and isinstance(value.get("mllint"), Mapping):
        value = value["mllint"]
    if not isinstance(value, Mapping):
        return EditorSettings(), [
            f"{where}: expected an object of settings, got {_json_type(value)}"
        ]
    problems: List[str] = []
    values: Dict[str, Any] = {}
    for raw_key, item in value.items():
        key = _kebab(str(raw_key))
        if key not in EDITOR_KEYS:
            problems.append(
                f"{where}: unknown setting '{raw_key}' (known: {', '.join(EDITOR_KEYS)})"
            )
            continue
        try:
            values.update(validate_table({key: item}, where))
        except ConfigError as exc:
            problems.append(str(exc).replace(" [tool.mllint]", ""))
    return EditorSettings(**values), problems


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "null" if value is None else type(value).__name__


NO_EDITOR_SETTINGS = EditorSettings()
"""The configuration's own values throughout."""
