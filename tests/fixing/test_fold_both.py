"""``check --fix`` and ``mllint retire`` fold through one mechanism (:mod:`mllint.fixing.fold`):
on the same file, fixing the stale flag and retiring it at its value give the same text, with
the layout each of them used to keep on its own (and no longer lose)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CliCaller, write_tree

BOTH = [
    pytest.param(  # once the kept arm returns, what follows it can never run
        "USE_X = True\n\n\ndef f():\n    if USE_X:\n        return 1\n    else:\n        log()\n"
        "    return 2\n",
        "def f():\n    return 1\n",
        id="code-after-a-kept-return",
    ),
    pytest.param(  # unless it holds the yield that makes the function a generator
        "USE_X = True\n\n\ndef gen():\n    if USE_X:\n        return\n    else:\n        log()\n"
        "    yield 1\n",
        "def gen():\n    return\n    yield 1\n",
        id="a-generator-keeps-its-yield",
    ),
    pytest.param(  # a comment that a blank line parts from the removed branch is not about it
        "USE_X = False\nx = 1\n\n# Section: training\n\nif USE_X:\n    y()\nz = 2\n",
        "x = 1\n\n# Section: training\n\nz = 2\n",
        id="a-detached-comment-stays",
    ),
    pytest.param(  # a block whose first statement went does not start with a blank line
        "USE_X = False\n\n\ndef f():\n    if USE_X:\n        log()\n\n    return 1\n",
        "def f():\n    return 1\n",
        id="no-blank-line-at-the-start-of-a-block",
    ),
    pytest.param(  # the comment above the else is kept
        "USE_X = False\nif a:\n    b()\nelif USE_X:\n    c()\n# otherwise\nelse:\n    d()\n",
        "if a:\n    b()\n# otherwise\nelse:\n    d()\n",
        id="a-comment-above-else",
    ),
    pytest.param(  # the comment lines that ended the kept arm follow it
        "USE_X = True\nif USE_X:\n    a()\n    # keep me\nelse:\n    c()\nb()\n",
        "a()\n# keep me\nb()\n",
        id="the-kept-arms-last-comments",
    ),
    pytest.param(  # an elif that becomes the else keeps its spacing
        "USE_X = True\nif a:\n    b()\nelif USE_X :\n    c()\nelse:\n    d()\n",
        "if a:\n    b()\nelse :\n    c()\n",
        id="elif-to-else",
    ),
    pytest.param(  # the deleted definition and the folded branch leave one gap, not two
        "x = 0\n\nUSE_X = True\n\n\nif USE_X:\n    run()\nelse:\n    walk()\n",
        "x = 0\n\n\nrun()\n",
        id="one-gap",
    ),
    pytest.param(  # a string annotation still reads the import
        "from typing import List\n\nfrom legacy import old_loss\n\nUSE_X = True\n\n\n"
        'def loss(x) -> "List[int]":\n    if USE_X:\n        return x\n    else:\n'
        "        return List(old_loss(x))\n",
        'from typing import List\n\n\ndef loss(x) -> "List[int]":\n    return x\n',
        id="an-import-a-string-annotation-reads-stays",
    ),
    pytest.param(  # an import inside a function that only the dead arm used goes too
        "USE_X = True\n\n\ndef f(x):\n    from legacy import old\n\n    if USE_X:\n"
        "        return x\n    else:\n        return old(x)\n",
        "def f(x):\n    return x\n",
        id="a-local-import-goes",
    ),
    pytest.param(  # an import laid out one name a line keeps its trailing comma
        "from legacy import (\n    new,\n    old,\n)\n\nUSE_X = True\n\n\ndef f(x):\n"
        "    if USE_X:\n        return new(x)\n    else:\n        return old(x)\n",
        "from legacy import (\n    new,\n)\n\n\ndef f(x):\n    return new(x)\n",
        id="a-parenthesised-import-keeps-its-layout",
    ),
    pytest.param(  # a loop that never runs: its else stays
        "USE_X = 0\nwhile USE_X:\n    step()\nrun()\n",
        "run()\n",
        id="while-zero",
    ),
]


@pytest.mark.parametrize("before, after", BOTH)
def test_fix_and_retire_fold_the_same_way(
    cli: CliCaller, tmp_path: Path, before: str, after: str
) -> None:
    fixed = write_tree(tmp_path / "fixed", {"m.py": before})
    run = cli("check", "--fix", "--no-cache", ".", cwd=fixed)
    assert "fixed" in run.stderr, run.stderr
    retired = write_tree(tmp_path / "retired", {"m.py": before})
    run = cli("retire", "USE_X", "--no-cache", ".", cwd=retired)
    assert run.exit_code == 0, run.stderr
    assert (fixed / "m.py").read_text() == after
    assert (retired / "m.py").read_text() == after
    compile(after, "m.py", "exec")


@pytest.mark.parametrize(
    "before, after",
    [
        (  # the tuple keeps its comma
            '__all__ = "run", "USE_X"\n\nUSE_X = True\n\n\ndef run():\n    if USE_X:\n'
            "        return 1\n    else:\n        return 2\n",
            '__all__ = "run",\n\n\ndef run():\n    return 1\n',
        ),
        (  # an empty tuple needs its parentheses
            '__all__ = "USE_X",\n\nUSE_X = True\n\n\ndef run():\n    if USE_X:\n'
            "        return 1\n    else:\n        return 2\n",
            "__all__ = ()\n\n\ndef run():\n    return 1\n",
        ),
    ],
)
def test_an_all_entry_goes_with_its_constant(
    cli: CliCaller, tmp_path: Path, before: str, after: str
) -> None:
    fixed = write_tree(tmp_path / "fixed", {"m.py": before})
    cli("check", "--fix", "--unsafe-fixes", "--no-cache", ".", cwd=fixed)
    retired = write_tree(tmp_path / "retired", {"m.py": before})
    run = cli("retire", "USE_X", "--no-cache", ".", cwd=retired)
    assert run.exit_code == 0, run.stderr
    assert (fixed / "m.py").read_text() == after
    assert (retired / "m.py").read_text() == after


def test_retire_folds_asserts(cli: CliCaller, tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {"m.py": "USE_X = True\nassert USE_X\nassert USE_X and ready()\nassert not USE_X\nrun()\n"},
    )
    run = cli("retire", "USE_X", "--no-cache", ".", cwd=root)
    assert run.exit_code == 0, run.stderr
    # an assert of a true value checks nothing; one of a false value still raises
    assert (root / "m.py").read_text() == "assert ready()\nassert False\nrun()\n"
