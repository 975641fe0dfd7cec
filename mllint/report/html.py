"""The report as one self-contained HTML page: inline SVG charts drawn by matplotlib, inline
CSS and a little inline script (sorting and filtering tables), a Content-Security-Policy that
lets the page fetch nothing. Rendered from a jinja2 template."""

from __future__ import annotations

from typing import TYPE_CHECKING, List

from mllint.report.charts import Chart, TrendRow, headline_charts, trend_charts
from mllint.report.model import Report, summary_line, trend_rows

if TYPE_CHECKING:
    import jinja2

FINDING_ROWS = 5000
"""Findings listed in the page (the count says how many there are)."""


class TemplatesUnavailable(ImportError):
    """jinja2 is not installed (the ``report`` extra)."""


def _environment() -> jinja2.Environment:
    try:
        import jinja2
    except ImportError as exc:  # pragma: no cover - the extra is missing
        raise TemplatesUnavailable(str(exc)) from exc
    return jinja2.Environment(
        loader=jinja2.PackageLoader("mllint.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def charts(report: Report) -> List[Chart]:
    """Every chart of the page, in order."""
    found = headline_charts(report.figures, report.link, report.max_age_days)
    rows = [TrendRow(*row) for row in trend_rows(report.trend)]
    return trend_charts(rows) + found


def render(report: Report) -> str:
    """The HTML page."""
    from markupsafe import Markup

    template = _environment().get_template("report.html.j2")
    drawn = charts(report)
    rendered: str = template.render(
        report=report,
        figures=report.figures,
        summary=summary_line(report.figures),
        charts=[(c, Markup(c.svg)) for c in drawn],  # matplotlib's own SVG, escaped
        findings=report.figures.findings[:FINDING_ROWS],
        finding_rows=FINDING_ROWS,
        by_rule=sorted(report.figures.findings_by_rule.items()),
        link=report.link,
        percent=lambda r: "n/a" if r is None else f"{100 * r:.0f}%",
    )
    return rendered
