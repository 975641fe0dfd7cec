"""The HTML report in a real headless Chromium: every chart drawn, tables that sort and
filter, links that lead to the code, no console error, no network request, a phone width
that does not scroll sideways. The screenshot is kept (and copied to ``$MLLINT_ARTIFACTS``)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, List

import pytest

from tests.conftest import run_subprocess
from tests.report.report_history import REF, build

CHROMIUM = os.environ.get("MLLINT_CHROMIUM", "/usr/bin/chromium")

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM),
    reason=f"no Chromium at {CHROMIUM} (apt-get install chromium, or set MLLINT_CHROMIUM)",
)


def _keep(picture: Path) -> None:
    target = os.environ.get("MLLINT_ARTIFACTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(picture, Path(target) / picture.name)


def test_report_page_in_chromium(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    root = tmp_path / "project"
    build(root)
    (root / "out").mkdir()
    done = run_subprocess(
        ["report", REF, "--history", "1y", "--points", "12", "-o", "out/report.html"], cwd=root
    )
    assert done.exit_code == 0, done.stderr
    page_file = root / "out" / "report.html"
    page_url = page_file.as_uri()
    errors: List[str] = []
    requests: List[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_url, wait_until="load", timeout=60_000)

            # every chart is an SVG with something drawn in it, and a text alternative
            charts = page.locator("figure[data-chart]")
            keys = [charts.nth(i).get_attribute("data-chart") for i in range(charts.count())]
            assert keys == ["trend", "glue-trend", "packages", "ages", "hotspots"]
            for i in range(charts.count()):
                svg = charts.nth(i).locator("svg")
                box: Any = svg.bounding_box()
                assert box is not None and box["width"] > 100 and box["height"] > 50
                assert svg.locator("path, rect, use").count() > 5
                assert svg.get_attribute("role") == "img"
                assert charts.nth(i).locator("figcaption").inner_text().strip()
                assert charts.nth(i).locator("details table tbody tr").count() >= 1

            # bars of the flag ages chart link to the definitions
            bar_links = page.locator("figure[data-chart=ages] svg a")
            assert bar_links.count() == 2
            for i in range(bar_links.count()):
                href = bar_links.nth(i).get_attribute("xlink:href") or ""
                assert href.startswith("../pkg/") and "#L" in href

            # a click on a header sorts the table, a second click reverses it
            rules = page.locator("#findings-table tbody tr td:first-child")
            assert rules.all_inner_texts() == ["ML103", "ML301", "ML101"]
            header = page.locator("#findings-table thead th").first
            header.locator("button").click()
            assert header.get_attribute("aria-sort") == "ascending"
            assert rules.all_inner_texts() == ["ML101", "ML103", "ML301"]
            header.locator("button").click()
            assert rules.all_inner_texts() == ["ML301", "ML103", "ML101"]
            ages = page.locator("#flags-table thead th").nth(0)
            ages.locator("button").click()
            ages.locator("button").click()
            names = page.locator("#flags-table tbody tr td:first-child")
            assert names.all_inner_texts() == ["use_cutmix", "ENABLE_NEW_LOSS"]

            # the filter hides what does not match
            page.fill("#flags-filter", "stale")
            assert page.locator("#flags-table tbody tr:visible").count() == 1
            page.fill("#flags-filter", "")
            assert page.locator("#flags-table tbody tr:visible").count() == 2

            picture = tmp_path / "report-chromium.png"
            page.screenshot(path=str(picture), full_page=True)
            _keep(picture)

            # a phone: nothing scrolls sideways but the tables' own boxes
            page.set_viewport_size({"width": 375, "height": 800})
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 376
            phone = tmp_path / "report-chromium-phone.png"
            page.screenshot(path=str(phone), full_page=False)
            _keep(phone)

            # a link leads to the file and line
            link = page.locator("#findings-table a", has_text="pkg/train.py:25")
            link.click()
            page.wait_for_url("**/pkg/train.py#L25", timeout=30_000)
            target = (root / "pkg" / "train.py").as_uri() + "#L25"
            assert page.url == target
            assert "if False:" in page.content()
        finally:
            browser.close()
    assert errors == []
    assert all(url.startswith("file://") for url in requests), requests
    assert set(requests) <= {page_url, (root / "pkg" / "train.py").as_uri()}
    assert picture.stat().st_size > 10_000
