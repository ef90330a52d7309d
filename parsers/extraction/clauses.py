"""How the counts of one sentence hang together: which counts break another one down
("93 civilians, including 21 children"; "351 killed (71 men, 41 women)"; Turkish
"616'sı çocuk ... 3 bin 56 kişi"), and where each claim's clause begins and ends ("36 were
killed by regime forces, while 19 others were killed by Russian forces").

Step 4 of the prose pipeline: mentions in, `Claim`s out (a head count, its parts, and the
stretch of the sentence that is its clause).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from parsers.extraction.mentions import HeadKind, Mention
from parsers.extraction.phrases import PhraseBook, PhraseMatch
from parsers.vocabulary import vocabulary

_LIST_JOIN = re.compile(
    r"^[\s,،]*(?:(?:and|as\s+well\s+as|&|et|und|sowie|y|e|ve|ile)\b[\s,،]*|[–—-]\s*|و\s*)?$", re.I
)
# Inside parentheses a list goes on after "as well as": "(71 men, ..., as well as 10 children)".
_PAREN_LIST_JOIN = re.compile(
    r"^[\s,]*(?:(?:and|as\s+well\s+as|&|et|ainsi\s+que|und|sowie|y|ve|و)\b[\s,]*|[–—-]\s*)?$", re.I
)
_POSSESSIVE_SUFFIX = re.compile(r"^['’][^\W\d_]{1,4}(?!\w)")  # "616'sı", "bin 104'ü"
_SEPARATOR_PUNCT = re.compile(r"[;,:،؛]|\s[–—]\s")
# "down to 25 from 60 in July": the earlier count of the same thing.
_COMPARED = re.compile(r"\b(?:up\s+from|down\s+from|from|compared\s+(?:with|to))\s*$", re.I)


@dataclass
class Claim:
    """A head count with its parts and its clause (offsets in the sentence)."""

    head: Mention
    parts: list[Mention] = field(default_factory=list)
    clause_start: int = 0
    clause_end: int = 0
    joined_by: str = ""  # the separator that opens the clause ("and", "while", ",")
    parent: Claim | None = None  # "31 of them were killed by ...": a part with its own clause
    nested: dict[int, Mention] = field(default_factory=dict)  # part id -> the part it breaks down

    @property
    def end(self) -> int:
        """End of the head and its parts."""
        return max([self.head.end, *(p.end for p in self.parts)])

    @property
    def start(self) -> int:
        """Start of the head and its parts (Turkish writes the parts first)."""
        return min([self.head.start, *(p.start for p in self.parts)])


def _breakdown_markers(sentence: str, book: PhraseBook) -> list[PhraseMatch]:
    markers = book.find("breakdown", sentence)
    for match in re.finditer(r"\(", sentence):
        markers.append(PhraseMatch(match.start(), match.end(), "(", "paren"))
    return sorted(markers, key=lambda m: m.start)


def _paren_close(sentence: str, start: int) -> int:
    close = sentence.find(")", start)
    return close if close >= 0 else len(sentence)


def _consume_list(
    sentence: str, mentions: list[Mention], start: int, limit: int, paren: bool = False
) -> list[Mention]:
    """Mentions listed one after another from `start`: "21 children and 11 women"."""
    listed: list[Mention] = []
    cursor = start
    join = _PAREN_LIST_JOIN if paren else _LIST_JOIN
    for mention in mentions:
        if mention.start < cursor or mention.start >= limit:
            continue
        gap = re.sub(r"\([^)]*\)", "", sentence[cursor : mention.start])  # "(6 children a day)"
        if not join.match(gap):
            break
        listed.append(mention)
        cursor = mention.end
    return listed


def assign_parts(sentence: str, mentions: list[Mention], book: PhraseBook) -> list[Claim]:
    """Group mentions into claims: each head with the mentions that break it down."""
    part_of: dict[int, int] = {}
    for marker in _breakdown_markers(sentence, book):
        heads = [m for m in mentions if m.end <= marker.start]
        if not heads:
            continue
        head = heads[-1]  # "as well as four deaths due to torture, including one woman"
        second_bracket = marker.key == "paren" and id(head) in part_of
        if second_bracket:
            head = _second_bracket_head(sentence, mentions, head, part_of, marker.start, book)
            second_bracket = id(head) not in part_of
        head_end = max([head.end, *(m.end for m in mentions if part_of.get(id(m)) == id(head))])
        if marker.key == "paren":
            limit = _paren_close(sentence, marker.end)
            if not second_bracket and not _attached(sentence, head.end, marker.start, book):
                continue
        else:
            limit = len(sentence)
            if _coordinated_between(sentence, head_end, marker.start, book):
                continue  # "19 were killed and others injured, including 4 journalists"
        paren = marker.key == "paren"
        for part in _consume_list(sentence, mentions, marker.end, limit, paren):
            if part is head or not can_break_down(head, part):
                break  # "two paramedics including one woman, one Red Crescent volunteer"
            part_of[id(part)] = id(head)
    _possessive_parts(sentence, mentions, part_of)
    return _claims(mentions, part_of)


def _second_bracket_head(
    sentence: str,
    mentions: list[Mention],
    last_part: Mention,
    part_of: dict[int, int],
    paren: int,
    book: PhraseBook,
) -> Mention:
    """A second parenthesis of parts after "and <metric>" breaks down the same total: "77
    children were victims of killing (32 boys, 15 girls) and maiming (19 boys, 6 girls)"."""
    closing = sentence.find(")", last_part.end, paren)
    between = sentence[closing + 1 : paren] if closing >= 0 else ""
    if closing < 0 or len(between.split()) > 4 or not book.find("coordination", between):
        return last_part
    if not book.metrics(between):
        return last_part
    return next((m for m in mentions if id(m) == part_of[id(last_part)]), last_part)


_DEMOGRAPHIC = frozenset({"children", "women", "men"})
_ANY_PART = frozenset({None, "people", "civilians"})


def can_break_down(head: Mention, part: Mention) -> bool:
    """Whether a listed count can be a part of a total: not larger than it, and of a group
    the total holds (children, women and men are in any group; medics, journalists or
    combatants only in people or civilians)."""
    if part.count.value > max(head.count.value, head.count.high or 0):
        return False
    if part.kind is not HeadKind.VICTIMS or head.kind is not HeadKind.VICTIMS:
        return True
    groups = vocabulary("victim_groups")
    whole, piece = groups.lookup(head.group_raw), groups.lookup(part.group_raw)
    return whole in _ANY_PART or piece in _DEMOGRAPHIC or piece is None


def _coordinated_between(sentence: str, start: int, end: int, book: PhraseBook) -> bool:
    between = re.sub(r"\([^)]*\)", "", sentence[start:end])
    return bool(book.find("coordination", between) or book.find("clause_break", between))


def _attached(sentence: str, head_end: int, paren: int, book: PhraseBook) -> bool:
    """A parenthesis breaks down the count before it when only a few words of the same
    clause stand between them ("9 civilians were killed (4 men, ...)")."""
    between = sentence[head_end:paren]
    return (
        len(between.split()) <= 5
        and not _SEPARATOR_PUNCT.search(between)
        and not book.find("clause_break", between)
        and not book.find("coordination", between)
    )


def _possessive_parts(sentence: str, mentions: list[Mention], part_of: dict[int, int]) -> None:
    """Turkish lists the parts before their total: "616'sı çocuk, 507'si kadın 3 bin 56 kişi"."""
    pending: list[Mention] = []
    for mention in mentions:
        if _POSSESSIVE_SUFFIX.match(sentence[mention.count.end :]):
            pending.append(mention)
            continue
        for part in pending:
            if part.count.value <= mention.count.value:
                part_of[id(part)] = id(mention)
        pending = []


def _claims(mentions: list[Mention], part_of: dict[int, int]) -> list[Claim]:
    by_id = {id(m): m for m in mentions}
    claims: dict[int, Claim] = {}
    ordered: list[Claim] = []
    for mention in mentions:
        if id(mention) in part_of:
            continue
        claim = Claim(mention)
        claims[id(mention)] = claim
        ordered.append(claim)
    for mention in mentions:
        head_id = part_of.get(id(mention))
        if head_id is not None:
            root = head_id
            while root in part_of:
                root = part_of[root]
            if root in claims:
                claims[root].parts.append(mention)
                if head_id != root:
                    claims[root].nested[id(mention)] = by_id[head_id]
    for index, claim in enumerate(ordered):
        if claim.head.partitive:
            earlier = [c for c in ordered[:index] if c.head.count.value >= claim.head.count.value]
            claim.parent = earlier[-1] if earlier else None
    return ordered


def set_clauses(sentence: str, claims: list[Claim], book: PhraseBook) -> None:
    """Cut the sentence between consecutive claims at the last separator between them, so
    each claim's clause holds its own verb and agent."""
    if not claims:
        return
    claims[0].clause_start = 0
    for previous, current in pairwise(claims):
        cut, joined_by = _cut(sentence, previous.end, current.start, book)
        previous.clause_end = cut
        current.clause_start = cut
        current.joined_by = joined_by
    claims[-1].clause_end = len(sentence)


def _cut(sentence: str, start: int, end: int, book: PhraseBook) -> tuple[int, str]:
    separators: list[tuple[int, str]] = []
    for phrase in book.find("clause_break", sentence, start, end):
        separators.append((phrase.start, phrase.text.lower()))
    for phrase in book.find("coordination", sentence, start, end):
        separators.append((phrase.start, phrase.text.lower()))
    for match in _SEPARATOR_PUNCT.finditer(sentence, start, end):
        separators.append((match.start(), match.group(0).strip()))
    for match in _COMPARED.finditer(sentence, start, end):
        separators.append((match.start(), match.group(0).strip().lower()))
    if not separators:
        return start, ""  # no separator: the words between belong to the later count
    breaks = [s for s in separators if s[1] in {";", "؛"} or s[1] in _breaks(book)]
    if not breaks:
        return max(separators)
    last_break = max(breaks)  # "..., while 19 others", "أما داعش، فقتل 99"
    joins = [s for s in separators if s > last_break and not _SEPARATOR_PUNCT.fullmatch(s[1])]
    return max(joins) if joins else last_break  # "; ... in addition to about 9500 injuries"


def _breaks(book: PhraseBook) -> frozenset[str]:
    return frozenset(p.lower() for p in book.phrases("clause_break"))


def is_bare(mention: Mention) -> bool:
    """A count with no noun of its own ("1,220 were injured", "the toll rose to 3,785")."""
    return mention.kind in (HeadKind.BARE, HeadKind.OTHERS) or (
        mention.kind is HeadKind.METRIC and mention.group_raw is None
    )
