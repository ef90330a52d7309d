"""Which country a document is about, when its source does not say: the country whose places
and people the text names most ("Kabul", "Afghan civilians"). It scopes the vocabularies:
"government forces" are the Syrian regime's in Syria and the Afghan government's in
Afghanistan.
"""

from __future__ import annotations

from collections import Counter
from functools import cache

from parsers.extraction.lexicon import Lexicon
from parsers.vocabulary import vocabulary

# A country must be named at least this many times, and more than any other, to be chosen.
_MIN_MENTIONS = 2


@cache
def _country_words() -> Lexicon:
    """Every place alias and demonym, each keyed by the country it names."""
    words: list[tuple[str, str]] = []
    for entry in vocabulary("places").entries:
        country = entry.id if entry.attribute("level") == "country" else entry.attribute("country")
        if not country:
            continue
        demonyms = entry.attribute("demonyms")
        for word in [*entry.aliases, *(demonyms.split("|") if demonyms else [])]:
            words.append((word, country))
    return Lexicon(words)


def infer_country(text: str) -> str | None:
    """The ISO 3166 alpha-2 code of the country the text names most, or None when no
    country clearly dominates."""
    counts: Counter[str] = Counter(m.key for m in _country_words().finditer(text[:20000]))
    if not counts:
        return None
    ranked = counts.most_common(2)
    best, top = ranked[0]
    if top < _MIN_MENTIONS or (len(ranked) > 1 and ranked[1][1] == top):
        return None
    return best
