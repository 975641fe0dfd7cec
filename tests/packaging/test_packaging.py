"""The distribution: what `pip install .` builds, and what it leaves behind in the tree."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from tests.conftest import ROOT

_SKIP = shutil.ignore_patterns(
    ".git",
    ".venv",
    "venv",
    "__pycache__",
    ".*_cache",
    ".hypothesis",
    ".benchmarks",
    "*.egg-info",
    "build",
    "dist",
    ".ci-artifacts",
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A copy of the project and the wheel pip builds from it (the build backend comes from
    the package registry, as on a user's machine)."""
    base = tmp_path_factory.mktemp("dist")
    tree = base / "tree"
    shutil.copytree(ROOT, tree, ignore=_SKIP)
    out = base / "wheels"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(tree)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    (wheel,) = out.glob("mllint_debt-*.whl")
    return tree, wheel


def test_building_leaves_no_build_folder_or_egg_info_in_the_tree(built: tuple[Path, Path]) -> None:
    tree, _ = built
    assert not (tree / "build").exists()
    assert not list(tree.glob("*.egg-info")) and not list(tree.glob("*/*.egg-info"))


def test_the_wheel_holds_the_package_its_data_and_nothing_else(built: tuple[Path, Path]) -> None:
    _, wheel = built
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names}
    assert {n for n in top if not n.endswith(".dist-info")} == {"mllint"}
    assert "mllint/py.typed" in names  # PEP 561: the API's types reach type checkers
    assert any(n.startswith("mllint/report/templates/") and n.endswith(".j2") for n in names)
    assert not any("__pycache__" in n for n in names)
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)


def test_the_metadata_says_what_is_tested_and_how_it_is_licensed(built: tuple[Path, Path]) -> None:
    _, wheel = built
    archive = zipfile.ZipFile(wheel)
    (metadata,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
    meta = Parser().parsestr(archive.read(metadata).decode("utf-8"))
    assert meta["Name"] == "mllint-debt"
    assert meta["License-Expression"] == "MIT"  # PEP 639
    assert meta["Requires-Python"] == ">=3.10"
    tested = f"Programming Language :: Python :: {sys.version_info[0]}.{sys.version_info[1]}"
    classifiers = meta.get_all("Classifier") or []
    assert tested in classifiers and "Framework :: Flake8" in classifiers
    assert "Typing :: Typed" in classifiers
    assert not [c for c in classifiers if c.startswith("License ::")]  # PEP 639: one or the other
    urls = {url.split(",")[0] for url in meta.get_all("Project-URL") or []}
    assert {"Homepage", "Repository", "Issues"} <= urls
    (entry_points,) = [n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt")]
    text = archive.read(entry_points).decode("utf-8")
    assert "mllint = mllint.cli:run" in text
    assert "[flake8.extension]" in text
