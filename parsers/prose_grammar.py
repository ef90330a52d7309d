"""Casualty figures in running prose.

"Syrian regime forces killed 93 civilians, including 21 children and 11 women" becomes three
figures: 93 civilians (perpetrator: Syrian regime forces), and 21 children and 11 women, each
pointing at the 93 as its parent. `parsers.mentions` finds the counts of a sentence; this
module attaches to each its metric, victim group, perpetrator, place and period, from the
sentence first, then from what the text established before it: the section heading ("Second:
ISIS"), the party a paragraph is about, a list's introduction ("by governorate:"), and the
document's headline (its period and what it counts).

Pure: text in, `Figure`s out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache

from parsers.mentions import (
    DIGITS,
    Mention,
    alternation,
    find_mentions,
    group_nouns,
    place_re,
    read_number,
)
from parsers.model import Figure, Locator
from parsers.periods import Period, find_periods
from parsers.qualifiers import qualifier_before
from parsers.text_units import Span, lines, sentences
from parsers.vocabulary import vocabulary

_BREAKDOWN_MARKER = re.compile(
    r"\b(?:including|includes|included|among\s+them|among\s+whom|of\s+whom|of\s+them|"
    r"amongst\s+them|among\s+those|amongst\s+whom|comprising|dont|parmi\s+eux|parmi\s+elles|"
    r"amongst\s+which|among\s+which|of\s+which)\b"
    r"|بينهم|بينهن|\(",
    re.IGNORECASE,
)
_BREAKDOWN_END = re.compile(
    r"\bin\s+addition\s+to\b|\bwhile\b|\bwhereas\b|\bbesides\b|;|\.\s"
    r"|\bnoting\s+that\b|\bat\s+the\s+hands\b|فيما|بينما|،\s*و(?:قتل|ذكر)",
    re.IGNORECASE,
)
_AGENT_BEFORE = re.compile(
    r"\b(?:by|at\s+the\s+hands\s+of|on\s+the\s+hands\s+of|by\s+the\s+hands\s+of|committed\s+by|"
    r"perpetrated\s+by|attributed\s+to|caused\s+by|par|in|from|during)\s+(?:the\s+)?"
    r"(?:(?:forces|strikes|attacks|bombardment)\s+(?:of|by)\s+(?:the\s+)?)?$|على\s+يد\s*$|على\s+أيدي\s*$",
    re.IGNORECASE,
)
_STRONG_AGENT = re.compile(
    r"\b(?:by|hands\s+of|par)\s+(?:the\s+)?$|على\s+يد|على\s+أيدي", re.IGNORECASE
)
_NOT_AN_AGENT = re.compile(
    r"(?:\bconnected\s+to|\baffiliated\s+(?:to|with)|\bthan|\bagainst|\btargeting|\bfighting|"
    r"\bcontrol\s+of|\bcontrolled\s+by|\bheld\s+by|\bwith|\bmembers\s+of|\bvictims\s+of|"
    r"\bnot|\bsince|\bdefected\s+from|\bfled)\s+(?:the\s+)?(?:\w+\s+){0,1}$",
    re.IGNORECASE,
)
_KILL_VERB = re.compile(
    r"\b(?:killed|kill|kills|killing|murdered|executed|slew|tué|tuée|tués|ont\s+tué)\b|قتلت|قتل",
    re.IGNORECASE,
)
_LIST_ITEM = re.compile(
    r"^(?:[-–—•*·▪]\s*|\(?[a-z0-9]{1,2}[.)-]\s+)?(?P<label>[^:\d]{2,80}?)\s*[:：]\s*"
    r"(?P<qual>(?:at\s+least|no\s+less\s+than|more\s+than|over|about|nearly)\s+)?"
    rf"(?P<num>{DIGITS})\b(?P<rest>.*)$",
    re.IGNORECASE,
)
_HEADING_ORDINAL = re.compile(
    r"^(?:(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\b\s*[:\-–.]?"
    r"|[IVX]{1,4}[.)-]|[0-9]{1,2}[.)]|[A-H][.)-])\s*",
    re.IGNORECASE,
)
_SUB_ORDINAL = re.compile(r"^[A-H][.)-]\s*")
_LIST_MARKER = re.compile(r"^(?:[-–—•*·▪]|\(?[A-Ha-h0-9]{1,2}[.)-])\s*")
_METRIC_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "casualties",
        re.compile(
            r"\b(?:deaths\s+and\s+injuries|killed\s+and\s+(?:wounded|injured)|"
            r"dead\s+and\s+(?:wounded|injured))\b",
            re.IGNORECASE,
        ),
    ),
    ("died_under_torture", re.compile(r"tortur|التعذيب", re.IGNORECASE)),
    ("casualties", re.compile(r"\bcasualt", re.IGNORECASE)),
    ("injured", re.compile(r"\b(?:injur|wound|blessé)|جرحى|إصابة", re.IGNORECASE)),
    ("detained", re.compile(r"\b(?:arrest|detain|detention|arrestation)", re.IGNORECASE)),
    ("displaced", re.compile(r"\b(?:displac|déplac|fled\s+their\s+homes)|نزوح", re.IGNORECASE)),
    (
        "killed",
        re.compile(
            r"\b(?:kill|death|dead|died|die|lives|slain|murder|fatalit|toll|tués?|morts?|"
            r"décès)|مقتل|قتل",
            re.IGNORECASE,
        ),
    ),
)


@cache
def _perpetrator_re() -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:{alternation('perpetrators')})(?!\w)", re.IGNORECASE)


# ---------------------------------------------------------------------------------------------
# Context carried through the text


@dataclass(frozen=True)
class Heading:
    """A heading line: "Second: Armed groups affiliated to Al-Qaeda (ISIS)" or "A. Civilians"."""

    top_level: bool
    perpetrator_raw: str | None
    group_raw: str | None


@dataclass
class _Context:
    """What carries across lines: the section's perpetrator and group, the last metric, the
    group the text was last counting, and the document's defaults."""

    perpetrator: str | None = None
    group: str | None = None
    main_group: str | None = None
    metric: str | None = None
    agent: str | None = None  # the party the current paragraph is about
    last_metric: str | None = None  # what the last count counted
    document_metric: str | None = None
    document_group: str | None = None
    list_group: str | None = None
    list_metric: str | None = None
    defaults: dict[str, object] = field(default_factory=dict)


def read_heading(line: str) -> Heading | None:
    """The heading a line is, or None when it is running text (or holds numbers)."""
    text = line.strip()
    marked = text.startswith("#")  # a heading element of an HTML page (see readable_text)
    if marked:
        text = text.lstrip("#").strip()
    ordinal = _HEADING_ORDINAL.match(text)
    body = text[ordinal.end() :] if ordinal else text
    if re.search(r"\d", body) or not body.strip() or find_mentions(body):
        return None
    words = len(body.split())
    short_plain_line = words <= 12 and not re.search(r"[.,;?!]$", text)
    if not (marked or ordinal or short_plain_line) or (ordinal and words > 16):
        return None
    found = _agents(body)
    perpetrator = found[-1].raw if found else None  # "Groups affiliated to ... (ISIS)"
    if perpetrator is None and vocabulary("perpetrators").lookup(body.strip(" :.-")):
        perpetrator = body.strip(" :.-")
    group = vocabulary("victim_groups").find(body) if words <= 3 and not perpetrator else None
    sub_level = bool(_SUB_ORDINAL.match(text))
    if body.rstrip().endswith(":") and not (ordinal or marked):
        return None  # a list introduction, not a heading
    if group:
        return Heading(top_level=False, perpetrator_raw=None, group_raw=body.strip(" :.-"))
    return Heading(top_level=not sub_level, perpetrator_raw=perpetrator, group_raw=None)


# ---------------------------------------------------------------------------------------------
# Attribution of one mention


@dataclass(frozen=True)
class Found:
    """A vocabulary phrase found in a sentence."""

    start: int
    end: int
    raw: str


def _agents(sentence: str) -> list[Found]:
    """Perpetrator phrases of a sentence that can be the one who killed: not "fighting
    ISIS", not the "ISIS" of "ISIS fighters" (who were killed)."""
    victims = [(start, end) for start, end, _ in group_nouns(sentence)]
    return [
        Found(m.start(), m.end(), m.group(0))
        for m in _perpetrator_re().finditer(sentence)
        if not _NOT_AN_AGENT.search(sentence[: m.start()])
        and not any(start <= m.start() < end for start, end in victims)
    ]


def _perpetrator_for(
    mention: Mention, agents: list[Found], mentions: list[Mention], sentence: str
) -> Found | None:
    """The perpetrator of a mention within its sentence: a subject before a killing verb
    ("P killed N"), else an agent phrase after it with no other count in between ("N ... at
    the hands of P"), else the nearest party named before it."""
    before = [p for p in agents if p.end <= mention.start]
    after = [p for p in agents if p.start >= mention.span_end]
    if before:
        nearest = before[-1]
        between = sentence[nearest.end : mention.start]
        others = [m for m in mentions if nearest.end <= m.start < mention.start]
        if _KILL_VERB.search(between) and not others and not re.search(r"[;.]", between):
            return nearest
    for candidate in after:
        others = [m for m in mentions if mention.span_end <= m.start < candidate.start]
        prefix = sentence[: candidate.start]
        agent_phrase = _AGENT_BEFORE.search(prefix) or (
            re.search(r"strike|air|bomb|campaign|shell", candidate.raw, re.IGNORECASE)
            and re.search(r"\b(?:of|in|from)\s+(?:\S+\s+){0,3}$", prefix)
        )
        own_verbs = any(
            re.match(
                r"\s+(?:\w+\s+){0,3}?(?:were|was)?\s*(?:killed|died)\b", sentence[m.span_end :]
            )
            for m in others
        )
        if (
            agent_phrase
            and not own_verbs
            and (not others or all(_in_breakdown_of(m, mention, sentence) for m in others))
        ):
            return candidate
        break
    if before and not re.search(
        r"\bwhile\b|\bwhereas\b|;", sentence[before[-1].end : mention.start]
    ):
        return before[-1]
    return None


def _in_breakdown_of(other: Mention, main: Mention, sentence: str) -> bool:
    return any(s <= other.start < e and s >= main.start for s, e in _breakdown_spans(sentence))


def _local_metric(sentence: str, mention: Mention, mentions: list[Mention]) -> str | None:
    """The metric written nearest to the mention, within its clause if the clause names one,
    else within the sentence. A count's own noun may say it ("casualties", "detainees"); the
    words of other counts ("... and 10 victims of torture") say nothing about this one."""
    if mention.group_raw and re.search(r"casualt", mention.group_raw, re.IGNORECASE):
        return "casualties"
    clause_start = max(
        [m.end() for m in re.finditer(r"[;.]\s|\bwhile\b|\bwhereas\b", sentence[: mention.start])]
        or [0]
    )
    clause_end_match = re.search(
        r"[;.](?:\s|$)|\bwhile\b|\bwhereas\b", sentence[mention.span_end :]
    )
    clause_end = mention.span_end + clause_end_match.start() if clause_end_match else len(sentence)
    others = [(m.start, m.span_end) for m in mentions if m is not mention]
    return _nearest_metric(sentence, mention, others, clause_start, clause_end) or _nearest_metric(
        sentence, mention, others, 0, len(sentence)
    )


_DEATH_FAMILY = {"died_under_torture", "casualties", "injured", "killed"}


def _nearest_metric(
    sentence: str, mention: Mention, others: list[tuple[int, int]], start: int, end: int
) -> str | None:
    found: list[tuple[int, int, str]] = []
    for rank, (metric, pattern) in enumerate(_METRIC_WORDS):
        for match in pattern.finditer(sentence, start, end):
            if any(a <= match.start() < b for a, b in others):
                continue
            inside = mention.start <= match.start() < mention.span_end
            if inside:
                distance = 0
            elif match.start() < mention.start:
                distance = max(0, mention.start - match.end())
            else:
                distance = max(0, match.start() - mention.span_end)
            if metric == "died_under_torture":
                distance = max(0, distance - 30)  # the more specific word wins when close
            found.append((distance, rank, metric))
    if any(metric in _DEATH_FAMILY for _, _, metric in found):
        found = [f for f in found if f[2] in _DEATH_FAMILY]  # "detention centres" is a place
    return min(found)[2] if found else None


def _period_for(
    mention: Mention, periods: list[tuple[int, int, Period]], fallback: Period | None
) -> Period | None:
    """The period written nearest to the mention in its sentence, else the fallback."""
    if not periods:
        return fallback
    scored = []
    for start, end, period in periods:
        if start >= mention.span_end:
            distance = start - mention.span_end
        else:
            distance = mention.start - end + 25  # a period after the count reads more naturally
        scored.append((max(distance, 0), start, period))
    return min(scored, key=lambda item: (item[0], item[1]))[2]


def _place_for(mention: Mention, places: list[Found], sentence: str) -> str | None:
    """The place of a mention: a place list entry, or one "in <place>" in the sentence."""
    if mention.place_raw:
        return mention.place_raw
    before = [p for p in places if p.end <= mention.start and mention.start - p.end <= 3]
    if before:
        return before[-1].raw
    right_after = re.match(
        r"\s*(?:in|à|en|dans\s+la|dans\s+le|في)\s+(?:the\s+)?", sentence[mention.span_end :], re.I
    )
    if right_after:
        at = mention.span_end + right_after.end()
        after = [p for p in places if p.start == at]
        if after:
            return after[0].raw
    located = [
        p
        for p in places
        if re.search(r"\b(?:in|of|at|à|de|dans)\s+(?:the\s+|la\s+)?$", sentence[: p.start], re.I)
    ]
    if len({p.raw.lower() for p in located}) == 1:
        return located[0].raw
    return None


def _attribution(sentence: str, perpetrator: Found | None) -> str:
    if perpetrator is None:
        return "stated"
    window = sentence[max(0, perpetrator.start - 40) : perpetrator.end].lower()
    if re.search(r"believed|we believe|suspected|likely|presumably|probably", window):
        return "believed"
    return "stated"


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


def _is_generic_group(raw: str) -> bool:
    """Nouns such as "people" or "victims" that a heading ("A. Civilians") makes precise."""
    return vocabulary("victim_groups").lookup(raw) == "people"


def _snippet(sentence: str, start: int, end: int, limit: int = 280) -> str:
    if len(sentence) <= limit:
        return sentence
    left = max(0, start - limit // 2)
    right = min(len(sentence), max(end, left + limit))
    prefix = "…" if left else ""
    suffix = "…" if right < len(sentence) else ""
    return prefix + sentence[left:right].strip() + suffix


# ---------------------------------------------------------------------------------------------
# Sentences, list items, documents


@dataclass(frozen=True)
class _Where:
    """Where figures are being read: locator kind, page, offset of the text in its page."""

    kind: str
    page: int | None
    base_offset: int
    published: date | None
    default_period: Period | None


def _sentence_figures(
    sentence: Span,
    context: _Context,
    where: _Where,
    index_offset: int,
    in_list: bool = False,
) -> list[Figure]:
    text = sentence.text
    mentions = find_mentions(text, in_list=in_list)
    if not mentions:
        _learn_topic(text, context)
        return []
    agents = _agents(text)
    places = [Found(m.start(), m.end(), m.group(0)) for m in place_re().finditer(text)]
    periods = find_periods(text, where.published)
    breakdowns = _breakdown_spans(text)
    nouns = group_nouns(text)

    figures: list[Figure] = []
    main: tuple[int, Mention, str, Period | None] | None = None  # index, mention, group, period
    sentence_agent: str | None = None
    for mention in mentions:
        in_breakdown = main is not None and any(
            s <= mention.start < e and s >= main[1].start for s, e in breakdowns
        )
        previous = figures[-1] if figures else None
        if in_breakdown and main is not None and not mention.metric_hint:
            metric: str | None = figures[main[0] - index_offset].metric
        elif previous is not None and _continues_previous(text, mentions, mention):
            metric = mention.metric_hint or previous.metric  # "14 à Hama, 12 à Deir Al Zour"
        else:
            metric = (
                mention.metric_hint
                or _local_metric(text, mention, mentions)
                or context.list_metric
                or context.metric
                or context.document_metric
            )
        if metric is None:
            continue
        if metric == "killed" and "died_under_torture" in (
            context.document_metric,
            context.list_metric,
        ):
            metric = "died_under_torture"  # torture reports say "killed" for torture deaths
        group_raw = mention.group_raw
        if group_raw is not None and _is_generic_group(group_raw):
            group_raw = (
                context.group
                or (main[2] if in_breakdown and main else None)
                or _specific_noun_before(text, nouns, mention, mentions)
                or (context.document_group if metric == "casualties" else None)
                or group_raw
            )
        if group_raw is None:
            group_raw = _group_for_bare(mention, text, nouns, main, in_breakdown, context)
            if metric == "casualties" and _is_generic_group(group_raw) and context.document_group:
                group_raw = context.document_group
        perpetrator = _perpetrator_for(mention, agents, mentions, text)
        if perpetrator is not None:
            perpetrator_raw: str | None = perpetrator.raw
        elif in_breakdown and main is not None:
            perpetrator_raw = figures[main[0] - index_offset].perpetrator_raw
        else:
            perpetrator_raw = sentence_agent or context.agent or context.perpetrator
        if in_breakdown and main is not None and not _period_near(mention, periods):
            period = main[3]
        else:
            period = _period_for(mention, periods, where.default_period)
        parent = None
        parent_note = None
        if in_breakdown and main is not None and mention.count <= main[1].count:
            parent = main[0]
            parent_note = f"part of {main[1].count} {main[2]}"
        locator = Locator(
            kind=where.kind,  # type: ignore[arg-type]
            page=where.page,
            char_start=where.base_offset + sentence.start + mention.start,
            char_end=where.base_offset + sentence.start + mention.span_end,
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
                period_raw=None,
                place_raw=_place_for(mention, places, text),
                locator=locator,
                snippet=_snippet(text, mention.start, mention.span_end),
                parent=parent,
                attribution=_attribution(text, perpetrator),
            ).with_period(period)
        )
        if perpetrator is not None and not in_breakdown:
            sentence_agent = perpetrator.raw
        if not in_breakdown:
            main = (index_offset + len(figures) - 1, mention, group_raw, period)
            context.main_group = group_raw
        context.metric = metric if metric != "died_under_torture" else context.metric
        context.last_metric = metric
    if sentence_agent:
        context.agent = sentence_agent
    return figures


def _specific_noun_before(
    text: str, nouns: list[tuple[int, int, str]], mention: Mention, mentions: list[Mention]
) -> str | None:
    """A precise group named earlier in the clause for a vague count ("among Syrian rebels
    ..., with 279 dead"); the nouns of other counts do not count."""
    boundaries = re.finditer(r"[;.]\s|\bwhile\b|\bwhereas\b", text[: mention.start])
    clause_start = max([m.end() for m in boundaries] or [0])
    for start, end, raw in reversed(nouns):
        if end > mention.start or start < clause_start or mention.start - end > 100:
            continue
        if any(m.start <= start < m.span_end for m in mentions) or _is_generic_group(raw):
            continue
        return raw
    return None


def _continues_previous(text: str, mentions: list[Mention], mention: Mention) -> bool:
    """A count written without its own words right after another ("..., and four at the
    hands of ...", "20 ... in Rural Damascus, 14 in Hama"): it counts the same thing."""
    if mention.group_raw is not None and not _is_generic_group(mention.group_raw):
        return False
    earlier = [m for m in mentions if m.span_end <= mention.start]
    if not earlier:
        return False
    between = text[earlier[-1].span_end : mention.start]
    return (
        len(between) <= 80
        and not re.search(r"[;.]", between)
        and not any(pattern.search(between) for _, pattern in _METRIC_WORDS)
    )


def _period_near(mention: Mention, periods: list[tuple[int, int, Period]]) -> bool:
    return any(0 <= start - mention.span_end <= 12 for start, _, _ in periods)


def _group_for_bare(
    mention: Mention,
    text: str,
    nouns: list[tuple[int, int, str]],
    main: tuple[int, Mention, str, Period | None] | None,
    in_breakdown: bool,
    context: _Context,
) -> str:
    """The victim group of a count written without one ("the killing of 61")."""
    if in_breakdown and main is not None:
        return main[2]
    if context.list_group:
        return context.list_group
    before = [n for n in nouns if n[1] <= mention.start and not re.search(r"\d\s*$", text[: n[0]])]
    if before and not _is_generic_group(before[-1][2]):
        return before[-1][2]
    clause_start = max([m.end() for m in re.finditer(r"[;.]\s", text[: mention.start])] or [0])
    if before and before[-1][0] >= clause_start and mention.start - before[-1][1] <= 100:
        return before[-1][2]  # "The number of victims who died ... was 344"
    return (
        context.group
        or context.main_group
        or context.document_group
        or (before[-1][2] if before else "people")
    )


def _learn_topic(text: str, context: _Context) -> None:
    """A sentence without counts can still say what the paragraph counts ("The number of
    civilians killed in Afghanistan ...")."""
    nouns = group_nouns(text)
    if nouns and not _is_generic_group(nouns[0][2]):
        context.main_group = nouns[0][2]


def _list_item_figures(
    line: Span, context: _Context, where: _Where, index_offset: int
) -> list[Figure] | None:
    """A dash or colon list item ("– Regime forces: 61", "Idlib: 7", "Media workers: 3 media
    workers including one woman"); None if the line is not one."""
    match = _LIST_ITEM.match(line.text)
    if not match:
        return None
    label = match.group("label").strip(" -–—•*")
    count = read_number(match.group("num"))
    perpetrator = _perpetrator_re().search(label)
    place = place_re().fullmatch(label.strip())
    group = re.fullmatch(rf"(?:{alternation('victim_groups')})", label.strip(), re.IGNORECASE)
    if perpetrator is None and vocabulary("perpetrators").lookup(label):
        perpetrator_raw: str | None = label
    else:
        perpetrator_raw = perpetrator.group(0) if perpetrator else None
    if count is None or not (perpetrator_raw or place or group):
        return None
    item_context = replace(
        context,
        perpetrator=perpetrator_raw or context.perpetrator,
        agent=None if perpetrator_raw else context.agent,
        group=group.group(0) if group else (context.list_group or context.group),
        metric=context.list_metric or context.metric or context.document_metric or "killed",
    )
    place_raw = place.group(0) if place else None
    number_start = match.start("qual") if match.group("qual") else match.start("num")
    item = Span(line.text[number_start:], line.start + number_start)
    figures = _sentence_figures(item, item_context, where, index_offset, in_list=True)
    if figures and figures[0].count == count:
        return [replace(f, place_raw=f.place_raw or place_raw, snippet=line.text) for f in figures]
    qualifier, _ = qualifier_before(match.group("qual") or "")
    return [
        Figure(
            metric=item_context.metric or "killed",
            count=count,
            qualifier=qualifier,
            victim_raw=item_context.group or "people",
            perpetrator_raw=item_context.perpetrator,
            period_raw=None,
            place_raw=place_raw,
            locator=Locator(
                kind=where.kind,  # type: ignore[arg-type]
                page=where.page,
                char_start=where.base_offset + line.start + match.start("num"),
                char_end=where.base_offset + line.start + match.end("num"),
            ),
            snippet=line.text,
        ).with_period(where.default_period)
    ]


def _read_list_intro(text: str, context: _Context) -> None:
    """A line introducing a list ("Toll of victims ... distributed on the governorates",
    "Civilian deaths by governorate in April 2024:") sets what its items count."""
    found = vocabulary("victim_groups").find(text)
    context.list_group = found[1] if found and found[0] != "people" else context.list_group
    for metric, pattern in _METRIC_WORDS:
        if pattern.search(text):
            context.list_metric = metric
            break
    else:
        context.list_metric = context.last_metric  # "... distributed as follows:"
    context.main_group = None
    context.agent = None


def document_defaults(text: str) -> tuple[str | None, str | None]:
    """What a document counts, from its headline (a first line without a full stop): the
    metric (torture reports, casualty reports) and the group (civilians)."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if not first or re.search(r"[.!?]$", first) or len(first.split()) > 30:
        return None, None
    metric = None
    if re.search(r"tortur|التعذيب", first, re.IGNORECASE) and not re.search(
        r"civilian|massacre|مدني", first, re.IGNORECASE
    ):
        metric = "died_under_torture"
    elif re.search(r"\bcasualt", first, re.IGNORECASE):
        metric = "casualties"
    found = vocabulary("victim_groups").find(first)
    group = found[1] if found and found[0] == "civilians" else None
    return metric, group


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

    `default_period` (usually the headline's period) applies to figures whose sentence names
    none; `base_offset` shifts character spans when the text is one piece of a larger one (a
    PDF page).
    """
    where = _Where(locator_kind, page, base_offset, published, default_period)
    document_metric, document_group = document_defaults(text)
    context = _Context(document_metric=document_metric, document_group=document_group)
    figures: list[Figure] = []
    located: set[int] = set()
    for line in lines(text):
        context.agent = None  # a new paragraph
        heading = read_heading(line.text)
        if heading is not None:
            if heading.top_level:
                context = _Context(
                    perpetrator=heading.perpetrator_raw,
                    metric=context.metric,
                    last_metric=context.last_metric,
                    document_metric=context.document_metric,
                    document_group=context.document_group,
                )
            elif heading.group_raw:
                context.group = heading.group_raw
            if _heading_starts_list(line.text):
                _read_list_intro(line.text, context)
            continue
        if line.text.startswith("# "):  # a heading with figures: read it as a sentence
            line = Span(line.text[2:], line.start + 2)
        list_figures = _list_item_figures(line, context, where, len(figures))
        if list_figures is not None:
            located.update(range(len(figures), len(figures) + len(list_figures)))
            figures.extend(list_figures)
            continue
        if line.text.rstrip().endswith(":") and not find_mentions(line.text):
            _read_list_intro(line.text, context)
            continue
        listing = bool(context.list_metric or context.list_group)
        in_list = listing and _is_short_list_line(line)
        if listing and not in_list and not _LIST_MARKER.match(line.text):
            context.list_group = context.list_metric = None
        for sentence in sentences(line):
            found = _sentence_figures(sentence, context, where, len(figures), in_list)
            if in_list or place_re().search(sentence.text):
                located.update(range(len(figures), len(figures) + len(found)))
            figures.extend(found)
    return attribute_leftovers(figures, located)


def attribute_leftovers(figures: list[Figure], located: set[int]) -> list[Figure]:
    """A figure the text attributes to no one, stated after the all-parties total of the same
    claim and smaller than it, is not that total: it is the part left to unidentified or
    other parties ("781 civilians were killed ... the report also documented 188 civilians
    who drowned or died in unclaimed bombings"). Its breakdowns follow it. Figures of a
    place list (`located`) are parts of the total by place, not leftovers."""
    result = list(figures)
    totals: list[Figure] = []
    for index, figure in enumerate(result):
        if figure.parent is not None and result[figure.parent].perpetrator_raw == "other parties":
            if figure.perpetrator_raw is None:
                result[index] = replace(figure, perpetrator_raw="other parties",
                                        attribution="unknown")  # fmt: skip
            continue
        if figure.perpetrator_raw is not None or figure.parent is not None or index in located:
            continue
        earlier_total = next(
            (
                t
                for t in totals
                if t.metric == figure.metric
                and t.victim_raw.lower() == figure.victim_raw.lower()
                and (t.period_start, t.period_end) == (figure.period_start, figure.period_end)
                and t.place_raw == figure.place_raw
                and t.count > figure.count
            ),
            None,
        )
        if earlier_total is not None:
            result[index] = replace(figure, perpetrator_raw="other parties", attribution="unknown")
        else:
            totals.append(figure)
    return result


def _heading_starts_list(text: str) -> bool:
    return bool(
        re.search(r"\b(?:distributed|by\s+governorate|as\s+follows|breakdown)\b", text, re.I)
    )


def _is_short_list_line(line: Span) -> bool:
    """A line of a list under an introduction: short, a place or party with a number."""
    return len(line.text.split()) <= 6 and bool(re.search(r"\d", line.text))
