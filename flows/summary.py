"""The summary of a run: what the CLI prints, the Prefect artifact shows and `runs` stores."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from warehouse.rows import RunCounts


@dataclass(frozen=True)
class RunSummary:
    """What a run did, as printed by the CLI and stored in `runs`."""

    run_id: str
    flow: str
    status: str
    sources: list[str]
    counts: RunCounts
    failures: list[dict[str, str]] = field(default_factory=list)
    warehouse: str = ""
    seconds: float = 0.0
    alarms: list[str] = field(default_factory=list)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~&:])")
_UNSHOWABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]+")


def markdown_text(value: object) -> str:
    """Text from a server or a document (a URL, an error) as inert Markdown for the Prefect
    UI: every character Markdown or HTML could act on is backslash-escaped, so a link, an
    image (a request to the attacker's server when the page opens), raw HTML or a table
    break stays text; control characters and line breaks become one space."""
    text = _UNSHOWABLE.sub(" ", "" if value is None else str(value))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def summary_markdown(summary: RunSummary) -> str:
    """The run summary as a Markdown table (the Prefect artifact)."""
    c = summary.counts
    lines = [
        f"## toll {summary.flow} run `{summary.run_id}`: {summary.status}",
        "",
        "| documents discovered | fetched | not modified | fetch failed | parsed | parse failed "
        "| figures added | figures replaced | quality issues |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {c.discovered} | {c.fetched} | {c.not_modified} | {c.fetch_failed} | {c.parsed} "
        f"| {c.parse_failed} | {c.figures_added} | {c.figures_replaced} | {c.quality_issues} |",
    ]
    if summary.failures:
        lines += [
            "",
            "### Failures",
            "",
            "| source | stage | url | error |",
            "| --- | --- | --- | --- |",
        ]
        for failure in summary.failures:
            cells = (markdown_text(failure.get(k, "")) for k in ("source", "stage", "url", "error"))
            lines.append("| " + " | ".join(cells) + " |")
    if summary.alarms:
        lines += ["", "### Alarms: sources gone quiet", ""]
        lines += [f"- {markdown_text(alarm)}" for alarm in summary.alarms]
    return "\n".join(lines)
