"""The HTML report: a static, self-contained page for readers who do not write SQL, built
from the warehouse's views (`toll report`, and the nightly flow when `[report] enabled`).

queries (SQL) -> model (plain data) -> charts (Vega-Lite specs) + page (Jinja2 template).
"""

from warehouse.outputs.report.page import WrittenReport, render_report, write_report
from warehouse.outputs.report.queries import Scope, UnknownSource

__all__ = ["Scope", "UnknownSource", "WrittenReport", "render_report", "write_report"]
