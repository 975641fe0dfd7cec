"""The report's charts as inline SVG, drawn on the server by matplotlib: the page needs no
script and no network to show them, and each chart comes with its data as a table (its
text alternative). Bars that stand for a place in the code link to it."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, List, Optional, Sequence, Tuple

from mllint.report.figures import Figures, FlagRow, Hotspot, PackageRow

MAX_BARS = 25
"""Bars drawn in one chart (the table lists them all)."""
_GLUE, _ALGORITHM = "#d95f02", "#1b9e77"
_SERIES = ("#7570b3", "#1b9e77", "#d95f02", "#e7298a")


class ChartsUnavailable(ImportError):
    """matplotlib is not installed (the ``report`` extra)."""


@dataclass(frozen=True)
class Chart:
    """One chart: its SVG markup, what it shows in a sentence, and its data as a table."""

    key: str
    title: str
    summary: str
    svg: str
    header: Tuple[str, ...]
    rows: Tuple[Tuple[Tuple[str, Optional[str]], ...], ...]
    """Cells as (text, link or ``None``)."""


def _pyplot_free_figure(width: float, height: float):  # type: ignore[no-untyped-def]
    try:
        import matplotlib
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - the extra is missing
        raise ChartsUnavailable(str(exc)) from exc
    matplotlib.rcParams.update(
        {
            "svg.fonttype": "none",  # text stays text: selectable, small, read by screen readers
            "svg.hashsalt": "mllint",  # the same data draws the same file
            "font.family": "sans-serif",
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    return Figure(figsize=(width, height), layout="constrained")


def _svg(figure, title: str, key: str) -> str:  # type: ignore[no-untyped-def]
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r"<svg\1", text, count=1)
    title_id = f"chart-{key}-title"
    text = text.replace(
        "<svg",
        f'<svg role="img" aria-labelledby="{title_id}" class="chart" focusable="false"',
        1,
    )
    head_end = text.index(">", text.index("<svg")) + 1
    return text[:head_end] + f'<title id="{title_id}">{_escape(title)}</title>' + text[head_end:]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _height(bars: int) -> float:
    return max(1.6, 0.6 + 0.24 * bars)


def _label(text: str, width: int = 38) -> str:
    return text if len(text) <= width else "\u2026" + text[-(width - 1) :]


def packages_chart(packages: Sequence[PackageRow]) -> Optional[Chart]:
    """Glue versus algorithm statements per package (stacked bars)."""
    shown = list(packages[:MAX_BARS])
    if not shown:
        return None
    figure = _pyplot_free_figure(7.0, _height(len(shown)))
    axes = figure.subplots()
    names = [_label(p.path or ".") for p in reversed(shown)]
    glue = [p.glue for p in reversed(shown)]
    algorithm = [p.algorithm for p in reversed(shown)]
    axes.barh(names, algorithm, color=_ALGORITHM, label="algorithm")
    axes.barh(names, glue, left=algorithm, color=_GLUE, label="glue")
    axes.set_xlabel("statements")
    figure.legend(loc="outside upper center", frameon=False, ncols=2)
    title = "Glue vs algorithm per package"
    worst = max(shown, key=lambda p: p.glue_ratio or 0.0)
    summary = (
        f"{len(packages)} packages; the most glue-heavy is {worst.path or '.'} "
        f"({_percent(worst.glue_ratio)} glue)."
    )
    rows = tuple(
        (
            (p.path or ".", None),
            (str(p.glue), None),
            (str(p.algorithm), None),
            (_percent(p.glue_ratio), None),
        )
        for p in packages
    )
    return Chart(
        "packages",
        title,
        summary,
        _svg(figure, title, "packages"),
        ("package", "glue", "algorithm", "glue ratio"),
        rows,
    )


def flag_ages_chart(
    flags: Sequence[FlagRow], link: Callable[[str, int], str], max_age_days: int
) -> Optional[Chart]:
    """Age of each flag git dates, oldest first, each bar linked to the definition."""
    aged = sorted(
        (f for f in flags if f.age_days is not None and f.path is not None),
        key=lambda f: (-(f.age_days or 0), f.name),
    )
    if not aged:
        return None
    shown = aged[:MAX_BARS]
    figure = _pyplot_free_figure(7.0, _height(len(shown)))
    axes = figure.subplots()
    ordered = list(reversed(shown))
    colours = [_GLUE if f.stale else (_SERIES[0] if f.experiment else "#999999") for f in ordered]
    bars = axes.barh(
        [_label(f"{f.name} ({f.kind})", 32) for f in ordered],
        [f.age_days or 0 for f in ordered],
        color=colours,
    )
    for bar, flag in zip(bars, ordered):
        bar.set_url(link(flag.path or "", flag.line or 1))
    axes.axvline(max_age_days, color="#444444", linestyle="--", linewidth=0.8)
    axes.set_xlabel(f"age in days (dashed: max-age-days = {max_age_days})")
    title = "Flag ages"
    stale = sum(1 for f in aged if f.stale)
    summary = (
        f"{len(aged)} flags dated by git; the oldest, {aged[0].name}, is {aged[0].age_days} "
        f"days old; {stale} are stale experiments."
    )
    rows = tuple(
        (
            (f.name, link(f.path or "", f.line or 1)),
            (f.kind, None),
            (str(f.age_days), None),
            (f.introduced or "", None),
            ("stale" if f.stale else ("experiment" if f.experiment else ""), None),
        )
        for f in aged
    )
    return Chart(
        "ages",
        title,
        summary,
        _svg(figure, title, "ages"),
        ("flag", "kind", "age (days)", "introduced", "status"),
        rows,
    )


def hotspots_chart(hotspots: Sequence[Hotspot], link: Callable[[str, int], str]) -> Optional[Chart]:
    """The files with the most findings per line."""
    if not hotspots:
        return None
    figure = _pyplot_free_figure(7.0, _height(len(hotspots)))
    axes = figure.subplots()
    ordered = list(reversed(hotspots))
    bars = axes.barh(
        [_label(h.path) for h in ordered], [h.per_100_lines for h in ordered], color=_SERIES[3]
    )
    for bar, spot in zip(bars, ordered):
        bar.set_url(link(spot.path, 1))
    axes.set_xlabel("findings per 100 lines")
    title = "Hotspots: most debt per line"
    top = hotspots[0]
    summary = (
        f"{top.path} has the most debt per line: {top.findings} findings in {top.lines} lines."
    )
    rows = tuple(
        (
            (h.path, link(h.path, 1)),
            (str(h.findings), None),
            (str(h.lines), None),
            (f"{h.per_100_lines:.1f}", None),
        )
        for h in hotspots
    )
    return Chart(
        "hotspots",
        title,
        summary,
        _svg(figure, title, "hotspots"),
        ("file", "findings", "lines", "per 100 lines"),
        rows,
    )


@dataclass(frozen=True)
class TrendRow:
    """One point of the trend as the charts need it."""

    date: str
    commit: str
    flags_alive: int
    experiments: int
    stale: int
    dead_arms: int
    glue_ratio: Optional[float]


def trend_charts(points: Sequence[TrendRow]) -> List[Chart]:
    """Flags alive, experiments, stale experiments and dead arms over time; glue ratio."""
    if not points:
        return []
    dates = [datetime.fromisoformat(p.date) for p in points]
    figure = _pyplot_free_figure(7.0, 2.8)
    axes = figure.subplots()
    series = (
        ("flags alive", [p.flags_alive for p in points]),
        ("experiments alive", [p.experiments for p in points]),
        ("stale experiments", [p.stale for p in points]),
        ("dead arms", [p.dead_arms for p in points]),
    )
    for (name, values), colour in zip(series, _SERIES):
        axes.plot(dates, values, marker="o", markersize=3, label=name, color=colour)
    axes.set_ylim(bottom=0)
    figure.legend(loc="outside upper center", frameon=False, ncols=4)
    figure.autofmt_xdate()
    first, last = points[0], points[-1]
    title = "Debt over time"
    summary = (
        f"{len(points)} commits from {first.date[:10]} to {last.date[:10]}: flags alive "
        f"{first.flags_alive} \u2192 {last.flags_alive}, experiments {first.experiments} "
        f"\u2192 {last.experiments}, stale {first.stale} \u2192 {last.stale}, dead arms "
        f"{first.dead_arms} \u2192 {last.dead_arms}."
    )
    rows = tuple(
        (
            (p.date[:10], None),
            (p.commit[:10], None),
            (str(p.flags_alive), None),
            (str(p.experiments), None),
            (str(p.stale), None),
            (str(p.dead_arms), None),
            (_percent(p.glue_ratio), None),
        )
        for p in points
    )
    header = ("date", "commit", "flags", "experiments", "stale", "dead arms", "glue ratio")
    charts = [Chart("trend", title, summary, _svg(figure, title, "trend"), header, rows)]
    ratios = [(d, p.glue_ratio) for d, p in zip(dates, points) if p.glue_ratio is not None]
    if ratios:
        figure = _pyplot_free_figure(7.0, 2.2)
        axes = figure.subplots()
        axes.plot([d for d, _ in ratios], [r for _, r in ratios], marker="o", markersize=3)
        axes.set_ylim(0, 1)
        axes.set_ylabel("glue ratio")
        figure.autofmt_xdate()
        title = "Glue ratio over time"
        summary = (
            f"Glue ratio from {_percent(ratios[0][1])} to {_percent(ratios[-1][1])} "
            f"over {len(ratios)} commits."
        )
        charts.append(
            Chart("glue-trend", title, summary, _svg(figure, title, "glue-trend"), header, rows)
        )
    return charts


def _percent(ratio: Optional[float]) -> str:
    return "n/a" if ratio is None else f"{100 * ratio:.0f}%"


def headline_charts(
    figures: Figures, link: Callable[[str, int], str], max_age_days: int
) -> List[Chart]:
    """Every chart of a snapshot, in page order."""
    found = [
        packages_chart(figures.packages),
        flag_ages_chart(figures.flags, link, max_age_days),
        hotspots_chart(figures.hotspots, link),
    ]
    return [c for c in found if c is not None]
