"""Headline figures of ``mllint report`` on a real repository with back-dated commits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

import pytest

from mllint.report.figures import arm_lines
from tests.conftest import run_subprocess, write_tree
from tests.report.report_history import REF, build


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Any]:
    root = tmp_path_factory.mktemp("figures") / "project"
    build(root)
    done = run_subprocess(["report", "--format", "json", REF, "--max-age-days", "90"], cwd=root)
    assert done.exit_code == 0, done.stderr
    data: Dict[str, Any] = json.loads(done.stdout)["figures"]
    return data


def test_findings_by_rule_and_severity(figures: Dict[str, Any]) -> None:
    assert figures["findings_by_rule"] == {
        "ML101": {"warning": 1},
        "ML103": {"note": 1},
        "ML301": {"warning": 1},
    }
    assert figures["findings"] == 3


def test_flags_experiments_stale_and_dead_code(figures: Dict[str, Any]) -> None:
    assert figures["flags_by_kind"] == {"argparse": 1, "constant": 1}
    assert figures["flags_alive"] == 2
    assert figures["experiments_alive"] == 1
    assert figures["stale_experiments"] == 1
    assert figures["dead_arms"] == 1
    assert figures["dead_lines"] == 3  # the three statements under `if False:`
    flags = {f["name"]: f for f in figures["flags"]}
    assert flags["use_cutmix"]["age_days"] == 300
    assert flags["use_cutmix"]["introduced_date"] == "2025-08-05"
    assert flags["use_cutmix"]["stale"] and flags["use_cutmix"]["experiment"]
    assert flags["use_cutmix"]["path"] == "pkg/train.py"
    assert flags["ENABLE_NEW_LOSS"]["value"] == "True"
    assert not flags["ENABLE_NEW_LOSS"]["stale"]


def test_glue_ratio_per_package_and_hotspots(figures: Dict[str, Any]) -> None:
    (package,) = figures["packages"]
    assert package["path"] == "pkg"
    assert figures["glue"] == package["glue"] and figures["algorithm"] == package["algorithm"]
    assert figures["glue_ratio"] == round(
        package["glue"] / (package["glue"] + package["algorithm"]), 4
    )
    (hotspot,) = figures["hotspots"]
    assert hotspot["path"] == "pkg/train.py" and hotspot["findings"] == 3


def test_figures_of_a_project_outside_git(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "a/__init__.py": "",
            "a/model.py": "import numpy as np\n\ndef f(x):\n    return np.mean(x) * 2\n",
            "b/__init__.py": "",
            "b/io.py": (
                "import json\n\ndef load(p):\n    with open(p) as h:\n        return json.load(h)\n"
            ),
            "b/dead.py": "def g(x):\n    while 0:\n        x += 1\n        x += 2\n    return x\n",
        },
    )
    done = run_subprocess(["report", "--format", "json"], cwd=tmp_path)
    assert done.exit_code == 0, done.stderr
    figures = json.loads(done.stdout)["figures"]
    ratios = {p["path"]: p["glue_ratio"] for p in figures["packages"]}
    assert ratios["a"] == 0.0 and ratios["b"] > 0.5
    assert figures["dead_arms"] == 1 and figures["dead_lines"] == 2
    assert all(f["age_days"] is None for f in figures["flags"])


def test_arm_lines_measures_each_arm() -> None:
    source = (
        b"if a:\n    x = 1\n    y = 2\nelif b:\n    z = 3\nelse:\n    w = 4\nv = 1 if c else 2\n"
    )
    arms = arm_lines(source)
    assert arms[1] == (2, 4)  # the elif chain is the else arm
    assert arms[4] == (1, 1)
    assert arms[8] == (1, 1)
    assert arm_lines(b"if (:\n") == {}


def test_arm_lines_at_chosen_lines_finds_nested_branches() -> None:
    source = (
        b"def f(a):\n"  # 1
        b"    for i in a:\n"  # 2
        b"        if i:\n"  # 3
        b"            x = 1\n"  # 4
        b"            y = 2\n"  # 5
        b"    while 0:\n"  # 6
        b"        pass\n"  # 7
        b"    return [1 if True else 2 for _ in a]\n"  # 8
    )
    assert arm_lines(source, {3, 8}) == {3: (2, 0), 8: (1, 1)}
    assert arm_lines(source, {6}) == {6: (1, 0)}
    assert arm_lines(source, {5}) == {}
    assert arm_lines(source) == {3: (2, 0), 6: (1, 0), 8: (1, 1)}
