"""``mllint flags``: the inventory, as a table and as the SPEC's JSON, through the CLI."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path
from typing import Any, Dict, List

from click.testing import CliRunner

from mllint.cli import main

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "sample_project"
KEYS = {
    "name",
    "kind",
    "defined_at",
    "value",
    "references",
    "constant",
    "age_is_lower_bound",
    "introduced_date",
    "last_modified_date",
    "age_days",
}


def run_flags(cwd: Path, *args: str) -> Any:
    runner = CliRunner()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        # the fixture lives in this repository's history: ages are tested in tests/test_ages.py
        return runner.invoke(main, ["flags", "--no-cache", "--no-git", *args])
    finally:
        os.chdir(old)


def by_name(items: List[Dict[str, Any]]) -> Dict[str, Dict[str, Any]]:
    return {item["name"]: item for item in items}


def test_sample_project_inventory_json() -> None:
    result = run_flags(FIXTURE, "--format", "json", ".")
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    assert all(set(item) == KEYS for item in items)
    flags = by_name(items)
    loss = flags["USE_NEW_LOSS"]
    assert loss["kind"] == "constant"
    assert loss["defined_at"] == {"path": "sample_project/config.py", "line": 22}
    assert loss["value"] is False and loss["constant"] is True
    assert loss["references"] == [
        {"path": "sample_project/model.py", "line": 75},
        {"path": "sample_project/model.py", "line": 91},
    ]
    assert loss["introduced_date"] is None and loss["age_days"] is None
    old = flags["old_scheduler"]
    assert (old["kind"], old["value"], old["references"]) == ("argparse", False, [])
    assert flags["use_mixup"]["references"] == [{"path": "sample_project/train.py", "line": 82}]
    ranker = flags["NEW_RANKER"]
    assert (ranker["kind"], ranker["defined_at"], ranker["constant"]) == ("env", None, False)
    assert "BATCH_SIZE" not in flags  # a constant, but no switch: never tested, no pattern


def test_every_kind_and_a_rebound_constant(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/config.py": "USE_AMP = False\nLEGACY_MODE = True\n",
        "pkg/patch.py": "import pkg.config as c\nc.LEGACY_MODE = False\n",
        "pkg/run.py": textwrap.dedent(
            """\
            import os
            import click
            from absl import flags
            from omegaconf import OmegaConf
            from pkg.config import USE_AMP
            flags.DEFINE_bool("use_ema", False, "h")
            FLAGS = flags.FLAGS
            cfg = OmegaConf.load("c.yaml")
            if USE_AMP or FLAGS.use_ema or cfg.model.exp_dropout:
                pass
            seed = os.environ.get("SEED", "1")

            @click.command()
            @click.option("--use-fast/--no-use-fast")
            def main(use_fast):
                print(use_fast)
            """
        ),
    }
    files["pkg/cli.py"] = (
        "import typer\ndef main(use_turbo: bool = typer.Option(False)):\n    print(use_turbo)\n"
    )
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    out = tmp_path / "flags.json"
    result = run_flags(tmp_path, "--format", "json", "--output", str(out))
    assert result.exit_code == 0, result.output
    flags = by_name(json.loads(out.read_text(encoding="utf-8")))
    assert {name: f["kind"] for name, f in flags.items()} == {
        "USE_AMP": "constant",
        "LEGACY_MODE": "constant",
        "use_ema": "absl",
        "exp_dropout": "config",
        "SEED": "env",
        "use_fast": "click",
        "use_turbo": "click",
    }
    assert flags["USE_AMP"]["constant"] is True
    assert flags["LEGACY_MODE"]["constant"] is False
    assert flags["USE_AMP"]["references"] == [{"path": "pkg/run.py", "line": 9}]
    assert flags["SEED"]["value"] == "1"
    assert flags["use_fast"]["references"] == [{"path": "pkg/run.py", "line": 16}]


def test_text_table() -> None:
    result = run_flags(FIXTURE, ".")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "KIND",
        "NAME",
        "DEFINED",
        "AT",
        "VALUE",
        "CONSTANT",
        "AGE",
        "READS",
    ]
    row = next(line for line in lines if " old_scheduler " in line)
    assert "sample_project/train.py:38" in row and row.endswith("never read")
    assert lines[-1] == "16 flags"


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    result = run_flags(tmp_path, "nope")
    assert result.exit_code == 2


def test_reads_through_a_submodule_imported_from_its_package(tmp_path: Path) -> None:
    from tests.conftest import write_tree

    write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/config.py": "USE_A = False\n",
            "pkg/train.py": "from pkg import config\n\nif config.USE_A:\n    pass\n",
        },
    )
    result = run_flags(tmp_path, ".", "--format", "json")
    (flag,) = json.loads(result.stdout)
    assert flag["references"] == [{"path": "pkg/train.py", "line": 3}]
