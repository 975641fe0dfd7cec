"""The safe file primitives: atomic, no link followed, bounded reads."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import List

import pytest

from mllint.safeio import TooLarge, UnsafePath, read_below, read_limited, write_atomic, write_below


def test_write_below_creates_folders_and_replaces_atomically(tmp_path: Path) -> None:
    write_below(tmp_path, ["a", "b"], "entry.json", b"one")
    write_below(tmp_path, ["a", "b"], "entry.json", b"two")
    assert (tmp_path / "a" / "b" / "entry.json").read_bytes() == b"two"
    assert os.listdir(tmp_path / "a" / "b") == ["entry.json"]  # no temporary left behind
    assert read_below(tmp_path, ["a", "b"], "entry.json", 10) == b"two"


def test_write_below_refuses_a_linked_folder(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    root = tmp_path / "root"
    root.mkdir()
    (root / "cache").symlink_to(elsewhere)
    with pytest.raises(UnsafePath):
        write_below(root, ["cache", "x"], "entry.json", b"data")
    assert list(elsewhere.iterdir()) == []


def test_write_below_replaces_a_planted_link_instead_of_writing_through_it(
    tmp_path: Path,
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "entry.json").symlink_to(victim)
    write_below(tmp_path, ["cache"], "entry.json", b"data")
    assert victim.read_text() == "precious"
    assert not (tmp_path / "cache" / "entry.json").is_symlink()


def test_read_below_refuses_links(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("s")
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "entry.json").symlink_to(secret)
    with pytest.raises(UnsafePath):
        read_below(tmp_path, ["cache"], "entry.json", 100)


def test_read_limited_refuses_fifos_devices_and_large_files(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(UnsafePath):
        read_limited(fifo, 100)  # returns at once instead of blocking
    with pytest.raises(UnsafePath):
        read_limited(Path("/dev/zero"), 100)
    big = tmp_path / "big"
    big.write_bytes(b"x" * 101)
    with pytest.raises(TooLarge):
        read_limited(big, 100)
    assert read_limited(big, 101) == b"x" * 101


def test_write_atomic_keeps_the_old_file_when_the_write_fails(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    write_atomic(link, b"new")
    assert target.read_text() == "old"  # the link was replaced, not written through
    assert link.read_text() == "new"
    with pytest.raises(IsADirectoryError):
        write_atomic(tmp_path, b"x")


def test_write_atomic_writes_into_a_fifo_instead_of_replacing_it(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: List[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    write_atomic(fifo, b"report")
    reader.join(timeout=30)
    assert received == [b"report"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_write_atomic_writes_into_a_device_instead_of_replacing_it(tmp_path: Path) -> None:
    # a private twin of /dev/null (same device numbers), so a regression cannot break the
    # machine's own: renaming a file over /dev/null once replaced it for every process
    null = tmp_path / "null"
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    write_atomic(null, b"report")
    assert stat.S_ISCHR(os.lstat(null).st_mode)
    assert os.listdir(tmp_path) == ["null"]  # no temporary file either


def test_output_to_an_open_stream_goes_to_that_stream(tmp_path: Path) -> None:
    # `-o /dev/stdout` and a shell's `-o >(...)` (/dev/fd/N) write where the shell points
    code = "from pathlib import Path; from mllint.safeio import write_atomic; "
    for target in ("/dev/fd/1", "/dev/stdout"):
        done = subprocess.run(
            [sys.executable, "-c", code + f"write_atomic(Path({target!r}), b'report')"],
            capture_output=True,
            timeout=60,
            check=True,
        )
        assert done.stdout == b"report"
        assert os.path.islink("/dev/stdout") or not os.path.exists("/dev/stdout")
