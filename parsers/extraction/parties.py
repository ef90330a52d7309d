"""The parties a sentence names, and the role each plays: the one who killed ("killed by
ISIS", "regime forces killed", "in Russian airstrikes"), or a target, a controller or a
victim's label ("fighting ISIS", "areas held by the SDF", "ISIS fighters"); and the words
that name a party again ("the militant group", "it", "these attacks").

Step 5 of the prose pipeline, used by the frame step to decide each claim's perpetrator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from parsers.extraction.lexicon import Lexicon, LexiconMatch
from parsers.extraction.phrases import PhraseBook, compile_phrases
from parsers.vocabulary import vocabulary

_ARTICLES = r"(?:(?:the|a|an|its|their|le|la|les|l['’]|der|die|den|dem|des|el|los|las|al|ال)\s+)?"
_FORCES_OF = (
    r"(?:(?:forces|troops|army|militias?|fighters|members|elements|units|aircraft|warplanes|"
    r"strikes|attacks|bombardment|shelling|forces\s+affiliated\s+to)\s+(?:of|by)\s+)?"
)
_POSSESSIVE = re.compile(r"^['’]s?\s+|^['’]ın\s+|^['’]in\s+|^['’]nın\s+|^['’]nin\s+")


_COORDINATED = re.compile(r"\s*(?:,|and|or|&|et|und|y|و)\s+(?:the\s+)?", re.I)


class Strength(StrEnum):
    """How clearly the grammar makes a party the agent of a clause's counts."""

    MARKED = "marked"  # "killed by P", "at the hands of P", "P tarafından"
    EVENT = "event"  # "in P airstrikes", "the P bombardment": its events did it
    PLAIN = "plain"  # named, neither marked nor blocked (a subject, perhaps)
    BLOCKED = "blocked"  # a target, a controller, a victim's label: never the agent


@dataclass(frozen=True)
class Party:
    """A party named in a sentence."""

    start: int
    end: int
    raw: str
    id: str | None
    kind: str  # state | non_state | total | unknown | other
    strength: Strength


@dataclass(frozen=True)
class Anaphor:
    """Words that name a party or its events again ("the group", "these attacks", "it")."""

    start: int
    end: int
    text: str
    wants: str  # "party" (any), "state", "non_state" or "event"


@cache
def _party_lexicon() -> Lexicon:
    entries = vocabulary("perpetrators").entries
    aliases = [(a, e.id) for e in entries for a in e.aliases]
    aliases += [(a, e.id) for e in entries for _, a in e.scoped]
    return Lexicon(aliases)


@cache
def _acronyms() -> re.Pattern[str]:
    acronyms = "|".join(
        re.escape(a) for e in vocabulary("perpetrators").entries for a in e.acronyms
    )
    return re.compile(rf"(?<!\w)(?:{acronyms})(?!\w)" if acronyms else r"(?!x)x")


def party_matches(sentence: str) -> list[LexiconMatch | re.Match[str]]:
    """Every perpetrator alias (any language, any country) in a sentence, longest first;
    acronyms ("IS") only in capitals."""
    found: list[LexiconMatch | re.Match[str]] = list(_party_lexicon().finditer(sentence))
    for match in _acronyms().finditer(sentence):
        if not any(f.start() < match.end() and match.start() < f.end() for f in found):
            found.append(match)
    return sorted(found, key=lambda m: m.start())


def party_id(raw: str, country: str | None) -> str | None:
    """Canonical id of a party phrase, in the document's country."""
    return vocabulary("perpetrators").lookup(raw, country=country)


def party_kind(canonical_id: str | None) -> str:
    """state, non_state, total, unknown or other (from the vocabulary's `kind`)."""
    if canonical_id is None:
        return "other"
    return vocabulary("perpetrators").entry(canonical_id).attribute("kind") or "other"


def _ending(book: PhraseBook, category: str, text: str) -> int:
    """Length of the phrase of the list that ends the text (articles and "forces of" allowed
    after it), 0 when none does."""
    pattern = book.pattern(category)
    tail = re.compile(rf"(?:{pattern.pattern})\s*{_ARTICLES}{_FORCES_OF}{_ARTICLES}$", re.I)
    window = text[-90:]
    match = tail.search(window)
    return len(window) - match.start() if match else 0


def ends_with(book: PhraseBook, category: str, text: str) -> bool:
    """The text ends with a phrase of the list (articles and "forces of" allowed after it)."""
    return _ending(book, category, text) > 0


def _starts_with(book: PhraseBook, category: str, text: str) -> bool:
    match = book.pattern(category).match(text.lstrip(" -’'"))
    return match is not None


def _attributed_to(book: PhraseBook, sentence: str, start: int) -> bool:
    """ "attributes the deaths of 40 civilians ... to P", "blamed ... on P"."""
    before = sentence[max(0, start - 160) : start]
    if not re.search(r"\b(?:to|on|à|a|auf)\s+(?:the\s+)?$", before, re.I):
        return False
    return bool(book.find("attribution_verbs", before))


def _eventive(book: PhraseBook, sentence: str, end: int) -> bool:
    """The party is followed by a noun of violent events ("Russian airstrikes", "the
    Saudi-led coalition's air war", "Israeli occupation aggression")."""
    after = sentence[end : end + 60]
    possessive = _POSSESSIVE.match(after)
    if possessive:
        after = after[possessive.end() :]
    words = after.lstrip(" -").split()
    for skip in range(0, 3):
        rest = " ".join(words[skip:])
        if book.pattern("event_nouns").match(rest):
            return True
    return False


# Opening a sentence (possibly after "On 4 June,") and acting: "ISIS fighters stormed ...".
_OPENING = re.compile(r"(?:[^,.;:]{0,30},)?\s*(?:the\s+)?", re.I)
_NOT_ACTING = re.compile(r"\s*(?:were|was|are|is|had|have|has|died|lost|who|that)\b", re.I)


def _acting_members(book: PhraseBook, before: str, after: str) -> bool:
    """A party's fighters or members who open the sentence and act are the party acting
    ("ISIS fighters stormed two villages"); elsewhere they are counted or targeted."""
    members = book.find("acting_members", after[:20])
    if not members or members[0].start > 1:
        return False
    if not re.match(r"\s+[a-z]", after[members[0].end :]):
        return False  # "ISIS members: 40" labels victims; acting members go on with a verb
    sentence_start = max(before.rfind(". "), before.rfind("\n"))
    opening = before[sentence_start + 1 :] if sentence_start >= 0 else before
    return bool(_OPENING.fullmatch(opening)) and not _NOT_ACTING.match(after, members[0].end)


def _strength(book: PhraseBook, sentence: str, start: int, end: int, raw: str) -> Strength:
    before = sentence[max(0, start - 90) : start]
    after = sentence[end : end + 40]
    blocked, marked = (
        _ending(book, "not_agent_before", before),
        _ending(book, "agent_strong", before),
    )
    if blocked and blocked >= marked:
        return Strength.BLOCKED  # "controlled by" outweighs "by"
    if _starts_with(book, "not_agent_after", after) and not _acting_members(book, before, after):
        return Strength.BLOCKED  # "ISIS fighters" counted, "regime-held areas"
    if marked or _starts_with(book, "agent_after", after) or _attributed_to(book, sentence, start):
        return Strength.MARKED
    eventive = book.pattern("event_nouns").search(raw) is not None or _eventive(book, sentence, end)
    if eventive:
        return Strength.EVENT
    return Strength.PLAIN


def find_parties(sentence: str, book: PhraseBook, country: str | None) -> list[Party]:
    """The parties a sentence names, with the strength of their agent role; a party named
    again right away in parentheses ("Syrian Democratic Forces (SDF)") is one party."""
    found: list[Party] = []
    for match in party_matches(sentence):
        raw = match.group(0)
        canonical = party_id(raw, country)
        if (
            found
            and found[-1].id == canonical
            and re.fullmatch(r"\s*\(\s*", sentence[found[-1].end : match.start()])
        ):
            continue
        strength = _strength(book, sentence, match.start(), match.end(), raw)
        if (
            found
            and found[-1].strength is Strength.BLOCKED
            and _COORDINATED.fullmatch(sentence[found[-1].end : match.start()])
        ):
            strength = Strength.BLOCKED  # "clashes between regime forces and the SDF"
        if party_kind(canonical) == "unknown" and strength is not Strength.BLOCKED:
            strength = Strength.MARKED  # "whose perpetrator could not be identified"
        found.append(
            Party(match.start(), match.end(), raw, canonical, party_kind(canonical), strength)
        )
    return found


@cache
def _anaphor_patterns(book: PhraseBook) -> tuple[re.Pattern[str], re.Pattern[str]]:
    parties = compile_phrases(book.phrases("party_anaphor"), book.language)
    determiners = "|".join(
        re.escape(d)
        for d in sorted(book.phrases("event_anaphor_determiners"), key=len, reverse=True)
    )
    events = book.pattern("event_nouns").pattern
    event = re.compile(rf"(?<!\w)(?:{determiners})\s+(?:\w+\s+){{0,2}}?(?:{events})", re.I)
    return parties, event


_STATE_WORDS = re.compile(r"regime|army|military|government|forces|coalition|alliance", re.I)
_NON_STATE_WORDS = re.compile(
    r"group|militant|organi[sz]ation|faction|militia|movement|insurgent|terrorist|jihadist", re.I
)


def find_anaphors(sentence: str, book: PhraseBook) -> list[Anaphor]:
    """Words naming a party or its events again, in order."""
    party_words, event_words = _anaphor_patterns(book)
    found: list[Anaphor] = []
    for match in event_words.finditer(sentence):
        found.append(Anaphor(match.start(), match.end(), match.group(0), "event"))
    for match in party_words.finditer(sentence):
        if any(a.start <= match.start() < a.end for a in found):
            continue
        text = match.group(0)
        wants = "party"
        if _NON_STATE_WORDS.search(text):
            wants = "non_state"
        elif _STATE_WORDS.search(text):
            wants = "state"
        found.append(Anaphor(match.start(), match.end(), text, wants))
    return sorted(found, key=lambda a: a.start)


def compatible(anaphor: Anaphor, party: Party) -> bool:
    """Whether an anaphor can name this party again ("the militant group" is not the
    regime; "the regime" is not a militant group)."""
    if party.id is None or party.kind in {"total", "unknown", "other"}:
        return False
    if anaphor.wants in {"party", "event"}:
        return True
    return party.kind == anaphor.wants
