"""The documentation's SQL examples show what they return on the sample site's warehouse.
Refresh them with `TOLL_UPDATE_DOCS=1 python -m pytest tests/test_docs.py`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.doc_queries import examples, rewrite, run
from warehouse.database import reader

DOCS = Path(__file__).resolve().parent.parent / "docs"
DOCUMENTS = ["analysts.md"]

pytestmark = [pytest.mark.flow]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_examples_show_their_real_output(sample_home, name: str) -> None:
    path = DOCS / name
    with reader(sample_home) as conn:
        if os.environ.get("TOLL_UPDATE_DOCS"):
            rewrite(path, conn)
        pairs = examples(path)
        assert pairs, f"{name} has no checked examples"
        for sql, expected in pairs:
            assert run(conn, sql) == expected, f"output changed for:\n{sql}"


def test_readme_shows_what_the_demo_prints(sample_home) -> None:
    """README's demo summary states the counts a first run of the sample site records."""
    import re

    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("nightly run completed in", 1)[1].split("```", 1)[0]
    stated = {
        label.strip(): int(number.replace(",", ""))
        for label, number in re.findall(r"^ ([a-z ()]+?)\s+([\d,]+)$", block, flags=re.M)
    }
    with reader(sample_home) as conn:
        row = conn.execute(
            "SELECT discovered, fetched, parsed, figures_added, quality_issues FROM runs"
        ).fetchone()
    assert stated == dict(
        zip(
            [
                "documents discovered",
                "fetched (new or changed)",
                "parser runs ok",
                "figures added",
                "open quality issues",
            ],
            row,
            strict=True,
        )
    )
