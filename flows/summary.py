"""The summary of a run: what the CLI prints, the Prefect artifact shows and `runs` stores."""

from __future__ import annotations

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
            lines.append(
                f"| {failure.get('source', '')} | {failure.get('stage', '')} "
                f"| {failure.get('url', '')} | {failure.get('error', '').replace('|', '/')} |"
            )
    if summary.alarms:
        lines += ["", "### Alarms: sources gone quiet", ""]
        lines += [f"- {alarm}" for alarm in summary.alarms]
    return "\n".join(lines)
