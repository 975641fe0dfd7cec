"""What ages from git history cost: ``mllint check`` with ages against ``--no-git``.

    python bench/bench_ages.py --synthetic 5000          # generated repository, 5,000 commits
    python bench/bench_ages.py --repo /path/to/clone     # a real repository (a full clone)

Both runs are cold (``--no-cache``), in fresh processes, on the same tree, alternating, and the
median of ``--repeat`` pairs is reported.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import List

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synthetic_repo import build  # noqa: E402


def _run(args: List[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "mllint", "check", ".", "--no-cache", "--exit-zero", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"mllint failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed


def _findings(cwd: Path) -> List[dict]:  # type: ignore[type-arg]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mllint",
            "check",
            ".",
            "--no-cache",
            "--exit-zero",
            "--format",
            "json",
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def main() -> None:
    """Run the comparison and print it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, help="a git work tree to lint")
    parser.add_argument("--synthetic", type=int, default=0, help="generate N commits")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mllint-ages-") as temp:
        if args.synthetic:
            target = Path(temp) / "synthetic"
            build(target, args.synthetic, 60)
        elif args.repo:
            target = args.repo.resolve()
        else:
            parser.error("give --repo or --synthetic")
        commits = subprocess.run(
            ["git", "rev-list", "--count", "HEAD"], cwd=target, capture_output=True, text=True
        ).stdout.strip()
        files = sum(1 for _ in target.rglob("*.py"))
        jobs = ["--jobs", str(args.jobs)]
        with_git, without = [], []
        for _ in range(args.repeat):
            without.append(_run([*jobs, "--no-git"], target))
            with_git.append(_run(jobs, target))
        findings = _findings(target)
        aged = [f for f in findings if "ageDays" in f.get("properties", {})]
        stale = [f for f in findings if f["code"] == "ML301"]
        a, b = statistics.median(with_git), statistics.median(without)
        print(f"repository: {target.name}, {commits} commits, {files} .py files")
        print(f"findings: {len(findings)}, with ages: {len(aged)}, ML301: {len(stale)}")
        print(f"--no-git   median {b:.2f} s  runs {', '.join(f'{x:.2f}' for x in without)}")
        print(f"with ages  median {a:.2f} s  runs {', '.join(f'{x:.2f}' for x in with_git)}")
        print(f"ratio with ages / --no-git: {a / b:.2f}")


if __name__ == "__main__":
    main()
