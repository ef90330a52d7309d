"""The phrases of each language the prose grammar reads: kill and injure verbs, breakdown
markers, agent prepositions, qualifiers, number words. They are data, one TOML file per
language in `parsers/vocabularies/languages/`, so adding a language is adding a file.

A phrase is plain text; `*` at either end of a word matches any continuation of it ("kill*"
matches killed and killing), spaces match any whitespace and a hyphen matches a hyphen or a
space. Matching is case-insensitive and on whole words.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from typing import Any

DEFAULT_LANGUAGE = "en"
METRIC_ORDER: tuple[str, ...] = (
    "casualties",
    "died_under_torture",
    "killed",
    "injured",
    "detained",
    "forcibly_disappeared",
    "displaced",
    "massacres",
    "attacks",
)
_ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")
_WORD = re.compile(r"[^\W\d_]+")
_ARABIC_PREFIX = "(?:[وفبلك]|وب|ول|فب)?"


@dataclass(frozen=True)
class PhraseMatch:
    """A phrase found in a text: its span, its text and the key of its list (e.g. a metric)."""

    start: int
    end: int
    text: str
    key: str


def phrase_regex(phrase: str, language: str = DEFAULT_LANGUAGE) -> str:
    """One phrase as a regex (without the word boundaries)."""
    words = phrase.strip().split()
    parts = []
    for index, word in enumerate(words):
        head = r"\w*" if word.startswith("*") else ""
        tail = r"\w*" if word.endswith("*") and len(word) > 1 else ""
        core = word.strip("*")
        core = (
            re.escape(core).replace(r"\-", r"[\s\-]*").replace("'", "['’]?").replace("’", "['’]?")
        )
        if language == "ar" and index == 0 and not head:
            head = _ARABIC_PREFIX
        parts.append(head + core + tail)
    return r"\s+".join(parts)


def _bounded(phrase: str, body: str) -> str:
    core = phrase.strip("*")
    before = r"(?<!\w)" if core[:1].isalnum() or phrase.startswith("*") else ""
    after = r"(?!\w)" if core[-1:].isalnum() or phrase.endswith("*") else ""
    return before + body + after


def compile_phrases(phrases: Iterable[str], language: str = DEFAULT_LANGUAGE) -> re.Pattern[str]:
    """All phrases as one case-insensitive regex, longest first; never matches when empty."""
    unique = sorted({p for p in phrases if p.strip()}, key=lambda p: (-len(p), p))
    if not unique:
        return re.compile(r"(?!x)x")
    body = "|".join(_bounded(p, phrase_regex(p, language)) for p in unique)
    return re.compile(f"(?:{body})", re.IGNORECASE)


@dataclass(frozen=True)
class NumberWords:
    """Number words of a language: units (one..ninety), scales (hundred, thousand...)."""

    units: dict[str, int]
    scales: dict[str, int]
    joiners: tuple[str, ...]
    articles: tuple[str, ...]
    decimal_separator: str
    duals: dict[str, str]  # Arabic: a noun in the dual counts two ("سيدتين" -> "سيدة")
    idioms: tuple[str, ...] = ()  # phrases opening with a number word that count nothing

    def idiom_at(self, text: str, start: int) -> bool:
        """Whether an idiom ("bir çok", "one another") starts at `start`."""
        following = text[start : start + 40].lower()
        return any(
            following.startswith(i) and not following[len(i) : len(i) + 1].isalnum()
            for i in self.idioms
        )

    @cached_property
    def all_words(self) -> frozenset[str]:
        """Every word that can be part of a number written in words."""
        return frozenset(self.units) | frozenset(self.scales)


class PhraseBook:
    """The phrase lists of one language, with their compiled patterns."""

    def __init__(self, language: str, data: dict[str, Any]) -> None:
        self.language = language
        self._data = data
        self._patterns: dict[str, re.Pattern[str]] = {}

    @property
    def detect_words(self) -> frozenset[str]:
        """Frequent words that identify the language."""
        return frozenset(w.lower() for w in self._data.get("detect", []))

    def phrases(self, category: str) -> tuple[str, ...]:
        """The phrases of a grammar list ("breakdown", "agent_before", ...)."""
        return tuple(self._data.get("grammar", {}).get(category, ()))

    def pattern(self, category: str) -> re.Pattern[str]:
        """The compiled pattern of a grammar list."""
        if category not in self._patterns:
            self._patterns[category] = compile_phrases(self.phrases(category), self.language)
        return self._patterns[category]

    def find(
        self, category: str, text: str, start: int = 0, end: int | None = None
    ) -> list[PhraseMatch]:
        """Matches of a grammar list in text[start:end]."""
        pattern = self.pattern(category)
        stop = len(text) if end is None else end
        return [
            PhraseMatch(m.start(), m.end(), m.group(0), category)
            for m in pattern.finditer(text, start, stop)
        ]

    @cached_property
    def metric_patterns(self) -> tuple[tuple[str, re.Pattern[str]], ...]:
        """(metric id, pattern) in priority order: combined and specific metrics first."""
        metrics = self._data.get("metrics", {})
        return tuple(
            (metric, compile_phrases(metrics[metric], self.language))
            for metric in METRIC_ORDER
            if metrics.get(metric)
        )

    def metrics(self, text: str, start: int = 0, end: int | None = None) -> list[PhraseMatch]:
        """Metric words of text[start:end], without overlaps (a more specific metric's phrase
        wins over the phrases inside it), in reading order."""
        stop = len(text) if end is None else end
        found: list[PhraseMatch] = []
        for metric, pattern in self.metric_patterns:
            for m in pattern.finditer(text, start, stop):
                if all(m.end() <= f.start or m.start() >= f.end for f in found):
                    found.append(PhraseMatch(m.start(), m.end(), m.group(0), metric))
        return sorted(found, key=lambda f: f.start)

    @cached_property
    def qualifier_patterns(self) -> tuple[tuple[str, re.Pattern[str]], ...]:
        """(qualifier, pattern of its phrases ending right before a number)."""
        data = self._data.get("qualifiers", {})
        result = []
        for qualifier in ("at_least", "more_than", "approximately", "at_most", "less_than"):
            phrases = data.get(qualifier, [])
            if phrases:
                body = "|".join(
                    phrase_regex(p, self.language)
                    for p in sorted(phrases, key=lambda p: (-len(p), p))
                )
                result.append((qualifier, re.compile(rf"(?<!\w)(?:{body})\s*$", re.IGNORECASE)))
        return tuple(result)

    @cached_property
    def qualifier_after_patterns(self) -> tuple[tuple[str, re.Pattern[str]], ...]:
        """(qualifier, pattern of its phrases written right after a number)."""
        after = self._data.get("qualifiers", {}).get("after", {})
        return tuple(
            (qualifier, compile_phrases(phrases, self.language))
            for qualifier, phrases in after.items()
            if phrases
        )

    @cached_property
    def numbers(self) -> NumberWords:
        """The language's number words."""
        data = self._data.get("numbers", {})
        return NumberWords(
            units={k.lower(): int(v) for k, v in data.get("units", {}).items()},
            scales={k.lower(): int(v) for k, v in data.get("scales", {}).items()},
            joiners=tuple(data.get("joiners", [])),
            articles=tuple(a.lower() for a in data.get("articles", [])),
            decimal_separator=data.get("decimal_separator", "."),
            duals=dict(data.get("duals", {})),
            idioms=tuple(i.lower() for i in data.get("idioms", [])),
        )


@cache
def phrase_book(language: str) -> PhraseBook:
    """The phrase book of a language (English when the language has no file)."""
    folder = resources.files("parsers.vocabularies").joinpath("languages")
    path = folder.joinpath(f"{language}.toml")
    if not path.is_file():
        path = folder.joinpath(f"{DEFAULT_LANGUAGE}.toml")
        language = DEFAULT_LANGUAGE
    return PhraseBook(language, tomllib.loads(path.read_text("utf-8")))


@cache
def languages() -> tuple[str, ...]:
    """The languages that have a phrase book."""
    folder = resources.files("parsers.vocabularies").joinpath("languages")
    return tuple(
        sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml"))
    )


def detect_language(text: str, fallback: str = DEFAULT_LANGUAGE) -> str:
    """The language a text is written in: Arabic by its script, others by their frequent
    words; `fallback` when the text is too short to tell."""
    letters = _WORD.findall(text)
    if not letters:
        return fallback
    arabic = sum(1 for w in letters if _ARABIC_LETTER.match(w))
    if arabic * 2 > len(letters):
        return "ar"
    words = [w.lower() for w in letters]
    scores = {
        language: sum(1 for w in words if w in phrase_book(language).detect_words)
        for language in languages()
        if language != "ar"
    }
    best = max(scores, key=lambda language: (scores[language], language == fallback))
    if scores[best] < 2 or scores[best] <= scores.get(fallback, 0):
        return fallback
    return best
