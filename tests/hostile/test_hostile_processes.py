"""Every process mllint starts, started inside a hostile tree, imports nothing from it: the
``mllint`` command, ``python -m mllint``, the pool workers of every start method (and their
forkserver and resource tracker), and the GitHub Action's installation of mllint."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Sequence, Union

import pytest
import yaml  # type: ignore[import-untyped,unused-ignore]

from tests.conftest import ROOT, write_tree
from tests.lsp.raw_client import console_script

HANG = 300  # seconds: only to turn a hang into a failure
SHADOWS = (
    "click",
    "libcst",
    "git",
    "pathspec",
    "json",
    "tomllib",
    "multiprocessing",
    "concurrent",
    "pickle",
    "pip",
    "venv",
    "ensurepip",
    "setuptools",
)
DEAD = "if False:\n    x = 1\n"


def _plant(
    root: Path, marker: Path, names: Sequence[str] = SHADOWS
) -> Dict[str, Union[str, bytes]]:
    """Modules named ``names`` that write their name to ``marker`` when imported."""
    files: Dict[str, Union[str, bytes]] = {
        f"{name}.py": f"open({str(marker)!r}, 'a').write({name!r} + '\\n')\n" for name in names
    }
    write_tree(root, files)
    return files


def _tree(root: Path, marker: Path, names: Sequence[str] = SHADOWS) -> Path:
    write_tree(root, {**{f"f{i:02}.py": "x = 1\n" for i in range(24)}, "dead.py": DEAD})
    _plant(root, marker, names)
    return root


@pytest.mark.parametrize("how", ["console-script", "python-m"])
def test_mllint_imports_nothing_from_the_working_folder(tmp_path: Path, how: str) -> None:
    marker = tmp_path / "marker"
    tree = _tree(tmp_path / "tree", marker)
    command = console_script() if how == "console-script" else [sys.executable, "-m", "mllint"]
    done = subprocess.run(
        [*command, "check", "--no-cache", "--quiet", "--select", "ML101", "."],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=HANG,
    )
    assert done.returncode == 1, done.stderr
    assert [line.split(": ")[0] for line in done.stdout.splitlines()] == ["dead.py:1:1"]
    assert not marker.exists(), marker.read_text()


DRIVER = """
import json, os, sys
from mllint.engine import analyze_files
if __name__ == "__main__":
    paths = sorted(p for p in os.listdir(".") if p.startswith(("f", "dead")))
    done = analyze_files(paths, jobs=2, start_method=sys.argv[1])
    print(json.dumps({p: [f.path for f in r.findings] for p, (r, e) in done.items()}))
"""


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_pool_workers_started_in_the_tree_import_nothing_from_it(
    tmp_path: Path, method: str
) -> None:
    marker = tmp_path / "marker"
    tree = _tree(tmp_path / "tree", marker)
    driver = write_tree(tmp_path / "driver", {"drive.py": DRIVER}) / "drive.py"
    # a script's sys.path[0] is its own folder: only the pool's processes see the tree
    done = subprocess.run(
        [sys.executable, str(driver), method],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=HANG,
    )
    assert done.returncode == 0, done.stderr
    assert not marker.exists(), marker.read_text()
    results = json.loads(done.stdout)
    assert len(results) == 25  # paths come back as they were given, relative
    assert results["dead.py"] == ["dead.py"] and results["f00.py"] == []


def _tiny_project(root: Path) -> Path:
    """A distribution named mllint-debt whose ``mllint`` command prints ``tiny mllint``, with
    a build backend of its own (so that pip installs it with no index)."""
    backend = """
import base64, hashlib, os, zipfile
NAME = "mllint_debt-0.0.1"
FILES = {
    "tiny_mllint.py": "def main():\\n    print('tiny mllint')\\n",
    NAME + ".dist-info/METADATA": "Metadata-Version: 2.1\\nName: mllint-debt\\nVersion: 0.0.1\\n",
    NAME + ".dist-info/WHEEL": "Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
    NAME + ".dist-info/entry_points.txt": "[console_scripts]\\nmllint = tiny_mllint:main\\n",
}
def get_requires_for_build_wheel(config_settings=None):
    return []
def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = NAME + "-py3-none-any.whl"
    record = []
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as wheel:
        for path, text in FILES.items():
            data = text.encode()
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{path},sha256={digest},{len(data)}")
            wheel.writestr(path, data)
        record.append(NAME + ".dist-info/RECORD,,")
        wheel.writestr(NAME + ".dist-info/RECORD", "\\n".join(record) + "\\n")
    return name
"""
    pyproject = (
        '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n'
        '[project]\nname = "mllint-debt"\nversion = "0.0.1"\n'
    )
    return write_tree(root, {"backend.py": backend, "pyproject.toml": pyproject})


def _step(name: str) -> Dict[str, object]:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    (found,) = [s for s in action["runs"]["steps"] if s.get("name") == name]
    return dict(found)


def test_action_installs_mllint_apart_from_the_checkout(tmp_path: Path) -> None:
    install = _step("Install mllint")
    assert install["working-directory"] == "${{ runner.temp }}"
    env = install["env"]
    assert isinstance(env, dict)
    assert env["MLLINT_PYTHON"] == "${{ steps.python.outputs.python-path }}"
    marker = tmp_path / "marker"
    checkout = tmp_path / "checkout"
    _plant(checkout, marker)
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    output = tmp_path / "output"
    variables = {
        **os.environ,
        "RUNNER_TEMP": str(runner_temp),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_ACTION_PATH": str(_tiny_project(tmp_path / "action")),
        "MLLINT_VERSION": "",
        "MLLINT_PYTHON": sys.executable,
        "PIP_NO_INDEX": "1",
        "PYTHONPATH": str(checkout),  # what -I must ignore
    }
    # run in the checkout, not in runner.temp: isolated mode alone must keep it out
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", str(install["run"])],
        cwd=checkout,
        env=variables,
        capture_output=True,
        text=True,
        timeout=HANG,
    )
    assert done.returncode == 0, done.stderr
    assert not marker.exists(), marker.read_text()
    written = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert written == {
        "mllint": f"{runner_temp}/mllint-venv/bin/mllint",
        "python": f"{runner_temp}/mllint-venv/bin/python",  # splits the inputs, isolated
    }
    command: List[str] = [written["mllint"]]
    ran = subprocess.run(command, capture_output=True, text=True, timeout=HANG)
    assert ran.stdout == "tiny mllint\n"
