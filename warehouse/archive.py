"""The content-addressed archive of raw documents: `<home>/archive/<sha[:2]>/<sha>.<ext>`.

Bytes are written to a temporary file in the same folder (warehouse/files.py: an
unpredictable name, the umask's mode), flushed to disk and renamed into place (and the
folder flushed), so a file under its final name is always complete; a failed
write (disk full, read-only folder) removes its temporary file and raises ArchiveError. A
damaged copy is replaced the next time the same bytes are stored. File names come from the
hash, never from a URL. Nothing downstream needs the network again: re-parsing reads from
here.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from parsers.media import extension_for
from warehouse.errors import DamagedArchive, TollError
from warehouse.files import atomic_file

ARCHIVE_DIR = "archive"
TEMPORARY_PREFIX = ".incoming-"  # a write in progress (or cut short by a crash)


class ArchiveError(TollError):
    """The archive cannot store or return a document."""


class ArchiveDamaged(ArchiveError, DamagedArchive):
    """An archived document is missing, unreadable or no longer hashes to its name."""


def relative_path(sha256: str, media_type: str) -> str:
    """Archive path of a document relative to the data folder."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ArchiveError(f"not a SHA-256 hex digest: {sha256!r}")
    return f"{ARCHIVE_DIR}/{sha256[:2]}/{sha256}.{extension_for(media_type)}"


def exists(home: Path, sha256: str, media_type: str) -> bool:
    """Whether a document's file is in the archive (a cheap check, without hashing)."""
    return (home / relative_path(sha256, media_type)).is_file()


def store(home: Path, content: bytes, media_type: str) -> str:
    """Store bytes (idempotent) and return their relative archive path."""
    sha256 = hashlib.sha256(content).hexdigest()
    relative = relative_path(sha256, media_type)
    target = home / relative
    if _holds(target, sha256):
        return relative  # already archived (a damaged copy is replaced below)
    opened = False
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_file(target, prefix=TEMPORARY_PREFIX) as out:
            opened = True
            out.write(content)
    except OSError as error:
        if not opened:  # the folder cannot be written at all
            raise ArchiveError(
                f"cannot write to the archive at {target.parent}: {error}"
            ) from error
        raise ArchiveError(f"cannot write {relative}: {error}") from error
    return relative


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _holds(target: Path, sha256: str) -> bool:
    """Whether the archive already has these exact bytes under their name."""
    try:
        return target.is_file() and file_sha256(target) == sha256
    except OSError:
        return False


def read(home: Path, relative: str, sha256: str | None = None) -> bytes:
    """Read an archived document, checking its bytes still hash to its name."""
    path = home / relative
    try:
        content = path.read_bytes()
    except OSError as error:
        raise ArchiveDamaged(
            f"archived document missing or unreadable: {relative}: {error}"
        ) from error
    expected = sha256 or Path(relative).stem
    actual = hashlib.sha256(content).hexdigest()
    if actual != expected:
        raise ArchiveDamaged(f"archived document {relative} is corrupt: its bytes hash to {actual}")
    return content
