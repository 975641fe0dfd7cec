"""``check --fix``, ``--unsafe-fixes``, ``--diff`` and ``--fix-only`` on the command line.

As in ruff: ``--fix`` applies the safe fixes (and the unsafe ones with ``--unsafe-fixes``),
then the run goes on and reports what is left; ``--diff`` prints the fixes as a unified diff
and writes nothing (exit 1 when there is a diff); ``--fix-only`` applies them and reports
nothing but the summary (exit 0). The summary goes to standard error:
``Found 5 findings (3 fixed, 2 remaining).`` and ``2 more fixable with --unsafe-fixes.``
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Mapping, Optional, Sequence, Tuple

import click

from mllint.config import Settings
from mllint.display import display_path, printable
from mllint.fixing.engine import FixRun, apply_fixes, unified_diff, write_fixes
from mllint.fixing.plan import UNSAFE, applicability
from mllint.model import Finding


@dataclass
class FixOutcome:
    """What the fix step did, for the rest of ``check``."""

    run: FixRun
    unsafe: bool
    exit_code: Optional[int] = None
    """Set when the command ends here (``--diff``, ``--fix-only``)."""
    failures: List[str] = field(default_factory=list)

    def summary(self, remaining: Sequence[Finding]) -> str:
        """``Found N findings (M fixed, K remaining).`` and the unsafe hint, one per line."""
        fixed = len(self.run.fixed)
        total = fixed + len(remaining)
        lines = [f"Found {_count(total, 'finding')} ({fixed} fixed, {len(remaining)} remaining)."]
        hidden = 0 if self.unsafe else sum(1 for f in remaining if applicability(f) == UNSAFE)
        if hidden:
            lines.append(f"{hidden} more fixable with --unsafe-fixes.")
        return "\n".join(lines) + "\n"


def run_fixes(
    targets: Sequence[Path],
    settings: Settings,
    *,
    overrides: Mapping[str, Tuple[str, ...]],
    jobs: int,
    use_cache: bool,
    unsafe: bool,
    diff: bool,
    fix_only: bool,
    quiet: bool,
) -> FixOutcome:
    """Fix ``targets``; with ``diff`` print the diff instead of writing."""
    run = apply_fixes(
        targets, settings, unsafe=unsafe, overrides=overrides, jobs=jobs, use_cache=use_cache
    )
    outcome = FixOutcome(run=run, unsafe=unsafe, failures=list(run.failures))
    if diff:
        text = unified_diff(run.changes)
        click.echo(text, nl=False)
        _report(outcome.failures)
        _notes(run.fixed, diff=True, quiet=quiet)
        if not quiet:
            fixed = len(run.fixed)
            files = len(run.changes)
            click.echo(
                f"Would fix {_count(fixed, 'finding')} in {_count(files, 'file')}.", err=True
            )
        outcome.exit_code = 1 if text else (2 if run.errors else 0)
        return outcome
    unwritten = write_fixes(run, targets)
    outcome.failures.extend(f"{path}: not fixed: {why}" for path, why in unwritten.items())
    _report(outcome.failures)
    _notes(run.fixed, diff=False, quiet=quiet)
    if fix_only:
        if not quiet:
            click.echo(outcome.summary(run.remaining), err=True, nl=False)
        outcome.exit_code = 2 if run.errors or run.missing else 0
    return outcome


def _report(failures: Sequence[str]) -> None:
    for failure in failures:
        click.echo(f"mllint: warning: {printable(failure)}", err=True)


def _notes(fixed: Sequence[Finding], *, diff: bool, quiet: bool) -> None:
    if not quiet:
        for note in option_notes(fixed, diff):
            click.echo(f"mllint: note: {printable(note)}", err=True)


def option_notes(fixed: Sequence[Finding], diff: bool) -> List[str]:
    """What to check after ML104 fixes: the launchers that may still pass a deleted option."""
    verb = "would delete" if diff else "deleted"
    notes = []
    for finding in fixed:
        if finding.code == "ML104":
            flag = finding.properties.get("flag", "")
            where = f"{display_path(finding.path, Path.cwd())}:{finding.line}"
            notes.append(
                f"{where}: {verb} the option `{flag}`: a launcher script, config or job file "
                "may still pass it (check them before running)"
            )
    return notes


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")
