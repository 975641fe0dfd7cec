"""The issue's hostile tree: every kind of bad input gives ML000 or normal findings, never a
traceback, and the run goes on (serially and through the process pool)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_subprocess, write_tree

DEAD = "if False:\n    pass\n"


def _hostile_tree(root: Path) -> Path:
    # a generated resource file: 4 MB of long string constants
    big = "".join(f"BLOB_{i} = '{f'{i:06d}' * 33}'\n" for i in range(20_000))
    assert len(big.encode()) > 4_000_000
    write_tree(
        root,
        {
            "syntax_error.py": "def train(:\n    pass\n",
            "latin1.py": "# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n".encode("latin-1")
            + DEAD.encode(),
            "not_utf8.py": b"x = '\xff\xfe'\n" + DEAD.encode(),
            "nul.py": b"x = 1\n\x00\n" + DEAD.encode(),
            "empty.py": b"",
            "generated.py": big + DEAD,
            "deep.py": "x = " + "(" * 1000 + "1" + ")" * 1000 + "\n" + DEAD,
            "deep_chain.py": "x = " + " + ".join(["1"] * 900) + "\n" + DEAD,
            "too_deep_chain.py": "x = " + " + ".join(["1"] * 1500) + "\n" + DEAD,
            "bom.py": b"\xef\xbb\xbf" + DEAD.encode(),
            "crlf.py": b"x = 1\r\n" + DEAD.replace("\n", "\r\n").encode(),
            "-x.py": DEAD,
            "a b.py": DEAD,
            "pkg/ok.py": "x = 1 if 0 else 2\n",
            # issue 11: LibCST's parser crashed on these (exit 139, no report at all)
            "bool_chain.py": "x = " + " and ".join(["a"] * 10_000) + "\n" + DEAD,
            "dotted.py": DEAD + "import " + ".".join(["a"] * 8_000) + "\n",
            # over max-file-size: reported unread
            "huge.py": "x = 1\n" * 1_100_000,
            # CPython's verdict, both ways
            "annotated.py": "(x): int = 1\n" + DEAD,
            "strings.py": "x = " + " ".join(['"a"'] * 50_000) + "\n" + DEAD,
            "unknown_name.py": DEAD + 'name = "\\N{NOPE}"\n',
            "module_return.py": DEAD + "return 1\n",
            "pyproject.toml": "[tool.mllint]\nmax-file-size = 6_000_000\n",
        },
    )
    (root / "pkg" / "loop").symlink_to(root)
    (root / "pkg" / "self").symlink_to(root / "pkg")
    return root


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_hostile_tree(tmp_path: Path, jobs: str) -> None:
    root = _hostile_tree(tmp_path / "tree")
    run = run_subprocess(["check", ".", "--no-cache", "--quiet", "--jobs", jobs], root)
    assert "Traceback" not in run.stderr and "Traceback" not in run.stdout
    assert run.exit_code == 1, run.stderr
    found = {}
    for line in run.stdout.splitlines():
        path, line_no, _col, rest = line.split(":", 3)
        found.setdefault(path, []).append((int(line_no), rest.split()[0]))
    messages = run.stdout
    assert found["syntax_error.py"] == [(1, "ML000")]
    assert found["not_utf8.py"] == [(1, "ML000")]
    assert found["nul.py"] == [(2, "ML000")]
    assert found["deep.py"][0][1] == "ML000"
    assert len(found["deep.py"]) == 1
    assert found["latin1.py"] == [(3, "ML101")]
    assert found["generated.py"] == [(20_001, "ML101")]
    assert found["deep_chain.py"] == [(2, "ML101")]
    assert found["too_deep_chain.py"] == [(1, "ML000")]
    assert found["bom.py"] == [(1, "ML101")]
    assert found["crlf.py"] == [(2, "ML101")]
    assert found["-x.py"] == [(1, "ML101")]
    assert found["a b.py"] == [(1, "ML101")]
    assert found["pkg/ok.py"] == [(1, "ML101")]
    assert found["bool_chain.py"] == [(1, "ML000")]
    assert "10000-term boolean chain at line 1" in messages
    assert found["dotted.py"] == [(3, "ML000")]
    assert "8000-part dotted name at line 3" in messages
    assert found["huge.py"] == [(1, "ML000")]
    assert "file too large (6600000 bytes > 6000000; raise max-file-size to lint it)" in messages
    assert "annotated.py" not in found and "strings.py" not in found  # valid Python
    assert found["unknown_name.py"] == [(3, "ML000")]
    assert "unknown Unicode character name" in messages
    assert found["module_return.py"] == [(3, "ML000")]
    assert "'return' outside function (line 3)" in messages
    assert "empty.py" not in found
    assert not any(p.startswith("pkg/loop") or p.startswith("pkg/self") for p in found)
    assert "not valid UTF-8" in messages and "NUL byte" in messages
    assert "nests too deeply" in messages


def test_file_named_with_a_leading_dash_on_the_command_line(tmp_path: Path) -> None:
    write_tree(tmp_path, {"-x.py": DEAD})
    run = run_subprocess(["check", "--no-cache", "--", "-x.py"], tmp_path)
    assert run.exit_code == 1
    assert run.stdout.startswith("-x.py:1:1: ML101")
