"""Warming the parsers: what a fork server does once so that every parse forked from it
starts warm.

Parsers load vocabularies, compile regular expressions and initialise the PDF and HTML
libraries on first use. Parsing a bundled sample web page and PDF (the sample site's, shipped
with toll) with every parser that claims them runs each of those first uses once, and
building their figure columns warms the Arrow side. Nothing here starts a thread: the fork
server must stay single-threaded to fork safely.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

SAMPLES = (  # a page with prose and a table, a page with a dash list, a PDF report
    ("blog/2024/04/01/213-civilians-including-39-children-and-17-women-killed-in-march-2024"
     "/index.html", "text/html"),
    ("blog/2024/05/01/256-civilians-including-35-children-and-21-women-killed-in-april-2024"
     "/index.html", "text/html"),
    ("wp-content/uploads/2024/03/M240301E.pdf", "application/pdf"),
)  # fmt: skip


def sample_documents() -> list:
    """The bundled sample page and PDF as parser documents (none if they are missing)."""
    from flows.sample_site.server import bundled_site
    from parsers.model import Document

    root = Path(bundled_site())
    found = []
    for path, media_type in SAMPLES:
        file = root / path
        if file.exists():
            found.append(
                Document.from_bytes(
                    file.read_bytes(),
                    url=f"http://127.0.0.1/{path}",
                    source="warm-up",
                    media_type=media_type,
                    fetched_at=datetime.now(UTC),
                    country="SY",
                )
            )
    return found


def warm_parsers() -> dict[str, int]:
    """Import every parser and run each on the samples; returns figures read per parser."""
    from flows.jobs import parse_with
    from parsers.registry import parsers_for, registered_parsers

    registered_parsers()
    read: dict[str, int] = {}
    for document in sample_documents():
        for parser in parsers_for(document):
            for name, _, figures, _, _ in parse_with(document, parser.name):
                read[name] = read.get(name, 0) + (figures.num_rows if figures is not None else 0)
    return read
