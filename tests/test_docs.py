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
