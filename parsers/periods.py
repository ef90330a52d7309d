"""Reading reporting periods: "January 2020", "in January", "the first half of 2021", "since 2011",
"between 1 March 2017 and the end of May 2018". Implicit years resolve against the document's
publication date; nothing here reads the clock.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        # English, French, Arabic (two calendars' names), German, Spanish, Turkish
        ("january", "jan", "janvier", "يناير", "كانون الثاني", "januar", "enero", "ocak"),
        ("february", "feb", "février", "fevrier", "فبراير", "شباط", "februar", "febrero", "şubat"),
        ("march", "mar", "mars", "مارس", "آذار", "märz", "marzo", "mart"),
        ("april", "apr", "avril", "أبريل", "ابريل", "نيسان", "abril", "nisan"),
        ("may", "mai", "مايو", "أيار", "mayo", "mayıs"),
        ("june", "jun", "juin", "يونيو", "حزيران", "juni", "junio", "haziran"),
        ("july", "jul", "juillet", "يوليو", "تموز", "juli", "julio", "temmuz"),
        ("august", "aug", "août", "aout", "أغسطس", "آب", "agosto", "ağustos"),
        ("september", "sep", "sept", "septembre", "سبتمبر", "أيلول", "septiembre", "eylül"),
        ("october", "oct", "octobre", "أكتوبر", "تشرين الأول", "oktober", "octubre", "ekim"),
        ("november", "nov", "novembre", "نوفمبر", "تشرين الثاني", "noviembre", "kasım"),
        (
            "december",
            "dec",
            "décembre",
            "decembre",
            "ديسمبر",
            "كانون الأول",
            "dezember",
            "diciembre",
            "aralık",
        ),
    ],
    start=1,
):
    for _name in _names:
        MONTHS[_name] = _number

_MONTH_ALT = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_YEAR = r"(?:19[6-9]\d|20\d\d)"
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th|er|\.)?(?!\d)"

# A single date expression, most specific first.
_DATE = (
    rf"(?:(?P<{{p}}edge>the\s+(?:end|beginning|start|middle)\s+of\s+)?"
    rf"(?:(?P<{{p}}day1>{_DAY})\s+(?P<{{p}}month1>{_MONTH_ALT})\.?,?\s+(?P<{{p}}year1>{_YEAR})"
    rf"|(?P<{{p}}month2>{_MONTH_ALT})\.?\s+(?P<{{p}}day2>{_DAY}),?\s+(?P<{{p}}year2>{_YEAR})"
    rf"|(?P<{{p}}month3>{_MONTH_ALT})\.?,?\s+(?P<{{p}}year3>{_YEAR})"
    rf"|(?P<{{p}}day5>{_DAY})\s+(?:of\s+)?(?P<{{p}}month5>{_MONTH_ALT})(?!\w)"
    rf"|(?P<{{p}}month6>{_MONTH_ALT})\.?\s+(?P<{{p}}day6>{_DAY})(?![\w,.]*\d)"
    r"(?=\s*(?:[,.;:()–-]|$|(?:and|when|which|in|at|on|of|to|until|that|the|as|after|before)\b))"
    rf"|(?P<{{p}}month4>{_MONTH_ALT})(?!\w)"
    rf"|(?P<{{p}}year4>{_YEAR})))"
)


def _date_pattern(prefix: str) -> str:
    return _DATE.replace("{p}", prefix)


_RANGE_RE = re.compile(
    rf"(?:between|from)\s+{_date_pattern('a')}\s+(?:and|to|until|till|through|-|–)\s+"
    rf"{_date_pattern('b')}",
    re.IGNORECASE,
)
_SINCE_RE = re.compile(
    rf"(?:since|from)\s+{_date_pattern('a')}(?:\s+(?:until|to|up to)\s+(?:now|today|date))?",
    re.IGNORECASE,
)
_MONTH_PAIR_RE = re.compile(
    rf"(?<!\w)(?P<m1>{_MONTH_ALT})\s*(?:and|to|-|–|through)\s*(?P<m2>{_MONTH_ALT})"
    rf"(?:\s+(?P<year>{_YEAR}))?(?!\w)",
    re.IGNORECASE,
)
_SINCE_TILL_RE = re.compile(
    rf"(?:since|from)\s+(?:[\w\s]{{0,40}}?\bon\s+)?{_date_pattern('a')}\s+(?:till|until|up\s+to|to)\s+"
    rf"{_date_pattern('b')}",
    re.IGNORECASE,
)
_HALF_RE = re.compile(
    rf"(?:the\s+)?(?P<which>first|second|1st|2nd)\s+half\s+of\s+(?:the\s+year\s+)?(?P<year>{_YEAR})"
    rf"|\bH(?P<h>[12])\s+(?P<hyear>{_YEAR})"
    rf"|(?:the\s+)?first\s+six\s+months\s+of\s+(?P<syear>{_YEAR})"
    r"|(?:the\s+)?(?P<implicit>first\s+(?:six\s+months|half))\s+of\s+(?:the|this)\s+year",
    re.IGNORECASE,
)
_QUARTER_RE = re.compile(
    rf"(?:the\s+)?(?P<which>first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter\s+of\s+"
    rf"(?P<year>{_YEAR})|\bQ(?P<q>[1-4])\s+(?P<qyear>{_YEAR})",
    re.IGNORECASE,
)
_SINGLE_RE = re.compile(rf"(?<!\w){_date_pattern('a')}", re.IGNORECASE)
# Spans of days within one month: "from 3 to 5 March", "between 16 and 22 May 2025",
# "on 27 and 28 December", "16-22 May".
_DAY_SPAN_RE = re.compile(
    rf"(?:(?:between|from)\s+)?(?P<d1>{_DAY})\s*(?:and|to|until|till|-|–)\s*(?P<d2>{_DAY})\s+"
    rf"(?P<month>{_MONTH_ALT})(?:\.?,?\s+(?P<year>{_YEAR}))?(?!\w)",
    re.IGNORECASE,
)

_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4}


@dataclass(frozen=True)
class Period:
    """A resolved reporting period with its precision and the raw text it was read from."""

    start: date | None
    end: date | None
    precision: str  # day | month | quarter | half | year | range | open
    raw: str


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _implicit_year(month: int, published: date | None) -> int | None:
    """The year of a bare month name: the latest such month not after publication."""
    if published is None:
        return None
    return published.year if month <= published.month else published.year - 1


def _single_bounds(
    groups: dict[str, str | None], prefix: str, published: date | None
) -> tuple[date, date, str] | None:
    """Start, end and precision of one matched date expression."""

    def g(name: str) -> str | None:
        return groups.get(prefix + name)

    edge = (g("edge") or "").lower()
    day_text = g("day1") or g("day2") or g("day5") or g("day6")
    month_text = (
        g("month1") or g("month2") or g("month3") or g("month4") or g("month5") or g("month6")
    )
    year_text = g("year1") or g("year2") or g("year3") or g("year4")
    if month_text is None and year_text is None:
        return None
    month = MONTHS.get(month_text.lower().rstrip(".")) if month_text else None
    year = int(year_text) if year_text else (_implicit_year(month, published) if month else None)
    if year is None:
        return None
    if month is None:
        start, end, precision = date(year, 1, 1), date(year, 12, 31), "year"
    elif day_text:
        day = int(re.sub(r"\D", "", day_text))
        try:
            start = end = date(year, month, day)
        except ValueError:
            return None
        precision = "day"
    else:
        start, end, precision = date(year, month, 1), _month_end(year, month), "month"
    if "end" in edge:
        start = end
    elif "beginning" in edge or "start" in edge:
        end = start
    return start, end, precision


_Groups = dict[str, str | None]


def _range(groups: _Groups, raw: str, published: date | None) -> Period | None:
    second = _single_bounds(groups, "b", published)
    # "From 1 August to 31 October 2025": a start without its year takes the end's.
    first = _single_bounds(groups, "a", second[1] if second else published)
    if not first or not second or first[0] > second[1]:
        return None
    return Period(first[0], second[1], "range", raw)


def _months(groups: _Groups, raw: str, published: date | None) -> Period | None:
    first, second = (MONTHS.get((groups[k] or "").lower().rstrip(".")) for k in ("m1", "m2"))
    if not first or not second or first > second or not (groups["m1"] or " ")[0].isupper():
        return None
    stated = groups.get("year")
    year = int(stated) if stated else _implicit_year(second, published)
    if year is None:
        return None
    return Period(date(year, first, 1), _month_end(year, second), "range", raw)


def _since(groups: _Groups, raw: str, published: date | None) -> Period | None:
    first = _single_bounds(groups, "a", published)
    if not first or (published is not None and first[0] > published):
        return None  # "since" a date after the report was published: not a period
    return Period(first[0], published, "open", raw)


def _half(groups: _Groups, raw: str, published: date | None) -> Period | None:
    if groups.get("implicit"):
        if published is None:
            return None
        year, half = published.year, 1
    elif groups.get("syear"):
        year, half = int(groups["syear"] or 0), 1
    elif groups.get("h"):
        year, half = int(groups["hyear"] or 0), int(groups["h"] or 1)
    else:
        year, half = int(groups["year"] or 0), _ORDINALS[(groups["which"] or "first").lower()]
    start_month = 1 if half == 1 else 7
    return Period(date(year, start_month, 1), _month_end(year, start_month + 5), "half", raw)


def _quarter(groups: _Groups, raw: str, published: date | None) -> Period | None:
    if groups.get("q"):
        year, quarter = int(groups["qyear"] or 0), int(groups["q"] or 1)
    else:
        year, quarter = int(groups["year"] or 0), _ORDINALS[(groups["which"] or "first").lower()]
    start_month = 3 * (quarter - 1) + 1
    return Period(date(year, start_month, 1), _month_end(year, start_month + 2), "quarter", raw)


def _single(groups: _Groups, raw: str, published: date | None) -> Period | None:
    bounds = _single_bounds(groups, "a", published)
    if not bounds:
        return None
    return Period(bounds[0], bounds[1], bounds[2], raw)


def _match_period(match: re.Match[str], kind: str, published: date | None) -> Period | None:
    readers = {
        "range": _range, "months": _months, "since": _since, "days": _day_span,
        "half": _half, "quarter": _quarter,
    }  # fmt: skip
    return readers.get(kind, _single)(match.groupdict(), match.group(0), published)


def _day_span(groups: _Groups, raw: str, published: date | None) -> Period | None:
    month = MONTHS.get((groups["month"] or "").lower().rstrip("."))
    if month is None:
        return None
    stated = groups.get("year")
    year = int(stated) if stated else _implicit_year(month, published)
    if year is None:
        return None
    first, last = (int(re.sub(r"\D", "", groups[k] or "")) for k in ("d1", "d2"))
    try:
        start, end = date(year, month, first), date(year, month, last)
    except ValueError:
        return None
    return Period(start, end, "range", raw) if start <= end else None


_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("range", _RANGE_RE),
    ("days", _DAY_SPAN_RE),
    ("range", _SINCE_TILL_RE),
    ("months", _MONTH_PAIR_RE),
    ("half", _HALF_RE),
    ("quarter", _QUARTER_RE),
    ("since", _SINCE_RE),
    ("single", _SINGLE_RE),
)


def find_periods(text: str, published: date | None = None) -> list[tuple[int, int, Period]]:
    """All period expressions in a text as (start, end, period), without overlaps, in order.

    Larger constructs (ranges, halves, "since") win over the single dates inside them.
    """
    found: list[tuple[int, int, Period]] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            span = match.span()
            if any(span[0] < end and start < span[1] for start, end in taken):
                continue
            period = _match_period(match, kind, published)
            if period is None:
                continue
            if kind == "single" and not _plausible_single(text, match):
                continue
            found.append((span[0], span[1], period))
            taken.append(span)
    found.sort(key=lambda item: item[0])
    return found


_ABBREVIATIONS = frozenset(
    {"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
)
_CONTEXT_BEFORE = re.compile(
    r"\b(in|during|of|for|throughout|year|since|until|by|across|over|through|from|to|after|"
    r"before|early|late|mid|en|au cours de|depuis|pendant|im|seit|im jahr|desde|durante)\s+$",
    re.IGNORECASE,
)


def _plausible_single(text: str, match: re.Match[str]) -> bool:
    """Reject bare years and bare month names that are not used as periods.

    A bare year needs a word like "in", "during" or "of" before it; a bare month name must be
    written in full and capitalized ("May", not "may"), and "May" also needs such a word.
    """
    before = text[max(0, match.start() - 14) : match.start()]
    has_context = bool(_CONTEXT_BEFORE.search(before))
    if match.group("ayear4"):
        return has_context
    dated_month = match.group("amonth5") or match.group("amonth6")
    if dated_month:  # "17 August", "July 8": the month must be written as a name
        return not dated_month.isascii() or dated_month[0].isupper() or len(dated_month) > 4
    bare_month = match.group("amonth4")
    if bare_month:
        if bare_month.isascii() and not bare_month[0].isupper():
            return False
        if bare_month.lower() in _ABBREVIATIONS:
            return False
        if bare_month.lower() in {"may", "mai", "mars", "sept"}:
            return has_context
    return True


def parse_period(raw: str | None, published: date | None = None) -> Period | None:
    """Parse a period phrase; the widest expression found in it wins. None when there is none."""
    if not raw:
        return None
    found = find_periods(raw, published)
    if not found:
        return None
    return max(found, key=lambda item: item[1] - item[0])[2]


def period_of_title(title: str | None, published: date | None) -> Period | None:
    """The reporting period a document's title names, if any (used as the document default)."""
    return parse_period(title, published)
