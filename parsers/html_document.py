"""Reading an HTML page: its title, publication date, readable text and tables."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import lxml.etree
import lxml.html
from bs4 import BeautifulSoup, Tag

from parsers.media import decode_text
from parsers.model import ParseError

_BLOCK_TAGS = (
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "section",
    "article", "blockquote", "tr", "dd", "dt", "figcaption", "caption", "header", "pre",
)  # fmt: skip
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_DROPPED_TAGS = ("script", "style", "noscript", "nav", "footer", "aside", "form", "template", "svg")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
MAX_HTML_BYTES = 20 * 1024 * 1024
MAX_HTML_DEPTH = 200  # real pages nest a few dozen elements deep; BeautifulSoup slows
# down quadratically on very deep trees (100,000 nested tags would take hours)


@dataclass(frozen=True)
class HtmlPage:
    """The parts of a page the parsers use."""

    soup: BeautifulSoup
    title: str | None
    published: date | None


def read_html(content: bytes, charset: str | None = None) -> HtmlPage:
    """Parse HTML bytes (in the HTTP `charset`, when the server sent one); raise ParseError
    when they are not a usable page."""
    if len(content) > MAX_HTML_BYTES:
        raise ParseError(f"HTML page of {len(content)} bytes is above the {MAX_HTML_BYTES} cap")
    text = decode_text(content, charset, html=True)
    if _depth(text) > MAX_HTML_DEPTH:
        raise ParseError(f"HTML nested more than {MAX_HTML_DEPTH} elements deep: not a report")
    try:
        soup = BeautifulSoup(text, "lxml")
    except Exception as error:  # lxml raises several types on broken input
        raise ParseError(f"unreadable HTML: {error}") from error
    return HtmlPage(soup=soup, title=_title_of(soup), published=_published_of(soup))


def _depth(text: str) -> int:
    """How deeply the page's elements nest, as lxml reads it: fast, and lxml stops building
    a tree at 256 levels on its own, so a hostile page costs milliseconds here."""
    parser = lxml.html.HTMLParser(encoding="utf-8")
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8", "replace"), parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return 0  # nothing to parse: BeautifulSoup copes with it
    depth = deepest = 0
    for event, _ in lxml.etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest


def _title_of(soup: BeautifulSoup) -> str | None:
    for selector in ("meta[property='og:title']", "h1", "title"):
        node = soup.select_one(selector)
        if node is None:
            continue
        value = node.get("content") if node.name == "meta" else node.get_text(" ", strip=True)
        if isinstance(value, str) and value.strip():
            return re.sub(r"\s+", " ", value).strip()
    return None


def _published_of(soup: BeautifulSoup) -> date | None:
    candidates = []
    for selector, attribute in (
        ("meta[property='article:published_time']", "content"),
        ("meta[name='date']", "content"),
        ("time[datetime]", "datetime"),
    ):
        node = soup.select_one(selector)
        if node is not None and isinstance(node.get(attribute), str):
            candidates.append(node[attribute])
    for value in candidates:
        match = _ISO_DATE.search(str(value))
        if match:
            try:
                return date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                continue
    return None


def readable_text(soup: BeautifulSoup, *, drop_tables: bool = True) -> str:
    """The page's text with one line per block element; scripts, navigation and (by default)
    tables removed. Inline tags do not split words, so "<b>93</b> civilians" stays whole.
    Heading elements become lines starting with "# ", so the prose grammar knows them."""
    body = soup.body or soup
    copy = BeautifulSoup(str(body), "lxml")
    for name in _DROPPED_TAGS + (("table",) if drop_tables else ()):
        for node in copy.find_all(name):
            node.decompose()
    for node in copy.find_all(_BLOCK_TAGS):
        node.insert_before("\n# " if node.name in _HEADING_TAGS else "\n")
        node.insert_after("\n")
    text = copy.get_text()
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def css_path(node: Tag) -> str:
    """A CSS selector path to an element, e.g. 'body > div:nth-of-type(2) > table > tr > td'."""
    parts = []
    current: Tag | None = node
    while current is not None and isinstance(current, Tag) and current.name not in ("[document]",):
        if current.name == "html":
            break
        parent = current.parent
        if isinstance(parent, Tag):
            same = [c for c in parent.find_all(current.name, recursive=False)]
            if len(same) > 1:
                parts.append(f"{current.name}:nth-of-type({same.index(current) + 1})")
            else:
                parts.append(current.name)
        else:
            parts.append(current.name)
        current = parent if isinstance(parent, Tag) else None
    return " > ".join(reversed(parts))
