"""``mllint stats`` as a text table or as JSON (the SPEC's stats JSON, plus ``folders``)."""

from __future__ import annotations

import json
from typing import List, Optional, Sequence

from mllint.glue.system import PackageTally
from mllint.stats import Explanation, Stats, Tally

BAR_WIDTH = 20


def _bar(ratio: Optional[float]) -> str:
    if ratio is None:
        return " " * BAR_WIDTH
    filled = round(ratio * BAR_WIDTH)
    return "#" * filled + "." * (BAR_WIDTH - filled)


def _by_ratio(rows: Sequence[Tally]) -> List[Tally]:
    """Most glue first; rows with nothing to measure last; then by path."""
    return sorted(
        rows,
        key=lambda t: (t.glue_ratio is None, -(t.glue_ratio or 0.0), -t.glue, t.path),
    )


def _table(title: str, rows: Sequence[Tally], roles: bool = False) -> List[str]:
    role_header = f"  {'role':<9}" if roles else ""
    header = (
        f"{'glue':>7} {'algo':>7} {'other':>7} {'ratio':>6}  {'':<{BAR_WIDTH}}{role_header}  "
        f"{title}"
    )
    out = [header]
    for row in rows:
        ratio = row.glue_ratio
        shown = "   n/a" if ratio is None else f"{ratio:>6.0%}"
        role = f"  {row.role or '-':<9}" if roles else ""
        out.append(
            f"{row.glue:>7} {row.algorithm:>7} {row.other:>7} {shown}  {_bar(ratio)}{role}  "
            f"{row.path}"
        )
    return out


def _package_rows(packages: Sequence[PackageTally]) -> List[Tally]:
    return [
        Tally(f"{p.path} ({p.modules} modules)", p.glue, p.algorithm, p.other) for p in packages
    ]


def render_text(stats: Stats) -> str:
    """Files, then folders, sorted by glue ratio, then the total."""
    lines = _table("file", _by_ratio(stats.files), roles=True)
    if len(stats.folders) > 1 or len(stats.files) > 1:
        lines.append("")
        lines.extend(_table("folder", _by_ratio(stats.folders)))
    if stats.packages:
        lines.append("")
        lines.extend(_table("package (tests left out)", _by_ratio(_package_rows(stats.packages))))
    lines.append("")
    lines.extend(_table("", [stats.total])[1:])
    for path, reason in stats.unparsed:
        lines.append(f"not measured: {path}: {reason}")
    return "".join(line.rstrip() + "\n" for line in lines)


def render_json(stats: Stats) -> str:
    """``{"files": [...], "folders": [...], "total": {...}, "unparsed": [...]}``."""
    total = stats.total.to_json()
    del total["path"]
    data = {
        "files": [t.to_json() for t in stats.files],
        "folders": [t.to_json() for t in stats.folders],
        "packages": [
            {
                "path": p.path,
                "glue": p.glue,
                "algorithm": p.algorithm,
                "other": p.other,
                "modules": p.modules,
                "glue_ratio": None if p.glue_ratio is None else round(p.glue_ratio, 4),
            }
            for p in stats.packages
        ],
        "total": total,
        "unparsed": [{"path": p, "reason": r} for p, r in stats.unparsed],
    }
    return json.dumps(data, indent=2) + "\n"


def render_explanation(path: str, explanation: Explanation) -> str:
    """The module's role, one statement a line (``path:line:col: class  reason  | source``),
    each function's counts and role, then the totals."""
    rows = explanation.rows
    width = max((len(r.reason) for r in rows), default=0)
    lines = [f"{path}: role {explanation.role} ({explanation.role_reason})"]
    lines.extend(
        f"{path}:{r.line}:{r.column}: {r.kind:<9} {r.reason:<{width}}  | {r.source}" for r in rows
    )
    for f in explanation.functions:
        lines.append(
            f"{path}: function {f.name}: {f.glue} glue, {f.algorithm} algorithm, {f.other} "
            f"other; role {f.role} ({f.reason})"
        )
    counts = {k: sum(1 for r in rows if r.kind == k) for k in ("glue", "algorithm", "other")}
    measured = counts["glue"] + counts["algorithm"]
    ratio = "n/a" if not measured else f"{counts['glue'] / measured:.0%}"
    lines.append(
        f"{path}: {counts['glue']} glue, {counts['algorithm']} algorithm, "
        f"{counts['other']} other; glue ratio {ratio}"
    )
    return "".join(line.rstrip() + "\n" for line in lines)


def render_explanation_json(path: str, explanation: Explanation) -> str:
    """The explanation as JSON: ``{"path", "role", "role_reason", "statements": [...],
    "functions": [...]}``."""
    data = {
        "path": path,
        "role": explanation.role,
        "role_reason": explanation.role_reason,
        "statements": [
            {"path": path, "line": r.line, "column": r.column, "class": r.kind, "reason": r.reason}
            for r in explanation.rows
        ],
        "functions": [
            {
                "name": f.name,
                "glue": f.glue,
                "algorithm": f.algorithm,
                "other": f.other,
                "role": f.role,
                "reason": f.reason,
            }
            for f in explanation.functions
        ],
    }
    return json.dumps(data, indent=2) + "\n"
