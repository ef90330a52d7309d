"""Canonical vocabularies (perpetrators, victim groups, metrics, places) read from data files.

Each vocabulary is one TOML file in `parsers/vocabularies/`: a table per canonical id with its
aliases by language. Matching is on a normalized key: case-folded, NFKC, Arabic diacritics and
tatweel removed, punctuation turned to spaces. The longest alias found as whole words wins;
aliases listed under `exact` only match a whole label. Spellings that name different
things in different countries ("government forces") sit in a country's table of the entry
(`[pro_government_forces.in.AF]`) and apply only to documents about that country (or to
documents whose country is unknown).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from importlib import resources

VOCABULARY_NAMES: tuple[str, ...] = ("perpetrators", "victim_groups", "metrics", "places")
LANGUAGE_KEYS: tuple[str, ...] = ("en", "fr", "ar", "de", "es", "tr")

_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")
_NON_WORD = re.compile(r"[^\w']+|(?<!\w)'|'(?!\w)")
_SPACES = re.compile(r"\s+")
_MEMO_SIZE = 50_000  # labels remembered (tables repeat the same few labels thousands of times)
_ALEF_VARIANTS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا"})


def normalize_key(text: str) -> str:
    """The matching key of a label: lower case, no accents on Arabic, punctuation as spaces."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _ARABIC_MARKS.sub("", text).translate(_ALEF_VARIANTS)
    text = text.replace("’", "'").replace("‘", "'").replace("`", "'")
    text = _NON_WORD.sub(" ", text)
    text = re.sub(r"^(the|les|la|le|l') ", "", _SPACES.sub(" ", text).strip())
    return text


@dataclass(frozen=True)
class Entry:
    """One canonical value of a vocabulary."""

    id: str
    label: str
    aliases: tuple[str, ...]
    exact: tuple[str, ...]
    attributes: tuple[tuple[str, str], ...]
    scoped: tuple[tuple[str, str], ...] = ()  # (country, alias) pairs
    acronyms: tuple[str, ...] = ()  # matched only as written, in capitals ("IS")

    def attribute(self, name: str) -> str | None:
        """An extra attribute of the entry (e.g. a metric's kind, a place's country)."""
        return dict(self.attributes).get(name)


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """A vocabulary with its alias index (one instance per data file, hashed by identity)."""

    name: str
    entries: tuple[Entry, ...]

    @cached_property
    def ids(self) -> frozenset[str]:
        """All canonical ids."""
        return frozenset(e.id for e in self.entries)

    def entry(self, canonical_id: str) -> Entry:
        """The entry of a canonical id (KeyError if unknown)."""
        for candidate in self.entries:
            if candidate.id == canonical_id:
                return candidate
        raise KeyError(canonical_id)

    def lookup(self, label: str | None, country: str | None = None) -> str | None:
        """The canonical id of a label, or None when no alias matches."""
        if not label:
            return None
        found = self.find(label, country)
        return found[0] if found else None

    def find(self, label: str, country: str | None = None) -> tuple[str, str] | None:
        """The (id, alias) of the longest alias found in a label as whole words; where the
        alias belongs to several entries, the one scoped to `country` wins."""
        return _find(self, label, country)

    @cached_property
    def _indexes(self) -> tuple[dict[str, _Ids], list[tuple[str, _Ids]]]:
        return _indexes(self)

    @staticmethod
    def _pick(ids: tuple[tuple[str, str | None], ...], country: str | None) -> str | None:
        """Among entries sharing an alias: the one scoped to the document's country, else an
        unscoped one; with no country known, the first. A spelling scoped to other
        countries never applies in a known country."""
        if country is None:
            return ids[0][0]
        scoped = [i for i, c in ids if c == country]
        unscoped = [i for i, c in ids if c is None]
        chosen: list[str | None] = [*scoped, *unscoped, None]
        return chosen[0]

    def _search(self, label: str, country: str | None) -> tuple[str, str] | None:
        key = normalize_key(label)
        if not key:
            return None
        exact_index, contained_index = self._indexes
        picked = self._pick(exact_index[key], country) if key in exact_index else None
        if picked is not None:
            return picked, key
        padded = f" {key} "
        for alias, ids in contained_index:
            if f" {alias} " in padded:
                picked = self._pick(ids, country)
                if picked is not None:
                    return picked, alias
        return None

    @cached_property
    def acronyms(self) -> tuple[str, ...]:
        """Aliases matched only in capitals in running text ("IS", "EI")."""
        return tuple(a for entry in self.entries for a in entry.acronyms)


@lru_cache(maxsize=_MEMO_SIZE)
def _find(vocabulary: Vocabulary, label: str, country: str | None) -> tuple[str, str] | None:
    return vocabulary._search(label, country)


_Ids = tuple[tuple[str, str | None], ...]  # (canonical id, country of the spelling or None)


def _indexes(vocabulary: Vocabulary) -> tuple[dict[str, _Ids], list[tuple[str, _Ids]]]:
    exact: dict[str, list[tuple[str, str | None]]] = {}
    contained: dict[str, list[tuple[str, str | None]]] = {}
    for entry in vocabulary.entries:
        spellings = [(a, None) for a in entry.aliases] + [(a, c) for c, a in entry.scoped]
        for alias, country in spellings:
            key = normalize_key(alias)
            _append(exact, key, (entry.id, country))
            _append(contained, key, (entry.id, country))
        for alias in (*entry.exact, *entry.acronyms):
            _append(exact, normalize_key(alias), (entry.id, None))
    ordered = sorted(contained.items(), key=lambda item: (-len(item[0]), item[0]))
    return (
        {k: tuple(v) for k, v in exact.items()},
        [(k, tuple(v)) for k, v in ordered],
    )


def _append(
    index: dict[str, list[tuple[str, str | None]]], key: str, value: tuple[str, str | None]
) -> None:
    ids = index.setdefault(key, [])
    if value not in ids:
        ids.append(value)


@cache
def vocabulary(name: str) -> Vocabulary:
    """Load one vocabulary from its data file (cached)."""
    if name not in VOCABULARY_NAMES:
        raise KeyError(f"unknown vocabulary {name!r}; known: {', '.join(VOCABULARY_NAMES)}")
    raw = resources.files("parsers.vocabularies").joinpath(f"{name}.toml").read_text("utf-8")
    data = tomllib.loads(raw)
    entries = []
    for canonical_id, body in data.items():
        aliases = tuple(alias for lang in LANGUAGE_KEYS for alias in body.get(lang, []))
        extra = tuple(
            (k, str(v))
            for k, v in body.items()
            if k not in {*LANGUAGE_KEYS, "exact", "label", "in"} and not isinstance(v, list)
        )
        scoped = tuple(
            (country, alias)
            for country, table in body.get("in", {}).items()
            for lang in LANGUAGE_KEYS
            for alias in table.get(lang, [])
        )
        lists = tuple((k, tuple(v)) for k, v in body.items() if k == "demonyms")
        entries.append(
            Entry(
                id=canonical_id,
                label=body.get("label", canonical_id),
                aliases=aliases,
                exact=tuple(body.get("exact", [])),
                attributes=extra + tuple((k, "|".join(v)) for k, v in lists),
                scoped=scoped,
                acronyms=tuple(body.get("acronyms", [])),
            )
        )
    return Vocabulary(name=name, entries=tuple(entries))


def perpetrator_id(label: str | None, country: str | None = None) -> str | None:
    """Canonical perpetrator id of a raw label (in a country, where spellings differ)."""
    return vocabulary("perpetrators").lookup(label, country)


def victim_group_id(label: str | None) -> str | None:
    """Canonical victim group id of a raw label."""
    return vocabulary("victim_groups").lookup(label)


def metric_id(label: str | None) -> str | None:
    """Canonical metric id of a raw label."""
    return vocabulary("metrics").lookup(label)


def place_id(label: str | None, country: str | None = None) -> str | None:
    """Canonical place id of a raw label (in a country, where names repeat)."""
    return vocabulary("places").lookup(label, country)
