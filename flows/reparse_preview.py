"""`toll reparse --dry-run`: what a parser upgrade would change in the published figures,
before anyone loads it. The pending parsers run over the archive (no network, each document
under the parse budget) and their figures are compared with the stored ones of the same
document and parser; nothing is written, no writer lock is taken.

A new figure and a stored one are the same figure when they were read at the same place of
the document (same locator); they are then unchanged, or changed in the fields listed. What
the new version reads where the old one read nothing is added; the converse is removed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from flows.budget import Budget
from flows.jobs import ParseJob, plan_jobs, run_parse_job
from flows.reparse import archived_documents
from parsers.registry import get_parser
from warehouse.database import reader
from warehouse.outputs.stored import stored_figures
from warehouse.writer_state import completed_parses

# The fields a reader compares: what the figure says, not how it was decided (attribution
# and certainty are shown in the examples; figures of older versions have no attribution).
COMPARED = (
    "metric", "count", "count_high", "qualifier", "victim_group", "perpetrator", "place",
    "period_start", "period_end", "parent_figure_id_set",
)  # fmt: skip


@dataclass(frozen=True)
class FigureChange:
    """One figure added, removed or changed, with enough to find it in the document."""

    kind: str  # added | removed | changed
    sha256: str
    snippet: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    def fields(self) -> list[str]:
        """The compared fields whose values differ (for a change)."""
        if self.before is None or self.after is None:
            return []
        return [f for f in COMPARED if self.before.get(f) != self.after.get(f)]

    def describe(self) -> str:
        """One line: what was said before and after."""
        if self.kind == "changed":
            changes = ", ".join(
                f"{f} {self.before.get(f)!s} -> {self.after.get(f)!s}"  # type: ignore[union-attr]
                for f in self.fields()
            )
            return f"{_label(self.after)}: {changes}"
        return _label(self.after if self.kind == "added" else self.before)


@dataclass
class GroupDiff:
    """The changes for one parser and source."""

    parser: str
    source: str
    from_versions: set[str] = field(default_factory=set)
    to_version: str = ""
    documents: int = 0
    unchanged: int = 0
    changes: list[FigureChange] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def count(self, kind: str) -> int:
        """How many figures were added, removed or changed."""
        return sum(1 for c in self.changes if c.kind == kind)

    def examples(self, kind: str, limit: int) -> list[FigureChange]:
        """The first few changes of one kind."""
        return [c for c in self.changes if c.kind == kind][:limit]

    def as_json(self, limit: int) -> dict[str, Any]:
        """JSON-ready summary with examples."""
        return {
            "parser": self.parser,
            "source": self.source,
            "from_versions": sorted(self.from_versions),
            "to_version": self.to_version,
            "documents": self.documents,
            "unchanged": self.unchanged,
            "added": self.count("added"),
            "removed": self.count("removed"),
            "changed": self.count("changed"),
            "failed_documents": self.failed,
            "examples": {
                kind: [
                    {"sha256": c.sha256, "figure": c.describe(), "snippet": c.snippet}
                    for c in self.examples(kind, limit)
                ]
                for kind in ("added", "removed", "changed")
            },
        }


@dataclass(frozen=True)
class ReparsePreview:
    """Everything a reparse would change, per parser and source."""

    documents: int
    groups: list[GroupDiff]

    @property
    def changes(self) -> int:
        """Figures added, removed or changed in all."""
        return sum(len(g.changes) for g in self.groups)


def preview_reparse(
    home: Path,
    parser: str | None = None,
    source: str | None = None,
    since: date | None = None,
    budget: Budget | None = None,
) -> ReparsePreview:
    """Run the parsers a reparse would run and compare their figures with the published
    ones, without writing anything."""
    only = [get_parser(parser).name] if parser else None
    with reader(home) as conn:
        documents = archived_documents(conn, source, since)
        done = completed_parses(conn, [d.sha256 for d in documents])
        jobs = plan_jobs(documents, done, only)
        stored = stored_figures(conn, [job.sha256 for job in jobs])
    groups: dict[tuple[str, str], GroupDiff] = {}
    for job in jobs:
        result = run_parse_job(job, home, budget or Budget())
        for run in result.outcomes:
            group = groups.setdefault((run.parser, job.source), GroupDiff(run.parser, job.source))
            group.documents += 1
            group.to_version = run.parser_version
            if not run.ok:
                group.failed.append(f"{job.sha256[:12]}: {run.error}")
                continue
            old = stored.get((job.sha256, run.parser), [])
            group.from_versions |= {row["parser_version"] for row in old}
            _compare(group, job, old, run.figures.to_pylist())
    ordered = sorted(groups.values(), key=lambda g: (g.parser, g.source))
    return ReparsePreview(len(jobs), ordered)


def _compare(
    group: GroupDiff, job: ParseJob, old: Sequence[dict[str, Any]], new: Sequence[dict[str, Any]]
) -> None:
    """Pair figures by where they were read, then by what they say."""
    old_rows = [_comparable(row, old) for row in old]
    new_rows = [_comparable(row, new) for row in new]
    by_place: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in old_rows:
        by_place[row["place_key"]].append(row)
    unmatched_new: list[dict[str, Any]] = []
    for row in new_rows:
        candidates = by_place.get(row["place_key"])
        if not candidates:
            unmatched_new.append(row)
            continue
        same = next((c for c in candidates if _says(c) == _says(row)), candidates[0])
        candidates.remove(same)
        if _says(same) == _says(row):
            group.unchanged += 1
        else:
            group.changes.append(FigureChange("changed", job.sha256, row["snippet"], same, row))
    removed = [row for rows in by_place.values() for row in rows]
    for row in unmatched_new:
        group.changes.append(FigureChange("added", job.sha256, row["snippet"], None, row))
    for row in removed:
        group.changes.append(FigureChange("removed", job.sha256, row["snippet"], row, None))


def _comparable(row: dict[str, Any], siblings: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """A figure row with its locator as a key and its parent as a yes/no (ids differ between
    versions, so only whether it is a part is compared)."""
    locator = row.get("locator")
    parsed = json.loads(locator) if isinstance(locator, str) else dict(locator or {})
    parsed.pop("parent_note", None)
    return {
        **row,
        "place_key": json.dumps(parsed, sort_keys=True, default=str),
        "parent_figure_id_set": row.get("parent_figure_id") is not None,
    }


def _says(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row.get(f) for f in COMPARED)


def _label(row: dict[str, Any] | None) -> str:
    if row is None:
        return ""
    high = f"-{row['count_high']}" if row.get("count_high") is not None else ""
    return (
        f"{row.get('metric')} {row.get('count')}{high} {row.get('victim_group')} "
        f"{row.get('perpetrator')} [{row.get('attribution')}]"
    )
