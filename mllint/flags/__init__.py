"""Flags and experiment switches: per-file facts, the project-wide index, the inventory."""
