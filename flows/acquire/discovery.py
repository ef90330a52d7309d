"""Finding report URLs: RSS/Atom feeds, paginated HTML listings, and links inside reports.

The reading of feeds and pages is pure (bytes in, links out); `discover` walks a source's entry
points with a fetch function given to it, so the walk is tested without a network.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urldefrag, urljoin

import lxml.etree
import lxml.html
from bs4 import BeautifulSoup

from flows.config import SourceConfig

_NEXT_TEXT = re.compile(
    r"^\s*(?:older\s+(?:posts|entries)|next(?:\s+page)?|more|»|›|→|>|التالي|suivant)\s*[»›→>]*\s*$",
    re.IGNORECASE,
)
_SAFE_XML = lxml.etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, recover=True
)


@dataclass(frozen=True)
class Link:
    """A candidate document URL with what the feed or listing said about it."""

    url: str
    title: str | None = None
    published: date | None = None
    found_on: str | None = None


def _clean_url(href: str, base: str) -> str | None:
    href = href.strip()
    if not href or href.startswith(("mailto:", "javascript:", "tel:", "#")):
        return None
    url, _ = urldefrag(urljoin(base, href))
    return url if url.startswith(("http://", "https://")) else None


def _date_of(text: str | None) -> date | None:
    if not text:
        return None
    text = text.strip()
    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        match = re.search(r"(\d{4})-(\d{2})-(\d{2})", text)
        if match:
            try:
                return date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                return None
    return None


def looks_like_feed(content: bytes) -> bool:
    """Whether a body is an RSS or Atom feed."""
    head = content[:2048].lstrip().lower()
    return head.startswith(b"<?xml") or b"<rss" in head or b"<feed" in head


def feed_links(content: bytes, base_url: str) -> list[Link]:
    """Items of an RSS 2.0 or Atom feed: link, title and publication date."""
    try:
        root = lxml.etree.fromstring(content, parser=_SAFE_XML)
    except lxml.etree.XMLSyntaxError:
        return []
    if root is None:
        return []
    links: list[Link] = []
    for item in root.iter():
        tag = lxml.etree.QName(item).localname if isinstance(item.tag, str) else ""
        if tag not in {"item", "entry"}:
            continue
        href = None
        title = published = None
        for child in item:
            if not isinstance(child.tag, str):
                continue
            name = lxml.etree.QName(child).localname
            if name == "link":
                if child.get("href") and child.get("rel", "alternate") == "alternate":
                    href = child.get("href")
                elif child.text and child.text.strip():
                    href = child.text
            elif name == "title":
                title = (child.text or "").strip() or None
            elif name in {"pubDate", "published", "updated", "date"} and published is None:
                published = _date_of(child.text)
        url = _clean_url(href or "", base_url)
        if url:
            links.append(Link(url, title, published, base_url))
    return links


def page_links(content: bytes, base_url: str) -> list[Link]:
    """Every link of an HTML page, with its anchor text as title."""
    try:
        document = lxml.html.fromstring(content, base_url=base_url)
    except (lxml.etree.ParserError, ValueError):
        return []
    links = []
    for anchor in document.iter("a"):
        url = _clean_url(anchor.get("href") or "", base_url)
        if url:
            text = re.sub(r"\s+", " ", anchor.text_content() or "").strip() or None
            links.append(Link(url, text, None, base_url))
    return links


def next_page(content: bytes, base_url: str, selector: str | None = None) -> str | None:
    """The listing's next (older) page: a configured CSS selector, rel=next, or link text."""
    try:
        document = lxml.html.fromstring(content, base_url=base_url)
    except (lxml.etree.ParserError, ValueError):
        return None
    if selector:
        node = BeautifulSoup(content, "lxml").select_one(selector)
        href = node.get("href") if node is not None else None
        return _clean_url(href, base_url) if isinstance(href, str) else None
    else:
        candidates = [a for a in document.iter("a", "link") if "next" in (a.get("rel") or "")]
        candidates += [a for a in document.iter("a") if "next" in (a.get("class") or "").split()]
        candidates += [a for a in document.iter("a") if _NEXT_TEXT.match(a.text_content() or "")]
    for node in candidates:
        url = _clean_url(node.get("href") or "", base_url)
        if url and url != base_url:
            return url
    return None


Fetch = Callable[[str], bytes | None]


@dataclass(frozen=True)
class Discovery:
    """What discovery found for a source, and the entry points it could not read."""

    links: list[Link]
    errors: list[tuple[str, str]]
    pages_read: int


def discover(
    source: SourceConfig,
    fetch: Callable[[str], tuple[bytes | None, str | None]],
    known: set[str] | frozenset[str] = frozenset(),
    walk_all: bool = False,
) -> Discovery:
    """Candidate report URLs of a source, newest first, each once.

    `fetch(url)` returns (body, error). Listings are paged until a page holds no URL that is
    not in `known` (a nightly run), or to their end (`walk_all`, a backfill), within
    `max_pages`.
    """
    found: dict[str, Link] = {}
    errors: list[tuple[str, str]] = []
    pages_read = 0

    def add(links: Iterable[Link]) -> int:
        """Keep the candidate links; return how many of them the warehouse does not know."""
        unknown = set()
        for link in links:
            if not source.is_candidate(link.url):
                continue
            if link.url not in known:
                unknown.add(link.url)
            if link.url not in found or (link.title and not found[link.url].title):
                found[link.url] = _merge(found.get(link.url), link)
        return len(unknown)

    for feed in source.feeds:
        body, error = fetch(feed)
        pages_read += 1
        if body is None:
            errors.append((feed, error or "no body"))
            continue
        add(feed_links(body, feed) if looks_like_feed(body) else page_links(body, feed))

    for listing in source.listings:
        url: str | None = listing.url
        visited: set[str] = set()
        while url and url not in visited and len(visited) < listing.max_pages:
            visited.add(url)
            body, error = fetch(url)
            pages_read += 1
            if body is None:
                errors.append((url, error or "no body"))
                break
            new = add(page_links(body, url))
            if new == 0 and not walk_all:
                break
            url = next_page(body, url, listing.next_selector)
    return Discovery(list(found.values()), errors, pages_read)


def _merge(old: Link | None, new: Link) -> Link:
    """Keep what a feed said (title, date) when a listing repeats the same link."""
    if old is None:
        return new
    return Link(old.url, old.title or new.title, old.published or new.published, old.found_on)


def followed_links(source: SourceConfig, content: bytes, base_url: str) -> list[Link]:
    """Links inside a fetched report that are documents too (its PDF, say)."""
    seen: dict[str, Link] = {}
    for link in page_links(content, base_url):
        if source.is_followed(link.url) and link.url not in seen:
            seen[link.url] = link
    return list(seen.values())
