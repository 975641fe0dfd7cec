"""What ``check --fix --unsafe-fixes`` and ``mllint retire`` do to real code, and what they cost.

Every run works on a private copy (the originals are never touched)::

    python bench/bench_fix.py --corpus /tmp/corpora/transformers --limit 800
    python bench/bench_fix.py --truth /tmp/truth --flags 3      # the bench/truth clones

For the corpus: the time of a cold ``check`` against a cold ``check --fix --unsafe-fixes``
(each in a fresh copy, with a fresh cache) and their ratio. For each research repository: the
same fix run, then ``retire`` of up to ``--flags`` flags of the inventory (the most-read
experiment switches: module constants, options, environment variables), one after the other,
each keeping the flag's current value (after the inventory run that picks them, so with a
warm cache). For every run: files changed, lines removed, wall and CPU time, and whether
every rewritten file still compiles. JSON lines on standard output, one per corpus or
repository; ``--json`` writes them all to one file too.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

SKIP = shutil.ignore_patterns(".git", ".mllint_cache", "__pycache__", "*.pyc", "node_modules")
EXPERIMENT = re.compile(
    r"^_?(use|enable|disable|try|exp|legacy|old|new)_|experiment|_v2$|_legacy$", re.IGNORECASE
)


CPU: Dict[str, float] = {}
"""CPU seconds (all processes) of the last :func:`mllint` run: the steadier figure on a
machine that others share."""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def mllint(args: Sequence[str], cwd: Path, timeout: float = 1800) -> Tuple[int, float, str, str]:
    """Run ``python -m mllint ARGS``: exit code, wall seconds, stdout, stderr."""
    start = time.perf_counter()
    cpu = _children_cpu()
    done = subprocess.run(
        [sys.executable, "-m", "mllint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "XDG_CACHE_HOME": str(cwd / ".bench-user-cache")},
    )
    CPU["last"] = _children_cpu() - cpu
    return done.returncode, time.perf_counter() - start, done.stdout, done.stderr


def python_files(root: Path) -> Dict[str, bytes]:
    """Relative path -> bytes of every ``.py`` file below ``root``."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        if ".mllint_cache" in path.parts or ".bench-user-cache" in path.parts:
            continue
        if path.is_file() and not path.is_symlink():
            found[str(path.relative_to(root))] = path.read_bytes()
    return found


def changes(before: Dict[str, bytes], root: Path) -> Dict[str, Any]:
    """Files changed, lines removed and added, and the rewritten files that do not compile."""
    after = python_files(root)
    changed = [p for p in before if p in after and after[p] != before[p]]
    removed = added = 0
    broken: List[str] = []
    for path in changed:
        old = before[path].decode("utf-8", "replace").splitlines()
        new = after[path].decode("utf-8", "replace").splitlines()
        for line in difflib.unified_diff(old, new, lineterm="", n=0):
            if line.startswith("-") and not line.startswith("---"):
                removed += 1
            elif line.startswith("+") and not line.startswith("+++"):
                added += 1
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                compile(after[path], path, "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as exc:
            broken.append(f"{path}: {exc}")
    return {
        "files_changed": len(changed),
        "lines_removed": removed,
        "lines_added": added,
        "not_compiling": broken,
        "files_deleted": [p for p in before if p not in after],
    }


def fresh_copy(source: Path, into: Path, limit: int = 0) -> Path:
    """A copy of ``source`` (its first ``limit`` ``.py`` files only, when given)."""
    if into.exists():
        shutil.rmtree(into)
    if not limit:
        shutil.copytree(source, into, symlinks=True, ignore=SKIP)
        return into
    files = sorted(p for p in source.rglob("*.py") if ".git" not in p.parts)[:limit]
    for path in files:
        target = into / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return into


def fix_run(source: Path, work: Path, limit: int = 0) -> Dict[str, Any]:
    """Cold ``check`` and cold ``check --fix --unsafe-fixes``, each on a fresh copy."""
    checked = fresh_copy(source, work / "check", limit)
    code, check_seconds, _out, _err = mllint(
        ["check", ".", "--exit-zero", "--format", "json", "-o", os.devnull], checked
    )
    check_cpu = CPU["last"]
    fixed = fresh_copy(source, work / "fix", limit)
    before = python_files(fixed)
    fix_code, fix_seconds, _out, fix_err = mllint(
        [
            "check",
            ".",
            "--fix",
            "--unsafe-fixes",
            "--exit-zero",
            "--format",
            "json",
            "-o",
            os.devnull,
        ],
        fixed,
    )
    fix_cpu = CPU["last"]
    summary = next((line for line in fix_err.splitlines() if line.startswith("Found")), "")
    return {
        "files": len(before),
        "check_seconds": round(check_seconds, 2),
        "check_exit": code,
        "fix_seconds": round(fix_seconds, 2),
        "fix_exit": fix_code,
        "ratio": round(fix_seconds / check_seconds, 2) if check_seconds else None,
        "check_cpu": round(check_cpu, 2),
        "fix_cpu": round(fix_cpu, 2),
        "cpu_ratio": round(fix_cpu / check_cpu, 2) if check_cpu else None,
        "summary": summary,
        "errors": [line for line in fix_err.splitlines() if "error" in line][:5],
        **changes(before, fixed),
    }


def chosen_flags(root: Path, count: int) -> List[Dict[str, Any]]:
    """The most-read experiment switches of a repository's inventory."""
    code, _seconds, out, _err = mllint(["flags", ".", "--format", "json", "--no-git"], root)
    if code != 0:
        return []
    flags = json.loads(out)
    candidates = [
        f
        for f in flags
        if f["kind"] in ("constant", "argparse", "absl", "click", "env")
        and f["references"]
        and EXPERIMENT.search(f["name"])
        and (f["kind"] != "argparse" or isinstance(f["value"], bool))
    ]
    candidates.sort(key=lambda f: (-len(f["references"]), f["kind"], f["name"]))
    picked: List[Dict[str, Any]] = []
    for flag in candidates:
        if all(p["name"].casefold() != flag["name"].casefold() for p in picked):
            picked.append(flag)
        if len(picked) == count:
            break
    return picked


def retire_runs(source: Path, work: Path, count: int, limit: int = 0) -> List[Dict[str, Any]]:
    """``retire`` the chosen flags of one repository, one after the other, on one copy."""
    root = fresh_copy(source, work / "retire", limit)
    runs = []
    for flag in chosen_flags(root, count):
        before = python_files(root)
        code, seconds, out, err = mllint(
            ["retire", flag["name"], ".", "--kind", flag["kind"]], root
        )
        outcome = changes(before, root)
        first_error = next((line for line in err.splitlines() if "error" in line), "")
        mentions = out.split("Still mentioned (not edited):")
        runs.append(
            {
                "flag": flag["name"],
                "kind": flag["kind"],
                "value": flag["value"],
                "exit": code,
                "seconds": round(seconds, 2),
                "cpu": round(CPU["last"], 2),
                "error": first_error[:300],
                "mentions": len(mentions[1].splitlines()) - 1 if len(mentions) > 1 else 0,
                **outcome,
            }
        )
    return runs


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Run the measurements and print them as JSON lines (and a table on stderr)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="a folder of Python files (transformers)")
    parser.add_argument("--limit", type=int, default=800, help="the corpus's first N files")
    parser.add_argument("--truth", type=Path, help="a folder of research repository clones")
    parser.add_argument("--repos", nargs="*", default=[], help="only these repositories")
    parser.add_argument("--flags", type=int, default=3, help="flags to retire per repository")
    parser.add_argument("--no-fix", action="store_true", help="retire only, no check --fix")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    results: Dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="mllint-bench-fix-") as temp:
        work = Path(temp)
        if args.corpus:
            row: Dict[str, Any] = {}
            if not args.no_fix:
                row["fix"] = fix_run(args.corpus.resolve(), work / "corpus", args.limit)
            row["retire"] = retire_runs(
                args.corpus.resolve(), work / "corpus", args.flags, args.limit
            )
            results["corpus"] = row
            print(json.dumps({"corpus": str(args.corpus), **row}), flush=True)
        if args.truth:
            for repo in sorted(p for p in args.truth.iterdir() if p.is_dir()):
                if args.repos and repo.name not in args.repos:
                    continue
                entry: Dict[str, Any] = {}
                if not args.no_fix:
                    entry["fix"] = fix_run(repo, work / repo.name)
                entry["retire"] = retire_runs(repo, work / repo.name, args.flags)
                results[repo.name] = entry
                print(json.dumps({"repo": repo.name, **entry}), flush=True)
                shutil.rmtree(work / repo.name, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
