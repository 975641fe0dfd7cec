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


def measure(command: Sequence[str], cwd: Path) -> Tuple[float, int, float]:
    """Wall time, peak RSS (KiB, largest process) and CPU seconds (all processes) of
    ``command`` in a fresh process. CPU time is the steadier figure on a busy machine."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
        "t = time.perf_counter() - t\n"
        "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(t, u.ru_maxrss, r.returncode, u.ru_utime + u.ru_stime)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *command],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    seconds, rss, code, cpu = float(out[0]), int(out[1]), int(out[2]), float(out[3])
    if code not in (0, 1):
        raise SystemExit(f"command failed with exit {code}: {' '.join(command)}")
    return seconds, rss, cpu


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
            plain = measure(
                [sys.executable, str(HERE / "plain_parse.py"), str(listing), str(jobs)], work
            )
            cache_home = work / f"cache-{jobs}"
            cache_home.mkdir()
            cold = measure([*mllint, "--jobs", str(jobs)], cache_home)
            warm = measure([*mllint, "--jobs", str(jobs)], cache_home)
            for name, (seconds, rss, cpu) in (
                ("plain libcst parse", plain),
                ("mllint cold", cold),
                ("mllint warm", warm),
            ):
                rows.append(
                    {
                        "run": name,
                        "jobs": jobs,
                        "seconds": seconds,
                        "cpu_seconds": cpu,
                        "rss_kib": rss,
                        "ratio_wall": seconds / plain[0],
                        "ratio_cpu": cpu / plain[2],
                        "warm_over_cold_wall": warm[0] / cold[0],
                    }
                )

        print(
            f"{'run':<20}{'jobs':>5}{'wall s':>9}{'cpu s':>9}{'files/s':>9}{'lines/s':>10}"
            f"{'peak MiB':>10}{'x plain wall':>14}{'x plain cpu':>13}"
        )
        for row in rows:
            seconds = float(row["seconds"])  # type: ignore[arg-type]
            print(
                f"{row['run']:<20}{row['jobs']:>5}{seconds:>9.2f}"
                f"{float(row['cpu_seconds']):>9.2f}"  # type: ignore[arg-type]
                f"{len(copied) / seconds:>9.1f}{lines / seconds:>10.0f}"
                f"{int(row['rss_kib']) / 1024:>10.0f}"  # type: ignore[call-overload]
                f"{float(row['ratio_wall']):>14.2f}{float(row['ratio_cpu']):>13.2f}"  # type: ignore[arg-type]
            )
        for row in rows[2::3]:
            print(
                f"warm / cold with {row['jobs']} jobs: {float(row['warm_over_cold_wall']):.3f}"  # type: ignore[arg-type]
            )
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
