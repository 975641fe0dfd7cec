"""Hostile file names and values in reports: a name that is not UTF-8 or holds a newline, and
a constant holding a secret, print safely in every format; output files are replaced
atomically, so a failed write leaves the old file intact."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest

from tests.conftest import Run, run_subprocess, write_tree

HANG = 120  # seconds: only to turn a hang into a failure

DEAD = b"if False:\n    x = 1\n"


def _bad_name_project(tmp_path: Path) -> Path:
    with open(os.path.join(os.fsencode(tmp_path), b"bad\xff.py"), "wb") as handle:
        handle.write(DEAD)
    return tmp_path


def _check(tmp_path: Path, *args: str) -> Run:
    run = run_subprocess(["check", "--no-cache", "--no-git", *args], tmp_path, timeout=HANG)
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr, run.stderr
    return run


def test_non_utf8_name_in_text(tmp_path: Path) -> None:
    run = _check(_bad_name_project(tmp_path), ".")
    assert run.exit_code == 1
    assert run.stdout.startswith("bad\\xff.py:1:1: ML101 ")


def test_non_utf8_name_in_github(tmp_path: Path) -> None:
    run = _check(_bad_name_project(tmp_path), ".", "--format", "github")
    assert run.exit_code == 1
    assert run.stdout.startswith("::error file=bad\\xff.py,line=1,") or (
        run.stdout.startswith("::warning file=bad\\xff.py,line=1,")
    )


def test_non_utf8_name_in_json(tmp_path: Path) -> None:
    run = _check(_bad_name_project(tmp_path), ".", "--format", "json")
    assert run.exit_code == 1
    (item,) = json.loads(run.stdout)
    assert item["path"] == "bad\\xff.py"


def test_non_utf8_name_in_sarif(tmp_path: Path) -> None:
    run = _check(_bad_name_project(tmp_path), ".", "--format", "sarif")
    assert run.exit_code == 1
    (result,) = json.loads(run.stdout)["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uri"] == "bad%FF.py"


def test_non_utf8_name_in_output_file_and_baseline(tmp_path: Path) -> None:
    _bad_name_project(tmp_path)
    (tmp_path / "report.json").write_text("OLD\n")
    run = _check(tmp_path, ".", "--format", "json", "-o", "report.json")
    assert run.exit_code == 1
    assert json.loads((tmp_path / "report.json").read_text())[0]["path"] == "bad\\xff.py"
    run = _check(tmp_path, "bad\udcff.py", "--write-baseline", "base.json")
    assert run.exit_code == 0
    baseline = json.loads((tmp_path / "base.json").read_text())
    assert [item["path"] for item in baseline] == ["bad\\xff.py"]
    run = _check(tmp_path, "bad\udcff.py", "--baseline", "base.json")
    assert run.exit_code == 0 and run.stdout == ""


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("a\nb.py", "a\\nb.py"),
        ("tab\there.py", "tab\\there.py"),
        ("esc\x1b[2J.py", "esc\\x1b[2J.py"),
    ],
)
def test_control_characters_in_names_do_not_split_lines(
    tmp_path: Path, name: str, shown: str
) -> None:
    (tmp_path / name).write_bytes(DEAD)
    run = _check(tmp_path, ".", "--quiet")  # findings only: no summary line
    assert run.stdout.splitlines() == [
        line for line in run.stdout.splitlines() if line.startswith(f"{shown}:1:1: ML101 ")
    ]
    assert len(run.stdout.splitlines()) == 1
    github = _check(tmp_path, ".", "--format", "github").stdout
    assert len(github.splitlines()) == 1 and f"file={shown}," in github


def _many_findings(tmp_path: Path) -> None:
    write_tree(tmp_path, {f"m{i}.py": DEAD.decode() * 20 for i in range(5)})


def _limited(args: List[str], cwd: Path, limit: int) -> subprocess.CompletedProcess[str]:
    """``mllint ARGS`` in a process that may not write files larger than ``limit`` bytes
    (a full disk, as far as the output file can tell)."""

    def cap() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env: Dict[str, str] = {k: v for k, v in os.environ.items() if k != "MLLINT_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "mllint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=HANG,
        env=env,
        preexec_fn=cap,
    )


@pytest.mark.parametrize("option", ["-o", "--write-baseline"])
def test_failed_write_leaves_the_old_file(tmp_path: Path, option: str) -> None:
    _many_findings(tmp_path)
    target = tmp_path / "old.json"
    target.write_text("OLD CONTENT\n")
    args = ["check", ".", "--no-cache", "--no-git", "--format", "json", option, "old.json"]
    done = _limited(args, tmp_path, 4096)
    assert done.returncode == 2, done.stderr
    assert "cannot write old.json" in done.stderr
    assert "Traceback" not in done.stderr
    assert target.read_text() == "OLD CONTENT\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_same_file_for_baseline_and_output_is_a_usage_error(tmp_path: Path) -> None:
    write_tree(tmp_path, {"m.py": DEAD.decode(), "sub/keep.txt": ""})
    (tmp_path / "base.json").write_text("[]\n")
    (tmp_path / "link.json").symlink_to("base.json")
    for spelling in ("base.json", "./sub/../base.json", "link.json", str(tmp_path / "base.json")):
        run = run_subprocess(
            ["check", "m.py", "--no-cache", "--write-baseline", "base.json", "-o", spelling],
            tmp_path,
            timeout=HANG,
        )
        assert run.exit_code == 2, spelling
        assert "same file" in run.stderr
        assert (tmp_path / "base.json").read_text() == "[]\n"


SECRET_PROJECT = {
    "settings.py": (
        "API_TOKEN = 'hunter2-secret'\n"
        "DB_URL = 'postgres://admin:pw1234@db.internal/prod'\n"
        "MODEL = 'resnet50'\n"
    ),
    "main.py": (
        "from settings import API_TOKEN, DB_URL, MODEL\n"
        "if API_TOKEN == 'x':\n    a()\n"
        "if DB_URL == 'y':\n    b()\n"
        "if MODEL == 'vit':\n    c()\n"
    ),
}


@pytest.mark.parametrize("output_format", ["text", "json", "sarif", "github"])
def test_secret_values_are_never_printed(tmp_path: Path, output_format: str) -> None:
    write_tree(tmp_path, SECRET_PROJECT)
    run = _check(tmp_path, ".", "--format", output_format)
    assert run.exit_code == 1
    assert run.stdout.count("ML102") >= 3
    for secret in ("hunter2", "postgres", "pw1234"):
        assert secret not in run.stdout
    assert "<str of 14 chars>" in run.stdout
    assert "resnet50" in run.stdout  # a short identifier-like value is shown


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_secret_values_are_not_in_the_flags_inventory(tmp_path: Path, output_format: str) -> None:
    write_tree(tmp_path, SECRET_PROJECT)
    run = run_subprocess(
        ["flags", ".", "--no-cache", "--no-git", "--format", output_format], tmp_path, HANG
    )
    assert run.exit_code == 0, run.stderr
    for secret in ("hunter2", "postgres", "pw1234"):
        assert secret not in run.stdout
    assert "resnet50" in run.stdout


@pytest.mark.parametrize(
    ("value", "name", "shown"),
    [
        (True, "USE_X", "True"),
        (None, "X", "None"),
        (0.5, "LR", "0.5"),
        ("resnet50", "MODEL", "'resnet50'"),
        ("1", "SEED", "'1'"),
        ("hunter2-secret", "API_TOKEN", "<str of 14 chars>"),
        ("abc", "db_password", "<str of 3 chars>"),
        ("a3f9c2e1b4d5a6f7a3f9c2e1b4d5a6f7", "COMMIT", "<str of 32 chars>"),
        ("postgres://u:p@h/db", "DB_URL", "<str of 19 chars>"),
        ("x" * 33, "LONG", "<str of 33 chars>"),
        (10**20, "BIG", "<int of 67 bits>"),
        ((1, 2), "PAIR", "<tuple of 2 items>"),
        (b"key", "RAW", "<bytes of 3 bytes>"),
    ],
)
def test_display_value(value: object, name: str, shown: str) -> None:
    from mllint.display import display_value

    assert display_value(value, name) == shown


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain/päth.py", "plain/päth.py"),
        ("bad\udcff.py", "bad\\xff.py"),
        ("a\nb\r\tc", "a\\nb\\r\\tc"),
        ("rtl\u202eyp.py", "rtl\\u202eyp.py"),
        ("bell\x07", "bell\\x07"),
    ],
)
def test_printable(text: str, shown: str) -> None:
    from mllint.display import printable

    assert printable(text) == shown


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_baseline_that_is_not_a_regular_file(tmp_path: Path, kind: str) -> None:
    write_tree(tmp_path, {"m.py": DEAD.decode()})
    if kind == "fifo":
        os.mkfifo(tmp_path / "base.json")
        baseline = "base.json"
    else:
        baseline = "/dev/zero"
    run = _check(tmp_path, "m.py", "--baseline", baseline)
    assert run.exit_code == 2
    assert f"{baseline}: cannot read baseline: not a regular file" in run.stderr


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_odd_names_in_the_flags_inventory(tmp_path: Path, output_format: str) -> None:
    source = b"USE_NEW_LOSS = False\nif USE_NEW_LOSS:\n    x = 1\n"
    for name in (b"bad\xff.py", b"two\nlines.py"):
        with open(os.path.join(os.fsencode(tmp_path), name), "wb") as handle:
            handle.write(source)
    run = run_subprocess(["flags", ".", "--no-git", "--format", output_format], tmp_path)
    assert run.exit_code == 0 and "Traceback" not in run.stderr, run.stderr
    if output_format == "json":
        paths = {r["path"] for flag in json.loads(run.stdout) for r in flag["references"]}
        assert paths == {"bad\\xff.py", "two\\nlines.py"}
    else:
        assert "bad\\xff.py" in run.stdout and "two\\nlines.py" in run.stdout
        assert all("lines.py" not in line or "two" in line for line in run.stdout.splitlines())


def test_output_to_standard_output_by_its_name(tmp_path: Path) -> None:
    _bad_name_project(tmp_path)
    run = _check(tmp_path, ".", "--format", "json", "-o", "/dev/stdout")
    assert run.exit_code == 1
    assert json.loads(run.stdout)[0]["code"] == "ML101"
    assert os.path.islink("/dev/stdout")  # written into, not replaced
