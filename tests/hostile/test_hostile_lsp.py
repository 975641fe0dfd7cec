"""A hostile workspace and a hostile client against the real ``mllint lsp`` over raw stdio:
no workspace code runs in the server or any process it starts, a parser crash costs one
finding, and broken framing gets the JSON-RPC answer without stopping the server."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Dict, Iterator, List, Union

import pytest

from tests.conftest import write_tree
from tests.lsp.raw_client import RawServer, console_script, frame

SHADOWS = (
    "multiprocessing",
    "concurrent",
    "libcst",
    "json",
    "click",
    "pygls",
    "lsprotocol",
    "socket",
    "selectors",
    "pickle",
    "git",
)
"""Modules the server or its children import: each is planted in the workspace."""
MANY = 24
"""Files enough for the workspace scan to use its process pool (more than 16)."""
DEAD = "if False:\n    x = 1\n"
CRASH = "x = " + " and ".join(["a"] * 10_000) + "\n"
"""A boolean chain that LibCST's native parser (1.x) recurses on until it segfaults."""


def _hostile_workspace(root: Path, marker: Path) -> Path:
    files: Dict[str, Union[str, bytes]] = {f"m{i}.py": "x = 1\n" for i in range(MANY)}
    for name in SHADOWS:
        files[f"{name}.py"] = f"open({str(marker)!r}, 'a').write({name!r} + '\\n')\n"
    files["dead.py"] = DEAD
    return write_tree(root, files)


@pytest.fixture
def servers() -> Iterator[List[RawServer]]:
    """Servers started by a test, stopped after it."""
    started: List[RawServer] = []
    yield started
    for server in started:
        server.close()


@pytest.mark.parametrize("how", ["console-script", "python-m"])
def test_no_workspace_module_runs(tmp_path: Path, servers: List[RawServer], how: str) -> None:
    marker = tmp_path / "marker"
    workspace = _hostile_workspace(tmp_path / "ws", marker)
    command = console_script() if how == "console-script" else [sys.executable, "-m", "mllint"]
    server = RawServer(workspace, command)
    servers.append(server)
    server.initialize(workspace)
    uri = server.open(workspace / "dead.py", DEAD)
    # the lint waits for the workspace scan: once it is out, every child has run
    assert [d["code"] for d in server.diagnostics(uri)] == ["ML101"]
    assert server.close() == 0
    assert not marker.exists(), marker.read_text()


def test_a_parser_crash_costs_one_finding(tmp_path: Path, servers: List[RawServer]) -> None:
    files = {f"m{i}.py": "x = 1\n" for i in range(MANY)}
    workspace = write_tree(tmp_path / "ws", {**files, "crash.py": CRASH, "dead.py": DEAD})
    server = RawServer(workspace)
    servers.append(server)
    server.initialize(workspace)
    crash = server.open(workspace / "crash.py", CRASH)
    assert [d["code"] for d in server.diagnostics(crash)] == ["ML000"]
    dead = server.open(workspace / "dead.py", DEAD)
    assert [d["code"] for d in server.diagnostics(dead)] == ["ML101"]
    # saved: the file on disk is analysed again, and the server still answers
    server.notify("textDocument/didSave", {"textDocument": {"uri": crash}})
    hover = {"textDocument": {"uri": dead}, "position": {"line": 0, "character": 3}}
    assert "ML101" in str(server.answer(server.request("textDocument/hover", hover))["result"])
    assert server.close() == 0


GOOD = frame({"jsonrpc": "2.0", "method": "initialized", "params": {}})
BROKEN = {
    "longer-than-body": b'Content-Length: 80\r\n\r\n{"a":1}',
    "much-longer-than-body": b'Content-Length: 5000\r\n\r\n{"a":1}',
    "shorter-than-body": b'Content-Length: 3\r\n\r\n{"a":1}',
    "missing": b'Content-Type: application/vscode-jsonrpc\r\n\r\n{"a":1}',
    "non-numeric": b"Content-Length: abc\r\n\r\n{}",
    "negative": b"Content-Length: -5\r\n\r\n{}",
    "1e30": b"Content-Length: 1e30\r\n\r\n{}",
    "huge": b"Content-Length: 1000000000000\r\n\r\n{}",
    "not-json": b"Content-Length: 5\r\n\r\n{abc}",
    "not-utf8": b"Content-Length: 4\r\n\r\n\xff\xfe\xfd\xfc",
    "deep-json": b"Content-Length: 200000\r\n\r\n" + b"[" * 100_000 + b"]" * 100_000,
}


@pytest.mark.parametrize("data", list(BROKEN.values()), ids=list(BROKEN))
def test_broken_framing_is_a_parse_error(
    tmp_path: Path, servers: List[RawServer], data: bytes
) -> None:
    server = RawServer(tmp_path)
    servers.append(server)
    msg_id = server.request("shutdown", raw_prefix=data)
    error = server.wait_for(lambda m: "error" in m)
    assert error["id"] is None and error["error"]["code"] == -32700
    assert server.answer(msg_id) == {"jsonrpc": "2.0", "id": msg_id, "result": None}
    assert server.close() == 0
    assert "Traceback" not in server.stderr()


def test_lf_only_headers_are_read(tmp_path: Path, servers: List[RawServer]) -> None:
    server = RawServer(tmp_path)
    servers.append(server)
    body = b'{"jsonrpc": "2.0", "id": 5, "method": "initialize", "params": {"capabilities": {}}}'
    server.send_bytes(b"Content-Length: %d\n\n" % len(body) + body)
    assert server.answer(5)["result"]["serverInfo"]["name"] == "mllint"
    assert server.close() == 0


def test_requests_after_shutdown_are_refused(tmp_path: Path, servers: List[RawServer]) -> None:
    server = RawServer(tmp_path)
    servers.append(server)
    server.initialize(None)
    assert server.answer(server.request("shutdown"))["result"] is None
    refused = server.answer(server.request("textDocument/hover", {}))
    assert refused["error"]["code"] == -32600
    assert server.close() == 0


INVALID = {
    "array": ([1, 2], None, -32600),
    "bad-id": ({"jsonrpc": "2.0", "id": {}, "method": "shutdown"}, None, -32600),
    "old-jsonrpc": ({"jsonrpc": "1.0", "id": 3, "method": "shutdown"}, 3, -32600),
    "params-not-object": (
        {"jsonrpc": "2.0", "id": 4, "method": "initialize", "params": 5},
        4,
        -32602,
    ),
    "params-missing-fields": (
        {"jsonrpc": "2.0", "id": 6, "method": "textDocument/hover", "params": {"x": 1}},
        6,
        -32602,
    ),
    "unknown-method": ({"jsonrpc": "2.0", "id": 7, "method": "mllint/nope"}, 7, -32601),
}


@pytest.mark.parametrize(("message", "msg_id", "code"), list(INVALID.values()), ids=list(INVALID))
def test_invalid_requests_get_their_error(
    tmp_path: Path, servers: List[RawServer], message: object, msg_id: object, code: int
) -> None:
    server = RawServer(tmp_path)
    servers.append(server)
    server.send_bytes(frame(message))
    error = server.wait_for(lambda m: "error" in m)
    assert (error["id"], error["error"]["code"]) == (msg_id, code)
    # a notification with invalid params is never answered, and the server goes on
    server.notify("textDocument/didOpen", {"textDocument": 5})
    answer = server.initialize(None)
    assert answer["result"]["serverInfo"]["name"] == "mllint"
    assert [m for m in server.received if "error" in m] == [error]
    assert server.close() == 0
