"""Deciding what kind of document a body is, from its bytes first and its label second."""

from __future__ import annotations

import re

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


def decode_text(content: bytes, declared_charset: str | None = None) -> str:
    """Bytes to text: the declared charset, else UTF-8, else Windows-1252; never raises."""
    for encoding in (declared_charset, "utf-8", "cp1252"):
        if not encoding:
            continue
        try:
            return content.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return content.decode("utf-8", errors="replace")
