"""A bare-bytes client for ``mllint lsp``: frames are written and read by hand, so that tests
can send what no well-behaved client library would (broken headers, bodies that are not JSON)."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any, Callable, Dict, List, Optional, Sequence

from pygls.uris import from_fs_path

TIMEOUT = 120.0
"""Seconds to wait for an answer: only to turn a hang into a failure."""


def frame(message: Any) -> bytes:
    """``message`` as JSON with its ``Content-Length`` header."""
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def uri_of(path: Path) -> str:
    """The ``file:`` URI of ``path``."""
    uri = from_fs_path(str(path))
    assert uri is not None
    return str(uri)


def console_script() -> List[str]:
    """The ``mllint`` command installed next to this interpreter (what editors run)."""
    script = Path(sys.executable).with_name("mllint")
    return [str(script)] if script.exists() else [sys.executable, "-m", "mllint"]


class RawServer:
    """``mllint lsp`` in a subprocess, started in ``cwd``; every message it sends is kept."""

    def __init__(self, cwd: Path, command: Optional[Sequence[str]] = None) -> None:
        self.stderr_path = cwd.parent / f"{cwd.name}-lsp-stderr.txt"
        self._stderr: IO[bytes] = open(self.stderr_path, "wb")  # noqa: SIM115 (closed by close)
        self.process = subprocess.Popen(
            [*(command or console_script()), "lsp", "--no-cache", "--debounce-ms=20"],
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
        )
        self.received: List[Dict[str, Any]] = []
        self._inbox: queue.Queue[Optional[Dict[str, Any]]] = queue.Queue()
        self._ids = 1000
        self._shutdown: Optional[int] = None
        """The id of the ``shutdown`` request sent, if any."""
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        while True:
            length = None
            while True:
                line = stdout.readline()
                if not line:
                    self._inbox.put(None)
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            assert length is not None, "the server sent a message without Content-Length"
            self._inbox.put(json.loads(stdout.read(length)))

    def send_bytes(self, data: bytes) -> None:
        """Write raw bytes to the server's standard input."""
        stdin = self.process.stdin
        assert stdin is not None
        stdin.write(data)
        stdin.flush()

    def notify(self, method: str, params: Any = None) -> None:
        """Send a notification."""
        self.send_bytes(frame({"jsonrpc": "2.0", "method": method, "params": params}))

    def request(self, method: str, params: Any = None, raw_prefix: bytes = b"") -> int:
        """Send a request (after ``raw_prefix``, in the same write); its id."""
        self._ids += 1
        message = {"jsonrpc": "2.0", "id": self._ids, "method": method, "params": params}
        if method == "shutdown":
            self._shutdown = self._ids
        self.send_bytes(raw_prefix + frame(message))
        return self._ids

    def wait_for(self, condition: Callable[[Dict[str, Any]], bool]) -> Dict[str, Any]:
        """The first message (already received or still to come) that fits ``condition``."""
        for message in self.received:
            if condition(message):
                return message
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                got = self._inbox.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no answer; stderr:\n{self.stderr()}") from None
            if got is None:
                raise AssertionError(f"the server is gone; stderr:\n{self.stderr()}")
            self.received.append(got)
            if condition(got):
                return got

    def answer(self, msg_id: int) -> Dict[str, Any]:
        """The response to request ``msg_id``."""
        return self.wait_for(lambda m: m.get("id") == msg_id and "method" not in m)

    def initialize(self, root: Optional[Path]) -> Dict[str, Any]:
        """``initialize`` (on the workspace folder ``root``) and ``initialized``."""
        params: Dict[str, Any] = {"processId": None, "rootUri": None, "capabilities": {}}
        if root is not None:
            uri = uri_of(root)
            params.update(rootUri=uri, workspaceFolders=[{"uri": uri, "name": root.name}])
        answer = self.answer(self.request("initialize", params))
        self.notify("initialized", {})
        return answer

    def open(self, path: Path, text: str, version: int = 1) -> str:
        """``didOpen`` of ``path`` holding ``text``; its URI."""
        uri = uri_of(path)
        document = {"uri": uri, "languageId": "python", "version": version, "text": text}
        self.notify("textDocument/didOpen", {"textDocument": document})
        return uri

    def diagnostics(self, uri: str, version: int = 1) -> List[Dict[str, Any]]:
        """The diagnostics published for ``version`` of ``uri``."""
        published = self.wait_for(
            lambda m: (
                m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["uri"] == uri
                and m["params"].get("version") == version
            )
        )
        return list(published["params"]["diagnostics"])

    def stderr(self) -> str:
        """What the server wrote to standard error so far."""
        return self.stderr_path.read_text(errors="replace")

    def close(self) -> Optional[int]:
        """``shutdown`` and ``exit`` if the server still runs; its exit status."""
        if self.process.poll() is None:
            try:
                self.answer(self._shutdown or self.request("shutdown"))
                self.notify("exit")
                self.process.wait(timeout=TIMEOUT)
            except (AssertionError, OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
        self._stderr.close()
        return self.process.returncode
