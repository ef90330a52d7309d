"""Discovery over the sample site's feed and paginated listing."""

from __future__ import annotations

from datetime import date

from flows.acquire.discovery import discover, feed_links, next_page, page_links
from flows.acquire.documents import discover_links, fetcher_for
from flows.config import FetchSettings, ListingConfig, SourceConfig


def source_for(site, **changes) -> SourceConfig:
    base = site.base_url
    fields = {
        "name": "sample",
        "publisher": "Sample",
        "homepage": base + "/",
        "allowed_hosts": [base.split("//", 1)[1]],
        "allow_private_addresses": True,
        "feeds": [base + "/feed/"],
        "listings": [ListingConfig(url=base + "/category/death-toll/")],
        "include": [r"/blog/\d{4}/\d{2}/\d{2}/[^/]+/$"],
        "follow": [r"\.pdf$"],
        "rate_limit_per_second": 1000,
    }
    fields.update(changes)
    return SourceConfig(**fields)


def test_feed_items_carry_title_and_date(site) -> None:
    body = (site.root / "feed" / "index.xml").read_bytes().replace(b"__SITE__", b"http://h")
    links = feed_links(body, "http://h/feed/")
    assert len(links) == 10
    assert links[0].published == date(2025, 1, 1)
    assert links[0].title.startswith("239 Civilians Killed in December 2024")


def test_atom_feed() -> None:
    atom = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">
    <entry><title>A</title><link href="/a/" rel="alternate"/>
    <updated>2024-03-05T10:00:00Z</updated></entry>
    </feed>"""
    (link,) = feed_links(atom, "https://example.org/feed.atom")
    assert (link.url, link.title, link.published) == (
        "https://example.org/a/",
        "A",
        date(2024, 3, 5),
    )


def test_listing_next_page(site) -> None:
    body = (site.root / "category" / "death-toll" / "index.html").read_bytes()
    assert (
        next_page(body, "http://h/category/death-toll/") == "http://h/category/death-toll/page/2/"
    )
    assert len(page_links(body, "http://h/")) > 5


def test_first_run_walks_everything(site) -> None:
    source = source_for(site)
    with fetcher_for(source, FetchSettings()) as fetcher:
        found = discover_links(source, fetcher, known=set(), walk_all=False)
    assert len(found.links) == 12 and not found.errors


def test_nightly_stops_paging_at_known_urls(site) -> None:
    source = source_for(site, feeds=[])
    with fetcher_for(source, FetchSettings()) as fetcher:
        everything = discover_links(source, fetcher, known=set(), walk_all=True)
        known = {link.url for link in everything.links}
        nightly = discover_links(source, fetcher, known=known, walk_all=False)
        backfill = discover_links(source, fetcher, known=known, walk_all=True)
    assert nightly.pages_read == 1 and len(nightly.links) == 5
    assert backfill.pages_read == 3 and len(backfill.links) == 12


def test_unreachable_entry_point_is_reported_not_raised() -> None:
    source = SourceConfig(
        name="x",
        publisher="x",
        homepage="http://127.0.0.1:9/",
        allowed_hosts=["127.0.0.1:9"],
        feeds=["http://127.0.0.1:9/feed/"],
        include=["."],
    )
    found = discover(source, lambda url: (None, "refused"))
    assert found.links == [] and found.errors == [("http://127.0.0.1:9/feed/", "refused")]
