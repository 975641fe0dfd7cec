"""Glue versus algorithm: the statement classifier with its local dataflow of value kinds
(:mod:`mllint.glue.classifier`) and the roles of modules and functions
(:mod:`mllint.glue.roles`)."""

from __future__ import annotations

from mllint.glue.classifier import (
    ALGORITHM,
    CONFIG_FIELD,
    GLUE,
    KINDS,
    MODEL_CLASS,
    OTHER,
    Classifier,
    GlueOptions,
    ModuleNames,
    Verdict,
    Vocabulary,
    active_options,
    configure,
    dotted_name,
    glue_ratio,
    is_literal,
    vocabulary,
)

__all__ = [
    "ALGORITHM",
    "CONFIG_FIELD",
    "GLUE",
    "KINDS",
    "MODEL_CLASS",
    "OTHER",
    "Classifier",
    "GlueOptions",
    "ModuleNames",
    "Verdict",
    "Vocabulary",
    "active_options",
    "configure",
    "dotted_name",
    "glue_ratio",
    "is_literal",
    "vocabulary",
]
