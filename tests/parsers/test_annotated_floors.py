"""Floors on `../shared/corpus/annotated/` (pages and PDFs annotated by independent readers
who never saw toll's output), scored by the folder README's rule. Skipped when the corpus is
absent. The figures measured are printed at the end of the run."""

from __future__ import annotations

import pytest

from flows.devtools.evaluate import load_cases, report_lines, score_case, totals
from tests.conftest import REPORTS, corpus_path

PAGES_RECALL, PAGES_PRECISION = 0.90, 0.95  # perpetrator included
PDFS_RECALL, PDFS_PRECISION, PDFS_TRAPS = 0.85, 0.90, 5  # perpetrator ignored


@pytest.mark.corpus
@pytest.mark.parametrize("kind", ["text", "html"])
def test_pages_hold_their_floors(kind: str) -> None:
    folder = corpus_path("annotated")
    scores = [score_case(case) for case in load_cases(folder, [kind])]
    summary = "\n".join(report_lines(scores))
    REPORTS.append(f"annotated {summary.splitlines()[0]}")
    result = totals(scores)
    assert result.documents >= 40, summary
    assert result.recall >= PAGES_RECALL, summary
    assert result.precision >= PAGES_PRECISION, summary


@pytest.mark.corpus
def test_pdfs_hold_their_floors() -> None:
    folder = corpus_path("annotated", "pdfs")
    scores = [score_case(case) for case in load_cases(folder.parent, ["pdf"])]
    summary = "\n".join(report_lines(scores))
    REPORTS.append(f"annotated {summary.splitlines()[0]}")
    result = totals(scores)
    assert result.documents >= 4, summary
    assert result.recall >= PDFS_RECALL, summary
    assert result.precision >= PDFS_PRECISION, summary
    assert result.trap_hits <= PDFS_TRAPS, summary
