"""The running text of a PDF report as one piece, for the prose grammar: body lines of
every page in reading order, without what is not prose.

- Superscript footnote markers are dropped by their size ("food”3;", "2024.17"), so they
  never read as counts.
- Page furniture goes: lines that repeat across pages (running titles, document symbols
  like "A/79/797", headers), job numbers and bar codes ("25-02112 (E) 050325",
  "*2502112*"), folios ("3/17", "- 4 -", a page number alone).
- Paragraph numbers ("14. Information in ...") are cut, each paragraph starts its own line,
  and hard-wrapped lines are joined, across page breaks too.

Pure functions of the pages' text lines; `read_body` maps every offset back to its page.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass

# Characters this much smaller than the page's body text are superscripts (footnote marks).
SUPERSCRIPT_RATIO = 0.8
# A line seen on this many pages, digits aside, is a running header or footer.
REPEATS_ON_PAGES = 3

_JOB_NUMBER = re.compile(r"^\d{2}-\d{4,6}(?:\s*\([A-Z]\))?(?:\s+\d{6})?(?:\s+\S+)?$")
_BARCODE = re.compile(r"^\*\d{5,}\*$")
_FOLIO = re.compile(
    r"^(?:[-–]?\s*\d{1,3}\s*[-–]?|\d{1,3}\s*/\s*\d{1,3}|page\s+\d+(?:\s+of\s+\d+)?)$", re.I
)
_SYMBOL = re.compile(
    r"^(?:[A-Z]{1,4}/)+[\w./-]*\d[\w./-]*$"
)  # A/79/797, S/2025/109, E/ICEF/2025/19
_SYMBOL_WITH_JOB = re.compile(r"^\d{2}-\d{4,6}\b.*\d+/\d+$|^\S+\s+\d+/\d+$")  # "25-11938 3/17"
_PARAGRAPH_NUMBER = re.compile(r"^(\d{1,3})\.\s+(?=[A-Z“\"(])")
_SENTENCE_END = re.compile(r"[.!?:;؟]['’”\"]?$")


def body_chars_filter(chars: list[dict]) -> float:
    """The size below which a character is a superscript on a page (0 when unknown)."""
    sizes = Counter(
        round(float(c.get("size", 0)), 1) for c in chars if str(c.get("text", "")).strip()
    )
    if not sizes:
        return 0.0
    body, _ = sizes.most_common(1)[0]
    return body * SUPERSCRIPT_RATIO


def _shape(line: str) -> str:
    """A line with its digits blurred, to find lines that repeat with another page number."""
    return re.sub(r"\d+", "#", line.strip().lower())


def is_furniture(line: str) -> bool:
    """Job numbers, bar codes, folios and document symbols: never prose."""
    text = line.strip()
    return bool(
        _JOB_NUMBER.match(text)
        or _BARCODE.match(text)
        or _FOLIO.match(text)
        or _SYMBOL.match(text)
        or _SYMBOL_WITH_JOB.match(text)
    )


def repeated_lines(pages: list[list[str]]) -> set[str]:
    """Shapes of the lines that repeat on several pages: running titles and headers."""
    seen: Counter[str] = Counter()
    for lines in pages:
        for shape in {_shape(line) for line in lines if line.strip()}:
            seen[shape] += 1
    needed = min(REPEATS_ON_PAGES, max(2, len(pages) // 2))
    return {shape for shape, count in seen.items() if count >= needed and len(pages) > 1}


@dataclass(frozen=True)
class Body:
    """The prose of a PDF as one text, and where each page's part of it starts."""

    text: str
    page_starts: tuple[int, ...]  # offset in `text` where page i+1 begins

    def page_of(self, offset: int) -> int:
        """The 1-based page an offset of the text falls on."""
        return max(1, bisect_right(self.page_starts, offset))


def read_body(pages: list[list[str]]) -> Body:
    """The reports' prose: furniture dropped, paragraph numbers cut, lines joined into
    paragraphs (one per line of the result), across page breaks."""
    furniture = repeated_lines(pages)
    out: list[str] = []
    page_starts: list[int] = []
    length = 0
    for lines in pages:
        page_starts.append(length)
        for raw in lines:
            line = raw.strip()
            if not line or is_furniture(line) or _shape(line) in furniture:
                continue
            numbered = _PARAGRAPH_NUMBER.match(line)
            if numbered:
                line = line[numbered.end() :]
            length += _join(out, line, starts_paragraph=bool(numbered))
    return Body("".join(out), tuple(page_starts))


def _join(out: list[str], line: str, starts_paragraph: bool) -> int:
    """Append a line: on a new line after a sentence end, a heading or a paragraph number,
    else continuing the paragraph (a word hyphenated at the break is rejoined). Returns how
    much longer the text became."""
    tail = out[-1] if out else ""
    if not out or starts_paragraph or _SENTENCE_END.search(tail) or _is_short_heading(tail):
        piece = ("\n" if out else "") + line
    elif tail.endswith("-") and line[:1].islower() and not tail.endswith(" -"):
        out[-1] = tail[:-1]  # "kill-" / "ings": one word again
        out.append(line)
        return len(line) - 1
    else:
        piece = " " + line
    out.append(piece)
    return len(piece)


def _is_short_heading(line: str) -> bool:
    """A heading line ("B. Security", "III. Humanitarian situation") ends its paragraph."""
    line = line.strip()
    return bool(re.match(r"^(?:[IVX]{1,4}|[A-H])\.\s+\S", line)) and len(line.split()) <= 8
