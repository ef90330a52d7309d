"""Qualifiers of a count ("at least 1,203", "no less than", "an estimated", "over")."""

from __future__ import annotations

import re

# Phrases that end right before the number they qualify, longest first within each qualifier.
_PHRASES: tuple[tuple[str, str], ...] = (
    ("at_least", r"at\s+least|no\s+less\s+than|not\s+less\s+than|no\s+fewer\s+than"),
    ("at_least", r"not\s+fewer\s+than|a\s+minimum\s+of|minimum\s+of|at\s+a\s+minimum"),
    ("at_least", r"au\s+moins|pas\s+moins\s+de|ما\s+لا\s+يقل\s+عن|لا\s+يقل\s+عن"),
    ("more_than", r"more\s+than|over|upwards\s+of|in\s+excess\s+of|exceeding|plus\s+de"),
    ("more_than", r"أكثر\s+من"),
    ("approximately", r"approximately|about|around|an\s+estimated|estimated|nearly|almost"),
    ("approximately", r"roughly|some|circa|close\s+to|approx\.?|environ|près\s+de|حوالي|نحو"),
    ("at_most", r"at\s+most|no\s+more\s+than|up\s+to|a\s+maximum\s+of|not\s+more\s+than"),
    ("less_than", r"less\s+than|fewer\s+than|under|below|moins\s+de"),
)
_QUALIFIER_RE = re.compile(
    r"(?:" + "|".join(f"(?P<q{i}>{p})" for i, (_, p) in enumerate(_PHRASES)) + r")\s*$",
    re.IGNORECASE,
)


def qualifier_before(text: str) -> tuple[str, str | None]:
    """The qualifier whose phrase ends `text` (what precedes a number), with that phrase.

    Returns ("exact", None) when no qualifier phrase is there.
    """
    match = _QUALIFIER_RE.search(text[-40:])
    if not match:
        return "exact", None
    for index, (qualifier, _) in enumerate(_PHRASES):
        phrase = match.group(f"q{index}")
        if phrase is not None:
            start = match.start(f"q{index}")
            before = text[-40:][:start]
            if before and (before[-1].isalnum()):
                return "exact", None
            return qualifier, phrase
    return "exact", None
