"""Text units: the lines of a document told apart (a heading, a list's introduction, a list
item "Regime forces: 61", running text) and each cleaned of what hides its numbers from the
grammar: numbers glued to words ("29individuals", "killing of87") and words hyphenated at a
line break ("casual- ties"). Cleaning keeps a map back to the original offsets, so every
figure still points at its exact place in the document.

Step 1 of the prose pipeline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

# A number glued to the word after it ("29individuals"), not a code ("SN4HR", "COVID19").
_GLUED_AFTER_DIGIT = re.compile(
    r"(?<![^\W\d_])\d+(?=[^\W\d_]{2,})(?!(?:st|nd|rd|th|er|e|ème|eme|km|kg|am|pm|m2|km2|h|s|x|bis)\b)"
)
_GLUED_BEFORE_DIGIT = re.compile(r"(?<=\b[a-z]{2})(?=\d)|(?<=[a-z]{3})(?=\d{2,}\b)")
_BROKEN_WORD = re.compile(r"(?<=[a-z])- (?=[a-z])")
_ORDINAL = re.compile(
    r"^(?:(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\b\s*[:\-–.]?"
    r"|[IVX]{1,4}[.)-]|[0-9]{1,2}\s?[.)-](?!\d)|[A-Ha-h][.)-])\s*",
    re.IGNORECASE,
)
_SUB_ORDINAL = re.compile(r"^(?:[A-Ha-h][.)-]|[•·▪*])\s*")
_BULLET = re.compile(r"^(?:[-–—•*·▪]|\(?[A-Ha-h0-9]{1,2}[.)-](?!\d))\s*")
_LABEL = re.compile(
    r"^(?P<marker>(?:[-–—•*·▪]\s*|\(?[A-Za-z0-9]{1,4}[.)-]\s+)?)(?P<label>[^:\d]{2,80}?)\s*[:：]\s*(?P<rest>.+)$"
)


class LineKind(StrEnum):
    """What a line of a document is."""

    HEADING = "heading"
    LIST_INTRO = "list_intro"
    TEXT = "text"


@dataclass(frozen=True)
class Clean:
    """A piece of text cleaned for the grammar, with the original offset of each character."""

    text: str
    origin: tuple[int, ...]

    def original(self, index: int) -> int:
        """The original offset of a cleaned offset (the end maps past the last character)."""
        if not self.origin:
            return index
        if index >= len(self.origin):
            return self.origin[-1] + 1 + (index - len(self.origin))
        return self.origin[index]


def clean(text: str, start: int = 0) -> Clean:
    """Unglue numbers from words and rejoin hyphenated words, keeping the offset map."""
    out: list[str] = []
    origin: list[int] = []
    inserts = {m.end() for m in _GLUED_AFTER_DIGIT.finditer(text)}
    inserts |= {m.start() for m in _GLUED_BEFORE_DIGIT.finditer(text)}
    drops: set[int] = set()
    for match in _BROKEN_WORD.finditer(text):
        drops.update(range(match.start(), match.end()))
    for index, char in enumerate(text):
        if index in inserts:
            out.append(" ")
            origin.append(start + index)
        if index in drops:
            continue
        out.append(char)
        origin.append(start + index)
    return Clean("".join(out), tuple(origin))


def strip_ordinal(text: str) -> tuple[str, bool, bool]:
    """A line without its ordinal ("1-", "a-", "II.", "Second:"): (rest, had one, sub-level)."""
    match = _ORDINAL.match(text)
    if not match:
        bullet = re.match(r"^[•·▪*]\s*", text)
        return (text[bullet.end() :], True, True) if bullet else (text, False, False)
    return text[match.end() :], True, bool(_SUB_ORDINAL.match(text))


def is_heading_marked(text: str) -> bool:
    """An HTML heading element (readable_text starts it with '# ')."""
    return text.startswith("# ")


def label_of(text: str) -> tuple[str, str, int] | None:
    """A list item's label and the rest of its line ("Regime forces: 61" → ("Regime
    forces", "61", offset of "61")), or None when the line is not "label: ..."."""
    match = _LABEL.match(text)
    if not match:
        return None
    return match.group("label").strip(" -–—•*"), match.group("rest"), match.start("rest")


def starts_with_bullet(text: str) -> bool:
    """A line that starts with a bullet or a list ordinal."""
    return bool(_BULLET.match(text))
