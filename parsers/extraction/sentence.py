"""One sentence through the pipeline's middle steps: counts → mentions → claims → frames,
with the discourse context it was read in. The document-level loop (lines, headings, lists)
is `parsers.prose_grammar`'s.
"""

from __future__ import annotations

import re

from parsers.extraction.clauses import Claim, assign_parts, set_clauses
from parsers.extraction.counts import find_counts, looks_like_year
from parsers.extraction.discourse import Discourse
from parsers.extraction.frames import (
    Binding,
    Frame,
    SentenceFacts,
    certainty,
    claim_group,
    claim_metrics,
    claim_party,
    claim_period,
    claim_place,
    is_casualty,
)
from parsers.extraction.mentions import HeadKind, Mention, places_in, read_mention
from parsers.extraction.parties import Strength, find_anaphors, find_parties
from parsers.extraction.phrases import PhraseBook
from parsers.periods import find_periods

_NOT_PEOPLE = (HeadKind.THING, HeadKind.EVENT)
_BROAD = frozenset({"people", "civilians", "combatants"})


def sentence_facts(text: str, discourse: Discourse, book: PhraseBook, in_list: bool) -> SentenceFacts:
    """Everything the earlier steps find in one sentence."""
    periods = find_periods(text, discourse.published)
    counts = find_counts(text, book, excluded=[(s, e) for s, e, _ in periods])
    mentions = [read_mention(text, count, book) for count in counts]
    mentions = [m for m in mentions if not _is_year(text, m) and not _is_article(text, m, book)]
    references = _references(text, mentions)
    people = [
        m for m in mentions if m.kind not in _NOT_PEOPLE and not m.rate and id(m) not in references
    ]
    claims = assign_parts(text, people, book)
    set_clauses(text, claims, book)
    return SentenceFacts(
        text=text,
        mentions=mentions,
        claims=claims,
        parties=find_parties(text, book, discourse.country),
        anaphors=find_anaphors(text, book),
        metrics=book.metrics(text),
        periods=periods,
        places=places_in(text),
        in_list=in_list,
    )


def _is_year(text: str, mention: Mention) -> bool:
    """A year, unless a victim noun follows it right away ("2017 civilians")."""
    if not looks_like_year(text, mention.count):
        return False
    if mention.kind is not HeadKind.VICTIMS or mention.group_raw is None:
        return True
    return text.find(mention.group_raw, mention.count.end) - mention.count.end > 3


def _is_article(text: str, mention: Mention, book: PhraseBook) -> bool:
    """"un", "eine", "bir" count one only in front of a victim noun ("ein Kind")."""
    word = text[mention.count.start : mention.count.end].lower()
    if not mention.count.words or word not in book.numbers.articles:
        return False
    if mention.kind is not HeadKind.VICTIMS or mention.group_raw is None:
        return mention.kind is not HeadKind.BARE or mention.metric is None
    return text.find(mention.group_raw, mention.count.end) - mention.count.end > 14


def _references(text: str, mentions: list[Mention]) -> set[int]:
    """Counts that repeat a total inside another count's words: the 503 of "four of the 503
    victims"."""
    found: set[int] = set()
    for first, second in zip(mentions, mentions[1:], strict=False):
        between = text[first.count.end : second.count.start]
        if first.partitive and re.fullmatch(r"\s*(?:of|among|amongst)\s+the\s+", between, re.I):
            found.add(id(second))
    return found


def read_sentence(
    text: str, discourse: Discourse, book: PhraseBook, in_list: bool = False
) -> list[Frame]:
    """The casualty frames of one sentence, heads before their parts; the discourse learns
    the parties and victims the sentence named."""
    facts = sentence_facts(text, discourse, book, in_list)
    if book.find("non_casualty_sentence", text):
        discourse.remember(facts.parties, set())
        return []
    metrics = claim_metrics(facts, discourse)
    groups: list[str] = []
    bindings: list[Binding] = []
    for index, claim in enumerate(facts.claims):
        previous_group = groups[-1] if groups else None
        previous = bindings[-1] if bindings else None
        groups.append(claim_group(facts, claim, previous_group, discourse))
        bindings.append(claim_party(facts, claim, previous, metrics[index] is not None, discourse))
    bindings = share_agent_backwards(facts, bindings, book)
    frames: list[Frame] = []
    head_index: dict[int, int] = {}
    for claim, metric, group, binding in zip(facts.claims, metrics, groups, bindings, strict=True):
        if metric is not None and is_casualty(facts, claim, metric, book):
            parent = head_index.get(id(claim.parent)) if claim.parent else None
            head_index[id(claim)] = len(frames)
            frames.extend(
                _claim_frames(facts, claim, metric, group, binding, discourse, len(frames), parent)
            )
        discourse.last_group = group
    agents = {f.binding.party.start for f in frames if f.binding.party is not None}
    discourse.remember(facts.parties, agents)
    discourse.after_frames(frames)
    return frames


def share_agent_backwards(facts, bindings: list[Binding], book: PhraseBook) -> list[Binding]:
    """A passive agent at the end of coordinated clauses is the agent of each ("83 people
    were killed and 1272 others were injured by these attacks")."""
    result = list(bindings)
    for index in range(len(result) - 2, -1, -1):
        following = result[index + 1]
        claim = facts.claims[index + 1]
        if result[index].attribution != "none" or following.party is None:
            continue
        if following.subject or following.attribution not in {"clause", "coreference", "sentence"}:
            continue
        if claim.joined_by not in {"and", ",", "et", "und", "y", "و"}:
            continue
        result[index] = Binding(following.raw, following.id, "sentence", following.party)
    return result


def _claim_frames(
    facts: SentenceFacts,
    claim: Claim,
    metric: str,
    group: str,
    binding: Binding,
    discourse: Discourse,
    offset: int,
    parent: int | None,
) -> list[Frame]:
    period = claim_period(facts, claim, discourse.default_period)
    how_sure = certainty(facts, binding)
    head = Frame(claim.head, metric, group, binding, how_sure, parent, period,
                 claim_place(facts, claim.head))  # fmt: skip
    frames = [head]
    for index, part in enumerate(claim.parts):
        if part.kind in _NOT_PEOPLE or part.rate:
            continue
        own = _part_binding(facts, claim, index) or binding
        frames.append(
            Frame(
                part,
                part_metric(part.metric, metric),
                _part_group(part, group),
                own,
                certainty(facts, own) if own is not binding else how_sure,
                offset,
                _part_period(facts, part, period),
                claim_place(facts, part),
            )
        )
    return frames


def _part_binding(facts: SentenceFacts, claim: Claim, index: int) -> Binding | None:
    """A part with an agent of its own ("..., dont 13 enfants et 6 femmes, et 6 personnes
    torturées par le régime syrien")."""
    part = claim.parts[index]
    following = claim.parts[index + 1].start if index + 1 < len(claim.parts) else claim.clause_end
    for party in facts.parties:
        if part.end <= party.start < following and party.strength is Strength.MARKED:
            if any(m.start < party.start for m in facts.metrics if part.end <= m.start):
                return Binding(party.raw, party.id, "clause", party)
    return None


def part_metric(own: str | None, head: str) -> str:
    """A part counts what its total counts, unless its own words say something else of the
    same people ("351 killed (...)", "471 casualties (86 killed and 385 injured)", "241
    civilians including ... one individual died under torture"). Torture deaths stay torture
    deaths when a part says "killed"."""
    if own is None or own not in _PART_METRICS:
        return head
    if head == "died_under_torture" and own == "killed":
        return head
    return own


_PART_METRICS = frozenset(
    {"killed", "injured", "casualties", "died_under_torture", "detained", "displaced"}
)


def _part_group(part: Mention, head_group: str) -> str:
    if part.kind is HeadKind.VICTIMS and part.group_raw:
        return part.group_raw
    if part.kind is HeadKind.METRIC and part.group_raw:
        return part.group_raw
    return head_group


def _part_period(facts: SentenceFacts, part: Mention, head_period):
    for start, _end, period in facts.periods:
        if 0 <= start - part.end <= 12:
            return period
    return head_period
