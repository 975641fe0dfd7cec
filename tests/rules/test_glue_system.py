"""ML205 in the editor: a module's glue totals reach the finding at its package's __init__.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from mllint.analyze import analyze_source
from mllint.config import Settings
from mllint.lsp.linting import WorkspaceIndex
from mllint.model import FileResult
from mllint.project import cross_file_facts
from mllint.rules.glue import GLUE_FACTS
from tests.conftest import write_tree

_STEP = "import numpy as np\ndef train_step(rows, out):\n" + "".join(
    f"    w{i} = np.mean(rows) * {i}\n" for i in range(120)
)
_GLUE = "".join(f"    p{i} = os.path.join(out, 'rows{i}.json')\n" for i in range(80))


def test_an_edit_that_makes_a_package_glue_heavy_updates_its_ml205_finding(
    tmp_path: Path,
) -> None:
    root = write_tree(
        tmp_path,
        {
            "pyproject.toml": "[tool.mllint]\nmax-glue-ratio = 0.5\n",
            "pkg/__init__.py": "",
            "pkg/mod.py": "import os\n" + _STEP,
        },
    )
    index, errors = WorkspaceIndex.load(root, use_cache=False)
    assert errors == ()
    init, mod = str(root / "pkg" / "__init__.py"), str(root / "pkg" / "mod.py")
    assert [f.code for f in index.lint(init, "").findings] == []
    # the edit turns 100 of mod.py's 120 computations into string formatting of the same
    # names on the same lines: no flag fact changes, and the package is now 83 % glue
    formatted = "".join(f"    w{i} = f'{{np.mean(rows)}} {i}'\n" for i in range(20, 120))
    edited = analyze_source(
        mod, ("import os\n" + _STEP[: _STEP.index("    w20")] + formatted).encode()
    )
    assert index.update_file(mod, edited)  # facts changed: the open __init__.py is linted again
    assert [f.code for f in index.lint(init, "").findings] == ["ML205"]


def test_glue_totals_cross_files_only_where_ml205_can_report(tmp_path: Path) -> None:
    path = str(tmp_path / "mod.py")
    before = analyze_source(path, ("import os\n" + _STEP).encode())
    after = analyze_source(path, ("import os\n" + _STEP + _GLUE).encode())
    on = Settings(root=str(tmp_path), max_glue_ratio=0.5)
    off = Settings(root=str(tmp_path))
    assert glue(before, on) != glue(after, on)
    assert glue(before, off) is None and glue(after, off) is None  # ML205 is off
    assert glue(before) != glue(after)  # without settings: on the safe side
    # statements that are neither glue nor algorithm (a new empty helper) change no ratio
    moved = analyze_source(
        path, ("import os\n" + _STEP + _GLUE + "def helper():\n    pass\n").encode()
    )
    assert glue(after, on) == glue(moved, on)


def glue(result: FileResult, settings: Optional[Settings] = None) -> Any:
    """The glue facts of ``result`` that reach other files."""
    return cross_file_facts(result, settings).get(GLUE_FACTS)
