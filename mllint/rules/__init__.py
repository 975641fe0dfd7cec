"""The rule catalogue. Codes are stable and never reused."""

from __future__ import annotations

from typing import Dict, List, Type

from mllint.rules.age import StaleExperiment
from mllint.rules.base import FileRule, ProjectRule, Rule
from mllint.rules.comments import CommentedOutCode
from mllint.rules.conditions import ConstantCondition
from mllint.rules.experiments import UnexercisedFlag
from mllint.rules.flags import (
    DeadExperimentCode,
    ExperimentBranch,
    FlagFacts,
    StaleFlagBranch,
    UnusedFlag,
)
from mllint.rules.glue import (
    FormatRoundTrip,
    GlueHeavyFunction,
    GlueHeavyModule,
    GlueHeavySystem,
    PipelineJungle,
)
from mllint.rules.parse import ParseError

ALL_RULES: List[Type[Rule]] = sorted(
    [
        ParseError,
        ConstantCondition,
        GlueHeavyModule,
        GlueHeavyFunction,
        GlueHeavySystem,
        PipelineJungle,
        FormatRoundTrip,
        StaleFlagBranch,
        ExperimentBranch,
        UnusedFlag,
        CommentedOutCode,
        DeadExperimentCode,
        UnexercisedFlag,
        StaleExperiment,
    ],
    key=lambda rule: rule.code,
)
RULES_BY_CODE: Dict[str, Type[Rule]] = {rule.code: rule for rule in ALL_RULES}
FILE_RULES: List[Type[FileRule]] = [r for r in ALL_RULES if issubclass(r, FileRule)]
FILE_RULES.append(FlagFacts)  # a fact collector for the project stage, not a rule of its own
PROJECT_RULES: List[Type[ProjectRule]] = [r for r in ALL_RULES if issubclass(r, ProjectRule)]

__all__ = ["ALL_RULES", "FILE_RULES", "PROJECT_RULES", "RULES_BY_CODE", "Rule"]
