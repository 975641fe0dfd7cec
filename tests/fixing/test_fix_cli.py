"""``mllint check --fix``, ``--unsafe-fixes``, ``--diff`` and ``--fix-only`` on real files."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Dict

import libcst as cst
import pytest

from mllint.config import Settings
from mllint.fixing import engine as fix_engine
from mllint.fixing.engine import apply_fixes, unified_diff, write_fixes
from mllint.fixing.transform import Rewrite
from tests.conftest import CliCaller, write_tree

CONFIG = "USE_NEW_LOSS = False\nLEGACY = True\n"
TRAIN = """\
import numpy as np
from focal import focal_loss
from cfg import USE_NEW_LOSS, LEGACY


def loss(logits, labels):
    # pick the loss
    if USE_NEW_LOSS:
        return focal_loss(logits, labels)
    else:
        return np.mean(logits - labels)


def head(ready):
    if LEGACY and ready:
        return 1
    x = 1 if USE_NEW_LOSS else 2
    if False:
        print("old")
    return x
"""
TRAIN_FIXED = """\
import numpy as np
from cfg import LEGACY


def loss(logits, labels):
    # pick the loss
    return np.mean(logits - labels)


def head(ready):
    if LEGACY and ready:
        return 1
    x = 2
    return x
"""


def _project(root: Path, extra: Dict[str, str] = {}) -> Path:  # noqa: B006 - never mutated
    return write_tree(root, {"cfg.py": CONFIG, "train.py": TRAIN, **extra})


def test_diff_prints_the_fixes_writes_nothing_and_exits_1(cli: CliCaller, tmp_path: Path) -> None:
    _project(tmp_path)
    run = cli("check", "--diff", "--no-cache", ".", cwd=tmp_path)
    assert run.exit_code == 1
    assert "--- a/train.py\n+++ b/train.py\n" in run.stdout
    assert "-USE_NEW_LOSS = False\n" in run.stdout
    assert "-    if USE_NEW_LOSS:\n" in run.stdout
    assert "Would fix 3 findings in 2 files." in run.stderr
    assert (tmp_path / "train.py").read_text() == TRAIN
    assert (tmp_path / "cfg.py").read_text() == CONFIG


def test_diff_with_nothing_to_fix_exits_0(cli: CliCaller, tmp_path: Path) -> None:
    write_tree(tmp_path, {"ok.py": "x = 1\n"})
    run = cli("check", "--diff", "--no-cache", ".", cwd=tmp_path)
    assert (run.exit_code, run.stdout) == (0, "")


def test_fix_writes_the_fixes_across_files_and_a_second_run_changes_nothing(
    cli: CliCaller, tmp_path: Path
) -> None:
    _project(tmp_path)
    run = cli("check", "--fix", "--no-cache", ".", cwd=tmp_path)
    assert run.exit_code == 0, run.stdout + run.stderr
    assert "Found 3 findings (3 fixed, 0 remaining)." in run.stderr
    assert (tmp_path / "train.py").read_text() == TRAIN_FIXED
    assert (tmp_path / "cfg.py").read_text() == "LEGACY = True\n"
    again = cli("check", "--fix", "--no-cache", ".", cwd=tmp_path)
    assert again.exit_code == 0
    assert "(0 fixed, 0 remaining)" in again.stderr
    assert (tmp_path / "train.py").read_text() == TRAIN_FIXED


def test_unsafe_fixes_wait_for_the_option_and_the_summary_says_so(
    cli: CliCaller, tmp_path: Path
) -> None:
    write_tree(
        tmp_path,
        {
            "run.py": "import argparse\np = argparse.ArgumentParser()\n"
            "p.add_argument('--lr', type=float)\n"
            "p.add_argument('--old-scheduler', action='store_true')\n"
            "args = p.parse_args()\nprint(args.lr)\n"
        },
    )
    run = cli("check", "--fix", "--no-cache", ".", cwd=tmp_path)
    assert run.exit_code == 1
    assert "ML104" in run.stdout
    assert "Found 1 finding (0 fixed, 1 remaining)." in run.stderr
    assert "1 more fixable with --unsafe-fixes." in run.stderr
    unsafe = cli("check", "--fix", "--unsafe-fixes", "--no-cache", ".", cwd=tmp_path)
    assert unsafe.exit_code == 0
    assert "deleted the option `old_scheduler`: a launcher script" in unsafe.stderr
    assert "old-scheduler" not in (tmp_path / "run.py").read_text()
    assert "--lr" in (tmp_path / "run.py").read_text()


def test_fix_only_reports_only_the_summary_and_exits_0(cli: CliCaller, tmp_path: Path) -> None:
    _project(
        tmp_path,
        {
            "dead.py": "def train(model, data):\n    # for batch in data:\n"
            "    #     model.step(batch, lr=0.1)\n    model.fit(data)\n"
        },
    )
    run = cli("check", "--fix-only", "--no-cache", ".", cwd=tmp_path)
    assert run.exit_code == 0
    assert run.stdout == ""
    assert "(3 fixed, 1 remaining)" in run.stderr
    assert "1 more fixable with --unsafe-fixes." in run.stderr
    assert (tmp_path / "train.py").read_text() == TRAIN_FIXED


def test_a_public_constant_is_deleted_only_with_unsafe_fixes(
    cli: CliCaller, tmp_path: Path
) -> None:
    files = {
        "pkg/__init__.py": "from .cfg import USE_X\n",
        "pkg/cfg.py": "__all__ = ['USE_X', 'OTHER']\nUSE_X = False\nOTHER = 1\n",
        "pkg/model.py": "from .cfg import USE_X\n\nif USE_X:\n    a = 1\nelse:\n    a = 2\n",
    }
    safe = write_tree(tmp_path / "safe", files)
    cli("check", "--fix", "--no-cache", ".", cwd=safe)
    assert (safe / "pkg/model.py").read_text() == "a = 2\n"
    assert (safe / "pkg/cfg.py").read_text() == files["pkg/cfg.py"]
    assert (safe / "pkg/__init__.py").read_text() == files["pkg/__init__.py"]
    unsafe = write_tree(tmp_path / "unsafe", files)
    cli("check", "--fix", "--unsafe-fixes", "--no-cache", ".", cwd=unsafe)
    assert (unsafe / "pkg/model.py").read_text() == "a = 2\n"
    assert (unsafe / "pkg/cfg.py").read_text() == "__all__ = ['OTHER']\nOTHER = 1\n"
    assert (unsafe / "pkg/__init__.py").read_text() == ""


def test_a_constant_still_read_elsewhere_stays(cli: CliCaller, tmp_path: Path) -> None:
    files = {
        "cfg.py": "USE_X = False\n",
        "a.py": "from cfg import USE_X\n\nif USE_X:\n    a = 1\nelse:\n    a = 2\n",
        "b.py": "from cfg import USE_X\n\nprint(USE_X)\n",
    }
    write_tree(tmp_path, files)
    cli("check", "--fix", "--no-cache", ".", cwd=tmp_path)
    assert (tmp_path / "a.py").read_text() == "a = 2\n"
    assert (tmp_path / "cfg.py").read_text() == files["cfg.py"]
    assert (tmp_path / "b.py").read_text() == files["b.py"]


def test_a_silenced_branch_keeps_its_constant(cli: CliCaller, tmp_path: Path) -> None:
    files = {
        "m.py": "USE_X = False\nif USE_X:  # noqa: ML102\n    a = 1\nb = 1 if USE_X else 2\n",
    }
    write_tree(tmp_path, files)
    cli("check", "--fix", "--no-cache", ".", cwd=tmp_path)
    assert (
        tmp_path / "m.py"
    ).read_text() == "USE_X = False\nif USE_X:  # noqa: ML102\n    a = 1\nb = 2\n"


@pytest.mark.parametrize(
    "before, after",
    [
        ("X = False\nwhile X:\n    step()\nelse:\n    done()\n", "done()\n"),
        (
            "X = True\nwhile X and ready():\n    step()\n",
            "X = True\nwhile X and ready():\n    step()\n",
        ),
        (
            "X = True\ny = 1 if X else 2\nwhile X and ready():\n    step()\n",
            "y = 1\nwhile ready():\n    step()\n",
        ),
        (
            "X = True\nif x:\n    a()\nelif X:\n    b()\nelse:\n    c()\n",
            "if x:\n    a()\nelse:\n    b()\n",
        ),
        (
            "X = False\nif x:\n    a()\nelif X:\n    b()\nelif y:\n    c()\n",
            "if x:\n    a()\nelif y:\n    c()\n",
        ),
        (
            "X = False\ndef f():\n    if X:\n        return 1\n",
            "def f():\n    pass\n",
        ),
        ("X = 'a'\nz = (1 if X == 'a' else 2) * 3\n", "z = (1) * 3\n"),
        (  # comments that end the kept arm stay, after it
            "X = True\nif X:\n    a()\n    # keep me\nelse:\n    c()\nb()\n",
            "a()\n# keep me\nb()\n",
        ),
        (
            "X = True\nif not X or y:\n    a()\nelse:\n    b()\nc = 0 if X else 1\n",
            "if y:\n    a()\nelse:\n    b()\nc = 0\n",
        ),
    ],
)
def test_stale_flag_folds(cli: CliCaller, tmp_path: Path, before: str, after: str) -> None:
    write_tree(tmp_path, {"m.py": before})
    cli("check", "--fix", "--no-cache", ".", cwd=tmp_path)
    fixed = (tmp_path / "m.py").read_text()
    assert fixed == after
    compile(fixed, "m.py", "exec")


def test_click_option_and_its_parameter_go_together(cli: CliCaller, tmp_path: Path) -> None:
    before = (
        "import click\n\n\n@click.command()\n@click.option('--lr', type=float)\n"
        "@click.option('--use-amp', is_flag=True)\ndef main(lr, use_amp):\n    print(lr)\n"
    )
    write_tree(tmp_path, {"cli.py": before})
    run = cli("check", "--fix", "--unsafe-fixes", "--no-cache", ".", cwd=tmp_path)
    assert run.exit_code == 0, run.stdout
    assert (tmp_path / "cli.py").read_text() == (
        "import click\n\n\n@click.command()\n@click.option('--lr', type=float)\n"
        "def main(lr):\n    print(lr)\n"
    )


def test_dead_definition_and_its_imports_go_in_the_same_run(cli: CliCaller, tmp_path: Path) -> None:
    files = {
        "cfg.py": "USE_OLD = False\n",
        "model.py": "from cfg import USE_OLD\nfrom legacy import OldLoss, helper\n\n\n"
        "def old_loss(x):\n    return OldLoss()(x)\n\n\ndef loss(x):\n"
        "    if USE_OLD:\n        return old_loss(x)\n    return helper(x)\n",
    }
    write_tree(tmp_path, files)
    run = cli("check", "--fix", "--unsafe-fixes", "--no-cache", ".", cwd=tmp_path)
    assert run.exit_code == 0, run.stdout
    assert (tmp_path / "model.py").read_text() == (
        "from legacy import helper\n\n\ndef loss(x):\n    return helper(x)\n"
    )
    assert (tmp_path / "cfg.py").read_text() == ""


def test_a_rewrite_that_does_not_compile_is_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _project(tmp_path)

    def broken(module: cst.Module, plan: object, text: object = None) -> Rewrite:
        return Rewrite(module.code + "\nreturn 1\n", {"x"})

    monkeypatch.setattr(fix_engine, "rewrite", broken)
    run = apply_fixes([tmp_path], Settings(root=str(tmp_path)), unsafe=True, use_cache=False)
    assert run.changes == {}
    assert run.failures and all("does not compile" in f for f in run.failures)


def test_a_file_changed_since_it_was_analysed_is_not_written(tmp_path: Path) -> None:
    _project(tmp_path)
    run = apply_fixes([tmp_path], Settings(root=str(tmp_path)), unsafe=False, use_cache=False)
    assert str(tmp_path / "train.py") in run.changes
    (tmp_path / "train.py").write_text(TRAIN + "# edited meanwhile\n")
    problems = write_fixes(run, [tmp_path])
    assert "changed on disk" in problems[str(tmp_path / "train.py")]
    assert (tmp_path / "train.py").read_text() == TRAIN + "# edited meanwhile\n"
    assert [f.path for f in run.fixed if f.path.endswith("train.py")] == []


def test_never_writes_through_a_symlink_or_outside_the_linted_paths(tmp_path: Path) -> None:
    outside = write_tree(tmp_path / "outside", {"cfg.py": CONFIG, "train.py": TRAIN})
    tree = tmp_path / "tree"
    tree.mkdir()
    os.symlink(outside, tree / "linked")
    run = apply_fixes([outside], Settings(root=str(outside)), unsafe=False, use_cache=False)
    assert run.changes
    through_link = {
        str(tree / "linked" / Path(p).name): change for p, change in run.changes.items()
    }
    moved = fix_engine.FixRun(
        changes=through_link,
        digests={str(tree / "linked" / Path(p).name): d for p, d in run.digests.items()},
    )
    problems = write_fixes(moved, [tree])
    assert problems and all("symbolic link" in why for why in problems.values())
    problems = write_fixes(run, [tree])
    assert all("outside the linted paths" in why for why in problems.values())
    assert (outside / "train.py").read_text() == TRAIN


def test_the_file_keeps_its_permissions(cli: CliCaller, tmp_path: Path) -> None:
    script = tmp_path / "run.py"
    script.write_text("#!/usr/bin/env python\nif False:\n    old()\nnew()\n")
    script.chmod(0o755)
    cli("check", "--fix", "--no-cache", ".", cwd=tmp_path)
    assert script.read_text() == "#!/usr/bin/env python\nnew()\n"
    assert stat.S_IMODE(script.stat().st_mode) == 0o755


def test_a_latin1_file_is_written_back_in_its_encoding(cli: CliCaller, tmp_path: Path) -> None:
    source = "# -*- coding: latin-1 -*-\nname = 'café'\nif 0:\n    old()\n"
    (tmp_path / "m.py").write_bytes(source.encode("latin-1"))
    cli("check", "--fix", "--no-cache", ".", cwd=tmp_path)
    assert (tmp_path / "m.py").read_bytes() == "# -*- coding: latin-1 -*-\nname = 'café'\n".encode(
        "latin-1"
    )


def test_unified_diff_names_files_relative_to_the_folder(tmp_path: Path) -> None:
    path = str(tmp_path / "a" / "m.py")
    text = unified_diff({path: ("x = 1\ny = 2\n", "x = 1\n")}, cwd=tmp_path)
    assert text == "--- a/a/m.py\n+++ b/a/m.py\n@@ -1,2 +1 @@\n x = 1\n-y = 2\n"


def test_a_deleted_comment_block_between_blank_lines_leaves_one(
    cli: CliCaller, tmp_path: Path
) -> None:
    before = (
        "def train(model, data):\n    model.prepare()\n\n    # for batch in data:\n"
        "    #     model.step(batch, lr=0.1)\n\n    model.fit(data)\n"
    )
    write_tree(tmp_path, {"m.py": before})
    run = cli("check", "--fix", "--unsafe-fixes", "--no-cache", ".", cwd=tmp_path)
    assert "(1 fixed, 0 remaining)" in run.stderr
    assert (tmp_path / "m.py").read_text() == (
        "def train(model, data):\n    model.prepare()\n\n    model.fit(data)\n"
    )
