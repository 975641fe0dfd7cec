"""``mllint lsp`` on the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_without_the_lsp_extra_it_says_what_to_install(tmp_path: Path) -> None:
    hide = tmp_path / "hide"
    hide.mkdir()
    (hide / "pygls.py").write_text(
        'raise ModuleNotFoundError("No module named \'pygls\'", name="pygls")\n'
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(hide), *sys.path]))
    done = subprocess.run(
        [sys.executable, "-m", "mllint", "lsp"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2
    assert "pip install 'mllint-debt[lsp]'" in done.stderr
    assert "pygls" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""
