"""Clone the repositories of ``manifest.tsv`` at their pinned commits (never committed here).

    python bench/truth/clone.py DEST                       # from GitHub
    python bench/truth/clone.py DEST --mirrors DIR   # from mirrors DIR/<owner>+<name>/repo
    python bench/truth/clone.py DEST --only flax --only acme   # just these (manifest names)

Each clone is checked out at the manifest's commit; files missing from a partial mirror (large
binaries) are left out, which does not matter to a linter of Python code.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import List, Tuple

HERE = Path(__file__).resolve().parent


def manifest() -> List[Tuple[str, str, str]]:
    """(name, owner/repo, commit) for every repository of the corpus."""
    rows = []
    for line in (HERE / "manifest.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, repo, commit = line.split("\t")[:3]
            rows.append((name, repo, commit))
    return rows


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--mirrors", type=Path, help="folder of <owner>+<name>/repo git mirrors")
    parser.add_argument(
        "--only", action="append", metavar="NAME", help="clone only this repository (repeatable)"
    )
    args = parser.parse_args()
    args.dest.mkdir(parents=True, exist_ok=True)
    rows = manifest()
    unknown = set(args.only or ()) - {name for name, _, _ in rows}
    if unknown:
        parser.error(f"not in the manifest: {', '.join(sorted(unknown))}")
    for name, repo, commit in rows:
        if args.only and name not in args.only:
            continue
        target = args.dest / name
        source = (
            str(args.mirrors / repo.replace("/", "+") / "repo")
            if args.mirrors
            else f"https://github.com/{repo}.git"
        )
        if not target.exists():
            _git("clone", "-q", "--no-checkout", source, str(target), cwd=args.dest)
        try:
            _git("checkout", "-q", "-f", commit, cwd=target)
        except subprocess.CalledProcessError:  # a blob the mirror lacks: file by file
            _git("reset", "-q", commit, cwd=target)
            names = subprocess.run(
                ["git", "ls-tree", "-r", "-z", "--name-only", commit],
                cwd=target,
                check=True,
                capture_output=True,
                text=True,
            ).stdout.split("\0")
            for file_name in filter(None, names):
                subprocess.run(
                    ["git", "checkout", commit, "--", file_name], cwd=target, capture_output=True
                )
        print(f"{name}: {commit[:12]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
