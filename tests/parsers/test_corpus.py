"""Extraction measured on real published pages (../shared/corpus): precision and recall of
the figures a careful reader finds (tests/corpus_expected/), for the text as published and
for the same text wrapped in simple HTML. Skipped when the corpus is absent."""

from __future__ import annotations

import pytest

from tests.conftest import CORPUS, REPORTS
from tests.support.corpus_eval import EXPECTED, report, score_page, totals

RECALL_TARGET = 0.90
PRECISION_TARGET = 0.95


@pytest.mark.corpus
@pytest.mark.parametrize("wrap_html", [False, True], ids=["text", "html"])
def test_precision_and_recall_on_real_pages(wrap_html: bool) -> None:
    pages = CORPUS / "pages"
    if not pages.exists():
        pytest.skip(f"corpus not available: {pages}")
    expected = sorted(EXPECTED.glob("*.json"))
    assert len(expected) >= 20
    scores = [score_page(path, pages, wrap_html) for path in expected]
    summary = report(scores, "html" if wrap_html else "text")
    REPORTS.append(summary.splitlines()[0])
    print(summary)
    result = totals(scores)
    assert result.recall >= RECALL_TARGET, summary
    assert result.precision >= PRECISION_TARGET, summary


def test_expected_files_are_well_formed() -> None:
    import json

    for path in EXPECTED.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["page"].endswith(".txt") and data["published"]
        for figure in data["figures"]:
            assert {"metric", "count", "victim_group", "perpetrator"} <= set(figure), path
