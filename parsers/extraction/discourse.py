"""What a text has established by the time a sentence is read: the document's headline
(its period, what it counts, the party it is about), the section heading ("Second: ISIS"),
a list's introduction ("The dead include:"), the parties named so far (for "the group",
"these attacks") and the victims last counted (for "471 casualties", "19 others").

The frame step reads it; the pipeline updates it sentence by sentence.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from parsers.extraction.parties import Anaphor, Party, Strength, compatible
from parsers.extraction.phrases import PhraseBook
from parsers.periods import Period

# How many sentences back a pronoun or "these attacks" may reach for its party.
COREFERENCE_REACH = 3
# A release about one party's attacks states it with its first figure, near the top; the
# figures that follow in the next sentences and name no one are about the same party.
LEAD_OPENS_WITHIN = 8  # sentences
LEAD_REACH = 25  # sentences
TOTALS_KEPT = 12  # recent totals a later "Among them, ..." may break down


@dataclass(frozen=True)
class NamedParty:
    """A party named earlier in the text, for resolving references to it."""

    party: Party
    sentence: int
    agent: bool  # named as the one who acted (killed, shelled, carried out strikes)


@dataclass(frozen=True)
class Scope:
    """A party, group or metric set by a heading, a list or the headline, for the counts
    under it that name none themselves."""

    party_raw: str | None = None
    party_id: str | None = None
    group_raw: str | None = None
    metric: str | None = None
    place_raw: str | None = None


@dataclass
class Discourse:
    """The context carried from sentence to sentence through one document."""

    book: PhraseBook
    country: str | None
    published: date | None
    default_period: Period | None
    headline: Scope = field(default_factory=Scope)
    heading: Scope = field(default_factory=Scope)
    subheading: Scope = field(default_factory=Scope)
    group_scope: Scope = field(default_factory=Scope)
    listing: Scope | None = None
    named: list[NamedParty] = field(default_factory=list)
    last_group: str | None = None  # the victim group last counted in this paragraph
    disease: bool = False  # the paragraph is about a disease (its "cases" and "deaths")
    lead: Scope | None = None  # the party of the document's first figure, when stated
    lead_sentence: int = 0  # where the lead figure was read
    totals: list[tuple[Any, int | None]] = field(default_factory=list)  # (Frame, figure index)
    outer: tuple[Any, int | None] | None = None  # the total the sentence just read breaks down
    sentence: int = 0
    report_period: Period | None = None  # the period the report says it covers

    def new_paragraph(self) -> None:
        """A new paragraph: the victims last counted no longer carry over."""
        self.last_group = None
        self.disease = False

    def new_section(self, heading: Scope) -> None:
        """A top-level heading: a new party's section."""
        self.heading = heading
        self.subheading = Scope()
        self.group_scope = Scope()
        self.listing = None
        self.last_group = None

    def new_subsection(self, heading: Scope) -> None:
        """A sub-heading naming a party within the section ("• ISIL")."""
        self.subheading = heading
        self.group_scope = Scope()
        self.listing = None

    def group_heading(self, heading: Scope) -> None:
        """A sub-heading naming the victims of what follows ("a- Civilians:")."""
        self.group_scope = heading
        self.listing = None

    def remember(self, parties: list[Party], agents: set[int]) -> None:
        """Parties named in the sentence just read (their offsets in `agents` acted). A
        second party acting ends the lead's reach: the text is no longer about one party."""
        for party in parties:
            if party.id is not None and party.strength is not Strength.BLOCKED:
                acted = party.start in agents
                self.named.append(NamedParty(party, self.sentence, acted))
                ends_lead = acted and party.kind not in {"total", "other", "unknown"}
                if (
                    ends_lead
                    and self.lead is not None
                    and self.lead.party_id not in (None, party.id)
                ):
                    self.lead = Scope()
        self.sentence += 1

    def after_frames(self, frames: list) -> None:
        """Remember the party of the document's first figure: a release about one party's
        attacks ("The death toll from the Israeli aggression ... has risen to 12,200") keeps
        talking about them where a later sentence names no one."""
        heads = [f for f in frames if f.parent is None]
        if self.lead is not None or not heads:
            return
        first = heads[0]
        if first.mention.partitive:
            return  # "99 of them were killed by ...": about a part, not the document
        binding = first.binding
        self.lead_sentence = self.sentence
        if (
            binding.attribution in {"clause", "coreference"}
            and binding.raw
            and self.sentence <= LEAD_OPENS_WITHIN
        ):
            self.lead = Scope(binding.raw, binding.id)
        else:
            self.lead = Scope()

    @property
    def last_head(self) -> Any:
        """The last total counted (a Frame), for "Among them, 57 were children"."""
        return self.totals[-1][0] if self.totals else None

    def add_totals(self, frames: list, indexes: list[int]) -> None:
        """Remember the totals of the sentence just read (not a list's items by place) with
        their index among the document's figures."""
        listed = self.listing is not None and self.listing.place_raw
        for frame, index in zip(frames, indexes, strict=True):
            if frame.parent is None and frame.mention.place_raw is None and not listed:
                self.totals.append((frame, index))
        del self.totals[:-TOTALS_KEPT]

    def total_for(
        self, count: int, largest: bool = False, metric: str | None = None
    ) -> tuple[Any, int | None] | None:
        """The latest total a count can be a part of (it holds at least as many, and counts
        the same thing when the part says what); with `largest`, the largest recent total
        ("Amongst the victims, ..." names them all)."""
        fitting = [(f, i) for f, i in self.totals if f.mention.count.value >= count]
        if metric is not None and any(f.metric == metric for f, _ in fitting):
            fitting = [(f, i) for f, i in fitting if f.metric == metric]
        if not fitting:
            return None
        return max(fitting, key=lambda t: t[0].mention.count.value) if largest else fitting[-1]

    def scoped_party(self) -> tuple[str | None, str | None, str]:
        """The party a heading, list or headline sets: (raw, id, how it was decided)."""
        lead = self.lead if self.sentence - self.lead_sentence <= LEAD_REACH else None
        for scope, how in (
            (self.listing, "heading"),
            (self.subheading, "heading"),
            (self.heading, "heading"),
            (self.headline, "document"),
            (lead, "document"),
        ):
            if scope is not None and scope.party_raw:
                return scope.party_raw, scope.party_id, how
        return None, None, "none"

    def scoped_group(self) -> str | None:
        """The victim group a list or sub-heading sets ("a- Civilians:")."""
        for scope in (self.listing, self.group_scope, self.subheading, self.heading):
            if scope is not None and scope.group_raw:
                return scope.group_raw
        return None

    def scoped_place(self) -> str | None:
        """The place a list item's label names ("– Idlib: 26")."""
        return self.listing.place_raw if self.listing is not None else None

    def scoped_metric(self) -> str | None:
        """The metric a list introduction or the headline sets."""
        for scope in (self.listing, self.headline):
            if scope is not None and scope.metric:
                return scope.metric
        return None

    def resolve(self, anaphor: Anaphor, earlier: list[Party]) -> Party | None:
        """The party an anaphor names: the nearest compatible one named before it, in its
        own sentence first, then in the sentences just read; events ("these attacks") name
        the party that acted last."""
        for party in reversed(earlier):
            if party.strength is not Strength.BLOCKED and compatible(anaphor, party):
                return party
        recent = [
            n for n in reversed(self.named) if self.sentence - n.sentence <= COREFERENCE_REACH
        ]
        if anaphor.wants == "event":  # the party that acted last, else the last one named
            recent = [n for n in recent if n.agent] + [n for n in recent if not n.agent]
        for named in recent:
            if compatible(anaphor, named.party):
                return named.party
        return None

    def with_listing(self, listing: Scope | None) -> Discourse:
        """A copy reading a list under an introduction."""
        return replace(self, listing=listing)
