"""Extraction accuracy on an annotated folder: every page and PDF through the parsers, each
figure compared with what independent readers wrote down (`toll parsers eval`).

The folder has the shape of `../shared/corpus/annotated/`: `pages/*.txt` with `expected.json`
beside them, and `pdfs/*.pdf` with `pdfs/expected.json`. The scoring rule is that folder's
README's: a found figure matches an expected one when perpetrator, victim group, metric and
count (and `count_high` for ranges) are equal, `alt` listing other accepted values of a field;
PDFs ignore the perpetrator. Recall is the share of expected figures matched; precision the
share of found casualty figures (killed, injured, casualties, died under torture; not counting
numbers listed as `neutral`) that match an expected or optional figure. A found count listed
in `traps` is a trap hit.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from parsers.model import Document, FigureRecord
from parsers.registry import parse_document

SCORED_METRICS = frozenset({"killed", "injured", "casualties", "died_under_torture"})
MATCHED_FIELDS = ("perpetrator", "victim_group", "metric", "count")
# `../shared/corpus/annotated` beside the checkout (flows/devtools/evaluate.py is 3 deep).
DEFAULT_FOLDER = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "annotated"
_FETCHED_AT = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Case:
    """One annotated document: its bytes as toll would fetch them and what readers found."""

    name: str
    kind: str  # "text", "html" or "pdf"
    document: Document
    spec: dict[str, Any]

    @property
    def ignores_perpetrator(self) -> bool:
        """PDF annotations are scored without the perpetrator (the README's rule)."""
        return self.kind == "pdf"


@dataclass
class CaseScore:
    """What one document's parsers found, matched against its annotation."""

    case: Case
    found: list[FigureRecord]
    matched: list[dict[str, Any]] = field(default_factory=list)
    missed: list[dict[str, Any]] = field(default_factory=list)
    correct: list[FigureRecord] = field(default_factory=list)
    wrong: list[FigureRecord] = field(default_factory=list)
    traps: list[FigureRecord] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The score as JSON-ready data (for `--json`)."""
        return {
            "document": self.case.name,
            "kind": self.case.kind,
            "expected": len(self.case.spec["figures"]),
            "matched": len(self.matched),
            "scored_found": len(self.correct) + len(self.wrong),
            "correct": len(self.correct),
            "missed": [_expected_label(e) for e in self.missed],
            "wrong": [_found_label(r) for r in self.wrong],
            "trap_hits": [_found_label(r) for r in self.traps],
            "errors": self.errors,
        }


@dataclass(frozen=True)
class Totals:
    """Recall and precision over a set of documents."""

    documents: int
    expected: int
    matched: int
    scored_found: int
    correct: int
    trap_hits: int

    @property
    def recall(self) -> float:
        """Share of expected figures found."""
        return self.matched / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        """Share of found casualty figures that a reader also wrote down."""
        return self.correct / self.scored_found if self.scored_found else 1.0

    def as_json(self) -> dict[str, Any]:
        """The totals as JSON-ready data."""
        return {
            "documents": self.documents,
            "expected": self.expected,
            "matched": self.matched,
            "found": self.scored_found,
            "correct": self.correct,
            "trap_hits": self.trap_hits,
            "recall": round(self.recall, 4),
            "precision": round(self.precision, 4),
        }


def page_text(path: Path) -> str:
    """A stored page without its header lines (URL, RETRIEVED-AS, blank)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if lines and lines[0].startswith("URL:"):
        lines = lines[3:] if len(lines) > 2 and not lines[2].strip() else lines[2:]
    return "\n".join(lines)


def page_url(path: Path) -> str:
    """The URL a stored page was read from (its first line), else a placeholder."""
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    return first.removeprefix("URL:").strip() if first.startswith("URL:") else path.as_uri()


def as_html(text: str) -> str:
    """The same text as simple HTML: the first line a heading, the rest paragraphs."""
    lines = [line for line in text.splitlines() if line.strip()]
    body = [f"<h1>{html.escape(lines[0])}</h1>"] if lines else []
    body += [f"<p>{html.escape(line)}</p>" for line in lines[1:]]
    head = "<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
    return head + "".join(body) + "</body></html>"


def _published(spec: dict[str, Any]) -> date | None:
    value = spec.get("published")
    return date.fromisoformat(value) if value else None


def _document(content: bytes, url: str, spec: dict[str, Any], media_type: str) -> Document:
    return Document.from_bytes(
        content,
        url=url,
        source=str(spec.get("source") or "annotated"),
        media_type=media_type,
        fetched_at=_FETCHED_AT,
        published=_published(spec),
    )


def load_cases(folder: Path, kinds: Sequence[str] = ("text", "html", "pdf")) -> list[Case]:
    """The annotated documents of a folder, each page once as text and once as HTML."""
    cases: list[Case] = []
    pages = folder / "pages"
    pages_spec = folder / "expected.json"
    if pages_spec.exists() and ({"text", "html"} & set(kinds)):
        for name, spec in sorted(json.loads(pages_spec.read_text("utf-8"))["files"].items()):
            path = pages / Path(name).name
            text, url = page_text(path), page_url(path)
            if "text" in kinds:
                document = _document(text.encode("utf-8"), url, spec, "text/plain")
                cases.append(Case(name, "text", document, spec))
            if "html" in kinds:
                document = _document(as_html(text).encode("utf-8"), url, spec, "text/html")
                cases.append(Case(name, "html", document, spec))
    pdf_spec = folder / "pdfs" / "expected.json"
    if pdf_spec.exists() and "pdf" in kinds:
        for name, spec in sorted(json.loads(pdf_spec.read_text("utf-8"))["files"].items()):
            content = (folder / "pdfs" / Path(name).name).read_bytes()
            url = f"https://annotated.invalid/pdfs/{name}"
            cases.append(Case(name, "pdf", _document(content, url, spec, "application/pdf"), spec))
    return cases


def _accepted(expected: dict[str, Any], name: str) -> set[Any]:
    values = {expected.get(name)}
    values.update((expected.get("alt") or {}).get(name, []))
    return values


def matches(record: FigureRecord, expected: dict[str, Any], ignore_perpetrator: bool) -> bool:
    """The scoring rule: the matched fields equal (or one of their `alt` values)."""
    for name in MATCHED_FIELDS:
        if name == "perpetrator" and ignore_perpetrator:
            continue
        if getattr(record, name) not in _accepted(expected, name):
            return False
    if expected.get("qualifier") == "range" or expected.get("count_high") is not None:
        return record.count_high in _accepted(expected, "count_high")
    return record.count_high is None or record.qualifier != "range"


def score_case(case: Case) -> CaseScore:
    """Run the parsers on one annotated document and compare."""
    outcomes = parse_document(case.document)
    found = [record for outcome in outcomes for record in outcome.records]
    score = CaseScore(case, found, errors=[o.error for o in outcomes if o.error])
    ignore = case.ignores_perpetrator
    expected = case.spec.get("figures", [])
    acceptable = expected + case.spec.get("optional", [])
    neutral = set(case.spec.get("neutral", []))
    traps = set(case.spec.get("traps", []))
    for figure in expected:
        target = score.matched if any(matches(r, figure, ignore) for r in found) else score.missed
        target.append(figure)
    for record in found:
        if any(matches(record, figure, ignore) for figure in acceptable):
            if record.metric in SCORED_METRICS:
                score.correct.append(record)
            continue
        if record.count in traps:
            score.traps.append(record)
        if record.metric in SCORED_METRICS and record.count not in neutral:
            score.wrong.append(record)
    return score


def totals(scores: Iterable[CaseScore]) -> Totals:
    """Sum of document scores."""
    scores = list(scores)
    return Totals(
        documents=len(scores),
        expected=sum(len(s.case.spec.get("figures", [])) for s in scores),
        matched=sum(len(s.matched) for s in scores),
        scored_found=sum(len(s.correct) + len(s.wrong) for s in scores),
        correct=sum(len(s.correct) for s in scores),
        trap_hits=sum(len(s.traps) for s in scores),
    )


def _expected_label(figure: dict[str, Any]) -> str:
    high = f"-{figure['count_high']}" if figure.get("count_high") else ""
    note = figure.get("where") or figure.get("note") or ""
    return (
        f"{figure['metric']} {figure['count']}{high} {figure['victim_group']} "
        f"{figure['perpetrator']} | {note[:90]}"
    )


def _found_label(record: FigureRecord) -> str:
    high = f"-{record.count_high}" if record.count_high is not None else ""
    snippet = " ".join(record.snippet.split())
    return (
        f"{record.metric} {record.count}{high} {record.victim_group} {record.perpetrator} "
        f"[{record.attribution}] | {snippet[:90]}"
    )


def report_lines(scores: Sequence[CaseScore], verbose: bool = True) -> list[str]:
    """A readable report: per kind totals, then each document's misses and wrong figures."""
    lines: list[str] = []
    for kind in ("text", "html", "pdf"):
        of_kind = [s for s in scores if s.case.kind == kind]
        if of_kind:
            lines.append(_totals_line(kind, totals(of_kind)))
    if not verbose:
        return lines
    for score in scores:
        if not (score.missed or score.wrong or score.errors):
            continue
        lines.append(
            f"  [{score.case.kind}] {score.case.name}: {len(score.matched)}/"
            f"{len(score.case.spec.get('figures', []))} matched, {len(score.wrong)} wrong"
        )
        lines += [f"      error  {e}" for e in score.errors]
        lines += [f"      missed {_expected_label(e)}" for e in score.missed]
        lines += [
            f"      {'TRAP ' if r in score.traps else 'wrong'}  {_found_label(r)}"
            for r in score.wrong
        ]
        lines += [f"      TRAP   {_found_label(r)}" for r in score.traps if r not in score.wrong]
    return lines


def _totals_line(label: str, t: Totals) -> str:
    return (
        f"{label}: {t.documents} documents, recall {t.recall:.3f} ({t.matched}/{t.expected}), "
        f"precision {t.precision:.3f} ({t.correct}/{t.scored_found}), trap hits {t.trap_hits}"
    )
