"""Canonical vocabularies (perpetrators, victim groups, metrics, places) read from data files.

Each vocabulary is one TOML file in `parsers/vocabularies/`: a table per canonical id with its
aliases by language. Matching is on a normalized key: case-folded, NFKC, Arabic diacritics and
tatweel removed, punctuation turned to spaces. The longest alias found as whole words wins;
aliases listed under `exact` only match a whole label.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources

VOCABULARY_NAMES: tuple[str, ...] = ("perpetrators", "victim_groups", "metrics", "places")
LANGUAGE_KEYS: tuple[str, ...] = ("en", "fr", "ar")

_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")
_NON_WORD = re.compile(r"[^\w']+|(?<!\w)'|'(?!\w)")
_SPACES = re.compile(r"\s+")
_MEMO_LIMIT = 50_000  # labels remembered per vocabulary
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

    def attribute(self, name: str) -> str | None:
        """An extra attribute of the entry (e.g. a metric's kind, a place's country)."""
        return dict(self.attributes).get(name)


@dataclass(frozen=True)
class Vocabulary:
    """A vocabulary with its alias index."""

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

    def lookup(self, label: str | None) -> str | None:
        """The canonical id of a label, or None when no alias matches."""
        if not label:
            return None
        found = self.find(label)
        return found[0] if found else None

    def find(self, label: str) -> tuple[str, str] | None:
        """The (id, alias) of the longest alias found in a label as whole words.

        Results are remembered per label: tables repeat the same few labels thousands of times.
        """
        memo = self._found
        if label not in memo:
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
            memo[label] = self._search(label)
        return memo[label]

    @cached_property
    def _found(self) -> dict[str, tuple[str, str] | None]:
        return {}

    @cached_property
    def _indexes(self) -> tuple[dict[str, str], list[tuple[str, str]]]:
        return _indexes(self)

    def _search(self, label: str) -> tuple[str, str] | None:
        key = normalize_key(label)
        if not key:
            return None
        exact_index, contained_index = self._indexes
        if key in exact_index:
            return exact_index[key], key
        padded = f" {key} "
        for alias, canonical_id in contained_index:
            if f" {alias} " in padded:
                return canonical_id, alias
        return None


def _indexes(vocabulary: Vocabulary) -> tuple[dict[str, str], list[tuple[str, str]]]:
    exact: dict[str, str] = {}
    contained: list[tuple[str, str]] = []
    for entry in vocabulary.entries:
        for alias in entry.aliases:
            key = normalize_key(alias)
            exact.setdefault(key, entry.id)
            contained.append((key, entry.id))
        for alias in entry.exact:
            exact.setdefault(normalize_key(alias), entry.id)
    contained.sort(key=lambda item: (-len(item[0]), item[0]))
    return exact, contained


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
            if k not in {*LANGUAGE_KEYS, "exact", "label"} and not isinstance(v, list)
        )
        entries.append(
            Entry(
                id=canonical_id,
                label=body.get("label", canonical_id),
                aliases=aliases,
                exact=tuple(body.get("exact", [])),
                attributes=extra,
            )
        )
    return Vocabulary(name=name, entries=tuple(entries))


def perpetrator_id(label: str | None) -> str | None:
    """Canonical perpetrator id of a raw label."""
    return vocabulary("perpetrators").lookup(label)


def victim_group_id(label: str | None) -> str | None:
    """Canonical victim group id of a raw label."""
    return vocabulary("victim_groups").lookup(label)


def metric_id(label: str | None) -> str | None:
    """Canonical metric id of a raw label."""
    return vocabulary("metrics").lookup(label)


def place_id(label: str | None) -> str | None:
    """Canonical place id of a raw label."""
    return vocabulary("places").lookup(label)
