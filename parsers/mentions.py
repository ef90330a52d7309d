"""Finding the counts a sentence states: "93 civilians", "no less than 78 women", "231 under
torture", "the killing of 61", "1,204 – 1,577 civilians", "between 2,232 and 2,961",
"Idlib 12, Aleppo 9", "٣٤٦ مدنياً", "مدنياً واحداً", and leaving out what is never a figure
(rates, percentages, page counts, years, dates, ids, phone numbers).

Pure functions of one sentence; attribution (who, when, where) is prose_grammar's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

from parsers.numbers import NUMBER_WORDS, parse_count, to_ascii_digits
from parsers.qualifiers import qualifier_before
from parsers.vocabulary import vocabulary


def alias_regex(alias: str) -> str:
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
def alternation(vocabulary_name: str) -> str:
    """All aliases of a vocabulary as one regex alternation, longest first."""
    aliases = {alias for entry in vocabulary(vocabulary_name).entries for alias in entry.aliases}
    return "|".join(alias_regex(a) for a in sorted(aliases, key=len, reverse=True))


_NUMBER_WORD_ALT = "|".join(
    sorted((w for w in NUMBER_WORDS if w not in {"a", "an", "un", "une"}), key=len, reverse=True)
)
_WORD_NUMBER = (
    rf"(?:(?:{_NUMBER_WORD_ALT})(?:(?:[\s-]+(?:and\s+)?)(?:{_NUMBER_WORD_ALT}|hundred|thousand))*)"
)
DIGITS = r"\d{1,3}(?:[,.\u00a0\u202f\u2009 ]\d{3})+(?!\d)|\d+"
_MILLIONS = r"\d+(?:[.,]\d+)?\s+(?:million|milliard|billion)\b"
# Numbers as written: digits (glued to a word is fine: "killing of87"), "3.3 million",
# number words; "a"/"an" count only where prose_grammar allows it.
NUMBER = rf"(?:(?<![\d.,])(?:{_MILLIONS}|{DIGITS})|\b{_WORD_NUMBER}\b)"

_FILLER = (
    r"(?:(?:other|more|additional|further|extra|enemy|syrian|iraqi|afghan|ukrainian|palestinian|"
    r"innocent|unarmed|documented|local|displaced|confirmed|reported|"
    r"civilian(?=\s+(?:men|women|children)))\s+){0,2}"
)
_OF_THEM = r"(?:of\s+(?:them|whom|these|those)\s+(?:are|were|being)\s+)?"
TORTURE_TAIL = re.compile(
    r"^[\s,]*(?:(?:victims?|people|persons|individuals|civilians|deaths?|cases?|incidents?)\s+)?"
    r"(?:(?:who|that)\s+)?(?:(?:have\s+|had\s+)?died\s+|(?:of\s+)?deaths?\s+|died\s+|"
    r"(?:were\s+|was\s+)?(?:killed|tortured)\s+|(?:sont\s+)?(?:morts?|mortes)\s+)?"
    r"(?:(?:under|due\s+to|from|because\s+of|as\s+a\s+result\s+of|of)\s+torture|"
    r"tortured\s+to\s+death|sous\s+la\s+torture|بسبب\s+التعذيب|تحت\s+التعذيب)",
    re.IGNORECASE,
)
_NOT_A_COUNT_AFTER = re.compile(
    r"^(?:\s*(?:%|percent|per\s*cent|pc\b)|-?\s*(?:page|pages|year|years|month|day|hour)\b|"
    r"\s+(?:reports?|years?|months?|weeks?|days?|hours?|minutes?|km|kilomet(?:er|re)s?|miles?|"
    r"meters?|times|th\b|st\b|nd\b|rd\b|am\b|pm\b|a\.m\.|p\.m\.))",
    re.IGNORECASE,
)
_RATE = re.compile(
    r"\b(?:a|per|every|each)\s+(?:day|week|month|hour|year)\b|\bdaily\b|\bweekly\b|"
    r"\bon\s+average\b|\bby\s+day\b|\bيومياً\b|\bpar\s+jour\b",
    re.IGNORECASE,
)
_ID_BEFORE = re.compile(
    r"(?:\bno\.?|\bnumber|#(?=$)|\bid|\bcode|\bphone|\btel\.?|\bfax|\+|\breport|\bresolution|"
    r"\barticle|\bsection|\bpage|\bp\.|\bchapter|\btable|\bfigure|\bannex|\bpoint)\s*$",
    re.IGNORECASE,
)
_KILLING_BEFORE = re.compile(
    r"(?:\bkill(?:ed|ing)(?:\s+of)?|\bdeaths?\s+of|\blives\s+of|\bdocumented|\brecorded|"
    r"\bclaim(?:ed|s)?\s+the\s+lives\s+of|\bclaimed|\bthe\s+loss\s+of|\btoll\s+(?:of|was|is|at)|"
    r"\b(?:was|were|is)\s+put\s+at|\bstood\s+at|\breached|\brose\s+to|\bمقتل|\bقتل(?:ت)?)\s*"
    r"(?:(?:at\s+least|no\s+less\s+than|not\s+less\s+than|more\s+than|over|about|nearly|almost|"
    r"an\s+estimated|approximately|some|around)\s+)?$",
    re.IGNORECASE,
)
_KILLED_AFTER = re.compile(
    r"^\s+(?:(?:amongst|among|of)\s+(?:which|whom|them)\s+)?(?:(?:were|was|have\s+been|had\s+been"
    r"|are|being)\s+)?(?:killed|died|dead|deaths|slain|murdered|injured|wounded|tués?)\b",
    re.IGNORECASE,
)
_FUNCTION_WORDS = {
    "in", "during", "on", "at", "by", "and", "who", "were", "was", "had", "have", "since", "across",
    "throughout", "from", "of", "between", "to", "the", "a", "as", "with", "while",
    "according", "amongst", "among", "which", "whom", "including", "alone", "so", "until",
}  # fmt: skip
_ARABIC_ONE = re.compile(r"^\s+(?:واحداً|واحدا|واحدة)")
_ARABIC_DUALS = {
    "طفلان": "طفلاً", "طفلين": "طفلاً", "سيدتان": "سيدة", "سيدتين": "سيدة",
    "امرأتان": "امرأة", "مدنيان": "مدنياً",
}  # fmt: skip
_PLACE_PREPOSITION = r"(?:in|à|en|dans\s+la|dans\s+le|في)"


@cache
def group_mention_re() -> re.Pattern[str]:
    """A number followed by a victim-group noun ("93 civilians", "215 of them are civilians")."""
    return re.compile(
        rf"(?P<num>{NUMBER}|\b(?:a|an)\b)(?P<gap>\s*{_OF_THEM}{_FILLER})"
        rf"(?P<group>{alternation('victim_groups')})(?!\w)",
        re.IGNORECASE,
    )


@cache
def _group_only_re() -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:{alternation('victim_groups')})(?!\w)", re.IGNORECASE)


@cache
def _bare_number_re() -> re.Pattern[str]:
    return re.compile(NUMBER, re.IGNORECASE)


@cache
def place_re() -> re.Pattern[str]:
    """Any place alias as a whole word."""
    return re.compile(rf"(?<!\w)(?:{alternation('places')})(?!\w)", re.IGNORECASE)


_SINGULAR = re.compile(
    r"^\s*(?:woman|child|man|civilian|girl|boy|journalist|media\s+worker|media\s+activist|"
    r"medic|doctor|nurse|person|individual|rebel|fighter|refugee|detainee)\b",
    re.IGNORECASE,
)
_ARTICLE_CONTEXT = re.compile(
    r"(?:\bkill(?:ed|ing)(?:\s+of)?|\bincluding|,|\band|\bas\s+well\s+as)\s*$", re.IGNORECASE
)


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
    place_raw: str | None = None  # "Idlib 12", "14 à Hama"


def read_number(text: str) -> int | None:
    """A count from the text of a number ("1,203", "3.3 million", "seven")."""
    text = to_ascii_digits(text).strip()
    million = re.fullmatch(r"(\d+(?:[.,]\d+)?)\s+(million|milliard|billion)", text, re.IGNORECASE)
    if million:
        factor = 1_000_000 if million.group(2).lower() == "million" else 1_000_000_000
        return round(float(million.group(1).replace(",", ".")) * factor)
    return parse_count(text)


def _range_after(sentence: str, end: int) -> tuple[int, int] | None:
    """A range's high end right after a number: "1,204 – 1,577", "1,204 to 1,577"."""
    match = re.match(rf"\s*(?:–|—|-|to|and)\s*({DIGITS})(?!\d)", sentence[end:])
    if not match:
        return None
    high = parse_count(match.group(1))
    return (high, end + match.end()) if high is not None else None


def is_excluded(sentence: str, start: int, end: int, count: int) -> bool:
    """Numbers that are never figures: percentages, page counts, ids, years, ordinals, times."""
    after = sentence[end : end + 40]
    before = sentence[max(0, start - 16) : start]
    if _NOT_A_COUNT_AFTER.match(after) or _ID_BEFORE.search(before):
        return True
    if re.match(r"^\s*[/:]\s*\d", after) or re.search(r"\d[/:.]\s*$", before):
        return True  # dates and times such as 12/03 or 10:30
    if re.match(r"^-\d{1,2}-\d{1,2}\b", after) or re.match(r"^\s*[-–]\s*\d+\s*%", after):
        return True  # ISO dates (2022-07-02) and ranges of percentages (85-90%)
    if re.search(r"[-–]$", before) and re.search(r"\d[-–]$", before):
        return True  # the high end of a range is read with its low end
    return bool(1900 <= count <= 2100 and re.match(r"^\s*(?:[,.;)]|$)", after))


_ELLIPTICAL_AFTER = re.compile(
    r"^\s+(?:at|on|by)\s+the\s+hands\s+of\b|^\s+by\s+(?:the\s+)?[A-Z]", re.IGNORECASE
)
_BREAKDOWN_BEFORE = re.compile(
    r"\b(?:including|among\s+them|of\s+whom|of\s+them|amongst\s+them)\s*$", re.IGNORECASE
)
_PERIOD_AFTER = re.compile(r"^\s+(?:in|during)\s+(?:[A-Z][a-z]+|\d{4})\b")
_STATED_AT = re.compile(
    r"\b(?:was|were|is|stood\s+at|reached|totall?ed|rose\s+to|climbed\s+to|at)\s*$", re.IGNORECASE
)
_CLAUSE_METRIC = re.compile(
    r"\b(?:deaths?|dead|killed|casualt\w*|injur\w*|wounded|toll|torture|victims)\b", re.IGNORECASE
)


def _stated_total_before(before: str) -> bool:
    """ "The number of victims who died under torture ... was 344": a count stated as the
    value of a toll named earlier in the clause."""
    if not _STATED_AT.search(before):
        return False
    clause = re.split(r"[;.]\s|,\s(?=\w+\s)", before)[-1]
    return bool(_CLAUSE_METRIC.search(clause))


def is_rate(sentence: str, end: int) -> bool:
    """ "nine children a day", "15 people die under torture every day": a rate, not a count."""
    clause = re.split(r"[,;.()]", sentence[end:], maxsplit=1)[0]
    return bool(_RATE.search(clause[:60]))


def _next_word(sentence: str, end: int) -> str:
    match = re.match(r"\s*([^\W\d_][\w'’-]*)", sentence[end:])
    return match.group(1).lower() if match else ""


def find_mentions(sentence: str, in_list: bool = False) -> list[Mention]:
    """Count mentions in one sentence, in order, without overlaps. `in_list` relaxes the
    rules for a list line whose intro already said what is counted ("– Idlib: 7")."""
    mentions: list[Mention] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    def add(mention: Mention) -> None:
        mentions.append(mention)
        taken.append((mention.start, mention.span_end))

    for match in group_mention_re().finditer(sentence):
        num_text = match.group("num")
        start, end = match.span("num")
        if num_text.lower() in {"a", "an"} and not (
            _SINGULAR.match(sentence[end:]) and _ARTICLE_CONTEXT.search(sentence[:start])
        ):
            continue
        count = read_number(num_text)
        if count is None or not free(start, match.end()):
            continue
        if is_excluded(sentence, start, end, count):
            continue
        tail = TORTURE_TAIL.match(sentence[match.end() :])
        span_end = match.end() + (tail.end() if tail else 0)
        if is_rate(sentence, span_end):
            continue
        qualifier, _ = qualifier_before(sentence[:start])
        add(
            Mention(
                start, end, count, None, qualifier, match.group("group"),
                "died_under_torture" if tail else None, span_end,
            )
        )  # fmt: skip

    _arabic_one_and_duals(sentence, free, add)

    for match in _bare_number_re().finditer(sentence):
        start, end = match.span()
        if not free(start, end):
            continue
        count = read_number(match.group(0))
        if count is None or is_excluded(sentence, start, end, count):
            continue
        ranged = _range_after(sentence, end)
        if ranged and not free(end, ranged[1]):
            add(Mention(start, end, count, None, "exact", None, None, end))
            continue
        if (
            ranged
            and re.match(r"\s*and", sentence[end:])
            and not re.search(r"\bbetween\s+(?:\S+\s+){0,2}$", sentence[:start], re.IGNORECASE)
        ):
            ranged = None  # "12 and 14" is a range only after "between"
        after_end = ranged[1] if ranged else end
        if ranged and _NOT_A_COUNT_AFTER.match(sentence[after_end : after_end + 40]):
            continue
        tail = TORTURE_TAIL.match(sentence[after_end:])
        killing_before = _KILLING_BEFORE.search(sentence[:start]) or _stated_total_before(
            sentence[:start]
        )
        killed_after = _KILLED_AFTER.match(sentence[after_end:])
        place = _place_next_to(sentence, start, after_end)
        elliptical = _ELLIPTICAL_AFTER.match(sentence[after_end:]) or (
            _BREAKDOWN_BEFORE.search(sentence[:start]) and _PERIOD_AFTER.match(sentence[after_end:])
        )
        if not (tail or killing_before or killed_after or ranged or place or in_list or elliptical):
            continue
        if re.match(r"one$", match.group(0), re.IGNORECASE) and re.match(
            r"\s+of\s+the\b", sentence[after_end:]
        ):
            continue  # "one of the most important roles"
        if not (tail or killed_after or ranged or place or elliptical) and _next_word(
            sentence, after_end
        ) not in _FUNCTION_WORDS | {""}:
            continue  # "documented 59 massacres": a count of something else
        tail_end = after_end + (tail.end() if tail else 0)
        if is_rate(sentence, tail_end) or (not tail and 1900 <= count <= 2100 and not ranged):
            continue
        group_raw = None
        span_end = tail_end
        if ranged:
            group_match = re.match(
                rf"\s*{_FILLER}(?P<group>{alternation('victim_groups')})(?!\w)",
                sentence[after_end:],
                re.IGNORECASE,
            )
            if group_match:
                group_raw = group_match.group("group")
                span_end = after_end + group_match.end()
        qualifier = "range" if ranged else qualifier_before(sentence[:start])[0]
        add(
            Mention(
                start, end, count, ranged[0] if ranged else None, qualifier, group_raw,
                "died_under_torture" if tail else None, span_end,
                place[0] if place else None,
            )
        )  # fmt: skip

    return _merge_ranges(sentence, sorted(mentions, key=lambda m: m.start))


def _arabic_one_and_duals(sentence: str, free, add) -> None:
    """Arabic counts written with the noun: "مدنياً واحداً" (one civilian), "طفلان" (two
    children)."""
    for match in _group_only_re().finditer(sentence):
        one = _ARABIC_ONE.match(sentence[match.end() :])
        if one and free(match.start(), match.end() + one.end()):
            add(
                Mention(
                    match.start(), match.end(), 1, None, "exact", match.group(0), None,
                    match.end() + one.end(),
                )
            )  # fmt: skip
    for word, singular in _ARABIC_DUALS.items():
        for match in re.finditer(rf"(?<!\w){word}(?!\w)", sentence):
            if free(match.start(), match.end()):
                add(
                    Mention(
                        match.start(), match.end(), 2, None, "exact", singular, None, match.end()
                    )
                )


def _place_next_to(sentence: str, start: int, end: int) -> tuple[str, int] | None:
    """A place named right next to a number, as in place lists: "Idlib 12", "Idlib: 7",
    "10 in Deir Al Zour", "14 à Hama"."""
    before = re.search(
        rf"(?:{alternation('places')})(?::\s*|\s+)$", sentence[:start], re.IGNORECASE
    )
    if before and re.search(r"(?:^|[\s,;(–-])$", sentence[: before.start()] or " "):
        return before.group(0).rstrip(" :"), end
    after = re.match(
        rf"\s+{_PLACE_PREPOSITION}\s+(?:the\s+)?(?P<place>{alternation('places')})(?!\w)",
        sentence[end:],
        re.IGNORECASE,
    )
    if after:
        return after.group("place"), end + after.end()
    return None


def _merge_ranges(sentence: str, mentions: list[Mention]) -> list[Mention]:
    """A range whose low end was read alone and high end with its noun ("1,204 – 1,577
    civilians") becomes one mention."""
    merged: list[Mention] = []
    for mention in mentions:
        if (
            merged
            and merged[-1].group_raw is None
            and merged[-1].count_high is None
            and mention.group_raw is not None
            and (
                re.fullmatch(r"\s*(?:–|—|-|to)\s*", sentence[merged[-1].end : mention.start])
                or (
                    re.fullmatch(r"\s*and\s*", sentence[merged[-1].end : mention.start])
                    and re.search(r"\bbetween\s+$", sentence[: merged[-1].start], re.IGNORECASE)
                )
            )
        ):
            low = merged.pop()
            mention = replace(
                mention, start=low.start, count=low.count, count_high=mention.count,
                qualifier="range",
            )  # fmt: skip
        merged.append(mention)
    return merged


def group_nouns(sentence: str) -> list[tuple[int, int, str]]:
    """Victim-group nouns of a sentence with their spans (for mentions that name none)."""
    return [(m.start(), m.end(), m.group(0)) for m in _group_only_re().finditer(sentence)]
