"""The conventions of ruff and flake8 users (issue 15, items 1-8), through the real CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Optional

import pytest

from mllint.cli import main
from tests.conftest import CliCaller, Run, _runner, run_subprocess, write_tree
from tests.gitrepo import GitRepo

NOTE_ONLY = {  # ML103, a note: a live experiment read from the environment
    "train.py": 'import os\nUSE_X = os.environ.get("USE_X")\nif USE_X:\n    pass\n'
}
WARNING = "if False:\n    x = 1\n"  # ML101, a warning
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(autouse=True)
def _plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FORCE_COLOR", "NO_COLOR", "CI", "MLLINT_PROGRESS_DELAY"):
        monkeypatch.delenv(name, raising=False)


# -- 1. exit status by severity ---------------------------------------------------------------


def test_notes_are_shown_but_exit_0_by_default(cli: CliCaller, tmp_path: Path) -> None:
    write_tree(tmp_path, NOTE_ONLY)
    run = cli("check", "--no-cache", ".", cwd=tmp_path)
    assert run.exit_code == 0, run.stdout
    assert "train.py:3:1: ML103 " in run.stdout
    assert cli("check", "--no-cache", "--fail-on", "note", ".", cwd=tmp_path).exit_code == 1
    assert cli("check", "--no-cache", "--fail-on", "NOTE", ".", cwd=tmp_path).exit_code == 1


def test_fail_on_error_lets_warnings_pass_but_not_parse_errors(
    cli: CliCaller, tmp_path: Path
) -> None:
    write_tree(tmp_path, {"a.py": WARNING})
    assert cli("check", "--no-cache", ".", cwd=tmp_path).exit_code == 1
    assert cli("check", "--no-cache", "--fail-on", "error", ".", cwd=tmp_path).exit_code == 0
    write_tree(tmp_path, {"b.py": "def f(:\n"})
    assert cli("check", "--no-cache", "--fail-on", "error", ".", cwd=tmp_path).exit_code == 1


def test_fail_on_in_the_configuration(cli: CliCaller, tmp_path: Path) -> None:
    write_tree(tmp_path, {**NOTE_ONLY, "pyproject.toml": '[tool.mllint]\nfail-on = "note"\n'})
    assert cli("check", "--no-cache", ".", cwd=tmp_path).exit_code == 1
    # the command line wins over the file
    assert cli("check", "--no-cache", "--fail-on", "warning", ".", cwd=tmp_path).exit_code == 0
    write_tree(tmp_path, {"pyproject.toml": '[tool.mllint]\nfail-on = "loud"\n'})
    run = cli("check", "--no-cache", ".", cwd=tmp_path)
    assert run.exit_code == 2
    assert "'fail-on' must be one of error, warning, note, got 'loud'" in run.stderr


# -- 2. ages only where they mean something; ML000 names its line once --------------------------


def test_parse_error_does_not_repeat_the_line(cli: CliCaller, tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.py": 'x = 1\ns = "never closed\n'})
    run = cli("check", "--no-cache", ".", cwd=tmp_path)
    (line,) = [x for x in run.stdout.splitlines() if " ML000 " in x]
    assert line.endswith("unterminated string literal (detected at line 2)"), line
    write_tree(tmp_path, {"a.py": "x = 1\ny = (\n"})
    run = cli("check", "--no-cache", ".", cwd=tmp_path)
    assert "was never closed (line 2)" in run.stdout  # a message without a line gets one


# -- 3. summary, statistics, quiet, verbose, empty runs --------------------------------------


def test_summary_line_counts_findings_by_severity(cli: CliCaller, tmp_path: Path) -> None:
    write_tree(tmp_path, {**NOTE_ONLY, "a.py": WARNING, "b.py": WARNING})
    run = cli("check", "--no-cache", ".", cwd=tmp_path)
    lines = run.stdout.splitlines()
    assert lines[-1] == "Found 3 findings (2 fixable with --fix): 2 warnings, 1 note."
    assert len(lines) == 4 and run.stderr == ""
    write_tree(tmp_path, {"b.py": "x = 1\n", "train.py": "y = 2\n"})
    run = cli("check", "--no-cache", ".", cwd=tmp_path)
    assert run.stdout.splitlines()[-1] == "Found 1 finding (1 fixable with --fix): 1 warning."


def test_clean_run_prints_nothing(cli: CliCaller, tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.py": "x = 1\n"})
    run = cli("check", "--no-cache", ".", cwd=tmp_path)
    assert (run.exit_code, run.stdout, run.stderr) == (0, "", "")


def test_machine_formats_get_no_summary(cli: CliCaller, tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.py": WARNING})
    for fmt in ("json", "sarif"):
        run = cli("check", "--no-cache", "--format", fmt, ".", cwd=tmp_path)
        json.loads(run.stdout)
        assert "Found" not in run.stdout + run.stderr
    run = cli("check", "--no-cache", "--format", "github", ".", cwd=tmp_path)
    assert run.stdout.startswith("::warning ") and len(run.stdout.splitlines()) == 1


def test_summary_goes_to_stderr_when_the_report_goes_to_a_file(
    cli: CliCaller, tmp_path: Path
) -> None:
    write_tree(tmp_path, {"a.py": WARNING})
    run = cli("check", "--no-cache", "-o", "out.txt", ".", cwd=tmp_path)
    assert run.stdout == "" and run.stderr.startswith("Found 1 finding")
    assert (tmp_path / "out.txt").read_text().startswith("a.py:1:1: ML101 ")
    assert "Found" not in (tmp_path / "out.txt").read_text()


def test_statistics_have_a_header(cli: CliCaller, tmp_path: Path) -> None:
    write_tree(tmp_path, {**NOTE_ONLY, "a.py": WARNING, "b.py": WARNING})
    run = cli("check", "--no-cache", "--statistics", ".", cwd=tmp_path)
    lines = run.stdout.splitlines()
    table = lines[lines.index("Count Code  Name") :]
    assert [row.split() for row in table[1:3]] == [
        ["2", "ML101", "constant-condition"],
        ["1", "ML103", "experiment-branch"],
    ]
    assert lines[lines.index("Count Code  Name") - 1] == ""  # set apart from the findings
    assert table[-1].startswith("Found 3 findings")


def test_quiet_prints_the_findings_only(cli: CliCaller, tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.py": WARNING})
    run = cli("check", "--no-cache", "-q", ".", "--category", "x", cwd=tmp_path)
    assert run.stdout == "a.py:1:1: ML101 `if False` is never true: its body is dead code\n"
    assert run.stderr == "" and run.exit_code == 1


def test_verbose_names_files_cache_hits_and_timings(cli: CliCaller, tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.py": WARNING, "b.py": "x = 1\n"})
    first = cli("check", "-v", ".", cwd=tmp_path)
    assert "mllint: checked a.py" in first.stderr and "mllint: checked b.py" in first.stderr
    assert "2 files: 0 from the cache, 2 analysed" in first.stderr
    assert re.search(r"timings: .*analysing \d+\.\d\d s.*total \d+\.\d\d s", first.stderr)
    second = cli("check", "-v", ".", cwd=tmp_path)
    assert "2 files: 2 from the cache, 0 analysed" in second.stderr
    assert second.stdout == first.stdout  # nothing of -v on standard output
    assert "checked" not in cli("check", ".", cwd=tmp_path).stderr


def test_empty_run_warns_like_ruff(cli: CliCaller, tmp_path: Path) -> None:
    write_tree(tmp_path, {"notes.txt": "nothing to lint\n"})
    run = cli("check", "--no-cache", ".", cwd=tmp_path)
    assert run.exit_code == 0 and run.stdout == ""
    assert run.stderr == "mllint: warning: No Python files found under the given path(s)\n"
    assert cli("check", "--no-cache", "-q", ".", cwd=tmp_path).stderr == ""


# -- 4. colour and --show-source ------------------------------------------------------------------


def test_colour_is_forced_by_force_color_and_refused_by_no_color(
    cli: CliCaller, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, {"a.py": WARNING})
    plain = cli("check", "--no-cache", ".", cwd=tmp_path)  # click's runner: not a terminal
    assert not ANSI.search(plain.stdout)
    monkeypatch.setenv("FORCE_COLOR", "1")
    coloured = cli("check", "--no-cache", ".", cwd=tmp_path)
    assert ANSI.search(coloured.stdout)
    assert ANSI.sub("", coloured.stdout) == plain.stdout
    out = tmp_path / "out.txt"  # a report file is never coloured
    cli("check", "--no-cache", "-o", str(out), ".", cwd=tmp_path)
    assert not ANSI.search(out.read_text())
    monkeypatch.delenv("FORCE_COLOR")
    monkeypatch.setenv("NO_COLOR", "1")
    assert not ANSI.search(cli("check", "--no-cache", ".", cwd=tmp_path).stdout)


def test_show_source_marks_the_span_with_carets(cli: CliCaller, tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.py": "def f(x):\n    y = 1 if False else 2\n    return y\n"})
    run = cli("check", "--no-cache", "--show-source", ".", cwd=tmp_path)
    lines = run.stdout.splitlines()
    assert lines[0].startswith("a.py:2:9: ML101 ")
    assert lines[1:4] == [
        "  |",
        "2 |     y = 1 if False else 2",
        "  |         ^^^^^^^^^^^^^^^^^",
    ]
    write_tree(tmp_path, {"a.py": "x = 1\ns = 2\nif 0:\n\tpass\n"})
    run = cli("check", "--no-cache", "--show-source", ".", cwd=tmp_path)
    assert run.stdout.splitlines()[1:4] == ["  |", "3 | if 0:", "  | ^^^^"]


# -- 6. standard input ------------------------------------------------------------------------


def test_stdin_is_linted_as_the_named_file(cli: CliCaller, tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": '[tool.mllint]\nper-file-ignores = { "tests/*" = ["ML1"] }\n',
            "pkg/__init__.py": "",
            "pkg/config.py": "USE_NEW = False\n",
            "pkg/train.py": "if 0:\n    pass\n",  # on disk: ML101; the buffer replaces it
        },
    )
    text = "from pkg.config import USE_NEW\n\nif USE_NEW:\n    print(1)\n"
    run = _stdin(cli, tmp_path, text, "pkg/train.py")
    # the project index sees pkg/config.py: USE_NEW is a constant, the branch is stale
    assert run.stdout.splitlines()[0].startswith("pkg/train.py:3:1: ML102 ")
    assert "pkg/train.py:1:1" not in run.stdout  # the file on disk is not what is linted
    assert "pkg/config.py" not in run.stdout and run.exit_code == 1
    assert _stdin(cli, tmp_path, "if 0:\n    pass\n", "tests/test_x.py").stdout == ""
    # named through a symbolic link: still the project's own file, read once
    (tmp_path.parent / f"{tmp_path.name}-link").symlink_to(tmp_path)
    name = str(tmp_path.parent / f"{tmp_path.name}-link" / "pkg" / "train.py")
    run = _stdin(cli, tmp_path, text, name, "-v")
    assert run.stdout.startswith("pkg/train.py:3:1: ML102 ")
    assert "3 files: 0 from the cache, 3 analysed" in run.stderr


def test_stdin_without_a_filename_and_misuse(cli: CliCaller, tmp_path: Path) -> None:
    run = _stdin(cli, tmp_path, "if 0:\n    pass\n", None)
    assert run.stdout.startswith("-:1:1: ML101 ")
    run = cli("check", "-", "a.py", cwd=tmp_path)
    assert run.exit_code == 2 and "cannot be combined" in run.stderr
    write_tree(tmp_path, {"a.py": "x = 1\n"})
    run = cli("check", "--no-cache", "--stdin-filename", "a.py", "a.py", cwd=tmp_path)
    assert "--stdin-filename does nothing without `-`" in run.stderr


def _stdin(cli: CliCaller, cwd: Path, text: str, name: Optional[str], *more: str) -> Run:
    args = ["check", "--no-cache", *more, "-"] + (["--stdin-filename", name] if name else [])
    cli.monkeypatch.chdir(cwd)
    result = _runner().invoke(main, args, input=text.encode(), catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)


# -- 7. --since and --force-exclude -----------------------------------------------------------


def test_since_reports_only_changed_lines_and_new_files(cli: CliCaller, tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "r")
    old = "if 0:\n    pass\n\n\nif 0:\n    pass\n"
    repo.commit(
        {
            "old file.py": old,
            "other.py": "if 0:\n    pass\n",
            "quiet.py": "if 0:  # noqa\n    x = 1\n",
        },
        days_ago=30,
    )
    repo.commit({"other.py": "if False:\n    pass\n"}, days_ago=20)
    # a line added above the second `if` moves it unchanged; the first `if` is edited
    repo.write({"old file.py": "if 0:  # edited\n    pass\n\n# added\n\nif 0:\n    pass\n"})
    repo.write({"new.py": "if False:\n    y = 2\n"})
    everything = cli("check", "--no-cache", ".", cwd=repo.root)
    assert len([x for x in everything.stdout.splitlines() if " ML101 " in x]) == 4
    run = cli("check", "--no-cache", "--since", "HEAD", ".", cwd=repo.root)
    assert [x.split(" ML101")[0] for x in run.stdout.splitlines()[:-1]] == [
        "new.py:1:1:",
        "old file.py:1:1:",
    ]
    sarif = cli(
        *("check", "--no-cache", "--since", "HEAD", "--format", "sarif"),
        *("--include-suppressed", "."),
        cwd=repo.root,
    )
    results = [r for one in json.loads(sarif.stdout)["runs"] for r in one["results"]]
    # quiet.py's silenced finding lies on an unchanged line: left out as well
    assert len(results) == 2 and not any("suppressions" in r for r in results)
    run = cli("check", "--no-cache", "--since", "HEAD~1", ".", cwd=repo.root)
    assert [x.split(" ML101")[0] for x in run.stdout.splitlines()[:-1]] == [
        "new.py:1:1:",
        "old file.py:1:1:",
        "other.py:1:1:",
    ]
    bad = cli("check", "--no-cache", "--since", "no-such-ref", ".", cwd=repo.root)
    assert bad.exit_code == 2 and "unknown revision 'no-such-ref'" in bad.stderr
    outside = tmp_path / "plain"
    write_tree(outside, {"a.py": "x = 1\n"})
    run = cli("check", "--no-cache", "--since", "HEAD", ".", cwd=outside)
    assert run.exit_code == 2 and "needs a git repository" in run.stderr


def test_force_exclude_applies_exclude_to_named_files(cli: CliCaller, tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": '[tool.mllint]\nexclude = ["scratch/"]\n',
            "scratch/a.py": WARNING,
            "b.py": WARNING,
        },
    )
    assert "scratch/a.py:1:1" in cli("check", "--no-cache", "scratch/a.py", cwd=tmp_path).stdout
    run = cli("check", "--no-cache", "--force-exclude", "scratch/a.py", "b.py", cwd=tmp_path)
    assert "scratch/a.py" not in run.stdout and run.stdout.startswith("b.py:1:1: ML101")
    run = cli("check", "--no-cache", "--force-exclude", "scratch/a.py", cwd=tmp_path)
    assert run.exit_code == 0 and run.stdout == ""


# -- 8. configuration parity and one error style ----------------------------------------------


def test_extend_ignore_and_extend_exclude_in_the_configuration(
    cli: CliCaller, tmp_path: Path
) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": '[tool.mllint]\nexclude = ["a/"]\nextend-exclude = ["b/"]\n'
            'extend-ignore = ["ML103"]\n',
            "a/x.py": WARNING,
            "b/x.py": WARNING,
            "c/x.py": WARNING,
            **NOTE_ONLY,
        },
    )
    run = cli("check", "--no-cache", "--fail-on", "note", ".", cwd=tmp_path)
    assert [x.split(":")[0] for x in run.stdout.splitlines()[:-1]] == ["c/x.py"]
    # --ignore replaces `ignore`, not `extend-ignore`
    run = cli("check", "--no-cache", "--ignore", "ML2", ".", cwd=tmp_path)
    assert "ML103" not in run.stdout


def test_negative_max_age_days_names_the_value(cli: CliCaller, tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": "[tool.mllint]\nmax-age-days = -3\n", "a.py": ""})
    run = cli("check", ".", cwd=tmp_path)
    assert run.exit_code == 2 and "'max-age-days' must be a non-negative integer, got -3" in (
        run.stderr
    )


def test_usage_errors_share_mllints_error_style(tmp_path: Path) -> None:
    run = run_subprocess(["check", "--format", "xml"], tmp_path)
    assert run.exit_code == 2
    assert run.stderr.startswith("mllint: error: Invalid value for '--format'")
    assert "Usage:" not in run.stderr and len(run.stderr.splitlines()) == 1
    run = run_subprocess(["check", "--no-such-option"], tmp_path)
    assert run.exit_code == 2 and run.stderr.startswith("mllint: error: No such option")


def test_options_that_do_nothing_in_the_format_warn(cli: CliCaller, tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.py": "x = 1\n"})
    run = cli("check", "--no-cache", "--category", "ml", "--include-suppressed", ".", cwd=tmp_path)
    assert "--category does nothing with --format text (only sarif)" in run.stderr
    assert "--include-suppressed does nothing with --format text" in run.stderr
    run = cli("check", "--no-cache", "--format", "json", "--show-source", ".", cwd=tmp_path)
    assert "--show-source does nothing with --format json (only text)" in run.stderr
    run = cli("check", "--no-cache", "--format", "sarif", "--category", "ml", ".", cwd=tmp_path)
    assert "warning" not in run.stderr


def test_write_baseline_says_how_many_findings(cli: CliCaller, tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.py": WARNING, "b.py": WARNING})
    run = cli("check", "--no-cache", "--write-baseline", "base.json", ".", cwd=tmp_path)
    assert "mllint: wrote 2 findings to the baseline base.json" in run.stderr
    assert len(json.loads((tmp_path / "base.json").read_text())) == 2


def test_reference_date_before_the_first_commit_warns(cli: CliCaller, tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "r")
    repo.commit({"a.py": "x = 1\n"}, days_ago=10)  # 2026-05-22
    run = cli("check", "--no-cache", "--reference-date", "2020-01-01", ".", cwd=repo.root)
    assert "--reference-date 2020-01-01 is before the first commit (2026-05-22)" in run.stderr
    run = cli("check", "--no-cache", "--reference-date", "2026-06-01", ".", cwd=repo.root)
    assert "before the first commit" not in run.stderr
    run = cli("flags", "--no-cache", "--reference-date", "2020-01-01", ".", cwd=repo.root)
    assert "is before the first commit (2026-05-22)" in run.stderr and run.exit_code == 0


def test_rule_accepts_names(cli: CliCaller) -> None:
    run = cli("rule", "constant-condition")
    assert run.exit_code == 0 and run.stdout.startswith("# constant-condition (ML101)")
    assert cli("rule", "Stale_Flag_Branch").stdout.startswith("# stale-flag-branch (ML102)")
    run = cli("rule", "no-such-rule")
    assert run.exit_code == 2 and "unknown rule code or name 'no-such-rule'" in run.stderr
