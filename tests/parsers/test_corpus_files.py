"""Parsers on real files from the corpus: Airwars incident pages and right-to-left Arabic in a
PDF table. Skipped when the corpus is absent."""

from __future__ import annotations

from datetime import UTC, datetime

import pdfplumber
import pytest

from parsers.model import Document
from parsers.pdf_document import fix_rtl
from parsers.registry import parse_document
from parsers.vocabulary import vocabulary
from tests.conftest import corpus_path

AIRWARS = "files/klinares__airwars_scraping_project/database/webpages"
# (incident, killed low, killed high, children low, children high, injured low, injured high),
# as the corpus manifest records them from the pages.
INCIDENTS = [
    ("ispt0001", 1, None, None, None, 2, None),
    ("ispt0002", 3, 7, 2, None, 4, None),
    ("ispt0008", 18, None, 5, 6, 25, 150),
    ("ispt0011", 12, 19, 10, 13, None, None),
    ("ispt0027", 10, 12, 3, None, None, None),
    ("ispt0044", 65, 73, 15, 17, 100, 200),
    ("ispt0056", 15, None, 11, None, None, None),
]


def _records(path, url: str):
    document = Document.from_bytes(
        path.read_bytes(),
        url=url,
        source="airwars",
        media_type="text/html",
        fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    outcomes = parse_document(document)
    assert [o.parser for o in outcomes] == ["airwars_incident"]
    assert outcomes[0].ok, outcomes[0].error
    return outcomes[0].records


@pytest.mark.corpus
@pytest.mark.parametrize("incident", INCIDENTS, ids=[i[0] for i in INCIDENTS])
def test_airwars_incident_summary(incident) -> None:
    name, killed, killed_high, kids, kids_high, injured, injured_high = incident
    path = corpus_path(AIRWARS, f"{name}.html")
    records = _records(path, f"https://airwars.org/civilian-casualties/{name}/")
    by_key = {(r.metric, r.victim_group): r for r in records}
    total = by_key[("killed", "civilians")]
    assert (total.count, total.count_high) == (killed, killed_high)
    assert total.perpetrator == "israel" and total.certainty == "believed"
    assert total.attribution == "table"  # read from the page's "Suspected belligerent" field
    place = vocabulary("places").entry(total.place)
    assert "PS" in (place.id, place.attribute("country")) and total.period_start is not None
    if kids is not None:
        children = by_key[("killed", "children")]
        assert (children.count, children.count_high) == (kids, kids_high)
        assert children.parent_figure_id == total.figure_id
    if injured is not None:
        wounded = by_key[("injured", "civilians")]
        assert (wounded.count, wounded.count_high) == (injured, injured_high)


@pytest.mark.corpus
def test_revised_incident_keeps_its_inconsistency_for_the_checks() -> None:
    """ISPT0020 now says 6 killed including 10 children: recorded as stated, for the
    subgroup check to flag."""
    path = corpus_path(AIRWARS, "ispt0020.html")
    records = _records(path, "https://airwars.org/civilian-casualties/ispt0020/")
    by_group = {r.victim_group: r for r in records if r.metric == "killed"}
    assert by_group["civilians"].count == 6 and by_group["children"].count == 10
    assert by_group["children"].parent_figure_id == by_group["civilians"].figure_id


@pytest.mark.corpus
def test_arabic_pdf_text_reads_in_logical_order() -> None:
    path = corpus_path("tables", "camelot", "tabula", "arabic.pdf")
    with pdfplumber.open(path) as pdf:
        cells = [fix_rtl(c) for row in pdf.pages[0].extract_tables()[1] for c in row if c]
    assert "اسمي سلطان" in cells  # "my name is Sultan", reversed before the fix
    assert "عندي 47 قطط" in cells  # digits keep their order
    assert any(c.endswith("مرحبا") for c in cells)
    assert "Jeremy is جرمي in Arabic" in cells
