"""Experiments that outlived their welcome: ML301."""

from __future__ import annotations

from mllint.model import Severity
from mllint.rules.base import Invalid, Rule


class StaleExperiment(Rule):
    """
    ## What it does
    Reports a flag (of ML102, ML103 or ML104) that git history says was introduced more than
    `max-age-days` ago (90 by default). One result per flag, at its definition, or at its first
    read when the project has no definition (environment variables, config attributes). The
    message and the properties give the introduction date and commit, and the age in days.

    ## Why is this bad?
    An experiment flag that has lived for a year is no longer an experiment: it is a permanent
    fork in the code that every change must keep working on both sides. Sculley et al. call
    these dead experimental code paths; the older they get, the less anyone remembers which
    side still matters.

    ## Example
    ```python
    # introduced 412 days ago, still switched off
    USE_NEW_LOSS = False

    if USE_NEW_LOSS:
        loss = focal_loss(logits, labels)
    else:
        loss = cross_entropy(logits, labels)
    ```

    Use instead:
    ```python
    loss = cross_entropy(logits, labels)
    ```

    ## Notes
    Ages come from `git log` and `git blame` (author dates). Outside a git repository, with
    `--no-git`, or without a git executable there are no ages and no ML301. Uncommitted code has
    age 0. In a shallow clone an age that reaches the shallow boundary is a lower bound
    (`properties.ageIsLowerBound`), so a stale flag may be missed there: check out with
    `fetch-depth: 0` in CI. `--reference-date` fixes "today" for reproducible output.
    """

    code = "ML301"
    name = "stale-experiment"
    message = "Experiment flag is older than max-age-days"
    severity = Severity.WARNING
    tags = ("maintainability", "experiment", "git-history")
    VALID = ("USE_NEW_LOSS = False  # introduced last week\n",)
    INVALID = (Invalid("USE_NEW_LOSS = False  # introduced 412 days ago\n", line=1),)
