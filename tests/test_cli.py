"""The command line as a user drives it: exit codes, options, formats, errors."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import FIXTURES, ROOT, SAMPLE, CliCaller, run_subprocess, write_tree

SAMPLE_ML101 = [
    "fixtures/sample_project/sample_project/evaluate.py:57:5: ML101",
    "fixtures/sample_project/sample_project/model.py:65:9: ML101",
    "fixtures/sample_project/sample_project/train.py:71:19: ML101",
    "fixtures/sample_project/sample_project/train.py:124:5: ML101",
    "fixtures/sample_project/sample_project/train.py:130:5: ML101",
]
SARIF_CASES_ML101 = [  # fixtures/sarif_cases/, see fixtures/README.md
    "fixtures/sarif_cases/non_ascii.py:6:17: ML101",
    "fixtures/sarif_cases/non_ascii.py:11:5: ML101",
    "fixtures/sarif_cases/old experiment.py:6:5: ML101",
]


def _ml101_lines(stdout: str) -> list[str]:
    return [
        line.split(" ML101 ")[0] + " ML101" for line in stdout.splitlines() if " ML101 " in line
    ]


def test_check_fixtures_prints_flake8_style_findings_and_exits_1(cli: CliCaller) -> None:
    run = cli("check", "fixtures/", "--no-cache", cwd=ROOT)
    assert run.exit_code == 1
    assert _ml101_lines(run.stdout) == SAMPLE_ML101 + SARIF_CASES_ML101
    *lines, summary = run.stdout.splitlines()
    assert summary.startswith(f"Found {len(lines)} findings") and "warnings" in summary
    for line in lines:
        path, line_no, col, rest = line.split(":", 3)
        assert Path(ROOT, path).is_file() and int(line_no) > 0 and int(col) > 0
        assert rest.startswith(" ML")


def test_nested_config_excludes_and_ignores_per_file(cli: CliCaller) -> None:
    run = cli("check", "fixtures/", "--no-cache", cwd=ROOT)
    # notebooks/scratch_*.py is excluded, tests/* ignores ML1, outputs/ is in .gitignore
    assert "notebooks/" not in run.stdout
    assert "sample_project/tests/" not in run.stdout
    assert "outputs/" not in run.stdout


def test_noqa_comments_silence_the_fixture_lines(cli: CliCaller) -> None:
    run = cli("check", "fixtures/", "--no-cache", cwd=ROOT)
    assert "evaluate.py:63:" not in run.stdout  # silenced by a noqa comment naming ML101
    assert "evaluate.py:92:" not in run.stdout  # silenced by a bare noqa comment


def test_explicitly_named_file_is_linted_even_if_excluded(cli: CliCaller) -> None:
    run = cli("check", "notebooks/scratch_01.py", "--no-cache", cwd=SAMPLE)
    assert run.exit_code == 1
    assert run.stdout.startswith("notebooks/scratch_01.py:39:1: ML101")


def test_paths_are_relative_to_the_current_folder(cli: CliCaller) -> None:
    run = cli("check", ".", "--no-cache", "--select", "ML101", cwd=SAMPLE / "sample_project")
    assert "model.py:65:9: ML101" in run.stdout.splitlines()[1]


def test_exit_zero(cli: CliCaller) -> None:
    run = cli("check", "fixtures/", "--no-cache", "--exit-zero", cwd=ROOT)
    assert run.exit_code == 0
    assert "ML101" in run.stdout


def test_clean_tree_exits_0_and_prints_nothing(cli: CliCaller, tmp_path: Path) -> None:
    write_tree(tmp_path, {"ok.py": "x = 1\nwhile True:\n    break\n"})
    run = cli("check", "--no-cache", cwd=tmp_path)
    assert (run.exit_code, run.stdout) == (0, "")


def test_broken_config_exits_2_with_one_line_naming_the_key(cli: CliCaller, tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": "[tool.mllint]\nmax-age-dayz = 3\n", "a.py": "x=1\n"})
    run = cli("check", "--no-cache", cwd=tmp_path)
    assert run.exit_code == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "pyproject.toml" in lines[0] and "'max-age-dayz'" in lines[0]
    assert "Traceback" not in run.stderr


def test_wrong_type_in_config_exits_2(cli: CliCaller, tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": '[tool.mllint]\nmax-age-days = "90"\n', "a.py": ""})
    run = cli("check", "--no-cache", cwd=tmp_path)
    assert run.exit_code == 2
    assert "'max-age-days' must be a non-negative integer, got str" in run.stderr


def test_invalid_toml_exits_2(cli: CliCaller, tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": "[tool.mllint\nselect = [\n", "a.py": ""})
    run = cli("check", "--no-cache", "--config", "pyproject.toml", cwd=tmp_path)
    assert run.exit_code == 2
    assert "invalid TOML" in run.stderr


def test_unknown_rule_selector_is_a_usage_error(cli: CliCaller, tmp_path: Path) -> None:
    run = cli("check", "--no-cache", "--select", "ML999", cwd=tmp_path)
    assert run.exit_code == 2
    assert "ML999" in run.stderr


def test_select_and_ignore(cli: CliCaller, tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.py": "if False:\n    pass\ndef f(:\n"})
    assert cli("check", "--no-cache", cwd=tmp_path).stdout.count("ML000") == 1
    ignored = cli("check", "--no-cache", "--ignore", "ML000", cwd=tmp_path)
    assert ignored.stdout == "" and ignored.exit_code == 0
    write_tree(tmp_path, {"a.py": "if False:\n    pass\n"})
    assert cli("check", "--no-cache", "--select", "ML0", cwd=tmp_path).stdout == ""
    assert "ML101" in cli("check", "--no-cache", "--select", "ML1,ML0", cwd=tmp_path).stdout
    both = cli("check", "--no-cache", "--select", "ML1", "--ignore", "ML101", cwd=tmp_path)
    assert both.stdout == ""
    specific = cli("check", "--no-cache", "--select", "ML101", "--ignore", "ML1", cwd=tmp_path)
    assert "ML101" in specific.stdout


def test_config_selection_and_cli_extend(cli: CliCaller, tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"pyproject.toml": '[tool.mllint]\nignore = ["ML101"]\n', "a.py": "if 0:\n    pass\n"},
    )
    assert cli("check", "--no-cache", cwd=tmp_path).stdout == ""
    run = cli("check", "--no-cache", "--ignore", "ML000", cwd=tmp_path)
    assert "ML101" in run.stdout  # --ignore replaces the configured list


def test_json_format(cli: CliCaller) -> None:
    run = cli("check", "fixtures/", "--no-cache", "--format", "json", "--select", "ML101", cwd=ROOT)
    data = json.loads(run.stdout)
    assert run.exit_code == 1
    first = data[0]
    assert set(first) - {"related"} == {  # related: ML102's constant, ML106's references
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "code",
        "name",
        "message",
        "severity",
        "properties",
        "fingerprint",
    }
    assert first["path"] == "fixtures/sample_project/sample_project/evaluate.py"
    assert (first["line"], first["column"], first["code"]) == (57, 5, "ML101")
    assert first["end_line"] == 57 and first["end_column"] > first["column"]
    assert first["severity"] == "warning" and first["name"] == "constant-condition"


def test_github_format(cli: CliCaller) -> None:
    run = cli(
        "check", "fixtures/", "--no-cache", "--format", "github", "--select", "ML101", cwd=ROOT
    )
    first = run.stdout.splitlines()[0]
    assert first.startswith(
        "::warning file=fixtures/sample_project/sample_project/evaluate.py,line=57,col=5,"
    )
    assert "title=ML101 constant-condition::ML101 " in first


def test_output_file_and_statistics(cli: CliCaller, tmp_path: Path) -> None:
    out = tmp_path / "report.txt"
    run = cli(
        "check",
        "fixtures/",
        "--no-cache",
        "--statistics",
        "--select",
        "ML0,ML101",
        "-o",
        str(out),
        cwd=ROOT,
    )
    assert run.exit_code == 1 and run.stdout == ""
    text = out.read_text(encoding="utf-8")
    assert _ml101_lines("\n".join(text.splitlines()[:-1])) == SAMPLE_ML101 + SARIF_CASES_ML101
    assert text.splitlines()[-2].split() == ["1", "ML000", "parse-error"]
    assert text.splitlines()[-1].split() == ["8", "ML101", "constant-condition"]


def test_statistics_go_to_stderr_for_machine_formats(cli: CliCaller) -> None:
    run = cli("check", "fixtures/", "--no-cache", "--statistics", "--format", "json", cwd=ROOT)
    json.loads(run.stdout)
    assert "ML101 constant-condition" in run.stderr


def test_missing_path_is_reported_and_exits_2(cli: CliCaller, tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.py": "if 0:\n    pass\n"})
    run = cli("check", "--no-cache", "a.py", "nope.py", cwd=tmp_path)
    assert run.exit_code == 2
    assert "nope.py: no such file or folder" in run.stderr
    assert "a.py:1:1: ML101" in run.stdout


def test_rule_command_prints_the_docs(cli: CliCaller) -> None:
    run = cli("rule", "ML101")
    assert run.exit_code == 0
    assert run.stdout.startswith("# constant-condition (ML101)")
    for section in ("## What it does", "## Why is this bad?", "## Example", "Use instead:"):
        assert section in run.stdout
    everything = cli("rule")
    assert "# parse-error (ML000)" in everything.stdout and "(ML101)" in everything.stdout


def test_rule_command_json_and_unknown_code(cli: CliCaller) -> None:
    data = json.loads(cli("rule", "ml101", "--format", "json").stdout)
    assert data["code"] == "ML101" and data["name"] == "constant-condition"
    assert "## What it does" in data["explanation"]
    unknown = cli("rule", "ML999")
    assert unknown.exit_code == 2 and "unknown rule code" in unknown.stderr


def test_python_dash_m_and_version(tmp_path: Path) -> None:
    run = run_subprocess(["--version"], tmp_path)
    assert run.exit_code == 0 and "mllint" in run.stdout
    run = run_subprocess(["check", str(FIXTURES), "--no-cache"], tmp_path)
    assert run.exit_code == 1 and "ML101" in run.stdout


def test_usage_error_exits_2(cli: CliCaller) -> None:
    assert cli("check", "--format", "xml").exit_code == 2
    assert cli("check", "--jobs", "-3").exit_code == 2
