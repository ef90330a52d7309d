"""Each claim of a sentence bound to what it counts: its metric (from its own words, its
clause, or the clause it shares a verb with), its victim group, its perpetrator (from its
clause, the sentence, a reference like "the group", a heading or the headline), its period
and place; and the decision whether it is a casualty figure at all.

Step 6 of the prose pipeline: claims in, `Frame`s out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parsers.extraction.clauses import Claim
from parsers.extraction.discourse import Discourse
from parsers.extraction.lexicon import LexiconMatch
from parsers.extraction.mentions import HeadKind, Mention, victim_pattern
from parsers.extraction.parties import Anaphor, Party, Strength, ends_with
from parsers.extraction.phrases import PhraseBook, PhraseMatch
from parsers.periods import Period
from parsers.vocabulary import vocabulary

PEOPLE_METRICS = frozenset(
    {"killed", "injured", "casualties", "died_under_torture", "detained",
     "forcibly_disappeared", "displaced"}
)  # fmt: skip
_BROAD_GROUPS = frozenset({"people", "civilians", "combatants"})
_EVENTS = frozenset({"massacres", "attacks"})
_DEATH_FAMILY = frozenset({"killed", "died_under_torture", "injured", "casualties"})
_PLACE_OF_DETENTION = re.compile(
    r"detention|prison|custody|jail|centros|centres|centers", re.I
)  # counts of events: never what a person count counts
_BELIEVED = re.compile(
    r"believed|suspected|likely|presumably|probably|allegedly|reportedly|alleged", re.I
)
# How far (characters) a metric word may stand from the count it tells about.
_METRIC_REACH = 160


@dataclass(frozen=True)
class Binding:
    """Who a claim's count is attributed to, and how that was decided."""

    raw: str | None
    id: str | None
    attribution: str  # clause | sentence | heading | coreference | document | none | ambiguous
    party: Party | None = None
    subject: bool = False  # the party is the clause's subject (shared by coordinated verbs)


NO_PARTY = Binding(None, None, "none")
# The parent of a part whose total was stated in the sentence before ("Among them, 57 were
# children"): the reader resolves it to that total's index.
OUTER_PARENT = -1


@dataclass(frozen=True)
class Frame:
    """One count bound to its metric, group, perpetrator, period and place."""

    mention: Mention
    metric: str
    group_raw: str
    binding: Binding
    certainty: str
    parent: int | None
    period: Period | None
    place_raw: str | None


@dataclass
class SentenceFacts:
    """What the earlier steps found in one sentence, for binding its claims."""

    text: str
    mentions: list[Mention]
    claims: list[Claim]
    parties: list[Party]
    anaphors: list[Anaphor]
    metrics: list[PhraseMatch]
    periods: list[tuple[int, int, Period]]
    places: list[PhraseMatch]
    in_list: bool = False


# ---------------------------------------------------------------------------------------------
# Metric


def _owned_spans(facts: SentenceFacts, mention: Mention | None) -> list[tuple[int, int]]:
    """Spans of the other mentions' own words, whose metric words say nothing about this one."""
    return [
        (m.count.start, _relative_metric_end(facts, m) or m.end)
        for m in facts.mentions
        if m is not mention
    ]


_RELATIVE = re.compile(r"\s*(?:who|that|which|qui|que|die|der|welche|quienes|los\s+que)\b", re.I)


def _relative_metric_end(facts: SentenceFacts, mention: Mention) -> int | None:
    """The end of a metric a mention owns through a relative clause ("59 victims who died
    due to torture"); a verb right after the noun ("35 Kinder getötet") is the clause's."""
    if mention.metric_end is None or mention.metric_end <= mention.end:
        return None
    return mention.metric_end if _RELATIVE.match(facts.text, mention.end) else None


# Between a metric word and the count it governs: "killing of", "killed", "the death of".
_DIRECT = re.compile(r"\s*(?:of\s+|de\s+|des\s+|du\s+|von\s+)?(?:the\s+)?", re.I)


def _coordinated(facts: SentenceFacts, start: int, end: int, book: PhraseBook) -> bool:
    return bool(book.find("coordination", facts.text, start, end))


def _clause_metric(facts: SentenceFacts, claim: Claim, book: PhraseBook) -> PhraseMatch | None:
    """The metric word of a claim's clause nearest to its count (outside other counts'
    own words)."""
    head = claim.head
    owned = _owned_spans(facts, head)
    words = [
        w for w in facts.metrics
        if claim.clause_start <= w.start < claim.clause_end and w.key not in _EVENTS
        and not any(a <= w.start < b for a, b in owned)
    ]  # fmt: skip
    if any(w.key in _DEATH_FAMILY for w in words):  # "died ... in detention centres"
        words = [w for w in words if not _PLACE_OF_DETENTION.search(w.text)]
    direct = [
        w
        for w in words
        if w.end <= head.start and _DIRECT.fullmatch(facts.text[w.end : head.start])
    ]
    if direct:
        return direct[-1]  # "the killing of 25 Palestinians", "killing at least 36"
    best: tuple[int, PhraseMatch] | None = None
    for word in words:
        distance = head.start - word.end if word.end <= head.start else word.start - head.end
        distance = max(distance, 0) + (0 if word.start >= head.end else 8)
        if word.end <= head.start and _coordinated(facts, word.end, head.start, book):
            distance += 60  # "killed and two other commanders were injured"
        if distance <= _METRIC_REACH and (best is None or distance < best[0]):
            best = (distance, word)
    return best[1] if best else None


_VALUE_BEFORE = re.compile(
    r"(?:\bto|\bat|\breached|\breaching|\bstood\s+at|\bwas|\bwere|\bis|\btotall?ed|\bof|"
    r"\bbrings?|\bbringing|\braising|\bpassed|:)\s*(?:(?:over|more\s+than|at\s+least|about|"
    r"nearly|some|around|approximately)\s+)?$",
    re.I,
)


def _bare_reach(facts: SentenceFacts, claim: Claim, word: PhraseMatch) -> bool:
    """A count without a noun takes a metric only from close by ("351 killed", "killed 35")
    or when it is stated as the value of a toll ("the death toll ... has risen to 12,200")."""
    head = claim.head
    gap = word.start - claim.end if word.start >= head.end else head.start - word.end
    if gap <= 30 or head.place_raw:  # "The toll by governorate: Idlib 12, Aleppo 9"
        return True
    return bool(_VALUE_BEFORE.search(facts.text[claim.clause_start : head.start]))


def claim_metrics(facts: SentenceFacts, discourse: Discourse) -> list[str | None]:
    """Each claim's metric: its own words, else its clause's, else the clause it shares a
    verb with ("13 were killed by ISIS, four by the armed opposition"; "205 health workers
    and 36 civil defence personnel were martyred")."""
    own: list[str | None] = []
    after: list[bool] = []
    predicates = [_predicate(facts, claim) for claim in facts.claims]
    for claim in facts.claims:
        word = None if claim.head.metric else _clause_metric(facts, claim, discourse.book)
        if word is not None and claim.head.kind in (HeadKind.BARE, HeadKind.OTHERS):
            word = word if _bare_reach(facts, claim, word) else None
        own.append(claim.head.metric or (word.key if word else None))
        tail = claim.head.metric is not None and (claim.head.metric_end or 0) > claim.head.count.end
        after.append(tail or (word is not None and word.start >= claim.head.end))
    for index, claim in enumerate(facts.claims):
        if (
            own[index] == "killed"
            and claim.head.kind is HeadKind.METRIC
            and _torture_in_clause(facts, claim)
        ):
            own[index] = "died_under_torture"  # "29 victimes" in "victimes torturés à mort avec 29"
    result = list(own)
    for index, _claim in enumerate(facts.claims):
        if result[index] is not None:
            continue
        result[index] = _shared_metric(facts, index, own, after, predicates) or (
            discourse.scoped_metric() if facts.in_list else None
        )
    if None in result and _opens_with_the_rest(facts, discourse):
        last = discourse.last_head.metric  # "The rest were from the military - 9,044 soldiers"
        result = [metric if metric is not None else last for metric in result]
    torture = discourse.headline.metric == "died_under_torture" or (
        facts.in_list and discourse.scoped_metric() == "died_under_torture"
    )
    if torture:  # in a torture report or list, "killed" means died under torture
        result = ["died_under_torture" if m == "killed" else m for m in result]
    return result


def _opens_with_the_rest(facts: SentenceFacts, discourse: Discourse) -> bool:
    """A sentence that opens by going on with the total just counted ("The rest were ...",
    "The remaining ...") counts what it counted."""
    opening = discourse.book.find("continuation", facts.text, 0, min(len(facts.text), 40))
    return bool(opening) and opening[0].start <= 3 and discourse.last_head is not None


def _predicate(facts: SentenceFacts, claim: Claim) -> str | None:
    """The metric verb of a claim's clause after the claim and its own words ("... and 59
    victims who died due to torture, were killed")."""
    own_end = max(claim.end, claim.head.metric_end or 0)
    words = [w for w in facts.metrics if own_end <= w.start < claim.clause_end]
    words = [w for w in words if w.key not in _EVENTS]
    if not words or (claim.head.metric_end and "," not in facts.text[own_end : words[0].start]):
        return None  # a second relative clause, not the sentence's verb
    return words[0].key


def _torture_in_clause(facts: SentenceFacts, claim: Claim) -> bool:
    """A torture word in the claim's clause that no other count owns ("Four Deaths due to
    Torture" is its own figure, not the metric of the total before it)."""
    owned = _owned_spans(facts, claim.head)
    return any(
        w.key == "died_under_torture" and claim.clause_start <= w.start < claim.clause_end
        and not any(a <= w.start < b for a, b in owned)
        for w in facts.metrics
    )  # fmt: skip


def _shared_metric(
    facts: SentenceFacts,
    index: int,
    own: list[str | None],
    after: list[bool],
    predicates: list[str | None],
) -> str | None:
    claim = facts.claims[index]
    tail = re.sub(r"\([^)]*\)", "", facts.text[claim.end : claim.clause_end]).strip(" ,;")
    if index + 1 < len(own) and not tail and facts.claims[index + 1].joined_by:
        following = predicates[index + 1] or (own[index + 1] if after[index + 1] else None)
        if following is not None:
            return following
    if index > 0:
        between = _free_metric_between(facts, facts.claims[index - 1].head.start, claim.head.start)
        if between is not None:
            return between  # "were killed and others injured, including 4 journalists"
    earlier = [m for m in own[:index] if m is not None]
    return earlier[-1] if earlier else None


def _free_metric_between(facts: SentenceFacts, start: int, end: int) -> str | None:
    """The last metric word between two counts that no count owns."""
    owned = _owned_spans(facts, None)
    words = [
        w for w in facts.metrics
        if start <= w.start < end and w.key not in _EVENTS
        and not any(a <= w.start < b for a, b in owned)
    ]  # fmt: skip
    return words[-1].key if words else None


# ---------------------------------------------------------------------------------------------
# Victim group


def _group_id(raw: str | None) -> str | None:
    return vocabulary("victim_groups").lookup(raw) if raw else None


def _free_nouns(facts: SentenceFacts, start: int, end: int) -> list[LexiconMatch]:
    """Victim nouns of a stretch that belong to no count (and are more than "people")."""
    owned = [(m.count.start, m.end) for m in facts.mentions]
    return [
        m
        for m in victim_pattern().finditer(facts.text, start, end)
        if not any(a <= m.start() < b for a, b in owned)
        and _group_id(m.group(0)) not in {None, "people"}
        and not _PERCENT_OF.search(facts.text[max(0, m.start() - 40) : m.start()])
    ]


# "40% of whom were women", "58 per cent of them children": shares, not the group counted.
_PERCENT_OF = re.compile(
    r"(?:%|per\s*cent|percent)\s+(?:of\s+(?:whom|them|which|\w+)\s+)?(?:were\s+|are\s+)?"
    r"(?:\w+\s+and\s+)?$",
    re.I,
)


_NUMBER_OF = re.compile(
    r"^\W*(?:the\s+|el\s+|le\s+|la\s+|die\s+|der\s+)?(?:number|toll|total|tally|número|nombre|"
    r"bilan|zahl|anzahl)\s+(?:total\s+)?(?:of|de|des|du|der)\s+(?:\w+\s+){0,2}$",
    re.I,
)


def _clause_noun(facts: SentenceFacts, claim: Claim) -> str | None:
    """The victims a clause names for a count without a noun: the subject before it ("Afghan
    civilians ... as 1,366 of them were killed"), or "the number of civilians" after it."""
    head = claim.head
    for match in victim_pattern().finditer(facts.text, head.end, claim.clause_end):
        if _NUMBER_OF.match(facts.text[head.end : match.start()]):
            return match.group(0)  # "rose to 13 the number of civilians"
    before = _free_nouns(facts, claim.clause_start, head.start)
    if before:
        return before[0].group(0)
    metric_words = [(m.start, m.end) for m in facts.metrics]
    for match in victim_pattern().finditer(facts.text, claim.clause_start, head.start):
        if any(a <= match.start() < b for a, b in metric_words):
            continue  # "the number of deaths and injuries": what is counted, not who
        if re.search(
            r"(?:number|toll|total)\s+of\s+$",
            facts.text[max(0, match.start() - 20) : match.start()],
            re.I,
        ):
            return match.group(0)  # "The number of victims who died ... was 344"
    return None


_IN_DETENTION = re.compile(
    r"\b(?:died|deaths?|killed)\s+(?:\w+\s+){0,4}?(?:in|inside|while\s+in)\s+(?:\w+\s+){0,2}?"
    r"(?:detention|custody|prisons?|jails?)\b",
    re.I,
)


def _held(facts: SentenceFacts, claim: Claim) -> str | None:
    """People who died in detention or custody were detainees ("70 Palestinians ... have
    died in Israeli detention")."""
    stretch = facts.text[claim.clause_start : claim.clause_end]
    return "detainees" if _IN_DETENTION.search(stretch) else None


_SEX_WORD = re.compile(r"(?:fe)?males?", re.I)


def _broad(raw: str | None) -> str | None:
    return raw if raw and _group_id(raw) in _BROAD_GROUPS else None


def _continues_total(discourse: Discourse, claim: Claim, metric: str | None) -> bool:
    """A count without a noun goes on breaking down the total of the sentence before when it
    counts the same thing and fewer of them."""
    total = discourse.last_head
    return (
        total is not None
        and metric is not None
        and total.metric == metric
        and claim.head.count.value < total.mention.count.value
    )


def claim_group(
    facts: SentenceFacts,
    claim: Claim,
    previous: str | None,
    discourse: Discourse,
    metric: str | None = None,
) -> str:
    """The victim group of a claim's head: its own noun, else the victims the clause or the
    sentence named, else those the paragraph was counting."""
    head = claim.head
    scoped = discourse.scoped_group()
    sex_word = head.kind is HeadKind.VICTIMS and _SEX_WORD.fullmatch(head.group_raw or "")
    if sex_word and _group_id(scoped) == "children":
        return scoped or "people"  # "2710 children ... distributed to: 837 females"
    if head.kind is HeadKind.VICTIMS or (head.kind is HeadKind.METRIC and head.group_raw):
        if _group_id(head.group_raw) == "people":  # "A. Civilians: ... 57 victims"
            held = _held(facts, claim) or scoped or discourse.headline.group_raw
            return held or head.group_raw or "people"
        return head.group_raw or "people"
    if head.kind is HeadKind.OTHERS:
        if re.match(
            r"(?:more|further|additional|another|weitere|autres)$", head.group_raw or "", re.I
        ):
            return previous or discourse.last_group or "people"  # "and injured 931 more"
        return _broad(previous) or _broad(discourse.last_group) or "people"
    if head.partitive:
        nouns = _free_nouns(facts, 0, head.start)
        noun = nouns[-1].group(0) if nouns else None
        parent = claim.parent.head.group_raw if claim.parent else None
        if parent is None and discourse.last_head is not None and not nouns:
            parent = discourse.last_head.group_raw  # "679 amongst which ..." after its total
        return noun or parent or previous or discourse.last_group or "people"
    noun = _clause_noun(facts, claim) or _held(facts, claim)
    headline = discourse.headline.group_raw
    if head.kind is HeadKind.METRIC:  # "3,438 deaths": the victims counted, not a subgroup
        return (
            noun or _broad(previous) or scoped or _broad(discourse.last_group) or headline
            or "people"
        )  # fmt: skip
    earlier = _broad(discourse.last_group)
    if not facts.in_list and _continues_total(discourse, claim, metric):
        earlier = discourse.last_group  # "81 medics were killed ... 13 were killed by ISIS"
    return noun or previous or scoped or earlier or headline or "people"


# ---------------------------------------------------------------------------------------------
# Perpetrator


def _in_clause(claim: Claim, start: int) -> bool:
    return claim.clause_start <= start < claim.clause_end


def _binding(party: Party, attribution: str, subject: bool = False) -> Binding:
    return Binding(party.raw, party.id, attribution, party, subject)


def _decide(candidates: list[Party], head: Mention) -> Party | str | None:
    """One party among candidates of equal standing, the nearest to the count; "ambiguous"
    when two different parties stand equally near on the same side."""
    if not candidates:
        return None
    ids = {p.id for p in candidates}
    if len(ids) == 1:
        return candidates[-1] if candidates[-1].end <= head.start else candidates[0]
    after = [p for p in candidates if p.start >= head.end]
    before = [p for p in candidates if p.end <= head.start]
    if after and len({p.id for p in after}) == 1:
        return after[0]
    if before and len({p.id for p in before}) == 1 and not after:
        return before[-1]
    return "ambiguous"


def _owned_by_part(facts: SentenceFacts, claim: Claim, party: Party, metric: str | None) -> bool:
    """A party that is the agent of one of the claim's parts, not of its head ("57 civils,
    dont ..., et 6 personnes torturées par le régime syrien"); a part's verb that is the
    head's too ("84 civilians including 15 children and 6 women who were killed by ...")
    speaks for the whole."""
    parts = [
        p for p in claim.parts
        if p.metric_end is not None and p.metric_end <= party.start < p.metric_end + 30
        and p.metric != metric
    ]  # fmt: skip
    return bool(parts)


def _clause_party(
    facts: SentenceFacts, claim: Claim, has_verb: bool, metric: str | None = None
) -> Binding | None:
    head = claim.head
    mine = [
        p for p in facts.parties
        if _in_clause(claim, p.start) and not _owned_by_part(facts, claim, p, metric)
    ]  # fmt: skip
    for strength in (Strength.MARKED, Strength.EVENT):
        chosen = _decide([p for p in mine if p.strength is strength], head)
        if chosen == "ambiguous":
            return Binding(None, None, "ambiguous")
        if isinstance(chosen, Party):
            return _binding(chosen, "clause", chosen.end <= head.start)
    subjects = [p for p in mine if p.strength is Strength.PLAIN and p.end <= head.start]
    if subjects and has_verb:
        chosen = _decide(subjects, head)
        if chosen == "ambiguous":
            return Binding(None, None, "ambiguous")
        if isinstance(chosen, Party):
            return _binding(chosen, "clause", subject=True)
    return None


def _anaphor_party(
    facts: SentenceFacts, claim: Claim, discourse: Discourse, has_verb: bool
) -> Binding | None:
    """A claim whose agent is named again: "the militant group killed", "these attacks
    killed", "were killed by them"."""
    head = claim.head
    overlapping = [(p.start, p.end) for p in facts.parties]
    for anaphor in facts.anaphors:
        if not _in_clause(claim, anaphor.start) or any(
            a <= anaphor.start < b for a, b in overlapping
        ):
            continue
        subject = anaphor.end <= head.start and has_verb and _acts(facts, anaphor, head)
        marked = anaphor.start >= head.end and _marked_before(facts, anaphor.start, discourse.book)
        if not (subject or marked):
            continue
        earlier = [p for p in facts.parties if p.end <= anaphor.start]
        party = discourse.resolve(anaphor, earlier)
        if party is not None:
            return _binding(party, "coreference", subject)
    return None


_AUXILIARIES = re.compile(
    r"^\s*(?:(?:has|have|had|also|reportedly|allegedly|then|later|further|again|is|was|were|"
    r"are|been|deliberately|indiscriminately|already|a|aussi|également|auch|hat|haben|أيضاً|"
    r"أيضا|قد)\s+)*$",
    re.I,
)


def _acts(facts: SentenceFacts, anaphor: Anaphor, head: Mention) -> bool:
    """The anaphor is the subject of the metric verb right after it ("the group killed",
    "These attacks killed"), not of another verb ("it documented the killing of")."""
    verbs = [m for m in facts.metrics if anaphor.end <= m.start <= head.start]
    if not verbs:
        return False
    between = facts.text[anaphor.end : verbs[0].start]
    if anaphor.wants == "event" and anaphor.start <= 4 and len(between.split()) <= 6:
        return True  # "The air strikes Human Rights Watch documented killed 152 civilians"
    return bool(_AUXILIARIES.match(between))


def _marked_before(facts: SentenceFacts, start: int, book: PhraseBook) -> bool:
    before = facts.text[max(0, start - 60) : start]
    return ends_with(book, "agent_strong", before) or ends_with(book, "agent_before", before)


def _shared(claim: Claim, previous: Binding | None, book: PhraseBook) -> Binding | None:
    """The subject a coordinated clause shares with the one before ("Russian forces killed 5
    civilians and injured 6"); never across "while", "but" or ";"."""
    if previous is None or not previous.subject or not previous.raw:
        return None
    if previous.attribution not in {"clause", "coreference", "sentence"}:
        return None
    if claim.joined_by in {";", "؛"} or claim.joined_by in book.phrases("clause_break"):
        return None
    return Binding(previous.raw, previous.id, "sentence", previous.party, True)


def claim_party(
    facts: SentenceFacts,
    claim: Claim,
    previous: Binding | None,
    metric: str | None,
    discourse: Discourse,
) -> Binding:
    """The perpetrator of a claim's head: the agent of its clause, else a reference to a
    party named before, else the subject it shares with the clause before, else the party
    of its heading or list, else the party of the headline, else none."""
    metric_word = metric is not None
    found = _clause_party(facts, claim, metric_word, metric) or _anaphor_party(
        facts, claim, discourse, metric_word
    )
    if found is not None:
        return found
    shared = _shared(claim, previous, discourse.book)
    if shared is not None:
        return shared
    unbound = [
        p
        for p in facts.parties
        if p.strength is not Strength.BLOCKED and _in_clause(claim, p.start)
    ]
    if unbound:
        return Binding(None, None, "ambiguous")
    raw, canonical, how = discourse.scoped_party()
    if raw:
        return Binding(raw, canonical, how)
    return NO_PARTY


def certainty(facts: SentenceFacts, binding: Binding) -> str:
    """How firmly the text states the perpetrator: stated, believed or unknown."""
    if binding.id == "unknown" or binding.attribution in {"ambiguous"}:
        return "unknown"
    if binding.party is not None and binding.party.start < len(facts.text):
        start = max(0, binding.party.start - 40)
        window = facts.text[start : binding.party.end]
        if _BELIEVED.search(window):
            return "believed"
    return "stated"


# ---------------------------------------------------------------------------------------------
# Period and place


def claim_period(
    facts: SentenceFacts, claim: Claim, default: Period | None, previous: Period | None = None
) -> Period | None:
    """The period written in the claim's clause nearest to its count, else the one of the
    claim it is coordinated with, else one that opens the sentence ("From 1 to 28 February
    2023, OHCHR recorded ..."), else the default."""
    head = claim.head
    mine = [p for p in facts.periods if _in_clause(claim, p[0])]
    if mine:
        return min(mine, key=lambda p: _period_distance(p, head))[2]
    if previous is not None:
        return previous
    opening = [
        p for p in facts.periods if p[1] <= (facts.claims[0].head.start if facts.claims else 0)
    ]
    if opening:
        return opening[-1][2]
    anywhere = facts.periods
    if anywhere:
        return min(anywhere, key=lambda p: _period_distance(p, head))[2]
    return default


def _period_distance(period: tuple[int, int, Period], head: Mention) -> int:
    start, end, _ = period
    if start >= head.end:
        return start - head.end
    return head.start - end + 25  # a period after the count reads more naturally


_PLACE_AFTER = re.compile(
    r"\s*(?:in|at|à|en|dans|in\s+der|in\s+den|في|de)\s+(?:the\s+|la\s+|le\s+)?", re.I
)


def claim_place(
    facts: SentenceFacts, mention: Mention, claim: Claim | None = None, scoped: str | None = None
) -> str | None:
    """A place the count is tied to: "6 in Daraa", "Idlib: 7", "in <place>" right after its
    noun, the label of its list item, or the one place its clause is about ("... killed
    in October 2023 in Syria")."""
    if mention.place_raw:
        return mention.place_raw
    if scoped:
        return scoped
    glued = _PLACE_AFTER.match(facts.text, mention.end) or _PLACE_AFTER.match(
        facts.text, mention.count.end
    )
    if glued:
        for place in facts.places:
            if place.start == glued.end():
                return None if _one_of_several(facts, place) else place.text
    before = [p for p in facts.places if 0 <= mention.start - p.end <= 3]
    if before:
        return before[-1].text
    if claim is None:
        return None
    located = {
        p.text.lower(): p
        for p in facts.places
        if claim.clause_start <= p.start < claim.clause_end
        and re.search(
            r"\b(?:in|at|across|throughout|à|en|dans|im|en|في)\s+(?:the\s+)?$",
            facts.text[max(0, p.start - 14) : p.start],
            re.I,
        )
    }
    if len(located) != 1:
        return None
    (place,) = located.values()
    return None if _one_of_several(facts, place) else place.text


_LISTED_AFTER = re.compile(r"\s*(?:,|and\b|&|et\b|und\b|y\b|و)\s*", re.I)


def _one_of_several(facts: SentenceFacts, place: PhraseMatch) -> bool:
    """A place listed with others, or given as an example ("including in Kyiv city, Odeska
    and Kharkivska oblasts"), is not the place of the count."""
    if re.search(
        r"\b(?:including|such\s+as|notably)\s+(?:in\s+)?$", facts.text[: place.start], re.I
    ):
        return True
    listed = _LISTED_AFTER.match(facts.text, place.end)
    if listed is None:
        return False
    return any(
        p.start == listed.end() and not re.match(r"\s*:?\s*\d", facts.text[p.end :])
        for p in facts.places
    )


# ---------------------------------------------------------------------------------------------
# Whether a claim is a casualty figure


_JOINT = re.compile(r"\s+(?:and|or|&|et|und|y|و)\s+", re.I)


def joint_group(facts: SentenceFacts, mention: Mention) -> bool:
    """A count of two groups together ("20 women and girls", "2,500 women and children",
    "a combined total of 687 dead"): no single victim group holds it."""
    if re.search(r"\bcombined\b", facts.text[max(0, mention.start - 25) : mention.start], re.I):
        return True
    if mention.kind is not HeadKind.VICTIMS:
        return False
    joined = _JOINT.match(facts.text, mention.end)
    if not joined:
        return False
    following = victim_pattern().match(facts.text, joined.end())
    if following is None:
        return False
    return _group_id(following.group(0)) != _group_id(mention.group_raw)


def is_casualty(facts: SentenceFacts, claim: Claim, metric: str | None, book: PhraseBook) -> bool:
    """A claim is a figure when it counts people, a people metric is bound to it, nothing
    in its clause makes it a count of beneficiaries, trainees, patients of a disease or
    people in need, and it is not a rate ("nine children a day")."""
    if metric not in PEOPLE_METRICS:
        return False
    if claim.head.kind in (HeadKind.THING, HeadKind.EVENT) or joint_group(facts, claim.head):
        return False
    return not _non_casualty(facts, claim, book)


def _non_casualty(facts: SentenceFacts, claim: Claim, book: PhraseBook) -> bool:
    """A word of beneficiaries, trainees, releases or need in the claim's own stretch of its
    clause (its parts left out), nearer to the count than any metric word."""
    head = claim.head
    end = min([p.start for p in claim.parts] + [claim.clause_end, claim.end + 40])
    start = max(claim.clause_start, head.start - 40)  # "supported 800 farmers", not "the
    opener = list(re.finditer(r"[,;:]|\b(?:that|which|who|whom)\b", facts.text[start : head.start]))
    if opener:
        start += opener[-1].end()
    words = book.find("non_casualty", facts.text, start, end)  # report released today"
    if not words:
        return False
    if any(0 <= w.start - head.end <= 12 or 0 <= head.start - w.end <= 12 for w in words):
        return True  # "39,809 displaced persons supported with", "training to 301 women"
    metrics = [
        m for m in facts.metrics
        if claim.clause_start <= m.start < end or head.count.start <= m.start < head.end
    ]  # fmt: skip

    def gap(start: int, stop: int) -> int:
        return head.start - stop if stop <= head.start else max(0, start - head.end)

    nearest_metric = min((gap(m.start, m.end) for m in metrics), default=10_000)
    return any(gap(w.start, w.end) <= nearest_metric for w in words)
