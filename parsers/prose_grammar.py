"""Casualty figures in running prose.

"Syrian regime forces killed 93 civilians, including 21 children and 11 women" becomes three
figures: 93 civilians (perpetrator: Syrian regime forces), and 21 children and 11 women, each
pointing at the 93 as its parent. The grammar works on count mentions (a number followed by a
victim-group noun, or a number right after "killing of" / before "were killed"), then attaches
to each mention its metric, perpetrator, place and period from the sentence, the paragraph's
headings ("Second: ISIS ...") and the document (its title's period).

Pure: text in, `Figure`s out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from functools import cache

from parsers.model import Figure, Locator
from parsers.numbers import NUMBER_WORDS, parse_count, to_ascii_digits
from parsers.periods import Period, find_periods
from parsers.qualifiers import qualifier_before
from parsers.text_units import Span, lines, sentences
from parsers.vocabulary import vocabulary

# ---------------------------------------------------------------------------------------------
# Building blocks


def _alias_regex(alias: str) -> str:
    """A vocabulary alias as a regex: flexible spaces and hyphens, optional apostrophes."""
    parts = []
    for char in alias:
        if char in " -":
            parts.append(r"[\s\-]+")
        elif char in "'’":
            parts.append(r"['’]?")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


@cache
def _alternation(vocabulary_name: str) -> str:
    aliases = {alias for entry in vocabulary(vocabulary_name).entries for alias in entry.aliases}
    ordered = sorted(aliases, key=len, reverse=True)
    return "|".join(_alias_regex(a) for a in ordered)


_NUMBER_WORD_ALT = "|".join(
    sorted((w for w in NUMBER_WORDS if w not in {"a", "an", "un", "une"}), key=len, reverse=True)
)
_WORD_NUMBER = (
    rf"(?:(?:{_NUMBER_WORD_ALT})(?:(?:[\s-]+(?:and\s+)?)(?:{_NUMBER_WORD_ALT}|hundred|thousand))*)"
)
_DIGITS = r"\d{1,3}(?:[,.\u00a0\u202f\u2009 ]\d{3})+(?!\d)|\d+"
# Numbers as written: digits (glued to a word is fine: "killing of87"), number words, and
# "a"/"an"/"one" only before a singular noun (handled where used).
NUMBER = rf"(?:(?<![\d.,])(?:{_DIGITS})|\b{_WORD_NUMBER}\b)"

_FILLER = (
    r"(?:(?:other|more|additional|further|syrian|iraqi|afghan|ukrainian|palestinian|innocent|"
    r"unarmed|documented|local|displaced|civilian(?=\s+(?:men|women|children)))\s+){0,2}"
)
_TORTURE_TAIL = re.compile(
    r"^[\s,]*(?:(?:victims?|people|persons|individuals|civilians|deaths?|cases?)\s+)?"
    r"(?:(?:who|that)\s+)?(?:(?:have\s+|had\s+)?died\s+|deaths?\s+|died\s+)?"
    r"(?:(?:under|due\s+to|from|because\s+of|as\s+a\s+result\s+of)\s+torture|tortured\s+to\s+death)",
    re.IGNORECASE,
)
_NOT_A_COUNT_AFTER = re.compile(
    r"^(?:\s*(?:%|percent|per\s*cent|pc\b)|-?\s*(?:page|pages)\b|\s+(?:reports?|years?|months?|"
    r"weeks?|days?|hours?|minutes?|km|kilomet(?:er|re)s?|miles?|meters?|times|previous|"
    r"of\s+(?:them|these|those)\s+(?:were|are)\s+(?:reports?)|th\b|st\b|nd\b|rd\b))",
    re.IGNORECASE,
)
_RATE_AFTER = re.compile(
    r"^\s*(?:a|per|every|each)\s+(?:day|week|month|hour)\b|^\s*(?:daily|weekly|monthly)\b"
    r"|^\s*(?:are|were)\s+killed\s+(?:every|each|a|per)\s+(?:day|week|month)",
    re.IGNORECASE,
)
_ID_BEFORE = re.compile(
    r"(?:\bno\.?|\bnumber|#(?=$)|\bid|\bcode|\bphone|\btel\.?|\bfax|\+|\breport|\bresolution)\s*$",
    re.IGNORECASE,
)
_KILLING_BEFORE = re.compile(
    r"(?:\bkill(?:ed|ing)(?:\s+of)?|\bdeath\s+of|\bdeaths\s+of|\blives\s+of|\bdocumented|"
    r"\bclaim(?:ed|s)?\s+the\s+lives\s+of|\bclaimed|\bthe\s+loss\s+of)\s*"
    r"(?:(?:at\s+least|no\s+less\s+than|not\s+less\s+than|more\s+than|over|about|nearly|"
    r"an\s+estimated|approximately|some|around)\s+)?$",
    re.IGNORECASE,
)
_KILLED_AFTER = re.compile(
    r"^\s+(?:(?:were|was|have\s+been|had\s+been|are)\s+)?(?:killed|died|dead|deaths|slain|"
    r"murdered)\b",
    re.IGNORECASE,
)
_BREAKDOWN_MARKER = re.compile(
    r"\b(?:including|includes|included|among\s+them|among\s+whom|of\s+whom|of\s+them|"
    r"amongst\s+them|among\s+those|comprising|dont|بينهم|بينهن)\b|\(",
    re.IGNORECASE,
)
_BREAKDOWN_END = re.compile(
    r"\bin\s+addition\s+to\b|\bwhile\b|\bwhereas\b|\bbesides\b|;|\.\s", re.IGNORECASE
)
_HANDS_OF = re.compile(
    r"\b(?:by|at\s+the\s+hands\s+of|by\s+the\s+hands\s+of|committed\s+by|perpetrated\s+by|"
    r"attributed\s+to|par|على\s+يد|على\s+أيدي)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_KILL_VERB = re.compile(r"\b(?:killed|kill|kills|killing|murdered|executed)\b", re.IGNORECASE)
_LIST_ITEM = re.compile(
    r"^(?:[-–—•*·▪]\s*|\(?[a-z0-9]{1,2}[.)]\s+)?(?P<label>[^:\d]{2,80}?)\s*[:：]\s*"
    r"(?P<qual>(?:at\s+least|no\s+less\s+than|more\s+than|over|about|nearly)\s+)?"
    rf"(?P<num>{_DIGITS})\b(?P<rest>.*)$",
    re.IGNORECASE,
)
_HEADING_ORDINAL = re.compile(
    r"^(?:(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\b\s*[:\-–.]?"
    r"|[IVX]{1,4}[.)]|[0-9]{1,2}[.)]|[A-H][.)])\s*",
    re.IGNORECASE,
)


@cache
def _group_mention_re() -> re.Pattern[str]:
    return re.compile(
        rf"(?P<num>{NUMBER}|\b(?:a|an|one)\b)(?P<gap>\s*{_FILLER})(?P<group>{_alternation('victim_groups')})"
        r"(?!\w)",
        re.IGNORECASE,
    )


@cache
def _bare_number_re() -> re.Pattern[str]:
    return re.compile(NUMBER, re.IGNORECASE)


@cache
def _perpetrator_re() -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:{_alternation('perpetrators')})(?!\w)", re.IGNORECASE)


@cache
def _place_re() -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:{_alternation('places')})(?!\w)", re.IGNORECASE)


_SINGULAR_AFTER_ARTICLE = re.compile(
    r"^\s*(?:woman|child|man|civilian|girl|boy|journalist|media\s+worker|media\s+activist|"
    r"medic|doctor|nurse|person|individual|rebel|fighter|refugee|detainee)\b",
    re.IGNORECASE,
)


# ---------------------------------------------------------------------------------------------
# Mentions


@dataclass(frozen=True)
class Mention:
    """A count found in a sentence, before its attribution."""

    start: int  # offsets in the sentence of the number
    end: int
    count: int
    count_high: int | None
    qualifier: str
    group_raw: str | None  # the victim noun, None when the number has none ("killing of 61")
    metric_hint: str | None  # a metric read right next to the number ("under torture")
    span_end: int  # end of the whole mention (number, noun and tail)


def _range_after(sentence: str, end: int) -> tuple[int, int] | None:
    """A range's high end: "1,204 – 1,577" or "1,204 to 1,577" right after a number."""
    match = re.match(rf"\s*(?:–|—|-|to)\s*({_DIGITS})(?!\d)", sentence[end:])
    if not match:
        return None
    high = parse_count(match.group(1))
    return (high, end + match.end()) if high is not None else None


def _is_excluded(sentence: str, start: int, end: int, count: int) -> bool:
    """Numbers that are never figures: percentages, page counts, ids, years, ordinals."""
    after = sentence[end : end + 40]
    before = sentence[max(0, start - 16) : start]
    if _NOT_A_COUNT_AFTER.match(after) or _ID_BEFORE.search(before):
        return True
    if re.match(r"^\s*[/:]\s*\d", after) or re.search(r"\d[/:.]\s*$", before):
        return True  # dates and times such as 12/03 or 10:30
    return bool(1900 <= count <= 2100 and re.match(r"^\s*(?:[,.;)]|$)", after))


def find_mentions(sentence: str) -> list[Mention]:
    """Count mentions in one sentence, in order, without overlaps."""
    mentions: list[Mention] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for match in _group_mention_re().finditer(sentence):
        num_text = match.group("num")
        start, end = match.span("num")
        if num_text.lower() in {"a", "an"} and not _SINGULAR_AFTER_ARTICLE.match(sentence[end:]):
            continue
        count = parse_count(to_ascii_digits(num_text))
        if count is None or not free(start, match.end()):
            continue
        if _is_excluded(sentence, start, end, count) or _RATE_AFTER.match(sentence[match.end() :]):
            continue
        count_high = None
        qualifier, _ = qualifier_before(sentence[:start])
        tail = _TORTURE_TAIL.match(sentence[match.end() :])
        metric_hint = "died_under_torture" if tail else None
        span_end = match.end() + (tail.end() if tail else 0)
        if _RATE_AFTER.match(sentence[span_end:]):
            continue
        mentions.append(
            Mention(
                start,
                end,
                count,
                count_high,
                qualifier,
                match.group("group"),
                metric_hint,
                span_end,
            )
        )
        taken.append((start, span_end))

    for match in _bare_number_re().finditer(sentence):
        start, end = match.span()
        if not free(start, end):
            continue
        count = parse_count(to_ascii_digits(match.group(0)))
        if count is None or _is_excluded(sentence, start, end, count):
            continue
        ranged = _range_after(sentence, end)
        if ranged and not free(end, ranged[1]):
            # The high end is already a grouped mention: keep the low end bare, merged below.
            mentions.append(Mention(start, end, count, None, "exact", None, None, end))
            taken.append((start, end))
            continue
        after_end = ranged[1] if ranged else end
        tail = _TORTURE_TAIL.match(sentence[after_end:])
        killing_before = _KILLING_BEFORE.search(sentence[:start])
        killed_after = _KILLED_AFTER.match(sentence[after_end:])
        if not (tail or killing_before or killed_after or ranged):
            continue
        tail_end = after_end + (tail.end() if tail else 0)
        if _RATE_AFTER.match(sentence[tail_end:]) or (
            not tail and 1900 <= count <= 2100 and not ranged
        ):
            continue
        group_raw = None
        span_end = after_end
        if ranged:
            group_match = re.match(
                rf"\s*{_FILLER}(?P<group>{_alternation('victim_groups')})(?!\w)",
                sentence[after_end:],
                re.IGNORECASE,
            )
            if group_match:
                group_raw = group_match.group("group")
                span_end = after_end + group_match.end()
            elif not (killing_before or killed_after):
                continue
        qualifier = "range" if ranged else qualifier_before(sentence[:start])[0]
        mentions.append(
            Mention(
                start,
                end,
                count,
                ranged[0] if ranged else None,
                qualifier,
                group_raw,
                "died_under_torture" if tail else None,
                span_end + (tail.end() if tail else 0),
            )
        )
        taken.append((start, span_end))

    # Ranges whose low end was read as a grouped mention ("1,204 – 1,577 civilians").
    mentions.sort(key=lambda m: m.start)
    merged: list[Mention] = []
    for mention in mentions:
        if (
            merged
            and merged[-1].group_raw is None
            and merged[-1].count_high is None
            and mention.group_raw is not None
            and re.fullmatch(r"\s*(?:–|—|-|to)\s*", sentence[merged[-1].end : mention.start])
        ):
            low = merged.pop()
            mention = replace(
                mention,
                start=low.start,
                count=low.count,
                count_high=mention.count,
                qualifier="range",
            )
        merged.append(mention)
    return merged


# ---------------------------------------------------------------------------------------------
# Attribution


@dataclass(frozen=True)
class Found:
    """A vocabulary phrase found in a sentence."""

    start: int
    end: int
    raw: str


def _find_all(pattern: re.Pattern[str], sentence: str) -> list[Found]:
    return [Found(m.start(), m.end(), m.group(0)) for m in pattern.finditer(sentence)]


def _perpetrator_for(
    mention: Mention, perpetrators: list[Found], mentions: list[Mention], sentence: str
) -> Found | None:
    """The perpetrator a mention is attributed to within its sentence, if any.

    A subject right before a killing verb ("P killed N") wins; then an agent phrase after the
    mention ("N ... at the hands of P"); then the nearest perpetrator before it.
    """
    before = [p for p in perpetrators if p.end <= mention.start]
    after = [p for p in perpetrators if p.start >= mention.span_end]
    if before:
        nearest = before[-1]
        between = sentence[nearest.end : mention.start]
        others = [m for m in mentions if nearest.end <= m.start < mention.start]
        if _KILL_VERB.search(between) and not others:
            return nearest
    for candidate in after:
        if _HANDS_OF.search(sentence[: candidate.start]):
            return candidate
    if before:
        return before[-1]
    return None


def _metric_of_sentence(sentence: str) -> str | None:
    """The casualty metric a sentence speaks of, from its verbs and nouns."""
    lowered = sentence.lower()
    if re.search(r"\b(?:injur(?:ed|ies|ing)|wounded|wounding)\b", lowered) and not re.search(
        r"\bkill|\bdeath|\bdied", lowered
    ):
        return "injured"
    if re.search(r"\b(?:arrest(?:s|ed)?|detain(?:ed|ees)?|detention)\b", lowered) and not re.search(
        r"\bkill|\bdeath|\bdied", lowered
    ):
        return "detained"
    if re.search(
        r"\b(?:kill(?:ed|ing|ings|s)?|deaths?|died|dead|lives|slain|murder(?:ed)?|death\s+toll|"
        r"victims|tués?|décès|morts?)\b|مقتل|قتل",
        lowered,
    ):
        return "killed"
    return None


@dataclass(frozen=True)
class Heading:
    """A heading line: "Second: Armed groups affiliated to Al-Qaeda (ISIS)" or "A. Civilians"."""

    top_level: bool
    perpetrator_raw: str | None
    group_raw: str | None


_SUB_ORDINAL = re.compile(r"^[A-H][.)]\s*")


def read_heading(line: str) -> Heading | None:
    """The heading a line is, or None when it is running text (or holds numbers)."""
    text = line.strip()
    if text.startswith("#"):  # a heading element of an HTML page (see readable_text)
        body = text.lstrip("#").strip()
        if re.search(r"\d", body):
            return None
        found = _perpetrator_re().search(body)
        group = vocabulary("victim_groups").lookup(body) if len(body.split()) <= 3 else None
        if group and not found:
            return Heading(top_level=False, perpetrator_raw=None, group_raw=body)
        return Heading(
            top_level=True, perpetrator_raw=found.group(0) if found else None, group_raw=None
        )
    ordinal = _HEADING_ORDINAL.match(text)
    if len(text) > 140 or (re.search(r"[.!?,;]$", text) and not ordinal):
        return None
    body = text[ordinal.end() :] if ordinal else text
    if re.search(r"\d", body) or (ordinal and len(body) > 100):
        return None
    found = _perpetrator_re().search(body)
    perpetrator = found.group(0) if found else None
    if perpetrator is None and vocabulary("perpetrators").lookup(body.strip(" :.")):
        perpetrator = body.strip(" :.")
    group = re.fullmatch(rf"\s*(?:{_alternation('victim_groups')})\s*[:.]?\s*", body, re.IGNORECASE)
    sub_level = bool(_SUB_ORDINAL.match(text))
    if perpetrator and (ordinal or len(body.split()) <= 8):
        return Heading(top_level=not sub_level, perpetrator_raw=perpetrator, group_raw=None)
    if group:
        return Heading(top_level=False, perpetrator_raw=None, group_raw=group.group(0).strip(" :."))
    if ordinal:
        return Heading(top_level=not sub_level, perpetrator_raw=None, group_raw=None)
    return None


# ---------------------------------------------------------------------------------------------
# The parser


@dataclass
class _Context:
    """What carries across lines: the heading's perpetrator and group, the last main group."""

    perpetrator: str | None = None
    group: str | None = None
    main_group: str | None = None
    metric: str | None = None


def _snippet(sentence: str, start: int, end: int, limit: int = 280) -> str:
    if len(sentence) <= limit:
        return sentence
    left = max(0, start - limit // 2)
    right = min(len(sentence), max(end, left + limit))
    return (
        ("…" if left else "")
        + sentence[left:right].strip()
        + ("…" if right < len(sentence) else "")
    )


def extract_figures(
    text: str,
    *,
    published: date | None = None,
    default_period: Period | None = None,
    locator_kind: str = "text",
    page: int | None = None,
    base_offset: int = 0,
) -> list[Figure]:
    """All casualty figures stated in a text, in reading order.

    `default_period` (usually the title's period) applies to figures whose sentence and
    paragraph name none; `base_offset` shifts character spans when the text is one piece of a
    larger one (a PDF page).
    """
    figures: list[Figure] = []
    context = _Context()
    for line in lines(text):
        heading = read_heading(line.text)
        if heading is not None:
            if heading.top_level:
                context = _Context(perpetrator=heading.perpetrator_raw, metric=context.metric)
            elif heading.group_raw:
                context.group = heading.group_raw
            continue
        if line.text.startswith("# "):  # a heading with figures: read it as a sentence
            line = Span(line.text[2:], line.start + 2)
        list_figures = _list_item_figures(
            line, context, published, default_period, locator_kind, page, base_offset, len(figures)
        )
        if list_figures is not None:
            figures.extend(list_figures)
            continue
        if line.text.endswith(":") and not find_mentions(line.text):
            _read_list_intro(line.text, context)
            continue
        for sentence in sentences(line):
            figures.extend(
                _sentence_figures(
                    sentence,
                    context,
                    published,
                    default_period,
                    locator_kind,
                    page,
                    base_offset,
                    len(figures),
                )
            )
    return figures


def _period_for(
    sentence: Span, mention: Mention, periods: list[tuple[int, int, Period]], default: Period | None
) -> Period | None:
    if not periods:
        return default
    after = [p for p in periods if p[0] >= mention.span_end]
    chosen = after[0] if after else periods[-1]
    return chosen[2]


def _sentence_figures(
    sentence: Span,
    context: _Context,
    published: date | None,
    default_period: Period | None,
    locator_kind: str,
    page: int | None,
    base_offset: int,
    index_offset: int,
) -> list[Figure]:
    text = sentence.text
    mentions = find_mentions(text)
    if not mentions:
        return []
    sentence_metric = _metric_of_sentence(text) or context.metric
    context.metric = sentence_metric
    perpetrators = _find_all(_perpetrator_re(), text)
    places = _find_all(_place_re(), text)
    periods = find_periods(text, published)
    breakdown_spans = _breakdown_spans(text)

    figures: list[Figure] = []
    main_index: int | None = None
    main_group: str | None = None
    main_count: int | None = None
    for mention in mentions:
        in_breakdown = any(s <= mention.start < e for s, e in breakdown_spans)
        metric = mention.metric_hint or sentence_metric
        if metric is None:
            continue
        group_raw = mention.group_raw
        if group_raw is not None and context.group and _is_generic_group(group_raw):
            group_raw = context.group
        if group_raw is None:
            group_raw = (
                main_group
                if in_breakdown and main_group
                else (context.group or context.main_group or "people")
            )
        perpetrator = _perpetrator_for(mention, perpetrators, mentions, text)
        perpetrator_raw = perpetrator.raw if perpetrator else context.perpetrator
        place = _place_for(mention, places, text)
        period = _period_for(sentence, mention, periods, default_period)
        parent = None
        parent_note = None
        if in_breakdown and main_index is not None and mention.count <= (main_count or 0):
            parent = index_offset + main_index
            parent_note = f"part of {main_count} {main_group}"
        start = base_offset + sentence.start + mention.start
        end = base_offset + sentence.start + mention.span_end
        locator = Locator(
            kind=locator_kind,  # type: ignore[arg-type]
            page=page,
            char_start=start,
            char_end=end,
            parent_note=parent_note,
        )
        figures.append(
            Figure(
                metric=metric,
                count=mention.count,
                count_high=mention.count_high,
                qualifier=mention.qualifier,
                victim_raw=group_raw,
                perpetrator_raw=perpetrator_raw,
                period_raw=period.raw if period else None,
                place_raw=place,
                locator=locator,
                snippet=_snippet(text, mention.start, mention.span_end),
                parent=parent,
                attribution=_attribution(text, perpetrator),
            )
        )
        if not in_breakdown:
            main_index = len(figures) - 1
            main_group = group_raw
            main_count = mention.count
            context.main_group = group_raw
    return figures


def _read_list_intro(text: str, context: _Context) -> None:
    """A line introducing a list ("Civilian deaths by governorate in April 2024:") sets the
    victim group and metric of the items that follow."""
    found = vocabulary("victim_groups").find(text)
    if found:
        context.group = found[1]
    metric = _metric_of_sentence(text)
    if metric:
        context.metric = metric
    context.main_group = None


def _is_generic_group(raw: str) -> bool:
    """Nouns such as "people" or "victims" that a heading ("A. Civilians") makes precise."""
    return vocabulary("victim_groups").lookup(raw) == "people"


def _breakdown_spans(sentence: str) -> list[tuple[int, int]]:
    """Stretches of a sentence that break a total down ("including 21 children and 11 women")."""
    spans = []
    for marker in _BREAKDOWN_MARKER.finditer(sentence):
        if marker.group(0) == "(":
            close = sentence.find(")", marker.end())
            spans.append((marker.start(), close if close >= 0 else len(sentence)))
            continue
        end_match = _BREAKDOWN_END.search(sentence, marker.end())
        spans.append((marker.start(), end_match.start() if end_match else len(sentence)))
    return spans


def _place_for(mention: Mention, places: list[Found], sentence: str) -> str | None:
    """The place named for a mention: "Idlib 12" right before it, else one "in <place>"."""
    before = [p for p in places if p.end <= mention.start and mention.start - p.end <= 3]
    if before:
        return before[-1].raw
    located = [
        p
        for p in places
        if re.search(r"\b(?:in|of|at)\s+(?:the\s+)?$", sentence[: p.start], re.IGNORECASE)
    ]
    distinct = {p.raw.lower() for p in located}
    if len(distinct) == 1:
        return located[0].raw
    return None


def _attribution(sentence: str, perpetrator: Found | None) -> str:
    if perpetrator is None:
        return "stated"
    window = sentence[max(0, perpetrator.start - 40) : perpetrator.end].lower()
    if re.search(r"believed|we believe|suspected|likely|presumably|probably", window):
        return "believed"
    return "stated"


def _list_item_figures(
    line: Span,
    context: _Context,
    published: date | None,
    default_period: Period | None,
    locator_kind: str,
    page: int | None,
    base_offset: int,
    index_offset: int,
) -> list[Figure] | None:
    """A dash or colon list item ("– Regime forces: 61", "Idlib: 7", "Media workers: 3 media
    workers including one woman"); None if the line is not one."""
    match = _LIST_ITEM.match(line.text)
    if not match:
        return None
    label = match.group("label").strip(" -–—•*")
    count = parse_count(match.group("num"))
    perpetrator = _perpetrator_re().search(label)
    place = _place_re().fullmatch(label.strip())
    group = re.fullmatch(rf"(?:{_alternation('victim_groups')})", label.strip(), re.IGNORECASE)
    if count is None or not (perpetrator or place or group):
        return None
    item_context = _Context(
        perpetrator=perpetrator.group(0) if perpetrator else context.perpetrator,
        group=group.group(0) if group else (context.group or context.main_group),
        metric=context.metric or "killed",
    )
    place_raw = place.group(0) if place else None
    number_start = match.start("qual") if match.group("qual") else match.start("num")
    item = Span(line.text[number_start:], line.start + number_start)
    figures = _sentence_figures(
        item, item_context, published, default_period, locator_kind, page, base_offset, index_offset
    )
    if figures and figures[0].count == count:
        return [replace(f, place_raw=f.place_raw or place_raw, snippet=line.text) for f in figures]
    start = base_offset + line.start + match.start("num")
    end = base_offset + line.start + match.end("num")
    qualifier, _ = qualifier_before(match.group("qual") or "")
    return [
        Figure(
            metric=item_context.metric or "killed",
            count=count,
            qualifier=qualifier,
            victim_raw=item_context.group or "people",
            perpetrator_raw=item_context.perpetrator,
            period_raw=default_period.raw if default_period else None,
            place_raw=place_raw,
            locator=Locator(kind=locator_kind, page=page, char_start=start, char_end=end),  # type: ignore[arg-type]
            snippet=line.text,
        )
    ]
