"""Specific parser for Airwars civilian-casualty incident pages.

Each incident page carries a summary block of labelled values ("Civilians reported killed:
3 – 7", then "(2 children, 3 women, 1 man)", "Civilians reported injured: 4", "Suspected
belligerent: Israeli Military") and a meta block ("Incident date: October 7, 2023",
"Location: ..., the Gaza Strip"). Ranges with en dashes are kept as ranges.
"""

from __future__ import annotations

import re

from bs4 import Tag

from parsers.html_document import css_path, read_html
from parsers.media import HTML
from parsers.model import Document, Figure, Locator, ParseError
from parsers.periods import parse_period
from parsers.registry import Parser
from parsers.table_figures import read_count_cell

_BREAKDOWN_ITEM = re.compile(
    r"^\s*(?P<low>\d+)(?:\s*[–—-]\s*(?P<high>\d+))?\s+(?P<group>[a-z_ ]+?)\s*$", re.IGNORECASE
)


def _labelled_values(container: Tag) -> list[tuple[str, Tag]]:
    """(label, value element) pairs of a `ul.meta-list`."""
    pairs = []
    for item in container.find_all("li", recursive=False):
        divs = item.find_all("div", recursive=False)
        if len(divs) >= 2:
            pairs.append((divs[0].get_text(" ", strip=True), divs[1]))
    return pairs


def _value_text(element: Tag) -> str:
    """A value's text without its tooltip."""
    parts = [
        text
        for text in element.find_all(string=True)
        if not any("tooltip" in (parent.get("class") or []) for parent in text.parents)
    ]
    return re.sub(r"\s+", " ", " ".join(parts)).strip()


def _breakdown(item: Tag | None) -> list[tuple[int, int | None, str, Tag]]:
    """The "(2 children 3 women 1 man)" line under the killed count."""
    if item is None:
        return []
    parts = []
    for span in item.find_all("span"):
        match = _BREAKDOWN_ITEM.match(span.get_text(" ", strip=True).replace("_", " "))
        if match:
            high = int(match.group("high")) if match.group("high") else None
            parts.append((int(match.group("low")), high, match.group("group").strip(), span))
    return parts


def parse(document: Document) -> list[Figure]:
    """Figures of the incident's summary block."""
    page = read_html(document.content, document.charset)
    blocks = page.soup.select("ul.meta-list")
    if not page.soup.select("ul.summary"):
        raise ParseError("no incident summary block (ul.summary) on the page")
    values: dict[str, Tag] = {}
    for block in blocks:
        for label, element in _labelled_values(block):
            values.setdefault(label, element)
    meta = {label: _value_text(element) for label, element in values.items()}
    for block in page.soup.select("div.meta-block"):  # <h4>Incident date</h4> October 7, 2023
        heading = block.find("h4")
        if heading is not None:
            label = heading.get_text(" ", strip=True)
            text = block.get_text(" ", strip=True)
            meta.setdefault(label, text[len(label) :].strip() if text.startswith(label) else text)
    period = parse_period(meta.get("Incident date"), document.published)
    belligerent = (
        _value_text(values["Suspected belligerent"]) if "Suspected belligerent" in values else None
    )
    location = meta.get("Location")
    figures: list[Figure] = []

    def add(metric: str, element: Tag, label: str, parent: int | None = None) -> int | None:
        value = read_count_cell(_value_text(element))
        if value is None:
            return None
        figures.append(
            Figure(
                metric=metric,
                count=value.count,
                count_high=value.count_high,
                qualifier=value.qualifier,
                victim_raw=label,
                perpetrator_raw=belligerent,
                period_raw=None,
                place_raw=location,
                locator=Locator(kind="html_text", css_path=css_path(element)),
                snippet=f"{label}: {_value_text(element)}",
                parent=parent,
                certainty="believed" if belligerent else "unknown",
                attribution="table" if belligerent else "none",
            ).with_period(period)
        )
        return len(figures) - 1

    killed = values.get("Civilians reported killed")
    if killed is not None:
        parent = add("killed", killed, "civilians")
        item = killed.find_parent("li")
        following = item.find_next_sibling("li") if item is not None else None
        for low, high, group, span in _breakdown(following):
            figures.append(
                Figure(
                    metric="killed",
                    count=low,
                    count_high=high,
                    qualifier="range" if high else "exact",
                    victim_raw=group,
                    perpetrator_raw=belligerent,
                    period_raw=None,
                    place_raw=location,
                    locator=Locator(kind="html_text", css_path=css_path(span)),
                    snippet=f"Civilians reported killed: {_value_text(killed)} ({group})",
                    parent=parent,
                    certainty="believed" if belligerent else "unknown",
                    attribution="table" if belligerent else "none",
                ).with_period(period)
            )
    injured = values.get("Civilians reported injured")
    if injured is not None:
        add("injured", injured, "civilians")
    return figures


PARSER = Parser(
    name="airwars_incident",
    version="1.1.0",
    media_types=frozenset({HTML}),
    parse=parse,
    description=(
        "Airwars incident pages: civilians reported killed (ranges kept) with the children, "
        "women and men among them, civilians injured, suspected belligerent, incident date "
        "and location."
    ),
    url_patterns=(r"airwars\.org/civilian-casualties/",),
    module=__name__,
)
