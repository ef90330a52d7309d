"""The report as one self-contained HTML file: Jinja2 with autoescaping (snippets, titles and
messages come from the documents and stay text), the chart specs as JSON, and Vega inlined.
A Content-Security-Policy in the page forbids any network request and runs only the page's
own scripts, named by their SHA-256, so a script injected past the escaping would not run;
no <base> and no form may redirect anything either."""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import metadata
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from warehouse.database import reader
from warehouse.files import atomic_file
from warehouse.outputs.report import charts, wording
from warehouse.outputs.report.build import build_report
from warehouse.outputs.report.model import GROUPS, Report, row_urls
from warehouse.outputs.report.queries import Scope, report_rows


def content_security_policy(scripts: list[str]) -> str:
    """The page's CSP: nothing fetched, and only these inline scripts run (by hash)."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in scripts
    )
    return (
        f"default-src 'none'; script-src {hashes or chr(39) + 'none' + chr(39)}; "
        "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
    )


@dataclass(frozen=True)
class WrittenReport:
    """What `write_report` wrote."""

    path: Path
    bytes: int
    charts: int
    sources: int
    seconds: float


class Ids:
    """Unique element ids within one page (the same figure can be shown twice)."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def next(self, prefix: str) -> str:
        """A fresh id: 'tip-12'."""
        return f"{prefix}-{next(self._counter)}"


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("warehouse.outputs.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        month=wording.month_label,
        day=wording.date_label,
        time=wording.time_label,
        group=wording.group_label,
        phrase=wording.metric_phrase,
        safe_url=wording.safe_href,
        parser=wording.parser_label,
        urls=row_urls,
        slug=lambda text: re.sub(r"[^a-z0-9_-]+", "-", str(text).lower()),
    )
    return env


def _version() -> str:
    try:
        return metadata.version("toll")
    except metadata.PackageNotFoundError:
        return "dev"


def render_report(report: Report) -> str:
    """The report as one HTML page."""
    specs = {
        section.anchor: charts.section_charts(section)
        for section in report.sections
        if section.has_data
    }
    template = _environment().get_template("report.html.j2")
    scripts = [charts.vega_javascript(), charts.embed_javascript()] if any(specs.values()) else []
    return template.render(
        report=report,
        specs=specs,
        groups=GROUPS,
        csp=content_security_policy(scripts),
        vega_js=scripts[0] if scripts else "",
        embed_js=scripts[1] if scripts else "",
        ids=Ids(),
        version=_version(),
    )


def write_report(
    home: Path,
    out: Path,
    source: str | None = None,
    since: date | None = None,
    now: datetime | None = None,
) -> WrittenReport:
    """Write the report on the published warehouse of `home` to `out`, atomically (a reader
    never sees half a file). Raises WarehouseMissing and UnknownSource."""
    clock = time.perf_counter()
    scope = Scope(source=source, since=since)
    with reader(home) as conn:
        rows = report_rows(conn, scope)
    report = build_report(rows, scope, now or datetime.now(UTC))
    html = render_report(report)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(out) as file:
        file.write(html.encode("utf-8"))
    return WrittenReport(
        path=out,
        bytes=out.stat().st_size,
        charts=html.count("data-vega-spec="),
        sources=sum(s.has_data for s in report.sections),
        seconds=round(time.perf_counter() - clock, 2),
    )


__all__ = ["WrittenReport", "content_security_policy", "render_report", "write_report"]
