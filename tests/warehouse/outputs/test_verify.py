"""`toll verify`: the archive is content-addressed (every file hashes to its name) and the
warehouse's references to it hold; a flipped byte, a deleted file, an orphan, a leftover
temporary file and a dangling row are each reported; a missing file is fetched again by the
next nightly run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from flows.cli.app import app
from flows.sample_site.demo import write_demo_config
from tests.support.records import batch, figure, sha_of
from warehouse import archive
from warehouse.database import publish, reader, writer
from warehouse.load import load_batch
from warehouse.outputs.verify import verify
from warehouse.sql import scalar


def build(home: Path, names: list[str]) -> None:
    """A data folder whose documents are the bytes of their names, archived and loaded."""
    with writer(home) as conn:
        for name in names:
            archive.store(home, name.encode(), "application/pdf")
            load_batch(conn, batch("run", name, [figure(name, "civilians", 7)]))
    publish(home)


def kinds(home: Path) -> list[tuple[str, str | None]]:
    return [(f.kind, f.path) for f in verify(home).findings]


def path_of(name: str) -> str:
    sha = sha_of(name)
    return f"archive/{sha[:2]}/{sha}.pdf"


def test_sound_archive_passes(home: Path) -> None:
    build(home, ["a", "b", "c"])
    result = verify(home)
    assert (result.files, result.documents, result.findings) == (3, 3, ())
    cli = CliRunner().invoke(app, ["verify", "--home", str(home)])
    assert cli.exit_code == 0, cli.output
    assert "3 archived file(s) re-hashed, 3 document(s)" in cli.output


def test_each_kind_of_damage_is_reported(home: Path) -> None:
    build(home, ["a", "b", "c", "d"])
    flipped = home / path_of("a")
    data = bytearray(flipped.read_bytes())
    data[0] ^= 0x01
    flipped.write_bytes(bytes(data))
    (home / path_of("b")).unlink()
    orphan = archive.store(home, b"never loaded", "text/plain")
    (home / path_of("c")).with_name(".incoming-x1y2").write_bytes(b"half")
    (home / "archive" / "notes.txt").write_text("mine")
    with writer(home) as conn:  # a figure whose document row is gone
        conn.execute("DELETE FROM documents WHERE sha256 = ?", [sha_of("d")])
    publish(home)

    found = kinds(home)
    assert ("corrupt", path_of("a")) in found
    assert ("missing", path_of("b")) in found
    assert ("orphan", orphan) in found
    assert ("orphan", path_of("d")) in found  # its document row is gone
    assert ("incomplete", str(Path(path_of("c")).with_name(".incoming-x1y2"))) in found
    assert ("unexpected", "archive/notes.txt") in found
    assert {k for k, _ in found if k == "dangling"} == {"dangling"}

    cli = CliRunner().invoke(app, ["verify", "--home", str(home), "--json"])
    assert cli.exit_code == 1
    report = json.loads(cli.stdout)
    assert not report["ok"]
    assert {p["kind"] for p in report["problems"]} == {"corrupt", "missing", "dangling"}
    assert {n["kind"] for n in report["notes"]} == {"orphan", "incomplete", "unexpected"}


def test_orphans_are_notes_unless_strict(home: Path) -> None:
    build(home, ["a"])
    archive.store(home, b"archived, then the run stopped", "text/plain")
    assert CliRunner().invoke(app, ["verify", "--home", str(home)]).exit_code == 0
    assert CliRunner().invoke(app, ["verify", "--home", str(home), "--strict"]).exit_code == 1


def test_archive_without_a_warehouse_is_still_checked(home: Path) -> None:
    relative = archive.store(home, b"bytes", "text/plain")
    (home / relative).write_bytes(b"other")
    result = verify(home)
    assert result.warehouse is None and [(f.kind, f.path) for f in result.problems] == [
        ("corrupt", relative)
    ]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    contents=st.lists(st.binary(max_size=300), min_size=1, max_size=6, unique=True),
    media=st.sampled_from(["application/pdf", "text/html", "text/plain"]),
    data=st.data(),
)
def test_names_always_hash_their_bytes_and_a_flip_is_caught(
    tmp_path_factory, contents: list[bytes], media: str, data
) -> None:
    home = tmp_path_factory.mktemp("verify")
    paths = [archive.store(home, content, media) for content in contents]
    assert verify(home).findings == ()
    for path, content in zip(paths, contents, strict=True):
        assert archive.file_sha256(home / path) == Path(path).stem
        assert (home / path).read_bytes() == content
    victim = data.draw(st.sampled_from([p for p, c in zip(paths, contents, strict=True) if c]
                                       or [None]))  # fmt: skip
    if victim is None:
        return
    damaged = bytearray((home / victim).read_bytes())
    damaged[data.draw(st.integers(0, len(damaged) - 1))] ^= data.draw(st.integers(1, 255))
    (home / victim).write_bytes(bytes(damaged))
    assert [(f.kind, f.path) for f in verify(home).findings] == [("corrupt", victim)]


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_api")
def test_missing_file_is_fetched_again_by_the_next_run(home: Path, site) -> None:
    from flows.nightly import make_task_runner, nightly

    config = write_demo_config(home, site.base_url)
    flow = nightly.with_options(task_runner=make_task_runner("threads", 2))
    assert flow(home=str(home), config_path=str(config)).status == "completed"
    with reader(home) as conn:
        path = scalar(conn, "SELECT archive_path FROM documents WHERE url LIKE '%M240701E.pdf'")
    pdf = home / path
    pdf.unlink()
    assert [f.kind for f in verify(home).problems] == ["missing"]
    summary = flow(home=str(home), config_path=str(config))
    assert summary.status == "completed" and summary.counts.figures_added == 0
    assert verify(home).findings == () and pdf.is_file()
