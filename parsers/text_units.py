"""Cutting text into paragraphs, lines and sentences while keeping character offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SENTENCE_END = re.compile(r"(?<=[.!?؟])[\"”’)]?\s+(?=[\"“(]?[A-Z0-9\u0600-\u06ff])")
_ABBREVIATION_END = re.compile(r"(?:\b(?:No|Nos|Mr|Mrs|Dr|St|U\.S|U\.N|e\.g|i\.e|vs|approx)\.)$")


@dataclass(frozen=True)
class Span:
    """A piece of a larger text and where it starts in it."""

    text: str
    start: int

    @property
    def end(self) -> int:
        """Offset just past the piece."""
        return self.start + len(self.text)


def lines(text: str) -> list[Span]:
    """Non-empty lines, stripped, with their offsets."""
    result = []
    offset = 0
    for raw in text.splitlines(keepends=True):
        stripped = raw.strip()
        if stripped:
            result.append(Span(stripped, offset + raw.index(stripped[0])))
        offset += len(raw)
    return result


def sentences(line: Span) -> list[Span]:
    """Sentences of one line, split after . ! ? before a capital, digit or Arabic letter."""
    result = []
    start = 0
    for match in _SENTENCE_END.finditer(line.text):
        head = line.text[start : match.start()]
        if _ABBREVIATION_END.search(head):
            continue
        piece = line.text[start : match.start()].rstrip()
        if piece:
            result.append(Span(piece, line.start + start))
        start = match.end()
    tail = line.text[start:].rstrip()
    if tail:
        result.append(Span(tail, line.start + start))
    return result


def reflow(text: str, full_line_ratio: float = 0.6) -> str:
    """Join the hard-wrapped lines of a PDF page back into paragraphs.

    A line at least `full_line_ratio` of the page's longest line that does not end a sentence
    continues on the next line; a word hyphenated at the break ("kill-" / "ings") is rejoined.
    Short lines (headings, list items, last lines of paragraphs) stay lines.
    """
    raw_lines = [line.rstrip() for line in text.splitlines()]
    longest = max((len(line) for line in raw_lines), default=0)
    out: list[str] = []
    joining = False
    for line in raw_lines:
        if joining and out and line.strip():
            if out[-1].endswith("-") and line.lstrip()[:1].islower():
                out[-1] = out[-1][:-1] + line.lstrip()
            else:
                out[-1] = out[-1] + " " + line.lstrip()
        else:
            out.append(line)
        stripped = out[-1].strip()
        joining = (
            bool(line.strip())
            and len(line) >= full_line_ratio * longest
            and not re.search(r"[.!?:;؟]$", stripped)
        )
    return "\n".join(out)
