"""One sentence through the pipeline's middle steps: counts → mentions → claims → frames,
with the discourse context it was read in. The document-level loop (lines, headings, lists)
is `parsers.prose_grammar`'s.
"""

from __future__ import annotations

import re
from itertools import pairwise

from parsers.extraction.clauses import Claim, assign_parts, set_clauses
from parsers.extraction.counts import find_counts, looks_like_year
from parsers.extraction.discourse import Discourse
from parsers.extraction.frames import (
    OUTER_PARENT,
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
    joint_group,
)
from parsers.extraction.mentions import HeadKind, Mention, places_in, read_mention, victim_pattern
from parsers.extraction.parties import Strength, find_anaphors, find_parties
from parsers.extraction.phrases import PhraseBook
from parsers.model import without_items
from parsers.periods import Period, find_periods
from parsers.vocabulary import vocabulary

_NOT_PEOPLE = (HeadKind.THING, HeadKind.EVENT)
_BROAD = frozenset({"people", "civilians", "combatants"})


def sentence_facts(
    text: str, discourse: Discourse, book: PhraseBook, in_list: bool
) -> SentenceFacts:
    """Everything the earlier steps find in one sentence."""
    periods = _with_reporting_period(text, find_periods(text, discourse.published), discourse)
    counts = find_counts(text, book, excluded=[(s, e) for s, e, _ in periods])
    mentions = [read_mention(text, count, book) for count in counts]
    mentions = [
        m for m in mentions
        if not _is_year(text, m) and not _is_article(text, m, book)
        and not _is_label_number(text, m)
    ]  # fmt: skip
    references = _references(text, mentions)
    people = [
        m for m in mentions
        if m.kind not in _NOT_PEOPLE and not m.rate and id(m) not in references
        and m.count.value > 0
    ]  # fmt: skip
    claims = assign_parts(text, people, book)
    set_clauses(text, claims, book)
    return SentenceFacts(
        text=text,
        mentions=mentions,
        claims=claims,
        parties=find_parties(text, book, discourse.country),
        anaphors=find_anaphors(text, book),
        metrics=book.metrics(_blank_parentheses(text)),
        periods=periods,
        places=places_in(text),
        in_list=in_list,
    )


def _with_reporting_period(
    text: str, periods: list[tuple[int, int, Period]], discourse: Discourse
) -> list[tuple[int, int, Period]]:
    """A sentence that says what period the report covers sets it for the document ("The
    present report covers the period from 1 April to 15 July 2025"); "during the reporting
    period" then stands for that period."""
    book = discourse.book
    spans = [p for p in periods if p[2].start and p[2].end and p[2].start != p[2].end]
    if spans and (book.find("report_covers", text) or book.find("reporting_period", text)):
        if discourse.report_period is None:
            discourse.report_period = spans[0][2]
        return periods
    if discourse.report_period is None:
        return periods
    references = [
        (m.start, m.end, discourse.report_period)
        for m in book.find("reporting_period", text)
        if not any(s <= m.start < e for s, e, _ in periods)
    ]
    return sorted([*periods, *references], key=lambda p: p[0]) if references else periods


_TITLE_WORD = re.compile(r"\s+(?!(?:In|On|At|By|And|Of)\b)[A-Z][a-z]")


def _is_label_number(text: str, mention: Mention) -> bool:
    """A number that starts a title or a place name rather than counting: "38 Extrajudicial
    Killing Claims ...", "in 2 Syria", "16 United Nations Children's Fund"."""
    return (
        mention.kind is HeadKind.BARE
        and mention.metric is None
        and bool(_TITLE_WORD.match(text, mention.count.end))
    )


def _counts_cases(facts: SentenceFacts) -> bool:
    return any((m.group_raw or "").lower() in {"cases", "case"} for m in facts.mentions)


def _blank_parentheses(text: str) -> str:
    """The text with what parentheses hold blanked (same length), so a metric phrase reads
    across a breakdown: "victims of killing (32 boys, 15 girls) and maiming (19 boys)"."""
    return re.sub(r"\([^()]*\)", lambda m: " " * len(m.group(0)), text)


def _is_year(text: str, mention: Mention) -> bool:
    """A year, unless a victim noun follows it right away ("2017 civilians")."""
    if not looks_like_year(text, mention.count):
        return False
    if mention.kind is not HeadKind.VICTIMS or mention.group_raw is None:
        return True
    return text.find(mention.group_raw, mention.count.end) - mention.count.end > 3


def _is_article(text: str, mention: Mention, book: PhraseBook) -> bool:
    """ "un", "eine", "bir" count one only in front of a victim noun ("ein Kind") or standing
    alone before a preposition ("un par Hay'at Tahrir al-Sham"), not "einem Bericht"."""
    word = text[mention.count.start : mention.count.end].lower()
    if not mention.count.words or word not in book.numbers.articles:
        return False
    if mention.kind is HeadKind.VICTIMS and mention.group_raw is not None:
        between = text[mention.count.end : text.find(mention.group_raw, mention.count.end)]
        return len(between.split()) > 1 or bool(re.search(r"\d", between))
    following = re.match(r"\s*([^\W\d_]+)", text[mention.count.end :])
    prepositions = {
        p.lower() for p in (*book.phrases("agent_before"), *book.phrases("place_prepositions"))
    }
    return not (following and following.group(1).lower() in prepositions)


def _references(text: str, mentions: list[Mention]) -> set[int]:
    """Counts that repeat a total inside another count's words: the 503 of "four of the 503
    victims"."""
    found: set[int] = set()
    for first, second in pairwise(mentions):
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
    disease = bool(book.find("non_casualty_sentence", text))
    if disease or (discourse.disease and _counts_cases(facts)):
        discourse.disease = discourse.disease or disease  # "cholera ... 800,000 cases and"
        discourse.remember(facts.parties, set())  # "5,800 deaths": not victims of violence
        return []
    if not facts.claims:
        _learn_topic(facts, discourse)
    metrics = claim_metrics(facts, discourse)
    outer = _outer_total(facts, discourse, book, metrics[0] if metrics else None)
    if outer is not None:
        metrics = [part_metric(m, outer.metric) if m else outer.metric for m in metrics]
    groups: list[str] = []
    bindings: list[Binding] = []
    for index, claim in enumerate(facts.claims):
        previous_group = groups[-1] if groups else None
        if index and metrics[index] == "displaced" and metrics[index - 1] != "displaced":
            previous_group = None  # "killing of 129 civilians and the displacement of 300,000"
        previous = bindings[-1] if bindings else None
        groups.append(claim_group(facts, claim, previous_group, discourse, metrics[index]))
        bindings.append(claim_party(facts, claim, previous, metrics[index], discourse))
    bindings = share_agent_backwards(facts, bindings, book)
    if outer is not None and outer.binding.raw is not None:
        bindings = [
            b if b.attribution not in {"none", "document"} else
            Binding(outer.binding.raw, outer.binding.id, "sentence", outer.binding.party)
            for b in bindings
        ]  # fmt: skip
    frames: list[Frame] = []
    head_index: dict[int, int] = {}
    previous_period = outer.period if outer is not None else None  # "9 of those killed"
    for index, claim in enumerate(facts.claims):
        metric, group, binding = metrics[index], groups[index], bindings[index]
        if claim.parent is not None and id(claim.parent) in head_index and metric is not None:
            metric = part_metric(metric, frames[head_index[id(claim.parent)]].metric)
        if metric is not None and is_casualty(facts, claim, metric, book):
            parent = head_index.get(id(claim.parent)) if claim.parent else None
            if outer is not None and parent is None:
                parent = OUTER_PARENT
            head_index[id(claim)] = len(frames)
            new = _claim_frames(
                facts, claim, metric, group, binding, discourse, len(frames), parent,
                previous_period,
            )  # fmt: skip
            previous_period = new[0].period
            frames.extend(new)
    if groups:
        discourse.last_group = groups[0]  # the sentence's main victims, for the next ones
    agents = {f.binding.party.start for f in frames if f.binding.party is not None}
    discourse.remember(facts.parties, agents)
    discourse.after_frames(frames)
    if book.find("refuge_abroad", text):
        return _without_destinations(frames, discourse.country)
    return frames


def _without_destinations(frames: list[Frame], country: str | None) -> list[Frame]:
    """Drop displacement counts placed in another country in a sentence about refuge abroad:
    "132,000 have sought refuge in neighbouring countries: 23,000 in Uganda" says where
    refugees went, not that people were displaced in Uganda; a record has no destination."""
    if country is None:
        return frames
    dropped = {
        index for index, frame in enumerate(frames)
        if frame.metric == "displaced" and _foreign_country(frame.place_raw, country)
    }  # fmt: skip
    return without_items(frames, dropped)


def _foreign_country(place_raw: str | None, country: str) -> bool:
    if not place_raw:
        return False
    places = vocabulary("places")
    place = places.lookup(place_raw)
    if place is None or places.entry(place).attribute("level") != "country":
        return False
    return place.upper() != country.upper()


def _learn_topic(facts: SentenceFacts, discourse: Discourse) -> None:
    """A sentence without counts can still say whom the paragraph counts ("The number of
    civilians killed in Afghanistan rose ... 1,692 killed in violence")."""
    if not facts.metrics:
        return
    for match in victim_pattern().finditer(facts.text):
        group = vocabulary("victim_groups").lookup(match.group(0))
        if group not in {None, "people"}:
            discourse.last_group = match.group(0)
            return


def _outer_total(
    facts: SentenceFacts, discourse: Discourse, book: PhraseBook, metric: str | None
) -> Frame | None:
    """The total of the sentence before, when this one opens by breaking it down ("Among
    them, 57 were children", "The reported victims include 28 children and 16 women"), of
    the same metric when the part says one ("9 of those killed")."""
    discourse.outer = None
    if not facts.claims:
        return None
    first = facts.claims[0]
    markers = [m for m in book.find("breakdown", facts.text, 0, first.start) if m.start <= 40]
    opening_part = first.head.partitive and first.parent is None  # "679 amongst which were ..."
    if not (markers or opening_part):
        return None
    named = any(re.search(r"victim|dead|killed|opfer|victime|ضحايا", m.text, re.I) for m in markers)
    discourse.outer = discourse.total_for(first.head.count.value, largest=named, metric=metric)
    return discourse.outer[0] if discourse.outer else None


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
        if claim.joined_by not in {"and", ",", "et", "und", "y", "و"} or claim.parent is not None:
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
    previous_period=None,
) -> list[Frame]:
    book = discourse.book
    period = claim_period(facts, claim, discourse.default_period, previous_period)
    how_sure = certainty(facts, binding)
    place = claim_place(facts, claim.head, claim, discourse.scoped_place())
    head = Frame(claim.head, metric, group, binding, how_sure, parent, period, place)
    frames = [head]
    index_of = {id(claim.head): offset}
    for index, part in enumerate(claim.parts):
        if part.kind in _NOT_PEOPLE or part.rate or joint_group(facts, part):
            continue
        whole = claim.nested.get(id(part))
        upper = (
            frames[index_of[id(whole)] - offset]
            if whole is not None and id(whole) in index_of
            else head
        )
        own = _part_binding(facts, claim, index) or binding
        index_of[id(part)] = offset + len(frames)
        frames.append(
            Frame(
                part,
                part_metric(part.metric or _bracketing_metric(facts, part, book), upper.metric),
                _part_group(part, upper.group_raw),
                own,
                certainty(facts, own) if own is not binding else how_sure,
                index_of[id(upper.mention)],
                _part_period(facts, part, period),
                claim_place(facts, part) or place,
            )
        )
    return frames


def _bracketing_metric(facts: SentenceFacts, part: Mention, book: PhraseBook) -> str | None:
    """The metric of the word a parenthesis of parts follows: "victims of killing (32 boys,
    15 girls) and maiming (19 boys)"."""
    opening = facts.text.rfind("(", 0, part.start)
    if opening < 0 or ")" in facts.text[opening : part.start]:
        return None
    before = [
        m for m in book.metrics(facts.text, max(0, opening - 30), opening) if opening - m.end <= 2
    ]
    return before[-1].key if before else None


def _part_binding(facts: SentenceFacts, claim: Claim, index: int) -> Binding | None:
    """A part with an agent of its own ("..., dont 13 enfants et 6 femmes, et 6 personnes
    torturées par le régime syrien")."""
    part = claim.parts[index]
    following = claim.parts[index + 1].start if index + 1 < len(claim.parts) else claim.clause_end
    if part.metric_end is not None and part.metric != claim.head.metric:
        start = part.metric_end  # "6 personnes torturées par le régime"
    elif part.metric is None:
        start = part.end  # "including 550 at the hands of Syrian-Russian alliance forces"
    else:
        return None
    for party in facts.parties:
        if start <= party.start < min(following, start + 30) and party.strength is Strength.MARKED:
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
        if vocabulary("victim_groups").lookup(part.group_raw) == "people":
            return head_group  # "1,032 civilians, including ..., and 133 victims who died ..."
        return part.group_raw
    if part.kind is HeadKind.METRIC and part.group_raw:
        return part.group_raw
    return head_group


def _part_period(facts: SentenceFacts, part: Mention, head_period):
    for start, _end, period in facts.periods:
        if 0 <= start - part.end <= 12:
            return period
    return head_period
