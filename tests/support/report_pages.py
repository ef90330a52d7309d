"""Reading a written report page in tests (not a test module): its chart specs, the data
rows inside them, and the number a figure link shows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from bs4 import BeautifulSoup, Tag


def specs(soup: BeautifulSoup) -> dict[str, dict[str, Any]]:
    """The page's Vega-Lite specs by element id ('spec-source-sample-monthly')."""
    scripts = soup.select('script[type="application/json"]')
    return {script["id"]: json.loads(script.get_text()) for script in scripts}


def chart_rows(spec: Any) -> Iterator[dict[str, Any]]:
    """Every data row of a spec, inline (`values`) or in top-level `datasets`."""
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key in ("values", "datasets") and isinstance(value, list):
                yield from value
            elif key == "datasets" and isinstance(value, dict):
                for rows in value.values():
                    yield from rows
            else:
                yield from chart_rows(value)
    elif isinstance(spec, list):
        for item in spec:
            yield from chart_rows(item)


def shown_number(link: Tag) -> str:
    """The number a figure link shows, without its tooltip: '1,203', '≥93'."""
    return "".join(link.find_all(string=True, recursive=False)).strip()
