"""Latency of ``mllint lsp``: from the end of the debounce to the diagnostics in the editor.

A real LSP client (pygls) starts ``python -m mllint lsp`` over stdio, opens a 2,000-line file
and makes 50 edits, one at a time, each an incremental change of one line like a keystroke or a
toggled experiment (``if False:`` <-> ``if USE_X:``). For each edit it measures the time from
the end of the debounce (the moment the change was sent plus the debounce) to the arrival of
the diagnostics for that version; the target is p95 <= 300 ms::

    python bench/bench_lsp.py                         # synthetic 2,000-line module
    python bench/bench_lsp.py --dead-every 1          # worst case: a finding in every function
    python bench/bench_lsp.py --file path/to/big.py   # a real file instead
    python bench/bench_lsp.py --edits 50 --debounce-ms 250 --lines 2000

The measured time includes both trips over the pipes and the server's wait for its lint
thread, so it is an upper bound on what the server itself spends.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path


def cpu_seconds(pid: Optional[int]) -> Optional[float]:
    """CPU time (user + system) a process has used so far, on Linux; ``None`` elsewhere."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def synthetic_module(lines: int, dead_every: int = 10) -> str:
    """A deterministic ML-looking module of exactly ``lines`` lines in which every
    ``dead_every``-th function holds a dead ``if False:`` branch (an ML101 finding); the others
    hold a live ``if USE_X:``."""
    out: List[str] = [
        '"""Training utilities (synthetic benchmark input)."""',
        "import json",
        "import numpy as np",
        "import torch",
        "",
        "USE_X = False",
        "",
    ]
    block = 0
    while True:
        body = [
            f"def step_{block}(model, batch, optimizer, scale={block % 7}):",
            f'    """One training step, variant {block}."""',
            "    logits = model(batch['inputs'])",
            "    loss = torch.nn.functional.cross_entropy(logits, batch['labels'])",
            "    if False:" if block % dead_every == 0 else "    if USE_X:",
            "        loss = loss + 0.1 * torch.mean(logits ** 2)",
            "    loss = loss * scale",
            "    optimizer.zero_grad()",
            "    loss.backward()",
            "    optimizer.step()",
            "    stats = json.loads(json.dumps({'loss': float(loss)}))",
            "    arr = np.asarray(logits.detach().numpy())",
            "    return stats, arr.mean(axis=0)",
            "",
        ]
        if len(out) + len(body) > lines:
            break
        out.extend(body)
        block += 1
    out.extend(f"SETTING_{n} = {n}" for n in range(lines - len(out)))
    return "\n".join(out) + "\n"


def newline_edit_for(i: int, lines: List[str]) -> types.TextDocumentContentChangePartial:
    """The ``i``-th edit of the ``newline`` kind: Enter at the end of a line in the first
    tenth of the file (every statement below moves down a line), then Backspace."""
    code = [n for n, line in enumerate(lines[: len(lines) // 10]) if line.startswith("    ")]
    number = code[(i // 2 * 7) % len(code)]
    if i % 2 == 0:
        end = len(lines[number])
        lines.insert(number + 1, "")
        return types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(number, end), types.Position(number, end)),
            text="\n",
        )
    end = len(lines[number])
    del lines[number + 1]
    return types.TextDocumentContentChangePartial(
        range=types.Range(types.Position(number, end), types.Position(number + 1, 0)),
        text="",
    )


def edit_for(i: int, lines: List[str]) -> types.TextDocumentContentChangePartial:
    """The ``i``-th edit, one line: toggle an experiment switch (``if False:`` <-> ``if USE_X:``)
    or, in a file without switches, type a comment at the end of an indented code line."""
    toggles = [n for n, line in enumerate(lines) if line.strip() in ("if False:", "if USE_X:")]
    if toggles:
        number = toggles[(i * 7) % len(toggles)]
    else:
        code = [
            n
            for n, line in enumerate(lines)
            if line.startswith("        ") and line.strip() and not line.rstrip().endswith("\\")
        ]
        number = code[(i * 37) % len(code)]
    old = lines[number]
    if i % 2 == 0 and toggles:
        if "False" in old:
            new = old.replace("if False:", "if USE_X:")
        else:
            new = old.replace("if USE_X:", "if False:")
    else:
        new = old + f"  # edit {i}"
    lines[number] = new
    return types.TextDocumentContentChangePartial(
        range=types.Range(types.Position(number, 0), types.Position(number, len(old))),
        text=new,
    )


async def run(args: argparse.Namespace) -> int:
    text = (
        Path(args.file).read_text(encoding="utf-8")
        if args.file
        else synthetic_module(args.lines, args.dead_every)
    )
    with tempfile.TemporaryDirectory(prefix="mllint-bench-lsp-") as folder:
        root = Path(folder)
        (root / "pyproject.toml").write_text("[tool.mllint]\n", encoding="utf-8")
        path = root / "big_module.py"
        path.write_text(text, encoding="utf-8")
        uri = from_fs_path(str(path))
        root_uri = from_fs_path(str(root))
        assert uri is not None and root_uri is not None

        client = LanguageClient("mllint-bench", "1")
        arrived: Dict[int, float] = {}
        counts: Dict[int, int] = {}
        event = asyncio.Event()

        @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            if params.version is not None:
                arrived[params.version] = time.perf_counter()
                counts[params.version] = len(params.diagnostics)
                event.set()

        @client.feature(types.WINDOW_LOG_MESSAGE)
        def logged(params: types.LogMessageParams) -> None:
            print(f"server: {params.message}", file=sys.stderr)

        await client.start_io(
            sys.executable,
            "-m",
            "mllint",
            "lsp",
            "--no-cache",
            f"--debounce-ms={args.debounce_ms}",
        )
        await client.initialize_async(
            types.InitializeParams(
                capabilities=types.ClientCapabilities(),
                root_uri=root_uri,
                workspace_folders=[types.WorkspaceFolder(uri=root_uri, name="bench")],
            )
        )
        client.initialized(types.InitializedParams())

        async def until(version: int) -> float:
            while version not in arrived:
                event.clear()
                await asyncio.wait_for(event.wait(), timeout=30)
            return arrived[version]

        started = time.perf_counter()
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id="python", version=1, text=text
                )
            )
        )
        first = await until(1) - started
        lines = text.split("\n")
        debounce = args.debounce_ms / 1000
        server = getattr(client, "_server", None)
        pid = getattr(server, "pid", None)
        cpu_before = cpu_seconds(pid)
        latencies: List[float] = []
        for i in range(args.edits):
            version = i + 2
            change = (newline_edit_for if args.edit == "newline" else edit_for)(i, lines)
            sent = time.perf_counter()
            client.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                    content_changes=[change],
                )
            )
            latencies.append(await until(version) - (sent + debounce))
        cpu_after = cpu_seconds(pid)
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()

    ms = sorted(x * 1000 for x in latencies)
    p95 = ms[max(0, math.ceil(0.95 * len(ms)) - 1)]  # nearest rank
    source = args.file or f"synthetic, a dead branch in every {args.dead_every}. function"
    print(f"file: {source}, {len(text.splitlines())} lines")
    print(f"debounce: {args.debounce_ms} ms, edits: {len(ms)} ({args.edit})")
    print(f"first diagnostics after open (includes workspace load): {first * 1000:.0f} ms")
    print(f"findings after the last edit: {counts.get(args.edits + 1)}")
    print(
        "after the end of the debounce: "
        f"p50 {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms, max {ms[-1]:.0f} ms, "
        f"min {ms[0]:.0f} ms"
    )
    if cpu_before is not None and cpu_after is not None:
        per_edit = (cpu_after - cpu_before) / len(ms) * 1000
        print(
            f"server CPU per edit: {per_edit:.0f} ms (wall time above includes waiting for a CPU)"
        )
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    verdict = "PASS" if p95 <= args.target_ms else "FAIL"
    print(f"{verdict}: p95 {p95:.0f} ms vs target {args.target_ms} ms")
    return 0 if verdict == "PASS" else 1


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", help="lint this file instead of a synthetic module")
    parser.add_argument("--lines", type=int, default=2000, help="synthetic module length")
    parser.add_argument(
        "--dead-every",
        type=int,
        default=10,
        help="a dead branch in every N-th synthetic function (1: a finding in each of them)",
    )
    parser.add_argument("--edits", type=int, default=50)
    parser.add_argument(
        "--edit",
        choices=("toggle", "newline"),
        default="toggle",
        help="toggle: switch experiments and type comments (lines stay put); newline: Enter "
        "and Backspace near the top (everything below moves)",
    )
    parser.add_argument("--debounce-ms", type=int, default=250)
    parser.add_argument("--target-ms", type=int, default=300)
    return asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
