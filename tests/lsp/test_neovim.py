"""A real editor: headless Neovim attaches to ``mllint lsp`` and reads its diagnostics."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import write_tree

NVIM = shutil.which("nvim")
SCRIPT = Path(__file__).with_name("nvim_client.lua")


@pytest.mark.skipif(NVIM is None, reason="Neovim (nvim) is not installed")
def test_neovim_shows_the_diagnostics_and_clears_them_after_an_edit(tmp_path: Path) -> None:
    assert NVIM is not None
    root = write_tree(
        tmp_path / "proj",
        {
            "pyproject.toml": "[tool.mllint]\n",
            "train.py": "import torch\n\nif False:\n    loss = 1\nelse:\n    loss = 2\n",
        },
    )
    out = tmp_path / "report.txt"
    env = dict(
        os.environ,
        MLLINT_ROOT=str(root),
        MLLINT_FILE=str(root / "train.py"),
        MLLINT_OUT=str(out),
        MLLINT_PYTHON=sys.executable,
        HOME=str(tmp_path),  # no user configuration, no shada in the real home
    )
    done = subprocess.run(
        [NVIM, "--headless", "--clean", "-n", "-c", f"luafile {SCRIPT}"],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.exists(), done.stderr
    assert out.read_text().splitlines() == [
        "opened 2",
        "opened 2:0-2:8 ML101 mllint",
        # the dead body, faded (Neovim takes the Unnecessary tag)
        "opened 3:4-3:12 ML101 mllint unnecessary",
        "fixed 0",
    ]
