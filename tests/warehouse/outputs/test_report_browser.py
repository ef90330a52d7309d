"""The report in a real headless browser: Debian's Chromium, driven by Playwright (no browser
download). Opened from file://, it requests nothing else, logs no error or warning, draws
every chart as SVG, shows a number's snippet on hover and on keyboard focus, hides those
tooltips in print, and leaves screenshots for a human to look at (in $TOLL_SCREENSHOTS, else
in the test's temporary folder; the path is printed at the end of the run).

The page's Content-Security-Policy forbids eval, which Playwright's wait_for_function needs,
so the tests wait on selectors: the page marks <body data-charts="rendered"> when done.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPORTS
from warehouse.outputs.report import write_report

pytestmark = [pytest.mark.flow]

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
CHARTS = ("monthly", "multiples", "shares", "governorates")
MARKS = ".mark-rect path, .mark-line path, .mark-symbol path, .mark-text text"


def chromium() -> str | None:
    """The system's Chromium, if installed."""
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    path = chromium()
    if path is None:
        pytest.skip("no Chromium at /usr/bin/chromium or on PATH: apt-get install -y chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (the test extra)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def report_file(sample_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "report.html"
    write_report(sample_home, out)
    return out


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wanted = os.environ.get("TOLL_SCREENSHOTS")
    folder = Path(wanted) if wanted else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    REPORTS.append(f"report screenshots: {folder}")
    return folder


@dataclass
class Loaded:
    """A page with the report loaded, and what happened while it loaded."""

    page: Any
    url: str
    seconds: float
    console: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)


@contextmanager
def loaded(browser: Any, path: Path) -> Iterator[Loaded]:
    """Open the report from file://, aborting (and recording) any other request."""
    # West of UTC, where a date parsed as UTC and shown in local time slips to the month before.
    context = browser.new_context(
        viewport={"width": 1100, "height": 900}, timezone_id="America/Los_Angeles"
    )
    page = context.new_page()
    url = path.resolve().as_uri()
    state = Loaded(page, url, 0.0)
    page.on("console", lambda message: state.console.append((message.type, message.text)))
    page.on("pageerror", lambda error: state.errors.append(str(error)))
    page.on("request", lambda request: state.requests.append(request.url))

    def only_the_file(route: Any) -> None:
        if route.request.url == url:
            route.continue_()
        else:
            state.blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_file)
    try:
        clock = time.perf_counter()
        page.goto(url)
        page.wait_for_selector("body[data-charts]", state="attached", timeout=30_000)
        state.seconds = time.perf_counter() - clock
        yield state
    finally:
        context.close()


def test_loads_offline_without_errors_and_draws_every_chart(
    browser: Any, report_file: Path, screenshots: Path
) -> None:
    with loaded(browser, report_file) as state:
        page = state.page
        assert page.get_attribute("body", "data-charts") == "rendered"
        assert state.errors == []
        assert [m for m in state.console if m[0] in ("error", "warning")] == []
        assert state.blocked == [] and state.requests == [state.url]
        for name in CHARTS:
            chart = page.locator(f"#source-sample-{name} .vega")
            assert chart.get_attribute("data-rendered") == "true"
            svg = chart.locator("svg")
            box = svg.bounding_box()
            assert box and box["width"] > 200 and box["height"] > 100, name
            assert svg.locator(MARKS).count() > 0, name
        bars = page.locator("#source-sample-monthly .mark-rect path")
        assert bars.count() == 8 * 12  # eight perpetrators, twelve months
        labels = page.locator("#source-sample-monthly .role-axis-label text").all_text_contents()
        months = ["Jan2024", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct"]
        assert labels[:12] == [*months, "Nov", "Dec"]  # the year under January
        page.screenshot(path=screenshots / "report.png", full_page=True)
        REPORTS.append(f"report charts rendered in Chromium in {state.seconds:.2f} s")
        print(f"screenshots: {screenshots}")


def test_a_number_shows_its_snippet_on_hover_and_on_focus(
    browser: Any, report_file: Path, screenshots: Path
) -> None:
    with loaded(browser, report_file) as state:
        page = state.page
        link = page.locator("#source-sample-figures table.figures a.fig").nth(4)
        tip = link.locator(".tip")
        snippet = tip.locator(".snippet").inner_text()
        assert "Civilians" in snippet or "Victims" in snippet
        assert tip.is_hidden()
        link.hover()
        assert tip.is_visible() and snippet in tip.inner_text()
        page.screenshot(path=screenshots / "tooltip-hover.png")
        page.mouse.move(0, 0)
        assert tip.is_hidden()
        page.locator("#source-sample-figures").scroll_into_view_if_needed()
        link.focus()
        assert tip.is_visible()
        link.press("Tab")  # on to the next number: this tooltip goes, the next one shows
        assert tip.is_hidden()
        assert (
            page.locator("#source-sample-figures table.figures a.fig")
            .nth(5)
            .locator(".tip")
            .is_visible()
        )


def test_print_hides_tooltips_and_keeps_the_charts(
    browser: Any, report_file: Path, screenshots: Path
) -> None:
    with loaded(browser, report_file) as state:
        page = state.page
        page.emulate_media(media="print")
        link = page.locator("table.figures a.fig").first
        link.hover()
        link.focus()
        assert link.locator(".tip").is_hidden()
        assert page.locator("#source-sample-monthly svg").is_visible()
        page.screenshot(path=screenshots / "report-print.png", full_page=True)
        page.pdf(path=str(screenshots / "report.pdf"), format="A4")
        assert (screenshots / "report.pdf").stat().st_size > 10_000


def test_a_script_injected_past_the_escaping_does_not_run(
    browser: Any, report_file: Path, tmp_path: Path, reliability
) -> None:
    """If escaping ever failed: the CSP runs only the page's own scripts (by hash), so an
    injected script, an event handler, a <base> and a form all stay inert."""
    html = report_file.read_text(encoding="utf-8")
    injected = (
        "<script>document.body.setAttribute('data-pwned', 'script')</script>"
        "<img src=x onerror=\"document.body.setAttribute('data-pwned', 'handler')\">"
        "<base href='http://evil.example/'>"
        "<form id=f action='http://evil.example/steal'><input name=q value=1></form>"
    )
    hostile = tmp_path / "report.html"
    hostile.write_text(html.replace("<main", injected + "<main", 1), encoding="utf-8")
    with loaded(browser, hostile) as state:
        page = state.page
        pwned = page.get_attribute("body", "data-pwned")
        rendered = page.get_attribute("body", "data-charts")
        violations = [m for m in state.console if "Content Security Policy" in m[1]]
    reliability.record(
        "report_script_injection",
        f"an inline script, an onerror handler, a <base> and a form injected into the page: "
        f"none ran ({len(violations)} CSP refusals in the console), the charts still "
        f"rendered ({rendered}), no request left the file",
        pwned is None and rendered == "rendered",
        f"the injected code ran ({pwned})" if pwned else None,
    )
    assert pwned is None and rendered == "rendered"
    assert violations and state.blocked == []
