"""Hostile source files through the real command (issue 11, items 8, 12, 17 and 19): what
crashed LibCST's native parser, what exhausted memory, what disagreed with CPython, what
leaked CPython's warnings. Each runs ``python -m mllint`` in a real process."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Sequence, Union

import pytest

from tests.conftest import write_tree

DEAD = "if False:\n    pass\n"
HANG = 300  # seconds: only to detect a hang, never a speed assertion


def _mllint(
    args: Sequence[str], cwd: Path, memory: int = 0, python_flags: Sequence[str] = ()
) -> subprocess.CompletedProcess[str]:
    """``python -m mllint ARGS`` in ``cwd``, with at most ``memory`` bytes of address space."""

    def limit() -> None:
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    env = {k: v for k, v in os.environ.items() if k not in ("MLLINT_DEBUG", "PYTHONWARNINGS")}
    return subprocess.run(
        [sys.executable, *python_flags, "-m", "mllint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=HANG,
        env=env,
        preexec_fn=limit,
    )


def _codes(stdout: str) -> Dict[str, List[str]]:
    found: Dict[str, List[str]] = {}
    for item in json.loads(stdout):
        found.setdefault(item["path"], []).append(item["code"])
    return found


def _crashers() -> Dict[str, Union[str, bytes]]:
    chain = " and ".join(["a"] * 10_000)
    return {
        "chain.py": f"x = {chain}\n",  # exit 139 before: LibCST's parser overflowed its stack
        "in_if.py": "def f():\n    if (\n" + " or\n".join(["        a"] * 9_000) + "\n    ):\n"
        "        pass\n",
        "dotted.py": "import " + ".".join(["a"] * 8_000) + "\n",
        "from_dotted.py": "def f():\n    from " + ".".join(["a"] * 8_000) + " import b\n",
    }


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_what_crashed_libcsts_parser_is_ml000_and_the_run_goes_on(
    tmp_path: Path, jobs: str
) -> None:
    files = _crashers()
    files.update({f"ok{i}.py": DEAD for i in range(20)})  # enough files for the pool
    write_tree(tmp_path, files)
    run = _mllint(["check", ".", "--no-cache", "--jobs", jobs, "--format", "json"], tmp_path)
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    results = json.loads(run.stdout)
    reasons = {r["path"]: r["message"] for r in results if r["code"] == "ML000"}
    assert reasons == {
        "chain.py": "Cannot parse: nests too deeply for the parser: 10000-term boolean chain"
        " at line 1",
        "in_if.py": "Cannot parse: nests too deeply for the parser: 9000-term boolean chain"
        " at line 3",
        "dotted.py": "Cannot parse: nests too deeply for the parser: 8000-part dotted name"
        " at line 1",
        "from_dotted.py": "Cannot parse: nests too deeply for the parser: 8000-part dotted name"
        " at line 2",
    }
    assert sum(r["code"] == "ML101" for r in results) == 20


def test_a_5_mb_file_is_reported_unread_in_bounded_memory(tmp_path: Path) -> None:
    """5 MB of code took 51 s and 3.1 GB; now it is not read at all (its size is enough)."""
    body = "".join(f"value_{i} = compute({i}) + other_{i}\n" for i in range(150_000))
    size = len(body.encode())
    assert size > 5_000_000
    write_tree(tmp_path, {"huge.py": body, "small.py": DEAD})
    reason = f"file too large ({size} bytes > 1048576; raise max-file-size to lint it)"
    memory = 1536 * 1024 * 1024
    check = _mllint(["check", ".", "--no-cache"], tmp_path, memory)
    assert check.returncode == 1, check.stderr
    assert f"huge.py:1:1: ML000 Cannot parse: {reason}" in check.stdout.splitlines()
    assert "small.py:1:1: ML101" in check.stdout
    stats = _mllint(["stats", ".", "--no-cache", "--format", "json"], tmp_path, memory)
    assert stats.returncode == 0, stats.stderr
    assert "huge.py" not in {f["path"] for f in json.loads(stats.stdout)["files"]}
    flags = _mllint(["flags", ".", "--no-cache"], tmp_path, memory)
    assert flags.returncode == 0, flags.stderr
    assert "Traceback" not in check.stderr + stats.stderr + flags.stderr


def test_max_file_size_is_configurable(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"pyproject.toml": "[tool.mllint]\nmax-file-size = 100\n", "a.py": "x = 1\n" * 20 + DEAD},
    )
    run = _mllint(["check", ".", "--no-cache", "--quiet"], tmp_path)
    assert run.stdout == (
        "a.py:1:1: ML000 Cannot parse: file too large (139 bytes > 100; raise max-file-size"
        " to lint it)\n"
    )
    (tmp_path / "pyproject.toml").write_text("[tool.mllint]\nmax-file-size = 139\n")
    assert _mllint(["check", ".", "--no-cache"], tmp_path).stdout.startswith("a.py:21:1: ML101")


def test_ml000_is_exactly_what_cpython_refuses(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            # valid Python that LibCST refuses (or refused): no ML000, the flags still count
            "annotated.py": "(x): int = 1\nUSE_NEW = False\nif USE_NEW:\n    pass\n",
            "strings.py": "x = " + " ".join(['"a"'] * 50_000) + "\n",
            # invalid Python that LibCST takes: ML000 with CPython's message
            "unknown_name.py": 'x = 1\nname = "\\N{NOPE}"\n',
            "module_return.py": "x = 1\nreturn x\n",
            "duplicate.py": "def f(a, a):\n    pass\n",
        },
    )
    run = _mllint(["check", ".", "--no-cache", "--format", "json"], tmp_path)
    assert run.returncode == 1, run.stderr
    assert _codes(run.stdout) == {
        "annotated.py": ["ML102"],
        "unknown_name.py": ["ML000"],
        "module_return.py": ["ML000"],
        "duplicate.py": ["ML000"],
    }
    messages = {r["path"]: r["message"] for r in json.loads(run.stdout)}
    assert "unknown Unicode character name (line 2)" in messages["unknown_name.py"]
    assert messages["module_return.py"] == "Cannot parse: 'return' outside function (line 2)"
    assert "duplicate argument 'a'" in messages["duplicate.py"]
    notices = [line for line in run.stderr.splitlines() if "not analysed" in line]
    assert notices == [
        "mllint: warning: annotated.py: not analysed by the LibCST rules, only its flags"
        " (LibCST cannot parse it: parser error: error at 1:5)",
        "mllint: warning: strings.py: not analysed by the LibCST rules, only its flags"
        " (LibCST cannot parse it: parser error: error at 2:0)",
    ]


def test_cpythons_warnings_about_the_code_stay_off_stderr(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "a.py": 'import re\npattern = re.compile("\\d+")\nsame = pattern is 1\n'
            '# old = "\\w" is 2\n' + DEAD,
        },
    )
    run = _mllint(["check", "a.py", "--no-cache"], tmp_path, python_flags=["-W", "always"])
    assert run.returncode == 1
    assert "a.py:4:1: ML105" in run.stdout and "a.py:5:1: ML101" in run.stdout
    assert run.stderr == ""


def test_a_bare_get_or_setdefault_call_is_not_an_environment_read(tmp_path: Path) -> None:
    # found by the fuzzer (MLLINT_FUZZ_SEED=343023034): `get(...)` without an object crashed
    # the flag facts with an AttributeError, exit 2 for the whole run
    write_tree(
        tmp_path,
        {
            "a.py": 'from store import get, setdefault\n\nif get("USE_X", 0):\n    pass\n'
            'USE_Y = setdefault("USE_Y", 1)\n',
            "b.py": "if False:\n    pass\n",
        },
    )
    done = _mllint(["check", ".", "--no-cache", "--format", "json"], tmp_path)
    assert done.returncode == 1, done.stderr
    assert "internal error" not in done.stderr
    assert _codes(done.stdout) == {"b.py": ["ML101"]}


def test_long_comment_lines_above_commented_code_do_not_hang_ml105(tmp_path: Path) -> None:
    """ML105 reads the comment line above commented-out code for a citation or a port's
    heading; two patterns (`see ... https?://\\S+...`, `original.*framework`) took minutes on
    one long line."""
    heading = "# original " + "original " * 50_000 + "\n# model = build_model(depth)\n"
    citing = "# see " + "http://" * 60_000 + "\n# model = build_model(depth)\n"
    write_tree(tmp_path, {"heading.py": heading + "x = 1\n", "citing.py": citing + "x = 1\n"})
    check = _mllint(["check", ".", "--no-cache", "--select", "ML105"], tmp_path)
    assert check.returncode == 1, check.stderr
    assert "heading.py:2:1: ML105" in check.stdout
    assert "citing.py:2:1: ML105" in check.stdout


def test_many_commented_blocks_in_one_function_do_not_hang_ml105(tmp_path: Path) -> None:
    """ML105 looked for the function enclosing each block by walking the whole module, once
    per block: a function holding 10 000 commented lines took minutes; one map of the
    module's functions (and of its brackets) now answers every block."""
    body = "".join(f"    x{i} = 1\n    # y{i} = x{i} + 1\n" for i in range(10_000))
    write_tree(tmp_path, {"many.py": "def g():\n" + body})
    check = _mllint(["check", ".", "--no-cache", "--select", "ML105"], tmp_path)
    assert check.returncode == 1, check.stderr
    assert "many.py:3:5: ML105" in check.stdout
    assert "Found 10000 findings" in check.stdout
