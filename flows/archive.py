"""The content-addressed archive of raw documents: `<home>/archive/<sha[:2]>/<sha>.<ext>`.

Bytes are written to a temporary file in the same folder, flushed to disk and renamed into
place, so a file under its final name is always complete. File names come from the hash,
never from a URL. Nothing downstream needs the network again: re-parsing reads from here.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from parsers.media import extension_for

ARCHIVE_DIR = "archive"


class ArchiveError(Exception):
    """The archive cannot store or return a document."""


def relative_path(sha256: str, media_type: str) -> str:
    """Archive path of a document relative to the data folder."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ArchiveError(f"not a SHA-256 hex digest: {sha256!r}")
    return f"{ARCHIVE_DIR}/{sha256[:2]}/{sha256}.{extension_for(media_type)}"


def store(home: Path, content: bytes, media_type: str) -> str:
    """Store bytes (idempotent) and return their relative archive path."""
    sha256 = hashlib.sha256(content).hexdigest()
    relative = relative_path(sha256, media_type)
    target = home / relative
    if target.exists() and target.stat().st_size == len(content):
        return relative
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    except OSError as error:
        raise ArchiveError(f"cannot write to the archive at {target.parent}: {error}") from error
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise ArchiveError(f"cannot write {relative}: {error}") from error
    return relative


def read(home: Path, relative: str, sha256: str | None = None) -> bytes:
    """Read an archived document, checking its bytes still hash to its name."""
    path = home / relative
    try:
        content = path.read_bytes()
    except OSError as error:
        raise ArchiveError(
            f"archived document missing or unreadable: {relative}: {error}"
        ) from error
    expected = sha256 or Path(relative).stem
    actual = hashlib.sha256(content).hexdigest()
    if actual != expected:
        raise ArchiveError(f"archived document {relative} is corrupt: its bytes hash to {actual}")
    return content
