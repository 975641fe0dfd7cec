"""Score mllint's findings on the real-code corpus against the hand labels.

    python bench/truth/clone.py /tmp/truth            # once: the repositories of manifest.tsv
    python bench/truth/score.py /tmp/truth            # the precision table (Markdown)
    python bench/truth/score.py /tmp/truth --unlabelled ML103   # findings nobody has read yet
    python bench/truth/score.py --flag-set /tmp/truth   # the repositories read for the flag rules

Labels live in ``labels/*.tsv``, one finding a row: ``repo  path  line  code  verdict  reason``,
verdict ``useful`` (a maintainer would act on it or want to know) or ``noise``. A finding counts
as *read* when a label matches its (repo, path, line, code). ``never_read.tsv`` lists options
that no code of their program reads (``repo  path  line  option``): ML104's recall is the share of
them that ML104 reports at that line. mllint runs as a separate, isolated process (``-I``: the
clone is never on its ``sys.path``) with a fixed reference date, so ages are reproducible.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, List, Set, Tuple

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from clone import manifest  # noqa: E402

REFERENCE_DATE = "2026-12-01"
Key = Tuple[str, str, int, str]


def run_mllint(clone: Path, extra: List[str]) -> List[dict]:
    """mllint's JSON findings for one clone (paths relative to the clone)."""
    command = [
        sys.executable,
        "-I",
        "-c",
        "from mllint.cli import run; run()",
        "check",
        ".",
        "--format",
        "json",
        "--exit-zero",
        "--no-cache",
        "--reference-date",
        REFERENCE_DATE,
        *extra,
    ]
    done = subprocess.run(command, cwd=clone, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"mllint failed on {clone}: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout or "[]")


def read_tsv(path: Path, width: int) -> List[List[str]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) < width:
            raise SystemExit(f"{path}:{number}: expected {width} tab-separated cells")
        rows.append(cells)
    return rows


def load_labels() -> Dict[Key, Tuple[str, str]]:
    labels: Dict[Key, Tuple[str, str]] = {}
    for path in sorted((HERE / "labels").glob("*.tsv")):
        for repo, file, line, code, verdict, *reason in read_tsv(path, 5):
            if verdict not in ("useful", "noise"):
                raise SystemExit(f"{path}: verdict must be useful or noise, got {verdict!r}")
            labels[(repo, file, int(line), code)] = (verdict, reason[0] if reason else "")
    return labels


def _glue_only() -> Set[str]:
    """Names of the repositories read for the glue rules only (noted "(glue rules)")."""
    return {
        cells[0]
        for cells in read_tsv(HERE / "manifest.tsv", 3)
        if len(cells) >= 4 and "(glue rules)" in cells[3]
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clones", type=Path, help="folder holding one clone per manifest name")
    parser.add_argument("--unlabelled", metavar="CODE", help="print unread findings of CODE")
    parser.add_argument("--json", type=Path, help="also write the counts as JSON")
    parser.add_argument(
        "--flag-set",
        action="store_true",
        help="only the repositories read for the flag rules (rows noted '(glue rules)' in "
        "manifest.tsv were read for the glue rules only)",
    )
    parser.add_argument("mllint_args", nargs="*", help="extra `mllint check` options (after --)")
    args = parser.parse_args()
    rows = manifest()
    if args.flag_set:
        glue_only = _glue_only()
        rows = [row for row in rows if row[0] not in glue_only]
    labels = load_labels()
    found: Dict[str, Counter] = defaultdict(Counter)
    read: Dict[str, Counter] = defaultdict(Counter)
    useful: Dict[str, Counter] = defaultdict(Counter)
    reported: Set[Key] = set()
    codes: Set[str] = set()
    for name, _, _ in rows:
        for finding in run_mllint(args.clones / name, args.mllint_args):
            code = finding["code"]
            key = (name, finding["path"], finding["line"], code)
            reported.add(key)
            codes.add(code)
            found[code][name] += 1
            if key in labels:
                read[code][name] += 1
                useful[code][name] += labels[key][0] == "useful"
            elif args.unlabelled and code.startswith(args.unlabelled):
                print(
                    f"{name}\t{finding['path']}\t{finding['line']}\t{code}\t\t{finding['message']}"
                )
    if args.unlabelled:
        return 0
    repos = [name for name, _, _ in rows]
    print("| rule | " + " | ".join(repos) + " | findings | read | useful | precision |")
    print("| --- |" + " --- |" * (len(repos) + 4))
    summary = {}
    for code in sorted(codes | {k[3] for k in labels}):
        cells = [
            f"{found[code][r]}/{read[code][r]}/{useful[code][r]}" if found[code][r] else "·"
            for r in repos
        ]
        total, n_read, n_useful = (sum(c[code].values()) for c in (found, read, useful))
        precision = f"{100 * n_useful / n_read:.0f} %" if n_read else "-"
        print(
            f"| {code} | "
            + " | ".join(cells)
            + f" | {total} | {n_read} | {n_useful} | {precision} |"
        )
        summary[code] = {"findings": total, "read": n_read, "useful": n_useful}
    print("\nCells: findings/read/useful per repository.")
    scored = {name for name, _, _ in rows}
    for kind in ("useful", "noise"):
        lost = [
            k
            for k, (verdict, _) in labels.items()
            if verdict == kind and k not in reported and k[0] in scored
        ]
        if lost:
            print(f"\n{len(lost)} findings labelled {kind} are no longer reported:")
            for key in sorted(lost):
                print("  " + "\t".join(map(str, key)))
    never_read = HERE / "never_read.tsv"
    if never_read.exists():
        options = [row for row in read_tsv(never_read, 4) if row[0] in scored]
        hits = [row for row in options if (row[0], row[1], int(row[2]), "ML104") in reported]
        by_repo = Counter(row[0] for row in options)
        print(
            f"\nML104 recall: {len(hits)}/{len(options)} never-read options reported "
            f"({100 * len(hits) / max(1, len(options)):.0f} %) in {len(by_repo)} repositories"
        )
        for row in options:
            if row not in hits:
                print("  missed: " + "\t".join(row))
        summary["ML104-recall"] = {"listed": len(options), "reported": len(hits)}
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
