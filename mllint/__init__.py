"""mllint: a linter for the hidden technical debt of machine-learning code."""

__version__ = "0.1.0"

INFORMATION_URI = "https://github.com/mllint-debt/mllint"
