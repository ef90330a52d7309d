"""The words and number formats of the report: labels for canonical ids, counts with their
qualifiers ("≥" for "at least"), shares, months and periods, locators, and which URLs may
become links. Pure functions, so the page and the charts say things the same way."""

from __future__ import annotations

import calendar
import json
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from parsers.vocabulary import vocabulary

# Chart legends need short names; the vocabularies' labels are written for tables.
PERPETRATOR_SHORT = {
    "all_parties": "All parties (total)",
    "syrian_regime": "Syrian regime forces",
    "russia": "Russian forces",
    "syrian_russian_alliance": "Syrian-Russian alliance",
    "isis": "ISIS",
    "hts": "Hay'at Tahrir al-Sham",
    "extremist_groups": "Extremist groups",
    "sdf": "Syrian Democratic Forces",
    "armed_opposition": "Armed opposition",
    "international_coalition": "International coalition",
    "israel": "Israeli forces",
    "turkey": "Turkish forces",
    "other_parties": "Other parties",
}
QUALIFIER_MARK = {
    "exact": "",
    "at_least": "≥",
    "more_than": ">",
    "approximately": "≈",
    "at_most": "≤",
    "less_than": "<",
}
PARSER_WORDS = {
    "pdf_tables": "read from a table in the PDF",
    "html_tables": "read from a table on the page",
    "prose": "read from the text",
}
LINK_SCHEMES = frozenset({"http", "https"})


def _vocabulary_label(name: str, canonical_id: str) -> str | None:
    try:
        return vocabulary(name).entry(canonical_id).label
    except KeyError:
        return None


def _plain(canonical_id: str) -> str:
    return canonical_id.replace("_", " ").capitalize()


def perpetrator_label(perpetrator: str | None) -> str:
    """Short display name of a perpetrator id (charts and tables)."""
    if perpetrator is None:
        return "Not stated"
    return PERPETRATOR_SHORT.get(perpetrator) or _plain(perpetrator)


def place_label(place: str | None) -> str:
    """Display name of a place id, from the places vocabulary."""
    if place is None:
        return "Not stated"
    return _vocabulary_label("places", place) or _plain(place)


def group_label(victim_group: str | None) -> str:
    """Display name of a victim group, without the vocabulary's explanations in brackets."""
    if victim_group is None:
        return "People"
    label = _vocabulary_label("victim_groups", victim_group) or _plain(victim_group)
    return label.split(" (")[0]


def metric_phrase(metric: str, victim_group: str | None) -> str:
    """What a figure counts, as a card title: 'Civilians killed', 'Died under torture'."""
    if metric == "killed":
        return f"{group_label(victim_group)} killed"
    label = (_vocabulary_label("metrics", metric) or _plain(metric)).split(" (")[0]
    if victim_group in (None, "people"):
        return label
    return f"{label}: {group_label(victim_group).lower()}"


def count_text(count: int, qualifier: str = "exact", count_high: int | None = None) -> str:
    """A count with thousands separators and its qualifier mark: '1,203', '≥93', '10–12'."""
    if qualifier == "range" and count_high is not None:
        return f"{count:,}–{count_high:,}"
    return f"{QUALIFIER_MARK.get(qualifier, '')}{count:,}"


def share(part: int, whole: int) -> float | None:
    """part / whole, or None when the whole is zero (a share of nothing is not 0 %)."""
    return part / whole if whole > 0 else None


def share_text(part: int, whole: int, exact: bool = True) -> str:
    """A share as a percentage with one decimal: '18.2%'; 'about' when a count is qualified."""
    value = share(part, whole)
    if value is None:
        return "n/a"
    text = f"{100 * value:.1f}%"
    return text if exact else f"about {text}"


def change_text(
    current: int, previous: int | None, previous_month: date, shown: str | None = None
) -> str:
    """How a month compares with the one before: '38 more than in May 2024 (154)'; `shown`
    is the previous figure as displayed ('154*'), when it differs from the bare number."""
    when = month_label(previous_month)
    if previous is None:
        return f"no figure for {when}"
    difference = current - previous
    shown = shown or f"{previous:,}"
    if difference == 0:
        return f"the same as in {when} ({shown})"
    direction = "more" if difference > 0 else "fewer"
    return f"{abs(difference):,} {direction} than in {when} ({shown})"


def month_label(month: date) -> str:
    """'December 2024'."""
    return f"{calendar.month_name[month.month]} {month.year}"


def date_label(value: date | datetime | None) -> str:
    """'1 December 2024' (the date part of a timestamp), or '—'."""
    if value is None:
        return "—"
    day = value.date() if isinstance(value, datetime) else value
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"


def time_label(value: datetime | None) -> str:
    """'1 December 2024, 21:24 UTC', or '—'."""
    if value is None:
        return "—"
    utc = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return f"{date_label(utc)}, {utc:%H:%M} UTC"


def period_label(start: date | None, end: date | None) -> str:
    """A period in words: a whole month, a whole year, or 'from ... to ...'."""
    if start is None or end is None:
        return "period not stated"
    last_day = calendar.monthrange(start.year, start.month)[1]
    if start.day == 1 and end == start.replace(day=last_day):
        return month_label(start)
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return str(start.year)
    return f"{date_label(start)} to {date_label(end)}"


def dates_span(dates: list[date]) -> str:
    """'1 February 2024' or '1 February 2024 to 1 January 2025' for a set of dates."""
    known = sorted(d for d in dates if d is not None)
    if not known:
        return "date not stated"
    if known[0] == known[-1]:
        return date_label(known[0])
    return f"{date_label(known[0])} to {date_label(known[-1])}"


def parser_label(parser: str) -> str:
    """How a number was read, for readers: 'PDF table', 'text'."""
    return PARSER_WORDS.get(parser, f"read by the {parser} parser")


def locator_text(locator: Any) -> str:
    """Where in its document a figure was read: 'page 1, table 1, row 4, column 3'."""
    data = json.loads(locator) if isinstance(locator, str) else dict(locator or {})
    parts = []
    if data.get("page") is not None:
        parts.append(f"page {data['page']}")
    for name, word in (("table", "table"), ("row", "row"), ("col", "column")):
        if data.get(name) is not None:
            parts.append(f"{word} {int(data[name]) + 1}")  # stored counting from 0
    if data.get("char_start") is not None:
        parts.append(f"characters {data['char_start']}–{data.get('char_end')}")
    return ", ".join(parts) or "location not recorded"


def safe_href(url: str | None) -> str | None:
    """The URL when it may become a link (http or https with a host), else None."""
    if not url or any(ord(c) < 33 for c in url):
        return None
    parts = urlsplit(url)
    return url if parts.scheme.lower() in LINK_SCHEMES and parts.netloc else None
