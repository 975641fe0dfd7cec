"""Speed of ``mllint check`` on a real corpus, against a plain LibCST parse in the same run.

By default the corpus is the ``.py`` files of the newest ``transformers`` wheel, fetched with
``pip download --no-deps`` into a temporary folder (never committed)::

    python bench/bench.py                    # transformers, 1 and 2 jobs, cold and warm
    python bench/bench.py --package scikit-learn --jobs 2
    python bench/bench.py --corpus /some/folder --limit 500

Every measurement runs in a fresh process; "peak RSS" is the largest single process of that
measurement (the parent or one pool worker).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

HERE = Path(__file__).resolve().parent


def fetch_corpus(package: str, into: Path) -> Path:
    """Download ``package``'s wheel and extract its ``.py`` files under ``into``."""
    wheels = into / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary",
            ":all:",
            "-d",
            str(wheels),
            package,
        ],
        check=True,
    )
    wheel = next(wheels.glob("*.whl"))
    corpus = into / "corpus"
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if name.endswith(".py"):
                archive.extract(name, corpus)
    print(f"corpus: {wheel.name}", file=sys.stderr)
    return corpus


def measure(command: Sequence[str], cwd: Path) -> Tuple[float, int]:
    """Wall time and peak RSS (KiB, largest process) of ``command`` in a fresh process."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
        "t = time.perf_counter() - t\n"
        "m = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(t, m, r.returncode)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *command],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    seconds, rss, code = float(out[0]), int(out[1]), int(out[2])
    if code not in (0, 1):
        raise SystemExit(f"command failed with exit {code}: {' '.join(command)}")
    return seconds, rss


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="lint this folder instead of a wheel")
    parser.add_argument("--package", default="transformers", help="wheel to download")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--limit", type=int, default=0, help="only the first N files")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="mllint-bench-") as temp:
        work = Path(temp)
        source = args.corpus.resolve() if args.corpus else fetch_corpus(args.package, work)
        files = sorted(str(p) for p in source.rglob("*.py"))
        if args.limit:
            files = files[: args.limit]
        corpus = work / "lint"
        for path in files:  # a private copy: the same files, no stray config above them
            target = corpus / os.path.relpath(path, source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        listing = work / "files.txt"
        copied = sorted(str(p) for p in corpus.rglob("*.py"))
        listing.write_text("\n".join(copied), encoding="utf-8")
        lines = sum(Path(p).read_bytes().count(b"\n") for p in copied)
        print(f"{len(copied)} files, {lines} lines", file=sys.stderr)

        rows: List[Dict[str, object]] = []
        mllint = [
            sys.executable,
            "-m",
            "mllint",
            "check",
            str(corpus),
            "--exit-zero",
            "--format",
            "json",
            "--output",
            os.devnull,
        ]
        for jobs in args.jobs:
            plain, plain_rss = measure(
                [sys.executable, str(HERE / "plain_parse.py"), str(listing), str(jobs)], work
            )
            rows.append(
                {
                    "run": "plain libcst parse",
                    "jobs": jobs,
                    "seconds": plain,
                    "rss": plain_rss,
                    "ratio": 1.0,
                }
            )
            cache_home = work / f"cache-{jobs}"
            cache_home.mkdir()
            cold, cold_rss = measure([*mllint, "--jobs", str(jobs)], cache_home)
            rows.append(
                {
                    "run": "mllint cold",
                    "jobs": jobs,
                    "seconds": cold,
                    "rss": cold_rss,
                    "ratio": cold / plain,
                }
            )
            warm, warm_rss = measure([*mllint, "--jobs", str(jobs)], cache_home)
            rows.append(
                {
                    "run": "mllint warm",
                    "jobs": jobs,
                    "seconds": warm,
                    "rss": warm_rss,
                    "ratio": warm / plain,
                    "warm_over_cold": warm / cold,
                }
            )

        print(
            f"{'run':<22}{'jobs':>5}{'seconds':>10}{'files/s':>10}{'lines/s':>11}"
            f"{'peak RSS MiB':>14}{'x plain':>9}"
        )
        for row in rows:
            seconds = float(row["seconds"])  # type: ignore[arg-type]
            print(
                f"{row['run']:<22}{row['jobs']:>5}{seconds:>10.2f}"
                f"{len(copied) / seconds:>10.1f}{lines / seconds:>11.0f}"
                f"{int(row['rss']) / 1024:>14.0f}{float(row['ratio']):>9.2f}"
            )  # type: ignore[arg-type]
        for row in rows:
            if "warm_over_cold" in row:
                print(f"warm / cold with {row['jobs']} jobs: {float(row['warm_over_cold']):.3f}")  # type: ignore[arg-type]
        if args.json:
            summary = {
                "files": len(copied),
                "lines": lines,
                "rows": rows,
                "python": sys.version.split()[0],
                "cpus": os.cpu_count(),
            }
            args.json.write_text(json.dumps(summary, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
