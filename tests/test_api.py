"""``mllint.api``: check, flags and stats from Python (issue 15, item 11)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List

import pytest

from mllint import api
from mllint.config import _KEYS
from tests.conftest import ROOT, SAMPLE, CliCaller, write_tree
from tests.gitrepo import GitRepo

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
REF = "--reference-date=2026-06-01T12:00:00"
DEAD = "if False:\n    x = 1\n"


def _aged(root: Path) -> GitRepo:
    repo = GitRepo(root)
    repo.commit({"cfg.py": "USE_NEW_LOSS = False\n"}, days_ago=200)
    repo.commit({"train.py": "from cfg import USE_NEW_LOSS\nif USE_NEW_LOSS:\n    x = 1\n"}, 100)
    return repo


def test_check_returns_what_the_command_prints(
    cli: CliCaller, capsys: pytest.CaptureFixture[str]
) -> None:
    printed = json.loads(cli("check", "--format", "json", ".", cwd=SAMPLE).stdout)
    capsys.readouterr()
    findings = api.check(SAMPLE)
    assert capsys.readouterr().out == ""
    assert all(isinstance(f, api.Finding) and Path(f.path).is_absolute() for f in findings)
    assert [(Path(f.path).relative_to(SAMPLE).as_posix(), f.line, f.code) for f in findings] == [
        (f["path"], f["line"], f["code"]) for f in printed
    ]
    assert len(findings) > 5


def test_keyword_settings_are_the_tool_mllint_keys(tmp_path: Path) -> None:
    repo = _aged(tmp_path / "r")
    codes = {f.code for f in api.check(repo.root, reference_date=NOW)}
    assert codes == {"ML102", "ML301"}
    assert {f.code for f in api.check(repo.root, reference_date=NOW, max_age_days=365)} == {"ML102"}
    assert {f.code for f in api.check(repo.root, reference_date=NOW, ignore=["ML3"])} == {"ML102"}
    assert api.check(repo.root, use_git=False, select=("ML301",)) == []
    only = api.check([repo.root], reference_date=NOW, select=["ML1"])
    assert [f.code for f in only] == ["ML102"]
    assert api.check([repo.root / "train.py"], reference_date=NOW, select=["ML1"]) == []
    ages = [f.properties["ageDays"] for f in api.check(repo.root, reference_date=NOW)]
    assert ages == [200, 200]  # the flag's age: when USE_NEW_LOSS was introduced

    def places(**settings: Any) -> List[str]:
        found = api.check(repo.root, reference_date=NOW, **settings)
        return [f"{Path(f.path).name}:{f.code}" for f in found]

    assert places() == ["cfg.py:ML301", "train.py:ML102"]
    assert places(per_file_ignores={"train.py": ["ML"]}) == ["cfg.py:ML301"]
    assert places(exclude=["train.py"]) == places(extend_exclude=["train.py"]) == []


def test_settings_add_to_and_replace_the_configuration(tmp_path: Path) -> None:
    project = write_tree(
        tmp_path / "p",
        {
            "pyproject.toml": "[tool.mllint]\nignore = ['ML101']\n",
            "a.py": DEAD,
            "b.py": "while 0:\n    pass\n",
        },
    )
    assert api.check(project) == []
    assert [f.code for f in api.check(project, ignore=[])] == ["ML101", "ML101"]
    assert api.check(project, ignore=[], extend_ignore=["ML1"]) == []
    assert [Path(f.path).name for f in api.check(project, ignore=[], exclude=["b.py"])] == ["a.py"]
    other = write_tree(tmp_path / "cfg", {"mllint.toml": "[tool.mllint]\nselect = ['ML2']\n"})
    assert api.check(project, config=other / "mllint.toml") == []


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"selct": ["ML1"]}, "unknown setting 'selct'"),
        ({"select": "ML1"}, "setting 'select' must be a list of strings"),
        ({"select": ["XX9"]}, "unknown rule selector 'XX9'"),
        ({"max_age_days": -3}, "setting 'max_age_days' must be a non-negative integer, got -3"),
        ({"glue_threshold": 2}, "'glue_threshold' must be a number between 0 and 1"),
        ({"flag_patterns": ["(a+)+$"]}, "invalid regex"),
    ],
)
def test_bad_settings_raise_the_documented_error(
    tmp_path: Path, settings: Dict[str, Any], message: str
) -> None:
    project = write_tree(tmp_path / "p", {"a.py": DEAD})
    for function in (api.check, api.flags, api.stats):
        with pytest.raises(api.MllintError, match=message.replace("(", r"\(").replace(")", r"\)")):
            function(project, **settings)


def test_errors_raise_rather_than_exit(tmp_path: Path) -> None:
    project = write_tree(tmp_path / "p", {"a.py": DEAD, "bad.txt": "{not json"})
    with pytest.raises(api.MllintError, match="no such file or folder"):
        api.check(project / "missing.py")
    with pytest.raises(api.MllintError, match="no such file or folder"):
        api.stats([project, project / "missing"])
    write_tree(project, {"broken.toml": "[tool.mllint\n"})
    with pytest.raises(api.MllintError, match="invalid TOML"):
        api.flags(project, config=project / "broken.toml")
    with pytest.raises(api.MllintError, match=r"bad\.txt"):
        api.check(project, baseline=project / "bad.txt")
    nested = write_tree(
        project / "sub", {"pyproject.toml": "[tool.mllint]\nnope = 1\n", "b.py": DEAD}
    )
    with pytest.raises(api.MllintError, match="unknown key 'nope'"):
        api.check(project)
    assert nested.is_dir()


def test_a_baseline_hides_known_findings(cli: CliCaller, tmp_path: Path) -> None:
    project = write_tree(tmp_path / "p", {"a.py": DEAD})
    cli("check", "--write-baseline", "base.json", ".", cwd=project)
    assert api.check(project, baseline=project / "base.json") == []
    (project / "b.py").write_text(DEAD + DEAD)
    new = api.check(project, baseline=str(project / "base.json"))
    assert [(Path(f.path).name, f.line) for f in new] == [("b.py", 1), ("b.py", 3)]


def test_flags_match_the_inventory(cli: CliCaller, tmp_path: Path) -> None:
    repo = _aged(tmp_path / "r")
    listed = json.loads(cli("flags", "--format", "json", ".", REF, cwd=repo.root).stdout)
    found = api.flags(repo.root, reference_date=NOW)
    assert [(i.flag.name, i.flag.kind, i.flag.constant) for i in found] == [
        (f["name"], f["kind"], f["constant"]) for f in listed
    ]
    (info,) = found
    assert info.dates is not None and info.dates.age_days == 200
    assert info.flag.defined_at == (str(repo.root / "cfg.py"), 1)
    assert api.flags(repo.root, use_git=False)[0].dates is None


def test_stats_match_the_command(cli: CliCaller) -> None:
    printed = json.loads(cli("stats", "--format", "json", ".", cwd=SAMPLE).stdout)
    measured = api.stats(SAMPLE)
    assert isinstance(measured, api.Stats)
    total = measured.total
    assert (total.glue, total.algorithm, total.other) == (
        printed["total"]["glue"],
        printed["total"]["algorithm"],
        printed["total"]["other"],
    )
    assert [Path(t.path).relative_to(SAMPLE).as_posix() for t in measured.files] == [
        f["path"] for f in printed["files"]
    ]


def test_cache_dir_and_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = write_tree(tmp_path / "p", {"a.py": DEAD})
    monkeypatch.chdir(project)  # no git, no configuration: the current folder is the root
    api.check(project, cache=False)
    assert not (project / ".mllint_cache").exists()
    api.check(project, cache_dir=tmp_path / "c")
    assert not (project / ".mllint_cache").exists() and list((tmp_path / "c").rglob("*.json"))
    api.stats(project)
    assert (project / ".mllint_cache").is_dir()


def test_every_configuration_key_is_a_keyword_setting() -> None:
    assert sorted(api.Options.__annotations__) == sorted(k.replace("-", "_") for k in _KEYS)


def test_the_api_type_checks_for_its_users(tmp_path: Path) -> None:
    (tmp_path / "good.py").write_text(
        "from pathlib import Path\nfrom typing import List\nfrom mllint import api\n\n"
        "found: List[api.Finding] = api.check(['src'], select=['ML1'], max_age_days=30)\n"
        "lines: List[int] = [f.line for f in found]\n"
        "names: List[str] = [i.flag.name for i in api.flags(Path('.'), fail_on='note')]\n"
        "ratio = api.stats('.').total.glue_ratio\n"
    )
    (tmp_path / "bad.py").write_text(
        "from mllint import api\n\n"
        "api.check('.', max_age_days='30')\n"
        "api.check('.', selcet=['ML1'])\n"
        "api.stats('.', fail_on='sometimes')\n"
        "x: int = api.check('.')\n"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--follow-imports=silent",
            "good.py",
            "bad.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        env={"MYPYPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert not [e for e in errors if e.startswith("good.py")], done.stdout
    assert sorted({int(e.split(":")[1]) for e in errors if e.startswith("bad.py")}) == [3, 4, 5, 6]
