"""warehouse.files.copy_into: the bytes arrive whole, by the kernel's copy or by the plain
one it falls back to, even when the kernel's stops part way."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from warehouse.files import copy_into

CONTENT = os.urandom(3 << 20) + b"tail"


def _copied(tmp_path: Path) -> bytes:
    source, target = tmp_path / "source.bin", tmp_path / "target.bin"
    source.write_bytes(CONTENT)
    with open(source, "rb") as copied, open(target, "wb") as out:
        out.write(b"")  # an open, empty target, as atomic_file hands it over
        copy_into(copied, out)
    return target.read_bytes()


def test_the_kernel_copy_is_whole(tmp_path) -> None:
    assert _copied(tmp_path) == CONTENT


def test_without_the_kernel_copy_the_plain_copy_is_whole(tmp_path, monkeypatch) -> None:
    monkeypatch.delattr(os, "copy_file_range", raising=False)
    assert _copied(tmp_path) == CONTENT


@pytest.mark.skipif(not hasattr(os, "copy_file_range"), reason="no copy_file_range here")
def test_a_kernel_copy_refused_part_way_is_finished_by_the_plain_copy(tmp_path, monkeypatch):
    real = os.copy_file_range
    calls = []

    def once_then_refuse(source: int, target: int, count: int) -> int:
        calls.append(count)
        if len(calls) > 1:
            raise OSError(18, "Invalid cross-device link")
        return real(source, target, 1 << 20)  # a first megabyte, then a refusal

    monkeypatch.setattr(os, "copy_file_range", once_then_refuse)
    assert _copied(tmp_path) == CONTENT
    assert len(calls) == 2
