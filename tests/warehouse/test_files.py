"""Atomic writes: unpredictable temporary names created exclusively (a planted symlink is
never written through), and files that follow the umask like everything else."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.records import batch, figure
from warehouse import archive
from warehouse.database import publish, writer
from warehouse.files import atomic_file, current_umask, default_mode
from warehouse.load import load_batch


@pytest.fixture
def umask() -> Iterator[None]:
    """Restore the process's umask after a test changes it."""
    before = os.umask(0o022)
    os.umask(before)
    yield
    os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("umask")
@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077])
def test_archive_files_follow_the_umask(home: Path, mask: int) -> None:
    os.umask(mask)
    assert current_umask() == mask and default_mode() == 0o666 & ~mask
    path = home / archive.store(home, b"93 civilians", "text/plain")
    with atomic_file(home / "report.html") as out:
        out.write(b"<html></html>")
    assert mode(path) == mode(home / "report.html") == 0o666 & ~mask
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left


def test_without_replace_an_existing_file_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "cell.png"
    target.write_bytes(b"earlier")
    with pytest.raises(FileExistsError), atomic_file(target, replace=False) as out:
        out.write(b"new")
    assert target.read_bytes() == b"earlier" and list(tmp_path.iterdir()) == [target]


def test_a_failed_write_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), atomic_file(tmp_path / "x") as out:
        out.write(b"half")
        raise RuntimeError("disk gone")
    assert list(tmp_path.iterdir()) == []


def test_planted_symlinks_at_the_old_temporary_names_are_not_followed(
    home: Path, tmp_path: Path, reliability
) -> None:
    from warehouse.outputs.report import write_report

    with writer(home) as conn:
        load_batch(conn, batch("run", "doc", [figure("doc", "civilians", 5)]))
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    pid = os.getpid()  # the old names were .<name>.<pid>.tmp: known to any local user
    planted = [home / f".warehouse.duckdb.{pid}.tmp", home / f".report.html.{pid}.tmp"]
    for link in planted:
        link.symlink_to(victim)
    publish(home)
    planted[0].symlink_to(victim)  # publish clears leftovers of its own name; plant again
    write_report(home, home / "report.html")
    reliability.record(
        "tmp_symlink",
        "symlinks to another file planted at .warehouse.duckdb.<pid>.tmp and "
        ".report.html.<pid>.tmp: publish and the report were written through mkstemp "
        "names, the symlinks' target untouched",
        (home / "report.html").stat().st_size > 1000,
        None if victim.read_text() == "precious" else "the symlink's target was overwritten",
    )
    assert victim.read_text() == "precious"
    assert (home / "warehouse.duckdb").stat().st_size > 0 and not (
        home / "report.html"
    ).is_symlink()
