"""Deciding what kind of document a body is, from its bytes first and its label second,
and reading its text in the encoding its server named, else the one it declares, else the
one bs4's UnicodeDammit detects."""

from __future__ import annotations

import re

from bs4 import UnicodeDammit

PDF = "application/pdf"
HTML = "text/html"
TEXT = "text/plain"

_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|div|p)\b", re.I | re.S
)


def sniff_media_type(content: bytes, declared: str | None = None, url: str | None = None) -> str:
    """The media type toll parses a body as: PDF, HTML or plain text.

    The bytes decide when they are unambiguous (a PDF header, an HTML start tag), because
    servers mislabel files; otherwise the declared Content-Type, then the URL's extension.
    """
    head = content[:1024]
    if head.lstrip().startswith(b"%PDF-"):
        return PDF
    if _HTML_START.match(head):
        return HTML
    declared_type = (declared or "").split(";")[0].strip().lower()
    if declared_type in {PDF, "application/x-pdf"}:
        return PDF
    if declared_type in {HTML, "application/xhtml+xml"}:
        return HTML
    lowered = (url or "").lower().split("?")[0]
    if lowered.endswith(".pdf"):
        return PDF
    if lowered.endswith((".html", ".htm", "/")):
        return HTML
    return TEXT


def extension_for(media_type: str) -> str:
    """File extension used in the archive for a media type."""
    return {PDF: "pdf", HTML: "html"}.get(media_type, "txt")


def charset_of(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header ('windows-1256'), if any."""
    match = re.search(r";\s*charset\s*=\s*[\"']?([\w.:-]+)", content_type or "", re.I)
    return match.group(1).lower() if match else None


def decode_text(content: bytes, charset: str | None = None, *, html: bool = False) -> str:
    """Bytes to text; never raises. The charset the server sent (HTTP Content-Type) is tried
    first unless a byte-order mark says otherwise; then, for HTML, the page's own <meta>
    declaration; then what UnicodeDammit detects, then UTF-8 and Windows-1252. Each is
    used only if the bytes decode in it without error."""
    bom = content.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"))
    dammit = UnicodeDammit(
        content, known_definite_encodings=[charset] if charset and not bom else [], is_html=html
    )
    if dammit.unicode_markup is not None:
        return dammit.unicode_markup
    return content.decode("utf-8", errors="replace")
