"""Numbers in running text, as each language writes them: "1,203", "2.318", "١٢٠٣",
"3.3 million", "4 bin 759", "twenty-one", "sechs", "between 2,232 and 2,961", "3 – 7"; and
the numbers that are never counts of people: dates and times, years, percentages, ordinals,
ages, document symbols ("A/79/797", "25-02112"), ratios and footnote markers.

Step 2 of the prose pipeline (units → counts → mentions → clauses → frames → figures): one
sentence in, its counts out, with their qualifier ("at least", "mindestens", "نحو").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from parsers.extraction.phrases import NumberWords, PhraseBook
from parsers.numbers import MAX_COUNT, to_ascii_digits
from parsers.vocabulary import vocabulary

# Thousands separators: comma, dot, no-break and thin spaces, Arabic comma (a plain space is
# too often two numbers side by side: "2025-01-02 503 civilians").
_GROUPED = r"\d{1,3}(?:(?:,|\.|\u00a0|\u202f|\u2009|\u066c)\d{3})+(?!\d)"
_DECIMAL = r"\d+[.,\u066b]\d+"
# Characters that glue a number to a symbol it is part of: "A/79/797", "COVID-19", "#13".
_SYMBOL_BEFORE = re.compile(r"(?:[/#№§]|[A-Za-z]-|\d[-–/.:]|[A-Za-z]\.)$")
_SYMBOL_AFTER = re.compile(r"^(?:[/:]\d|[-–]\d+[-/]\d|[-–]\d{5}(?!\d)|\.\d|,\d{1,2}(?!\d)|[°])")
_TIME_AFTER = re.compile(r"^\s*(?:a\.?m\b|p\.?m\b|am\b|pm\b|h\b|hrs\b|o'clock|midnight|noon)", re.I)
_PERCENT_AFTER = re.compile(
    r"^\s*(?:%|٪|per\s*cent|percent|pour\s*cent|por\s*ciento|prozent|yüzde)", re.I
)
_ORDINAL_AFTER = re.compile(r"^(?:st|nd|rd|th|er|e|ème|eme|ᵉ|\.\s*(?=[a-zäöüß]))(?!\w)", re.I)
_AGE_AFTER = re.compile(
    r"^[\s-]*(?:year|yr|month|week|day)s?[\s-]*old\b|^[\s-]*(?:jährig|yaşında)", re.I
)
_FRACTION_AFTER = re.compile(
    r"^\s+(?:in|out\s+of|of\s+every)\s+\d|^[\s-]*(?:thirds?|quarters?|fifths?|halves|half|tenths?)\b",
    re.I,
)
_FRACTION_BEFORE = re.compile(r"\d\s+(?:in|out\s+of)\s+$|\b(?:a|one)\s+in\s+$", re.I)
# Numbers of things, not counts: "No. 1234", "ID 4471", "resolution 2334", "page 12".
_ID_BEFORE = re.compile(
    r"(?:\bno\.?|\bnos\.?|\bnumber|#|\bid|\bcode|\bphone|\btel\.?|\bfax|\+|\breport|"
    r"\bresolution|\barticle|\bsection|\bpage|\bp\.|\bpp\.|\bchapter|\btable|\bfigure|"
    r"\bannex|\bpoint|\bparagraph|\bpara\.?|\bupdate|\bitem|\bvolume|\bissue)\s*$",
    re.I,
)
_AGE_BEFORE = re.compile(
    r"(?:\bage[sd]?\s+(?:of\s+)?|\bunder\s+(?:the\s+age\s+of\s+)?|\baged\s+)$", re.I
)
# A person's age after their name: "his wife, Warda Khamis Jibril, 21, were killed".
_NAME_BEFORE = re.compile(r"(?<![\w'’-])((?:[A-Z][\w'’-]+\s+){1,4}[A-Z][\w'’-]+),\s*$")
_NOT_A_NAME = re.compile(r"(?:In|At|From|Near|Of|To|On|By|And|The|During|Since|After)\b")
_PERSON_BEFORE = re.compile(
    r"\b(?:son|daughter|wife|husband|mother|father|brother|sister|child|boy|girl|man|woman|"
    r"cousin|uncle|aunt|nephew|niece|grand\w+|journalist|named|identified\s+as)s?\b[^.]{0,12}$",
    re.I,
)
_AGE_END = re.compile(r"^\s*(?:,|\)|and\b|were\b|was\b|who\b)")
# "Ahmad, 34, a father of five, was killed": an appositive age between commas, after one
# capitalized name that opens the sentence or follows a comma.
_ONE_NAME_BEFORE = re.compile(r"(?:^|[,;:]\s*)([A-Z][a-z'’-]+),\s*$")
_APPOSITIVE_AFTER = re.compile(
    r"^,\s+(?:a|an|the|his|her|their|who|from|mother|father|son|daughter|was|were)\b"
)
# Children of a parent, not victims: "a father of 5".
_PARENT_OF = re.compile(r"\b(?:father|mother|parent)s?\s+of\s*$", re.I)
_COMPARISON_AFTER = re.compile(
    r"^\s+(?:more|fewer|less|higher|lower|greater|up|down)\s+(?:than|from)\b", re.I
)
_RANGE_JOIN = re.compile(r"^\s*(?:–|—|-|to|and|till|until|à|et|bis|und|a|y|ile|ila|و)\s*$", re.I)
_BETWEEN_BEFORE = re.compile(
    r"(?:between|from|ranges?\s+from|ranging\s+from|entre|zwischen|de|von)\s+(?:\S+\s+){0,1}$",
    re.I,
)


@dataclass(frozen=True)
class Count:
    """A number in a sentence that can be a count: its span, value and qualifier."""

    start: int
    end: int
    value: int
    high: int | None = None
    qualifier: str = "exact"
    qualifier_start: int | None = None  # where the qualifier phrase starts, if any
    words: bool = False  # written in words ("seven"), not digits
    noun: str | None = None  # the victim noun the count is written in (Arabic duals)

    @property
    def first(self) -> int:
        """Where the count begins, its qualifier included."""
        return self.qualifier_start if self.qualifier_start is not None else self.start


@cache
def _digit_pattern(scales: tuple[str, ...]) -> re.Pattern[str]:
    scale = "|".join(sorted((re.escape(s) for s in scales), key=len, reverse=True)) or "(?!x)x"
    return re.compile(
        rf"(?<![A-Za-z_])(?P<dec>{_DECIMAL})\s*(?P<dscale>{scale})(?!\w)"
        rf"|(?<![A-Za-z_])(?P<int>{_GROUPED}|\d+)(?:\s+(?P<scale>{scale})(?!\w)(?:\s+(?P<tail>\d{{1,3}})(?![\d.,]\d))?)?"
        rf"|(?<!\w)(?P<bare_scale>{scale})\s+(?P<bare_tail>\d{{1,3}})(?![\d.,]\d)",
        re.IGNORECASE,
    )


@cache
def _word_pattern(words: tuple[str, ...], joiners: tuple[str, ...]) -> re.Pattern[str]:
    if not words:
        return re.compile(r"(?!x)x")
    alternation = "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
    joined = "|".join(re.escape(j) for j in joiners)
    glue = rf"(?:[\s\-]+(?:(?:{joined})[\s\-]+)?)" if joined else r"[\s\-]+"
    return re.compile(rf"(?<!\w)(?:{alternation})(?:{glue}(?:{alternation}))*(?!\w)", re.I)


def _numeral_value(text: str) -> int | None:
    digits = re.sub(r"\D", "", to_ascii_digits(text))
    return int(digits) if digits and len(digits) <= 12 else None


def _scaled(number: str, scale: str, words: NumberWords) -> int | None:
    factor = words.scales.get(scale.lower())
    if factor is None:
        return None
    value = float(to_ascii_digits(number).replace(",", ".").replace("\u066b", "."))
    return round(value * factor)


def _digit_value(match: re.Match[str], words: NumberWords) -> int | None:
    if match.group("dec"):
        return _scaled(match.group("dec"), match.group("dscale"), words)
    if match.group("bare_scale"):
        factor = words.scales.get(match.group("bare_scale").lower(), 0)
        tail = _numeral_value(match.group("bare_tail")) or 0
        return factor + tail if factor >= 1000 else None
    value = _numeral_value(match.group("int"))
    if value is None or not match.group("scale"):
        return value
    factor = words.scales.get(match.group("scale").lower(), 1)
    tail = _numeral_value(match.group("tail") or "") or 0
    return value * factor + (tail if tail < factor else 0)


_SUPERLATIVE_OF = re.compile(r"\s+of\s+the\s+(?:most|\w+est)\b", re.I)
# "including a child", "killed a woman", "and an elderly man": an article counts one only
# where a list or a killing verb comes before it.
_ARTICLE_CONTEXT = re.compile(
    r"(?:\bkill(?:ed|ing)(?:\s+of)?|\bincluding|\bincludes|\bdont|\bdarunter|\bdavon|"
    r"(?:\bincluding|\bdont|\bdarunter|\bdavon)\b[^.;:()]{0,60}(?:,|\band|\bas\s+well\s+as|\bund|\bet))\s*$",
    re.I,
)


@cache
def _article_pattern(articles: tuple[str, ...]) -> re.Pattern[str]:
    if not articles:
        return re.compile(r"(?!x)x")
    return re.compile(rf"(?<!\w)(?:{'|'.join(re.escape(a) for a in articles)})(?!\w)", re.I)


def read_number_words(text: str, words: NumberWords) -> int | None:
    """The value of a number written in words ("twenty-one", "one hundred and five")."""
    tokens = [t for t in re.split(r"[\s\-]+", text.lower()) if t and t not in words.joiners]
    if tokens and tokens[0] in words.scales and words.scales[tokens[0]] >= 1000:
        return None  # "a million" alone, "half a million": not a count of people written out
    total = current = 0
    previous_unit: int | None = None
    for token in tokens:
        if token in words.units:
            value = words.units[token]
            if previous_unit is not None and not (
                previous_unit >= 10 and previous_unit % 10 == 0 and value < 10
            ):
                return None  # "one one", "five seven"
            current += value
            previous_unit = value
        elif token in words.scales:
            scale = words.scales[token]
            current = max(current, 1) * scale
            if scale >= 1000:
                total, current = total + current, 0
            previous_unit = None
        else:
            return None
    return total + current if tokens else None


def _qualifier(sentence: str, start: int, book: PhraseBook) -> tuple[str, int | None]:
    before = sentence[max(0, start - 40) : start]
    for qualifier, pattern in book.qualifier_patterns:
        match = pattern.search(before)
        if match:
            return qualifier, start - len(before) + match.start()
    return "exact", None


def _qualifier_after(sentence: str, end: int, book: PhraseBook) -> str | None:
    for qualifier, pattern in book.qualifier_after_patterns:
        match = pattern.match(sentence, end + 1 if sentence[end : end + 1] == " " else end)
        if match and sentence[end : match.start()].strip() == "":
            return qualifier
    return None


def is_never_a_count(sentence: str, start: int, end: int, value: int) -> bool:
    """Numbers that are never a count of people, whatever surrounds them: symbols, times,
    percentages, ordinals, ages, ratios and bare years."""
    before, after = sentence[max(0, start - 3) : start], sentence[end : end + 30]
    checks = (
        _FRACTION_BEFORE.search(sentence[max(0, start - 12) : start]),
        _AGE_BEFORE.search(sentence[max(0, start - 20) : start]),
        _ID_BEFORE.search(sentence[max(0, start - 16) : start]),
        _COMPARISON_AFTER.match(after),
        _SYMBOL_BEFORE.search(before),
        _SYMBOL_AFTER.match(after),
        _TIME_AFTER.match(after),
        _PERCENT_AFTER.match(after),
        _ORDINAL_AFTER.match(after) and not re.match(r"\.\s*\d", after),
        _AGE_AFTER.match(after),
        _FRACTION_AFTER.match(after),
    )
    if any(checks):
        return True
    if (
        value < 120
        and _AGE_END.match(after)
        and _age_after_name(sentence[max(0, start - 90) : start])
    ):
        return True
    if value < 120 and _APPOSITIVE_AFTER.match(after) and _one_name(sentence[:start]):
        return True  # "Ahmad, 34, a father of five"
    if _PARENT_OF.search(sentence[max(0, start - 20) : start]):
        return True
    if start == 0 and re.fullmatch(r"[.)]\s*", sentence[end:]):
        return True  # "1." alone: a list's numbering

    return value > MAX_COUNT * 10


def _age_after_name(before: str) -> bool:
    """The number follows a person's name given after a kinship or person word ("their
    son, Ahmed Abdel Shamlakh, 25,"), not a place or a party ("In Deir Ezzor, 25 were")."""
    name = _NAME_BEFORE.search(before)
    if name is None or _NOT_A_NAME.match(name.group(1)):
        return False
    return bool(_PERSON_BEFORE.search(before[: name.start()].rstrip(" ,")))


def _one_name(before: str) -> bool:
    """A single capitalized word right before ", N" that is not a place or a party."""
    name = _ONE_NAME_BEFORE.search(before)
    if name is None or _NOT_A_NAME.match(name.group(1)):
        return False
    word = name.group(1)
    return not any(vocabulary(v).lookup(word) for v in ("places", "perpetrators", "victim_groups"))


_PERCENT_WORDS = re.compile(r"(?:per|pour|por)\s+(?:cent|ciento)|yüzde", re.I)


def looks_like_year(sentence: str, count: Count) -> bool:
    """A four-digit number from 1900 to 2100 written without separators: a year, unless
    the words right after it say it counts people (checked by the caller)."""
    text = sentence[count.start : count.end]
    return count.high is None and bool(re.fullmatch(r"(?:19|20)\d\d|2100", text))


def _range_high(sentence: str, count: Count, following: Count | None) -> Count:
    """A count whose high end follows it ("12,584 to 17,932", "between 272 and 460")."""
    if following is None or following.qualifier_start is not None:
        return count
    joint = sentence[count.end : following.start]
    if not _RANGE_JOIN.match(joint) or following.value < count.value:
        return count
    word = joint.strip().lower()
    if word in {"and", "et", "und", "y", "ile", "و"} and not _BETWEEN_BEFORE.search(
        sentence[max(0, count.first - 30) : count.first]
    ):
        return count  # "12 and 14" is a range only after "between"
    return Count(
        count.start, following.end, count.value, following.value, "range",
        count.qualifier_start, count.words,
    )  # fmt: skip


def find_counts(
    sentence: str, book: PhraseBook, excluded: Sequence[tuple[int, int]] = ()
) -> list[Count]:
    """The counts of one sentence, in order, ranges joined; `excluded` spans (dates and
    periods found before) hold no count."""
    words = book.numbers
    excluded = [*excluded, *((m.start(), m.end()) for m in _PERCENT_WORDS.finditer(sentence))]
    raw: list[Count] = []
    for match in _digit_pattern(tuple(words.scales)).finditer(sentence):
        value = _digit_value(match, words)
        _add(raw, sentence, match.start(), match.end(), value, excluded, book, False)
    for match in _word_pattern(tuple(words.all_words), words.joiners).finditer(sentence):
        if any(match.start() < c.end and c.start < match.end() for c in raw):
            continue
        if _SUPERLATIVE_OF.match(sentence, match.end()) or words.idiom_at(sentence, match.start()):
            continue  # "one of the most reliable sources", "bir çok kişi" (many people)
        value = read_number_words(match.group(0), words)
        _add(raw, sentence, match.start(), match.end(), value, excluded, book, True)
    for match in _article_pattern(words.articles).finditer(sentence):
        if any(match.start() < c.end and c.start < match.end() for c in raw):
            continue
        if words.idiom_at(sentence, match.start()):
            continue  # "a few", "a number of"
        if _ARTICLE_CONTEXT.search(sentence[max(0, match.start() - 90) : match.start()]):
            _add(raw, sentence, match.start(), match.end(), 1, excluded, book, True)
    for word, singular in words.duals.items():
        for match in re.finditer(rf"(?<!\w)[وفب]?{re.escape(word)}(?!\w)", sentence):
            if not any(match.start() < c.end and c.start < match.end() for c in raw):
                raw.append(Count(match.start(), match.end(), 2, noun=singular, words=True))
    raw.sort(key=lambda c: c.start)
    return _join_ranges(sentence, raw)


def _add(
    raw: list[Count],
    sentence: str,
    start: int,
    end: int,
    value: int | None,
    excluded: Sequence[tuple[int, int]],
    book: PhraseBook,
    words: bool,
) -> None:
    if value is None or any(start < b and a < end for a, b in excluded):
        return
    if is_never_a_count(sentence, start, end, value):
        return
    qualifier, qualifier_start = _qualifier(sentence, start, book)
    after = _qualifier_after(sentence, end, book)
    if qualifier == "exact" and after:
        qualifier = after
    raw.append(Count(start, end, value, None, qualifier, qualifier_start, words))


def _join_ranges(sentence: str, counts: list[Count]) -> list[Count]:
    result: list[Count] = []
    skip = False
    for index, count in enumerate(counts):
        if skip:
            skip = False
            continue
        following = counts[index + 1] if index + 1 < len(counts) else None
        joined = _range_high(sentence, count, following)
        skip = joined is not count
        result.append(joined)
    return result
