"""The content-addressed archive."""

from __future__ import annotations

import hashlib
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warehouse import archive


def test_store_names_files_by_hash_and_is_idempotent(tmp_path) -> None:
    content = b"%PDF-1.4 a report"
    relative = archive.store(tmp_path, content, "application/pdf")
    sha = hashlib.sha256(content).hexdigest()
    assert relative == f"archive/{sha[:2]}/{sha}.pdf"
    assert archive.store(tmp_path, content, "application/pdf") == relative
    assert archive.read(tmp_path, relative) == content
    assert [p.name for p in (tmp_path / "archive" / sha[:2]).iterdir()] == [f"{sha}.pdf"]


def test_corruption_is_detected(tmp_path) -> None:
    relative = archive.store(tmp_path, b"original", "text/plain")
    (tmp_path / relative).write_bytes(b"tampered")
    with pytest.raises(archive.ArchiveError, match="corrupt"):
        archive.read(tmp_path, relative)


def test_unwritable_archive_is_a_clear_error_and_leaves_nothing(tmp_path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root ignores directory permissions")
    (tmp_path / "archive").mkdir()
    (tmp_path / "archive").chmod(0o500)
    try:
        with pytest.raises(archive.ArchiveError, match="cannot write"):
            archive.store(tmp_path, b"x", "text/plain")
    finally:
        (tmp_path / "archive").chmod(0o700)


def test_names_never_come_from_outside(tmp_path) -> None:
    with pytest.raises(archive.ArchiveError):
        archive.relative_path("../../etc/passwd", "text/plain")


@settings(max_examples=50)
@given(st.binary(max_size=2000), st.sampled_from(["application/pdf", "text/html", "text/plain"]))
def test_archived_bytes_always_hash_to_their_name(tmp_path_factory, content, media_type) -> None:
    home = tmp_path_factory.mktemp("home")
    relative = archive.store(home, content, media_type)
    on_disk = (home / relative).read_bytes()
    assert hashlib.sha256(on_disk).hexdigest() == relative.rsplit("/", 1)[1].split(".")[0]
