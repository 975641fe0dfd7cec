"""Baseline for bench.py: read and parse every file with plain ``libcst.parse_module``.

usage: python plain_parse.py FILE_LIST JOBS
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import sys

import libcst as cst


def parse(path: str) -> int:
    """Parse one file; count it when LibCST accepts it."""
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        cst.parse_module(data)
    except Exception:
        return 0
    return 1


def main() -> None:
    """Parse the listed files with JOBS processes."""
    with open(sys.argv[1], encoding="utf-8") as handle:
        paths = handle.read().splitlines()
    jobs = int(sys.argv[2])
    cst.parse_module("warm = 1\n")
    if jobs <= 1:
        parsed = sum(map(parse, paths))
    else:
        context = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context) as pool:
            parsed = sum(pool.map(parse, paths, chunksize=8))
    print(f"parsed {parsed} of {len(paths)}", file=sys.stderr)


if __name__ == "__main__":
    main()
