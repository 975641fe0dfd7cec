"""Generate a synthetic ML repository with a long history, for the aging benchmark.

usage: python bench/synthetic_repo.py DEST [--commits 5000] [--modules 60]

One ``git fast-import`` stream builds the whole history in seconds: a package of modules that
change in every commit, a config module and a training script that gain experiment flags
(constants, argparse options, environment switches) over three years, and branches on them.
"""

from __future__ import annotations

import argparse
import random
import subprocess
from pathlib import Path
from typing import Dict, List

START = 1_600_000_000  # September 2020
SPAN = 3 * 365 * 86400


def _module(index: int, revision: int) -> str:
    body = [f'"""Module {index}, revision {revision}."""', "import numpy as np", ""]
    for j in range(12):
        body.append(f"def step_{j}(x):")
        body.append(f"    return np.mean(x) * {revision % 97 + j}")
        body.append("")
    return "\n".join(body) + "\n"


def build(dest: Path, commits: int, modules: int, seed: int = 7) -> None:
    """Create the repository at ``dest``."""
    rng = random.Random(seed)
    dest.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=dest, check=True)
    files: Dict[str, str] = {f"pkg/mod_{i}.py": _module(i, 0) for i in range(modules)}
    files["pkg/__init__.py"] = ""
    constants: List[str] = []
    options: List[str] = []
    stream: List[bytes] = []

    def blob(text: str) -> bytes:
        data = text.encode()
        return b"data %d\n" % len(data) + data + b"\n"

    for i in range(1, commits + 1):
        changed: Dict[str, str] = {}
        for index in rng.sample(range(modules), 2):
            name = f"pkg/mod_{index}.py"
            files[name] = _module(index, i)
            changed[name] = files[name]
        if i % 40 == 1:
            constants.append(f"USE_EXP_{len(constants)}")
        if i % 90 == 1:
            options.append(f"enable_trick_{len(options)}")
        if i % 40 == 1 or i % 90 == 1 or i % 250 == 0:
            value = "True" if i % 3 else "False"
            config = [f"{name} = {value if k % 2 else 'False'}" for k, name in enumerate(constants)]
            files["pkg/config.py"] = "\n".join(config) + "\n"
            train = ["import argparse", "import os", "from pkg import config", "", "def main():"]
            train.append("    parser = argparse.ArgumentParser()")
            train += [
                f'    parser.add_argument("--{o.replace("_", "-")}", action="store_true")'
                for o in options
            ]
            train.append("    args = parser.parse_args()")
            train += [f"    if args.{o}:\n        print('{o}')" for o in options]
            train += [f"    if config.{c}:\n        print('{c}')" for c in constants]
            train.append('    if os.environ.get("NEW_RANKER"):\n        print("ranker")')
            files["pkg/train.py"] = "\n".join(train) + "\n"
            changed["pkg/config.py"] = files["pkg/config.py"]
            changed["pkg/train.py"] = files["pkg/train.py"]
        if i == 1:
            changed = dict(files)
        when = START + SPAN * i // commits
        message = f"change {i}"
        stream.append(b"commit refs/heads/main\n")
        stream.append(b"mark :%d\n" % i)
        stream.append(b"author Dev <dev@example.com> %d +0000\n" % when)
        stream.append(b"committer Dev <dev@example.com> %d +0000\n" % when)
        stream.append(blob(message))
        if i > 1:
            stream.append(b"from :%d\n" % (i - 1))
        for name, text in sorted(changed.items()):
            stream.append(f"M 100644 inline {name}\n".encode())
            stream.append(blob(text))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=dest, input=b"".join(stream), check=True)
    subprocess.run(["git", "checkout", "-q", "main"], cwd=dest, check=True)


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--commits", type=int, default=5000)
    parser.add_argument("--modules", type=int, default=60)
    args = parser.parse_args()
    build(args.dest, args.commits, args.modules)


if __name__ == "__main__":
    main()
