"""Which country a document is about, when its source does not say: the country whose places
and people the text names most ("Kabul", "Afghan civilians"). It scopes the vocabularies:
"government forces" are the Syrian regime's in Syria and the Afghan government's in
Afghanistan.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

from parsers.extraction.phrases import compile_phrases
from parsers.vocabulary import vocabulary

# A country must be named at least this many times, and more than any other, to be chosen.
_MIN_MENTIONS = 2


@cache
def _country_words() -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern of every place alias and demonym, and the country each names."""
    owner: dict[str, str] = {}
    for entry in vocabulary("places").entries:
        country = entry.id if entry.attribute("level") == "country" else entry.attribute("country")
        if not country:
            continue
        words = list(entry.aliases)
        demonyms = entry.attribute("demonyms")
        if demonyms:
            words += demonyms.split("|")
        for word in words:
            owner.setdefault(word.lower(), country)
    return compile_phrases(owner), owner


def infer_country(text: str) -> str | None:
    """The ISO 3166 alpha-2 code of the country the text names most, or None when no
    country clearly dominates."""
    pattern, owner = _country_words()
    counts: Counter[str] = Counter()
    for match in pattern.finditer(text[:20000]):
        country = owner.get(re.sub(r"\s+", " ", match.group(0).lower()))
        if country:
            counts[country] += 1
    if not counts:
        return None
    ranked = counts.most_common(2)
    best, top = ranked[0]
    if top < _MIN_MENTIONS or (len(ranked) > 1 and ranked[1][1] == top):
        return None
    return best
