"""The project stage: rules that need every file at once run over the joined per-file facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple

from mllint.config import Settings
from mllint.model import FileResult, Finding
from mllint.rules import PROJECT_RULES
from mllint.rules.glue import GLUE_FACTS


@dataclass(frozen=True)
class Project:
    """Every analysed file's result, for the project-wide rules."""

    settings: Settings
    files: Mapping[str, FileResult]
    launch: Mapping[str, str] = field(default_factory=dict)
    """Text of the launch files (scripts, configs, docs) by path, for ML107; empty unless it
    runs (see :class:`mllint.flags.launch.LaunchTexts`)."""

    def facts(self, family: str) -> Iterator[Tuple[str, Any]]:
        """``(path, facts)`` for every file that recorded facts of ``family``, in path order."""
        for path in sorted(self.files):
            facts = self.files[path].facts.get(family)
            if facts is not None:
                yield path, facts


def run_project_rules(project: Project) -> List[Finding]:
    """Findings of every project-wide rule."""
    findings: List[Finding] = []
    for rule_class in PROJECT_RULES:
        findings.extend(rule_class().check(project))
    return findings


MEASUREMENT_FACTS = frozenset({GLUE_FACTS})
"""Fact families that mostly measure their own file (the glue counts of ``mllint stats``):
only their :data:`SYSTEM_GLUE_KEYS` reach findings in other files."""
SYSTEM_GLUE_KEYS = ("glue", "algorithm", "role")
"""What ML205 reads of each file's glue facts for the finding at its package's
``__init__.py``: the file's glue and algorithm totals and its role (not the per-function
counts, nor the statements classified other)."""


def cross_file_facts(result: FileResult, settings: Optional[Settings] = None) -> Dict[str, Any]:
    """The facts of ``result`` that findings in other files can depend on; with
    ``settings``, the glue totals only when ML205 can report (``max-glue-ratio`` set)."""
    facts = {k: v for k, v in result.facts.items() if k not in MEASUREMENT_FACTS}
    glue = result.facts.get(GLUE_FACTS)
    if isinstance(glue, dict) and (
        settings is None or (settings.max_glue_ratio is not None and settings.is_enabled("ML205"))
    ):
        facts[GLUE_FACTS] = {key: glue.get(key) for key in SYSTEM_GLUE_KEYS}
    return facts
