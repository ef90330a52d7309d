"""What each count in a sentence counts, read from the words right around it: "93 civilians",
"3,438 deaths", "351 killed", "the killing of 61", "19 others", "1,366 of them", "6 in Daraa",
"2,081 incident reports" (a count of things, never a casualty figure).

Step 3 of the prose pipeline: a sentence's counts in, `Mention`s out. Nothing here decides
who killed whom or whether the mention is a casualty figure: that is the clause and frame
steps' work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cache

from parsers.extraction.counts import Count
from parsers.extraction.lexicon import Lexicon
from parsers.extraction.phrases import PhraseBook, PhraseMatch
from parsers.vocabulary import vocabulary

# How far after a number its noun may be: "four senior Tehrik-e Taliban Pakistan commanders".
_NOUN_WINDOW_WORDS = 6
_NOUN_STOP = re.compile(r"[,;:()\[\].!?–—،]|\s-\s")
_COPULA = re.compile(r"were|are|was|is|waren|sind|étaient|sont|eran|son", re.I)
_GLUED_SUFFIX = re.compile(r"^['’](?:[^\W\d_]{1,5})(?!\w)")  # Turkish "616'sı", "104'ü"


class HeadKind(StrEnum):
    """What the words after a count say it counts."""

    VICTIMS = "victims"  # a victim noun: civilians, children, worshippers
    METRIC = "metric"  # a metric noun or participle: deaths, casualties, killed
    OTHERS = "others"  # "19 others": the group of a count before it
    THING = "thing"  # anything that is not people: per cent, families, incident reports
    EVENT = "event"  # attacks, massacres, airstrikes
    BARE = "bare"  # nothing: "the death toll rose to 3,785"


@dataclass(frozen=True)
class Mention:
    """A count with what the words right around it say about it."""

    count: Count
    kind: HeadKind
    end: int  # end of the mention: the number and its noun phrase
    group_raw: str | None = None  # the victim noun as written
    metric: str | None = None  # a metric the mention states itself ("deaths", "351 killed")
    metric_end: int | None = None  # end of that metric word, when it follows the number
    partitive: bool = False  # "1,366 of them", "26 amongst which", "four of the 503 victims"
    place_raw: str | None = None  # "6 in Daraa", "Idlib: 7"
    rate: bool = False  # "nine children a day", "5 killed every hour": a rate, not a toll

    @property
    def start(self) -> int:
        """Where the mention begins (its qualifier included)."""
        return self.count.first


@cache
def victim_pattern() -> Lexicon:
    """Every victim-group alias, in any language, as whole words (longest first)."""
    return Lexicon((a, e.id) for e in vocabulary("victim_groups").entries for a in e.aliases)


@cache
def place_pattern() -> Lexicon:
    """Every place alias, in any language, as whole words (longest first)."""
    return Lexicon((a, e.id) for e in vocabulary("places").entries for a in e.aliases)


def _window(sentence: str, start: int) -> int:
    """End of the stretch after a number where its noun can be."""
    stop = _NOUN_STOP.search(sentence, start)
    end = stop.start() if stop else len(sentence)
    words = list(re.finditer(r"\S+", sentence[start:end]))
    if len(words) > _NOUN_WINDOW_WORDS:
        end = start + words[_NOUN_WINDOW_WORDS - 1].end()
    return end


def _first(matches: list[tuple[int, int, HeadKind, str, str | None]]):
    """The noun a count counts: the first one after it, or, when nouns follow one another,
    the last of them ("civilian casualty events", "Palestinian children", "security-related
    incident reports"): noun phrases end with their head."""
    if not matches:
        return None
    ordered = sorted(matches, key=lambda m: (m[0], -(m[1] - m[0])))
    head = ordered[0]
    for other in ordered[1:]:
        if other[0] < head[1]:
            continue  # inside the current noun
        if not _heads_on(head, other):
            break
        head = other
    return head


def _heads_on(head: tuple, other: tuple) -> bool:
    """Whether the next noun takes over as the head: a noun of things or events right
    after ("civilian casualty events"), a victim noun after a modifier ("Palestinian
    children", "two other commanders"); never a participle ("civilians killed")."""
    gap = other[0] - head[1]
    kind, next_kind = head[2], other[2]
    if kind is HeadKind.OTHERS and next_kind is HeadKind.VICTIMS:
        return gap <= 12
    if gap > 2 or next_kind is HeadKind.BARE or kind is HeadKind.BARE:
        return False
    if next_kind in (HeadKind.THING, HeadKind.EVENT):
        return True
    return kind is HeadKind.VICTIMS and next_kind in (HeadKind.VICTIMS, HeadKind.METRIC)


def _candidates(
    sentence: str, start: int, end: int, book: PhraseBook
) -> list[tuple[int, int, HeadKind, str, str | None]]:
    """Nouns and participles in the window after a number: (start, end, kind, text, metric)."""
    found: list[tuple[int, int, HeadKind, str, str | None]] = []
    metrics = book.metrics(sentence, start, end)
    nouns = book.pattern("metric_nouns")
    for m in victim_pattern().finditer(sentence, start, end):
        generic = vocabulary("victim_groups").lookup(m.group(0)) == "people"
        if generic and any(w.start <= m.start() and m.end() <= w.end for w in metrics):
            continue  # "3,438 deaths": a metric noun, not a group
        found.append((m.start(), m.end(), HeadKind.VICTIMS, m.group(0), None))
    for metric in metrics:
        if metric.key in {"massacres", "attacks"}:
            kind = HeadKind.EVENT
        elif nouns.fullmatch(metric.text):
            kind = HeadKind.METRIC  # "deaths", "casualties", "injuries"
        else:
            kind = HeadKind.BARE  # "351 killed", "76 were injured": a verb, not a noun
        found.append((metric.start, metric.end, kind, metric.text, metric.key))
    for pm in book.find("non_person_nouns", sentence, start, end):
        found.append((pm.start, pm.end, HeadKind.THING, pm.text, None))
    for pm in book.find("others", sentence, start, end):
        found.append((pm.start, pm.end, HeadKind.OTHERS, pm.text, None))
    return found


_PARTITIVE = re.compile(
    r"\s*(?:of|among|amongst|out\s+of|d['’]entre|parmi|von|unter|de|entre)\s+"
    r"(?:them|whom|which|these|those|the\s+(?=\d)|her|his|their|its|ihnen|denen|eux|elles|ellos|ellas)\b",
    re.I,
)


def _noun_before(sentence: str, count: Count) -> str | None:
    """A victim noun written right before a count in words, with nothing noun-like after the
    count (Arabic puts "one" after its noun)."""
    if not re.match(r"^\s*(?:[,.;،]|$)", sentence[count.end :]):
        return None
    for match in victim_pattern().finditer(sentence, max(0, count.start - 30), count.start):
        if not sentence[match.end() : count.start].strip():
            return match.group(0)
    return None


def _partitive_end(sentence: str, end: int) -> int | None:
    """End of "of them", "amongst which", "of the" (before a number) right after a count."""
    match = _PARTITIVE.match(sentence, end)
    return match.end() if match else None


def read_mention(sentence: str, count: Count, book: PhraseBook) -> Mention:
    """The mention a count makes: what its noun phrase says it counts (and the place it is
    listed under: "Idlib 12", "Idlib: 7", "6 in Daraa")."""
    mention = _read_mention(sentence, count, book)
    place = _place_next_to(sentence, count, mention.end, book)
    return replace(mention, place_raw=place) if place else mention


def _place_next_to(sentence: str, count: Count, end: int, book: PhraseBook) -> str | None:
    before = [
        m
        for m in place_pattern().finditer(sentence, max(0, count.first - 40), count.first)
        if re.fullmatch(r"\s*:?\s*", sentence[m.end() : count.first])
    ]
    if before and re.search(r"(?:^|[\s,;(–:-])$", sentence[: before[-1].start()] or " "):
        return before[-1].group(0)
    prepositions = book.pattern("place_prepositions")
    for start in (count.end, end):
        found = re.match(rf"\s+(?:{prepositions.pattern})\s+(?:the\s+)?", sentence[start:], re.I)
        if found:
            place = place_pattern().match(sentence, start + found.end())
            if place and not _listed_with_another(sentence, place.end()):
                return place.group(0)
    return None


def _listed_with_another(sentence: str, end: int) -> bool:
    """ "in Idlib and Aleppo": the first of several places is not the count's place (but in
    "12 in Idlib, Latakia 7" the next place labels a count of its own)."""
    listed = re.match(r"\s*(?:,|and\b|&|et\b|und\b|y\b|و)\s*", sentence[end:], re.I)
    if not listed:
        return False
    following = place_pattern().match(sentence, end + listed.end())
    return following is not None and not re.match(r"\s*:?\s*\d", sentence[following.end() :])


def _read_mention(sentence: str, count: Count, book: PhraseBook) -> Mention:
    if count.noun is not None:  # "سيدتين": the count is its noun
        return Mention(count, HeadKind.VICTIMS, count.end, count.noun)
    noun_before = _noun_before(sentence, count) if count.words else None
    if noun_before is not None:  # "مدنياً واحداً": one civilian, the number after its noun
        return Mention(count, HeadKind.VICTIMS, count.end, noun_before)
    after = count.end
    glued = _GLUED_SUFFIX.match(sentence[after:])
    if glued:
        after += glued.end()
    partitive_end = _partitive_end(sentence, after)
    partitive = partitive_end is not None
    if partitive_end is not None:
        after = partitive_end
    window_end = _window(sentence, after)
    stop = book.pattern("noun_phrase_stops").search(sentence, after, window_end)
    cut = stop.start() if stop else window_end
    breakdown = book.pattern("breakdown").search(sentence, after, window_end)
    if breakdown and breakdown.start() < cut:
        stop, cut = None, breakdown.start()  # "196 including 27 children"
    if (
        stop
        and _COPULA.fullmatch(stop.group(0))
        and victim_pattern().match(sentence, stop.end() + 1)
    ):
        cut = window_end  # "Among them, 57 were children"
    found = _candidates(sentence, after, window_end, book)
    candidates = [c for c in found if c[0] < cut]
    if (
        not candidates
        and stop
        and re.match(r"of\s+(?:the|these|those)\s", sentence[stop.start() :], re.I)
    ):
        things = [c for c in found if c[2] in (HeadKind.THING, HeadKind.EVENT)]
        if things and things[0][0] - stop.end() <= 24:  # "three of the airstrikes"
            candidates = things[:1]
    head = _first(candidates)
    rate = is_rate(sentence, count.first, count.end, book)
    if head is None:
        tail = [m for m in book.metrics(sentence, after, min(len(sentence), after + 40))]
        if tail and tail[0].start - after <= 1 and tail[0].key not in {"massacres", "attacks"}:
            return Mention(count, HeadKind.BARE, tail[0].end, None, tail[0].key, tail[0].end,
                           partitive, rate=rate)  # fmt: skip  # "231 under torture"
        return Mention(count, HeadKind.BARE, after, partitive=partitive, rate=rate)
    start, end, kind, text, metric = head
    if kind is HeadKind.VICTIMS:
        in_noun = _metric_in_noun(sentence, start, end, book)
        tail_metric, tail_end = (in_noun.key, in_noun.end) if in_noun else (None, None)
        return Mention(count, kind, end, text, tail_metric, tail_end, partitive, rate=rate)
    if kind is HeadKind.METRIC:
        group = _group_before_metric(sentence, after, start)
        return Mention(count, kind, end, group, metric, end, partitive, rate=rate)
    if kind is HeadKind.BARE:
        return Mention(count, kind, end, None, metric, end, partitive, rate=rate)
    return Mention(count, kind, end, text if kind is HeadKind.OTHERS else None, metric, end,
                   partitive, rate=rate)  # fmt: skip


# How far past its noun a count's own metric may run: "26 cases of death under torture",
# "86 victims who died due to torture", "civilian casualties".
_TAIL = 32


def _metric_in_noun(sentence: str, start: int, end: int, book: PhraseBook) -> PhraseMatch | None:
    """What the victim noun phrase itself says happened to them ("civilian casualties",
    "cases of death under torture", "victims who died due to torture")."""
    stop = _NOUN_STOP.search(sentence, end)
    limit = min(end + _TAIL, stop.start() if stop else len(sentence))
    found = [
        m for m in book.metrics(sentence, start, limit)
        if m.start <= end + 12 and m.key not in {"massacres", "attacks"}
    ]  # fmt: skip
    found = sorted(found, key=lambda m: m.key != "died_under_torture") if len(found) > 1 else found
    if not found:
        return None
    between = sentence[end : found[0].start]
    if found[0].start >= end and not (
        re.match(
            r"\s*(?:(?:who|that|which|qui|die|que)\s+)?(?:of\s+)?(?:\w{1,12}\s+){0,2}$", between
        )
        and not re.search(
            r"[,;.]|\b(?:and|or|et|ou|und|oder|y|o|ve|veya|with|while)\b", between, re.I
        )
    ):
        return None  # "... victims who died due to torture", "personnes sont mortes sous ..."
    return found[0]


def is_rate(sentence: str, start: int, end: int, book: PhraseBook) -> bool:
    """ "nine children a day", "an average of 32 every day": a rate, not a toll."""
    clause = re.split(r"[,;.()]", sentence[end:], maxsplit=1)[0][:60]
    before = sentence[max(0, start - 24) : start]
    rates = [m for m in book.find("rate", clause) if not _adjective(clause, m)]
    return bool(rates) or bool(re.search(r"average(?:\s+of)?\s*$", before, re.I))


_ADJECTIVE_RATE = re.compile(r"(?:daily|weekly|monthly)", re.I)
_NOUN_AFTER = re.compile(r"\s+(?!(?:in|on|at|and|or|for|since|during|across|by|from|to)\b)[a-z]")


def _adjective(clause: str, match: PhraseMatch) -> bool:
    """ "the daily targeting": an adjective before its noun, not "nine children daily"."""
    return bool(_ADJECTIVE_RATE.fullmatch(match.text)) and bool(
        _NOUN_AFTER.match(clause, match.end)
    )


def _group_before_metric(sentence: str, start: int, metric_start: int) -> str | None:
    """A victim adjective between a number and its metric noun ("17,049 civilian deaths")."""
    match = victim_pattern().search(sentence, start, metric_start)
    return match.group(0) if match else None


def places_in(sentence: str) -> list[PhraseMatch]:
    """Place names of a sentence."""
    return [
        PhraseMatch(m.start(), m.end(), m.group(0), "place")
        for m in place_pattern().finditer(sentence)
    ]
