"""What the debt report's trend costs: ``mllint report --history 1y --points 24`` against one
cold ``mllint check`` of HEAD (the bar: at most 3x).

    python bench/bench_report.py --synthetic 3000      # generated repository with real churn
    python bench/bench_report.py --repo /path/to/clone # a real repository (a full clone)

The synthetic repository is :mod:`synthetic_repo`'s idea grown to look like a real project's
history: packages of modules of a hundred lines or so (model code, data loading, config
plumbing), commits that touch one to four files picked with a Zipf law (a few hot files
change all the time, most rarely), modules added and deleted, experiment flags (constants
and argparse options with their branches) added and later removed. One ``git fast-import``
stream builds it in seconds; its dates span the three years up to today, so the last year
holds a third of the commits.

Every run is cold (``--no-cache``, fresh processes); the median of ``--repeat`` alternating
runs is reported, with the trend alone (report with the trend minus report without it), and
each run's seconds and each repeat's ratios (its three runs back to back) for the spread,
in wall time and in CPU time (user + system of the run and its workers: on a shared machine
the wall time measures the neighbours as much as mllint).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

SPAN = 3 * 365 * 86400
PACKAGES = ("models", "data", "losses", "training", "utils", "eval", "configs", "scripts")


def _module(package: str, index: int, revision: int, flags: List[str]) -> str:
    rng = random.Random(f"{package}{index}{revision}")
    lines = [
        f'"""{package} module {index} (revision {revision})."""',
        "import json",
        "import os",
        "",
        "import numpy as np",
        "",
        "from pkg.configs import config",
        "",
    ]
    for j in range(rng.randint(10, 22)):
        kind = rng.random()
        if kind < 0.5:
            lines += [
                f"def step_{j}(x, w):",
                f"    y = np.dot(x, w) * {revision % 97 + j}",
                "    y = np.maximum(y, 0.0)",
                "    return np.mean(y ** 2) + np.std(y)",
                "",
            ]
        elif kind < 0.8:
            lines += [
                f"def load_{j}(path):",
                "    with open(os.path.join(path, 'meta.json')) as handle:",
                "        meta = json.load(handle)",
                "    return {k: str(v) for k, v in meta.items()}",
                "",
            ]
        else:
            flag = rng.choice(flags) if flags else "USE_FAST_PATH"
            lines += [
                f"def branch_{j}(x):",
                f"    if config.{flag}:",
                "        x = np.flip(x)",
                "        x = x * 2",
                "    return np.sum(x)",
                "",
            ]
    return "\n".join(lines) + "\n"


def build(dest: Path, commits: int, modules: int = 300, seed: int = 11) -> None:
    """Create the repository at ``dest``."""
    rng = random.Random(seed)
    end = int(time.time()) // 86400 * 86400  # the history ends today
    dest.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=dest, check=True)
    revision: Dict[str, int] = {}
    flags: List[str] = ["USE_FAST_PATH"]
    options: List[str] = []
    names: List[str] = []
    for i in range(modules):
        package = PACKAGES[i % len(PACKAGES)]
        names.append(f"pkg/{package}/mod_{i}.py")
    files: Dict[str, str] = {}
    for name in names:
        package, stem = name.split("/")[1], name.split("/")[2]
        files[name] = _module(package, int(stem[4:-3]), 0, flags)
        revision[name] = 0
    for package in PACKAGES:
        files[f"pkg/{package}/__init__.py"] = ""
    files["pkg/__init__.py"] = ""
    stream: List[bytes] = []
    next_module = modules

    def blob(text: str) -> bytes:
        data = text.encode()
        return b"data %d\n" % len(data) + data + b"\n"

    def config_text() -> str:
        return "\n".join(f"{f} = {k % 2 == 0}" for k, f in enumerate(flags)) + "\n"

    def train_text() -> str:
        out = ["import argparse", "", "from pkg.losses import mod_2", "", "def main():"]
        out.append("    parser = argparse.ArgumentParser()")
        out += [
            f'    parser.add_argument("--{o.replace("_", "-")}", action="store_true")'
            for o in options
        ]
        out.append("    args = parser.parse_args()")
        out += [f"    if args.{o}:\n        print('{o}')" for o in options]
        out.append("    return mod_2")
        return "\n".join(out) + "\n"

    files["pkg/configs/config.py"] = config_text()
    files["pkg/train.py"] = train_text()
    for i in range(1, commits + 1):
        changed: Dict[str, str] = {}
        deleted: List[str] = []
        live = [n for n in names if n in files]
        weights = [1.0 / (rank + 1) ** 1.1 for rank in range(len(live))]
        for name in set(rng.choices(live, weights, k=rng.randint(1, 4))):
            revision[name] += 1
            package, stem = name.split("/")[1], name.split("/")[2]
            files[name] = _module(package, int(stem[4:-3]), revision[name], flags)
            changed[name] = files[name]
        if i % 25 == 0:  # a new module
            package = PACKAGES[next_module % len(PACKAGES)]
            name = f"pkg/{package}/mod_{next_module}.py"
            next_module += 1
            names.insert(rng.randrange(len(names) // 2, len(names)), name)
            revision[name] = 0
            files[name] = _module(package, next_module - 1, 0, flags)
            changed[name] = files[name]
        if i % 70 == 0 and len(live) > 20:  # a module deleted
            gone = live[-1 - rng.randrange(len(live) // 2)]
            del files[gone]
            deleted.append(gone)
            changed.pop(gone, None)
        if i % 40 == 0:  # an experiment flag added
            flags.append(f"USE_EXP_{i}")
        if i % 120 == 0 and len(flags) > 3:  # an old experiment removed
            flags.pop(1)
        if i % 90 == 0:
            options.append(f"enable_trick_{i}")
        if i % 270 == 0 and len(options) > 2:
            options.pop(0)
        if i % 40 == 0 or i % 120 == 0 or i % 90 == 0 or i % 270 == 0:
            files["pkg/configs/config.py"] = config_text()
            files["pkg/train.py"] = train_text()
            changed["pkg/configs/config.py"] = files["pkg/configs/config.py"]
            changed["pkg/train.py"] = files["pkg/train.py"]
        if i == 1:
            changed = dict(files)
        when = end - SPAN + SPAN * i // commits
        stream.append(b"commit refs/heads/main\n")
        stream.append(b"mark :%d\n" % i)
        stream.append(b"author Dev <dev@example.com> %d +0000\n" % when)
        stream.append(b"committer Dev <dev@example.com> %d +0000\n" % when)
        stream.append(blob(f"change {i}"))
        if i > 1:
            stream.append(b"from :%d\n" % (i - 1))
        for name in deleted:
            stream.append(f"D {name}\n".encode())
        for name, text in sorted(changed.items()):
            stream.append(f"M 100644 inline {name}\n".encode())
            stream.append(blob(text))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=dest, input=b"".join(stream), check=True)
    subprocess.run(["git", "checkout", "-q", "main"], cwd=dest, check=True)


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _run(args: List[str], cwd: Path) -> Tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, the pool's workers included) of a run."""
    cpu = _cpu()
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "mllint", *args], cwd=cwd, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"mllint {args[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed, _cpu() - cpu


def measure(
    repo: Path, period: str, points: int, repeat: int, paths: List[str]
) -> Dict[str, object]:
    """Median seconds of a cold check, a cold report and a cold report with the trend."""
    check = ["check", *paths, "--no-cache", "--exit-zero"]
    plain = ["report", *paths, "--no-cache", "--format", "json"]
    trend = [*plain, "--history", period, "--points", str(points)]
    times: Dict[str, List[float]] = {"check": [], "report": [], "trend": []}
    cpu: Dict[str, List[float]] = {"check": [], "report": [], "trend": []}
    for _ in range(repeat):
        for name, args in (("check", check), ("report", plain), ("trend", trend)):
            wall, used = _run(args, repo)
            times[name].append(wall)
            cpu[name].append(used)
    done = subprocess.run(
        [sys.executable, "-m", "mllint", *trend], cwd=repo, capture_output=True, text=True
    )
    series = json.loads(done.stdout)["trend"]
    median = {k: statistics.median(v) for k, v in times.items()}
    return {
        "repository": str(repo),
        "commits": int(
            subprocess.run(
                ["git", "rev-list", "--count", "HEAD"], cwd=repo, capture_output=True, text=True
            ).stdout
        ),
        "points": len(series),
        "files_at_head": series[-1]["files"] if series else None,
        "check_s": round(median["check"], 2),
        "report_s": round(median["report"], 2),
        "report_with_trend_s": round(median["trend"], 2),
        "trend_alone_s": round(median["trend"] - median["report"], 2),
        "trend_alone_over_check": round((median["trend"] - median["report"]) / median["check"], 2),
        "report_with_trend_over_check": round(median["trend"] / median["check"], 2),
        "runs_s": {k: [round(t, 2) for t in v] for k, v in times.items()},
        "trend_alone_over_check_per_repeat": [
            round((t - r) / c, 2)
            for c, r, t in zip(times["check"], times["report"], times["trend"])
        ],
        "report_with_trend_over_check_per_repeat": [
            round(t / c, 2) for c, t in zip(times["check"], times["trend"])
        ],
        # CPU seconds: what the runs cost, whatever else the machine is doing
        "cpu_runs_s": {k: [round(t, 2) for t in v] for k, v in cpu.items()},
        "cpu_trend_alone_over_check_per_repeat": [
            round((t - r) / c, 2) for c, r, t in zip(cpu["check"], cpu["report"], cpu["trend"])
        ],
        "cpu_report_with_trend_over_check_per_repeat": [
            round(t / c, 2) for c, t in zip(cpu["check"], cpu["trend"])
        ],
    }


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--synthetic", type=int, metavar="COMMITS")
    where.add_argument("--repo", type=Path)
    parser.add_argument("--modules", type=int, default=300)
    parser.add_argument("--history", default="1y")
    parser.add_argument("--points", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("paths", nargs="*", default=["."])
    args = parser.parse_args()
    if args.repo is not None:
        result = measure(args.repo, args.history, args.points, args.repeat, args.paths)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            repo = Path(tmp) / "synthetic"
            build(repo, args.synthetic, args.modules)
            result = measure(repo, args.history, args.points, args.repeat, args.paths)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
