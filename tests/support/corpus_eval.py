"""Precision and recall of the extractor on real corpus pages (tests/corpus_expected/).

Matching rule: a figure found by toll matches an expected figure when metric, count,
count_high, victim group and perpetrator are equal, and the period is equal too when the
expected figure gives one. A claim a page states twice (headline and body) is one expected
figure, and finding it twice is not an error: precision counts the found figures that match
some expected figure; recall counts the expected figures matched by at least one found figure.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from parsers.model import Document, FigureRecord
from parsers.registry import parse_document

EXPECTED = Path(__file__).resolve().parents[1] / "corpus_expected"


@dataclass
class PageScore:
    """What was expected, found and matched on one page."""

    page: str
    expected: list[dict[str, Any]]
    found: list[FigureRecord]
    missed: list[dict[str, Any]] = field(default_factory=list)
    wrong: list[FigureRecord] = field(default_factory=list)

    @property
    def matched(self) -> int:
        return len(self.expected) - len(self.missed)


def page_text(path: Path) -> str:
    """A stored page without its two header lines (URL, RETRIEVED-AS)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return "\n".join(lines[3:]) if lines and lines[0].startswith("URL:") else "\n".join(lines)


def as_html(text: str) -> str:
    """The same text wrapped in simple HTML: the first line a heading, the rest paragraphs."""
    lines = [line for line in text.splitlines() if line.strip()]
    body = [f"<h1>{html.escape(lines[0])}</h1>"] if lines else []
    body += [f"<p>{html.escape(line)}</p>" for line in lines[1:]]
    head = "<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
    return head + "".join(body) + "</body></html>"


# Parties stated as unidentified and the report's "other parties" are accepted for each
# other (../shared/corpus/annotated/README.md).
_SAME_PARTY = {"unknown": "other_parties"}


def _party(value: str | None) -> str | None:
    return _SAME_PARTY.get(value, value) if value else value


def _matches(record: FigureRecord, expected: dict[str, Any]) -> bool:
    same = (
        record.metric == expected["metric"]
        and record.count == expected["count"]
        and record.count_high == expected.get("count_high")
        and record.victim_group == expected["victim_group"]
        and _party(record.perpetrator) == _party(expected["perpetrator"])
    )
    period = expected.get("period")
    if same and period:
        return [str(record.period_start), str(record.period_end)] == period
    return same


def score_page(expected_file: Path, pages: Path, wrap_html: bool = False) -> PageScore:
    """Run the extractor on one page and compare with its expected figures."""
    spec = json.loads(expected_file.read_text(encoding="utf-8"))
    text = page_text(pages / spec["page"])
    content = as_html(text) if wrap_html else text
    document = Document.from_bytes(
        content.encode("utf-8"),
        url=f"https://corpus.invalid/{spec['page']}",
        source="corpus",
        media_type="text/html" if wrap_html else "text/plain",
        fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
        published=date.fromisoformat(spec["published"]),
    )
    found = [r for outcome in parse_document(document) for r in outcome.records]
    score = PageScore(spec["page"], spec["figures"], found)
    score.missed = [e for e in spec["figures"] if not any(_matches(r, e) for r in found)]
    score.wrong = [r for r in found if not any(_matches(r, e) for e in spec["figures"])]
    return score


@dataclass(frozen=True)
class Totals:
    """Precision and recall over a set of pages."""

    expected: int
    found: int
    correct_found: int
    matched_expected: int

    @property
    def precision(self) -> float:
        return self.correct_found / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.matched_expected / self.expected if self.expected else 1.0


def totals(scores: list[PageScore]) -> Totals:
    """Sum page scores."""
    return Totals(
        expected=sum(len(s.expected) for s in scores),
        found=sum(len(s.found) for s in scores),
        correct_found=sum(len(s.found) - len(s.wrong) for s in scores),
        matched_expected=sum(s.matched for s in scores),
    )


def report(scores: list[PageScore], label: str) -> str:
    """A readable report: overall figures, then what each page missed or got wrong."""
    t = totals(scores)
    lines = [
        f"{label}: {len(scores)} pages, {t.expected} expected figures, {t.found} found; "
        f"precision {t.precision:.3f} ({t.correct_found}/{t.found}), "
        f"recall {t.recall:.3f} ({t.matched_expected}/{t.expected})"
    ]
    for s in scores:
        if not s.missed and not s.wrong:
            continue
        lines.append(f"  {s.page}: {s.matched}/{len(s.expected)} matched")
        for e in s.missed:
            lines.append(
                f"    missed {e['metric']} {e['count']} {e['victim_group']} {e['perpetrator']} "
                f"{e.get('period') or ''}"
            )
        for r in s.wrong:
            lines.append(
                f"    wrong  {r.metric} {r.count} {r.victim_group} {r.perpetrator} "
                f"{r.period_start}..{r.period_end} | {r.snippet[:80]}"
            )
    return "\n".join(lines)
