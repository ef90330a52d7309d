"""Casualty figures in running prose, in any language that has a phrase book.

"Syrian regime forces killed 93 civilians, including 21 children and 11 women" becomes three
figures: 93 civilians (perpetrator: Syrian regime forces), and 21 children and 11 women, each
pointing at the 93 as its parent. The text goes through small named steps
(`parsers/extraction/`), each one testable on its own:

1. units: lines told apart (headings, list introductions, "label: ..." items, running text)
   and cleaned ("29individuals" → "29 individuals"), with a map back to the original offsets;
2. counts: the numbers that can be counts, with their qualifier, never dates or symbols;
3. mentions: what the words right after each count say it counts;
4. clauses: which counts break another down, and each claim's clause;
5. parties: who the sentence names, and in which role;
6. frames: each claim bound to its metric, victims, perpetrator (clause, sentence,
   reference, heading or headline), period and place, or dropped as not a casualty figure;
7. figures: frames as `Figure`s with their locator and snippet.

Pure: text in, `Figure`s out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from parsers.extraction.country import infer_country
from parsers.extraction.discourse import Discourse, Scope
from parsers.extraction.frames import OUTER_PARENT, Frame
from parsers.extraction.parties import Strength, find_parties
from parsers.extraction.phrases import PhraseBook, detect_language, phrase_book
from parsers.extraction.restatements import (
    attribute_remainders,
    drop_headline_restatements,
    drop_restatements,
    retro_attribute,
)
from parsers.extraction.sentence import read_sentence
from parsers.extraction.units import (
    Clean,
    clean,
    is_heading_marked,
    label_of,
    starts_with_bullet,
    strip_ordinal,
)
from parsers.model import Figure, Locator
from parsers.periods import Period
from parsers.text_units import Span, lines, sentences
from parsers.vocabulary import vocabulary

_SNIPPET_LIMIT = 280
_HEADLINE_WORDS = 30


@dataclass(frozen=True)
class _Where:
    """Where figures are being read: locator kind, page, offset of the text in its page."""

    kind: str
    page: int | None
    base_offset: int


def extract_figures(
    text: str,
    *,
    published: date | None = None,
    default_period: Period | None = None,
    locator_kind: str = "text",
    page: int | None = None,
    base_offset: int = 0,
    title: str | None = None,
    country: str | None = None,
    language: str | None = None,
) -> list[Figure]:
    """All casualty figures stated in a text, in reading order.

    `default_period` (usually the headline's period) applies to figures whose sentence names
    none; `base_offset` shifts character spans when the text is one piece of a larger one;
    `country` (ISO 3166 alpha-2) scopes the vocabularies, guessed from the text when absent.
    """
    language = language or detect_language(text[:4000])
    country = country or infer_country(text)
    book = phrase_book(language)
    discourse = Discourse(book, country, published, default_period)
    discourse.headline = headline_scope(title, text, book, country)
    reader = _Reader(discourse, _Where(locator_kind, page, base_offset))
    for line in lines(text):
        reader.read_line(line)
    figures = drop_restatements(attribute_remainders(reader.figures))
    start, end = _headline_span(text)
    return drop_headline_restatements(figures, base_offset + start, base_offset + end)


def _headline_span(text: str) -> tuple[int, int]:
    """Where the document's headline is: its first heading among the first lines of a page
    ("# ..."), else its first line when that reads as a headline; (0, 0) when none."""
    offset = 0
    first_lines = text.split("\n", 4)[:4]
    for line in first_lines:
        if is_heading_marked(line) and _is_headline(line):
            return offset, offset + len(line)
        offset += len(line) + 1
    first = next((line for line in first_lines if line.strip()), "")
    if not _is_headline(first):
        return 0, 0
    start = text.find(first)
    return start, start + len(first)


_OF_WHOM = re.compile(r"\bamongst\s+which|\bof\s+whom", re.I)


def headline_scope(title: str | None, text: str, book: PhraseBook, country: str | None) -> Scope:
    """What the headline says the whole document is about: the one party it names as acting,
    what it counts (torture deaths) and the group (civilians)."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    candidates = [t for t in (title, first) if t and _is_headline(t)]
    party_raw = party_id = metric = group = None
    for candidate in candidates:
        text = candidate.lstrip("# ")
        part = book.find("breakdown", text) + book.find("victim_anaphor", text)
        opens_part = min([m.start for m in part] + [len(text)])
        parties = [
            p for p in find_parties(text, book, country)
            if p.strength is not Strength.BLOCKED and p.kind not in {"total", "other"}
            and p.start < opens_part and not _OF_WHOM.search(text[: p.start])
        ]  # fmt: skip
        if len({p.id for p in parties}) == 1 and party_raw is None:
            party_raw, party_id = parties[0].raw, parties[0].id
        found = {m.key for m in book.metrics(candidate)}
        civilians = vocabulary("victim_groups").find(candidate)
        other_counts = re.search(r"massacre|civilian", candidate, re.I) or (
            civilians and civilians[0] == "civilians"
        )
        if metric is None and "died_under_torture" in found and not other_counts:
            metric = "died_under_torture"  # a torture report: its "killed" are torture deaths
        victims = vocabulary("victim_groups").find(candidate)
        if group is None and victims and victims[0] == "civilians":
            group = victims[1]
    return Scope(party_raw, party_id, group, metric)


def _is_headline(text: str) -> bool:
    stripped = text.strip().lstrip("# ")
    return (
        bool(stripped)
        and len(stripped.split()) <= _HEADLINE_WORDS
        and not re.search(r"[.!?]$", stripped)
    )


class _Reader:
    """Reads a document line by line, keeping the figures found so far (a later sentence
    can name the perpetrator of an earlier one: "All of them were killed at the hands of
    ...")."""

    def __init__(self, discourse: Discourse, where: _Where) -> None:
        self.discourse = discourse
        self.where = where
        self.figures: list[Figure] = []
        self.last_sentence: list[int] = []  # indexes of the previous sentence's figures
        self.list_total: int | None = None  # the total a list breaks down ("as follows:")

    def read_line(self, line: Span) -> None:
        """The figures of one line: a heading or list introduction sets context and yields
        none; a list item is read under its label; running text sentence by sentence."""
        discourse = self.discourse
        marked = is_heading_marked(line.text)
        body = Span(line.text[2:], line.start + 2) if marked else line
        book = _paragraph_book(body.text, discourse)
        if _read_heading(body.text, discourse, book, marked):
            return
        if _introduces_list(body.text):
            discourse.listing = _list_scope(body.text, discourse, book)
            self.list_total = self._total_broken_down(body.text)
            return
        item = _list_item(body, discourse, book)
        if item is not None:
            first = len(self.figures)
            self._read_sentences(item[0], book, in_list=True, scope=item[1])
            self._link_to_list_total(first)
            return
        in_list = discourse.listing is not None and _continues_list(body.text)
        if not in_list and starts_with_bullet(body.text) and discourse.last_head is not None:
            # "A. 33 civilians, including nine children." under "Third: Armed opposition"
            discourse.listing = Scope(metric=discourse.last_head.metric)
            in_list = True
        if not in_list:
            discourse.listing = None
            discourse.new_paragraph()
            self.list_total = None
        first = len(self.figures)
        self._read_sentences(body, book, in_list=in_list)
        if in_list:
            self._link_to_list_total(first)
        if _LIST_FOLLOWS.search(body.text):  # "... the death of 70 people by ..., as follows:"
            discourse.listing = _list_scope(body.text.rsplit(".", 1)[-1], discourse, book)
            self.list_total = self._total_broken_down(body.text)

    def _total_broken_down(self, intro: str) -> int | None:
        """The figure a list introduced as its breakdown divides up: the largest total of
        the sentence just read ("the death of 1,210 people. They are distributed as
        follows:")."""
        if not _BREAKDOWN_INTRO.search(intro):
            return None
        heads = [i for i in self.last_sentence if self.figures[i].parent is None]
        return max(heads, key=lambda i: self.figures[i].count) if heads else None

    def _link_to_list_total(self, first: int) -> None:
        """The list's totals from `first` on are parts of the total the list breaks down."""
        if self.list_total is None or self.list_total >= len(self.figures):
            return
        total = self.figures[self.list_total]
        for index in range(first, len(self.figures)):
            figure = self.figures[index]
            if (
                figure.parent is None
                and figure.metric == total.metric
                and (figure.count <= total.count)
            ):
                self.figures[index] = replace(figure, parent=self.list_total)

    def _read_sentences(
        self, body: Span, book: PhraseBook, in_list: bool, scope: Scope | None = None
    ) -> None:
        discourse = self.discourse
        cleaned = clean(body.text)
        saved = discourse.listing
        if scope is not None:
            discourse.listing = _merge(saved, scope)
        for sentence in sentences(Span(cleaned.text, 0)):
            frames = read_sentence(sentence.text, discourse, book, in_list)
            outer = discourse.outer or (None, None)
            if not frames:
                retro_attribute(sentence.text, book, discourse, self.figures, self.last_sentence)
                continue
            offset = len(self.figures)
            self.figures.extend(
                _figures(frames, sentence, cleaned, body, self.where, offset, outer)
            )
            self.last_sentence = list(range(offset, len(self.figures)))
            discourse.add_totals(frames, self.last_sentence)
        if scope is not None:
            discourse.listing = saved


_YEARS = re.compile(r"\b(?:19|20)\d\d\b")
# A list introduction that says its items divide a total up.
_BREAKDOWN_INTRO = re.compile(
    r"\b(?:as\s+follows|distributed|broken\s+down|breakdown|divided|comme\s+suit|"
    r"répartis|wie\s+folgt|verteilt|de\s+la\s+siguiente\s+manera|distribuidos|şöyle)\b",
    re.I,
)
_LIST_FOLLOWS = re.compile(
    r"\b(?:as\s+follows|distributed|following|detailed|breakdown|below|comme\s+suit|wie\s+folgt)\b[^.]*:\s*$",
    re.I,
)


# "We documented the following deaths." introduces a list as a colon does.
_THE_FOLLOWING = re.compile(r"\b(?:the\s+following|les\s+suivant|folgende)\w*\b[^.:;]*\.\s*$", re.I)


def _introduces_list(text: str) -> bool:
    """A line without counts that announces a list: it ends with a colon, or it says "the
    following ..." and ends."""
    if re.search(r"\d", _YEARS.sub("", text)):
        return False
    stripped = text.rstrip()
    return stripped.endswith(":") or bool(_THE_FOLLOWING.search(stripped))


def _continues_list(text: str) -> bool:
    """A line that goes on with a list: a bullet, a short line with a number, or a line
    that starts with its count ("279 FSA members, most of whom ..."); not a numbered
    paragraph ("1. The Syrian Network ...")."""
    if re.match(r"^\d{1,2}[.)]\s+[A-Z]", text):
        return False
    return (
        starts_with_bullet(text)
        or (len(text.split()) <= 6 and bool(re.search(r"\d", text)))
        or bool(re.match(r"^\d", text))
    )


def _paragraph_book(text: str, discourse: Discourse) -> PhraseBook:
    """The phrase book of a paragraph: its own language when it clearly has one (a French
    quote in an English page), else the document's."""
    if len(text.split()) < 8:
        return discourse.book
    language = detect_language(text, fallback=discourse.book.language)
    return phrase_book(language)


def _read_heading(text: str, discourse: Discourse, book: PhraseBook, marked: bool) -> bool:
    """A heading line ("1- Government Forces:", "a- Civilians:", "• ISIL:"): it sets the
    party or group of the lines under it. True when the line was one."""
    body, ordinal, sub_level = strip_ordinal(text.strip())
    if re.search(r"\d", body) or not body.strip():
        return False
    if any(a.start <= 8 for a in book.find("victim_anaphor", body)) and book.metrics(body):
        return False  # "All of them were killed at the hands of ...": a sentence
    if _number_words(body, book) and book.metrics(body):
        return False  # "The report recorded one incident of death under torture by ..."
    words = len(body.split())
    short = words <= 12 and not re.search(r"[.,;?!]$", text.strip())
    if not (marked or ordinal or short) or (ordinal and words > 16):
        return False
    if body.rstrip().endswith(":") and not (ordinal or marked):
        return False  # a list introduction
    scope = _heading_scope(body, book, discourse.country)
    if scope.group_raw and not scope.party_raw:
        discourse.group_heading(scope)
    elif sub_level:
        discourse.new_subsection(scope)
    else:
        discourse.new_section(scope)
    if re.search(r"\b(?:distributed|as\s+follows|breakdown|by\s+governorate)\b", body, re.I):
        discourse.listing = _list_scope(body, discourse, book)
    return True


def _number_words(text: str, book: PhraseBook) -> bool:
    words = {w.lower() for w in re.findall(r"[^\W\d_]+", text)}
    return bool(words & set(book.numbers.units))


def _heading_scope(body: str, book: PhraseBook, country: str | None) -> Scope:
    label = body.strip(" :.-")
    parties = [p for p in find_parties(label, book, country) if p.strength is not Strength.BLOCKED]
    party_raw = parties[-1].raw if parties else None
    party_id = parties[-1].id if parties else None
    if party_raw is None and vocabulary("perpetrators").lookup(label, country):
        party_raw, party_id = label, vocabulary("perpetrators").lookup(label, country)
    group = None
    if len(label.split()) <= 3 and party_raw is None:
        found = vocabulary("victim_groups").find(label)
        group = label if found else None
    return Scope(party_raw, party_id, group, None)


def _list_scope(text: str, discourse: Discourse, book: PhraseBook) -> Scope:
    """What a list's introduction says its items count ("The dead include:", "Deaths by
    party:", "distributed as follows:")."""
    found = [m for m in book.metrics(text) if m.key not in {"massacres", "attacks"}]
    metric = found[0].key if found else None
    if discourse.last_head is not None and metric in (None, "killed"):
        last = discourse.last_head.metric  # "The details are as follows:"
        metric = last if metric is None or last == "died_under_torture" else metric
    victims = vocabulary("victim_groups").find(text)
    group = None
    if victims and victims[0] != "people":
        group = victims[1]
    parties = [
        p for p in find_parties(text, book, discourse.country) if p.strength is not Strength.BLOCKED
    ]
    party = parties[-1] if parties else None
    return Scope(party.raw if party else None, party.id if party else None, group, metric)


def _list_item(line: Span, discourse: Discourse, book: PhraseBook) -> tuple[Span, Scope] | None:
    """A "label: ..." line whose label is a party, a place or a victim group ("– Regime
    forces: 61", "Idlib: 7", "I. Regime Streitkräfte: 11, dabei wurden 132 Personen ...")."""
    found = label_of(line.text)
    if found is None:
        return None
    label, rest, rest_start = found
    label, _, _ = strip_ordinal(label)
    nested = label_of(rest.lstrip(" -–"))
    if nested is not None and _label_scope(nested[0], book, discourse):
        inner = rest.lstrip(" -–")
        rest_start += len(rest) - len(inner) + nested[2]
        rest, label = nested[1], nested[0]
    scope = _label_scope(label, book, discourse)
    if scope is None or not re.search(
        r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten)\b", rest, re.I
    ):
        return None
    value = line.text[rest_start:]
    bare = re.fullmatch(r"(\s*\d[\d,.\u00a0 ]*?)\.\s*", value)  # "ISIS members: 40."
    if bare:
        value = bare.group(1)  # the full stop ends the item; "40." is not a list ordinal
    return Span(value, line.start + rest_start), scope


def _label_scope(label: str, book: PhraseBook, discourse: Discourse) -> Scope | None:
    """What a list item's label says: the party that killed ("Regime forces: 61"), the
    victims counted ("ISIS members: 40", "Members of HTS and other factions: 143": a party's
    members are victims here), or the place ("Idlib: 7")."""
    country = discourse.country
    found = find_parties(label, book, country)
    parties = [p for p in found if p.strength is not Strength.BLOCKED]
    victims = vocabulary("victim_groups").lookup(label)
    if parties:
        return Scope(parties[-1].raw, parties[-1].id, None, None)
    if found and victims and len(label.split()) <= 7:
        return Scope(None, None, label, None)  # the party's members were the ones killed
    party_id = None if found else vocabulary("perpetrators").lookup(label, country)
    if party_id:
        return Scope(label, party_id, None, None)
    if vocabulary("places").lookup(label):
        return Scope(None, None, None, None, label)
    if victims and len(label.split()) <= 4:
        return Scope(None, None, label, None)
    return None


def _merge(listing: Scope | None, item: Scope) -> Scope:
    if listing is None:
        return item
    return Scope(
        item.party_raw or listing.party_raw,
        item.party_id or listing.party_id,
        item.group_raw or listing.group_raw,
        item.metric or listing.metric,
        item.place_raw or listing.place_raw,
    )


def _figures(
    frames: list[Frame],
    sentence: Span,
    cleaned: Clean,
    body: Span,
    where: _Where,
    offset: int,
    outer: tuple[Frame | None, int | None],
) -> list[Figure]:
    snippet_text = body.text[
        cleaned.original(sentence.start) - 0 : cleaned.original(sentence.end - 1) + 1
    ]
    figures = []
    for frame in frames:
        count = frame.mention.count
        start = body.start + cleaned.original(sentence.start + count.start)
        end = body.start + cleaned.original(sentence.start + count.end - 1) + 1
        parent_note = None
        parent = None
        head_frame = outer[0]
        if frame.parent == OUTER_PARENT and head_frame is not None:
            parent = outer[1]
            parent_note = f"part of {head_frame.mention.count.value} {head_frame.group_raw}"
        elif frame.parent is not None and frame.parent >= 0:
            head = frames[frame.parent]
            parent = offset + frame.parent
            parent_note = f"part of {head.mention.count.value} {head.group_raw}"
        figures.append(
            Figure(
                metric=frame.metric,
                count=count.value,
                count_high=count.high,
                qualifier=count.qualifier,
                victim_raw=frame.group_raw,
                perpetrator_raw=frame.binding.raw,
                period_raw=None,
                place_raw=frame.place_raw,
                locator=Locator(
                    kind=where.kind,  # type: ignore[arg-type]
                    page=where.page,
                    char_start=where.base_offset + start,
                    char_end=where.base_offset + end,
                    parent_note=parent_note,
                ),
                snippet=_snippet(
                    snippet_text, start - body.start - cleaned.original(sentence.start)
                ),
                parent=parent,
                certainty=frame.certainty,
                attribution=frame.binding.attribution,
            ).with_period(frame.period)
        )
    return figures


def _snippet(sentence: str, at: int) -> str:
    """The sentence a number was read from, cut around the number when long."""
    if len(sentence) <= _SNIPPET_LIMIT:
        return sentence
    left = max(0, at - _SNIPPET_LIMIT // 2)
    right = min(len(sentence), left + _SNIPPET_LIMIT)
    prefix = "…" if left else ""
    suffix = "…" if right < len(sentence) else ""
    return prefix + sentence[left:right].strip() + suffix
