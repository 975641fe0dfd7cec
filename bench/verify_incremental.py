"""Check the language server's incremental analysis against full analyses on real code.

For each file of a corpus, makes random one-line edits (typing, deleting, duplicating lines,
Enter) one after another and checks, for every version that parses, that the re-parsed module
equals a full parse and that the buffer's analysis (re-using the earlier ones through the
memo) equals what ``mllint check``'s per-file stage gives::

    python bench/verify_incremental.py --corpus path/to/code --files 200 --edits 20

Too slow for the test suite on a real corpus; the tests run the same checks on the sample
project.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import List, Optional

import libcst as cst

from mllint.analyze import analyze_source
from mllint.lsp.linting import analyze_buffer, buffer_bytes
from mllint.lsp.reparse import Reparser


def edited(text: str, rng: random.Random) -> str:
    """``text`` with one random edit of the kinds an editor makes."""
    lines = text.split("\n")
    n = rng.randrange(len(lines))
    kind = rng.randrange(5)
    if kind == 0:  # type a character
        cut = rng.randrange(len(lines[n]) + 1)
        lines[n] = lines[n][:cut] + rng.choice("ab_1 (),.:#'") + lines[n][cut:]
    elif kind == 1 and len(lines) > 1:  # delete a line
        lines.pop(n)
    elif kind == 2:  # duplicate a line
        lines.insert(n, lines[n])
    elif kind == 3:  # Enter, keeping the indentation
        indent = lines[n][: len(lines[n]) - len(lines[n].lstrip())]
        lines.insert(n + 1, indent)
    else:  # delete a character
        if lines[n]:
            cut = rng.randrange(len(lines[n]))
            lines[n] = lines[n][:cut] + lines[n][cut + 1 :]
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--seed", default="mllint")
    args = parser.parse_args(argv)
    paths = sorted(Path(args.corpus).rglob("*.py"))
    rng = random.Random(args.seed)
    rng.shuffle(paths)
    checked = failures = 0
    started = time.perf_counter()
    for path in paths[: args.files]:
        try:
            text = path.read_text(encoding="utf-8")
            cst.parse_module(text)
        except Exception:
            continue
        reparser = Reparser()
        reparser.parse(text)
        for _ in range(args.edits):
            text = edited(text, rng)
            try:
                full = cst.parse_module(text)
            except Exception:
                reparser.forget()
                continue
            module = reparser.parse(text)
            result = analyze_buffer(str(path), text, reparser)
            expected = analyze_source(str(path), buffer_bytes(text))
            checked += 1
            if not module.deep_equals(full) or result != expected:
                failures += 1
                print(f"MISMATCH {path} (version {checked})", file=sys.stderr)
                break
        print(
            f"{path.name}: {reparser.spliced} splices, {reparser.spliced_inside} inside bodies",
            file=sys.stderr,
        )
    elapsed = time.perf_counter() - started
    print(f"{checked} versions checked, {failures} mismatches ({elapsed:.0f} s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
