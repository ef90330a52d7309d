"""A full disk, a read-only archive, an archive path that is a file: each fetched document
that cannot be archived is a recorded failure with a clear error, no partial file is left,
no document is loaded without its raw bytes, and once the disk is fixed the next run
finishes the work.

The disk is a real tmpfs mounted over `<home>/archive` (these tests need root; they are
skipped with the reason otherwise). File-size limits use RLIMIT_FSIZE in a child process.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.sample_site.demo import write_demo_config
from tests.support.warehouse_state import figure_signatures, published_torn
from warehouse import archive
from warehouse.database import reader
from warehouse.outputs.verify import verify
from warehouse.sql import scalar


@contextlib.contextmanager
def tmpfs(path: Path, options: str) -> Iterator[Path]:
    """A tmpfs mounted at `path` for the block (skips the test when mounting is refused)."""
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def leftovers(home: Path) -> list[Path]:
    """Temporary files of writes that did not finish."""
    return list((home / archive.ARCHIVE_DIR).rglob(f"{archive.TEMPORARY_PREFIX}*"))


def nightly(home: Path, site):
    from flows.nightly import make_task_runner, nightly

    config = write_demo_config(home, site.base_url)
    flow = nightly.with_options(task_runner=make_task_runner("threads", 2))
    return flow(home=str(home), config_path=str(config))


def documents(home: Path) -> int:
    with reader(home) as conn:
        return scalar(conn, "SELECT count(*) FROM documents")


def archive_errors(summary) -> list[str]:
    return [f["error"] for f in summary.failures if f["stage"] == "fetch"]


def shown(error: str, home: Path) -> str:
    """An error as the reliability table shows it: no temporary paths, no hash prefixes."""
    return re.sub(r"archive/[0-9a-f]{2}\b", "archive/<sha[:2]>", error.replace(str(home), "<home>"))


# ------------------------------------------------------------------------ through the flow


def missing_figures(home: Path, sample_home: Path) -> set:
    """Figures of the sample warehouse that this data folder does not hold."""
    return set(figure_signatures(sample_home)) - set(figure_signatures(home))


def record_fault(
    reliability, scenario: str, what: str, first, second, missing: set, status: str = "partial"
) -> None:
    """One row of docs/reliability.md: the fault's run (partial, or failed when nothing at
    all could be archived), then the run after the repair."""
    reliability.record(
        scenario,
        what,
        first.status == status and second.status == "completed",
        f"{len(missing)} figure(s)" if missing else None,
    )


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_api")
def test_disk_fills_up_during_a_run(home: Path, site, sample_home: Path, reliability) -> None:
    with tmpfs(home / archive.ARCHIVE_DIR, "size=256k,mode=0755") as disk:
        ballast = disk / "ballast"
        with contextlib.suppress(OSError), open(ballast, "wb") as out:
            out.write(b"\0" * (256 - 40) * 1024)  # leaves about ten documents' worth free
        first = nightly(home, site)
        errors = archive_errors(first)
        partial_files = leftovers(home)
        first_problems = verify(home).problems
        first_loaded = documents(home)
        ballast.unlink()  # the operator frees space
        second = nightly(home, site)
        missing = missing_figures(home, sample_home)
        extra = len(figure_signatures(home)) - len(figure_signatures(sample_home))
        reason = shown(errors[0], home).split(": ", 1)[-1] if errors else ""
        record_fault(
            reliability,
            "disk_full",
            f"{len(errors)} document(s) could not be archived: each a failed fetch with "
            f"“{reason}”; no partial file left, "
            f"{first_loaded} document(s) loaded, each with its archived bytes; once space was "
            "freed the next run archived and loaded the rest",
            first,
            second,
            missing,
        )
        assert first.status == "partial" and errors
        assert all("No space left on device" in e for e in errors), errors
        assert partial_files == [] and first_problems == []
        assert second.status == "completed", second.failures
        assert not missing and extra == 0
        assert verify(home).problems == [] and published_torn(home) == []


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_api")
def test_read_only_archive(home: Path, site, sample_home: Path, reliability) -> None:
    folder = home / archive.ARCHIVE_DIR
    with tmpfs(folder, "size=4m,ro"):
        first = nightly(home, site)
        errors = archive_errors(first)
        loaded = documents(home)
        partial_files = leftovers(home)
        subprocess.run(["mount", "-o", "remount,rw", str(folder)], check=True)
        second = nightly(home, site)
        missing = missing_figures(home, sample_home)
        record_fault(
            reliability,
            "archive_read_only",
            f"every fetched document a failed fetch with “{shown(errors[0], home)}”; "
            "no document loaded without its bytes, the run failed (exit 1); after a remount "
            "read-write the next run "
            "loaded everything",
            first,
            second,
            missing,
            status="failed",
        )
        assert first.status == "failed" and errors  # nothing could be archived: exit 1
        assert all("Read-only file system" in e for e in errors), errors
        assert loaded == 0 and partial_files == []
        assert second.status == "completed" and not missing


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_api")
def test_archive_path_is_a_file(home: Path, site, sample_home: Path, reliability) -> None:
    folder = home / archive.ARCHIVE_DIR
    folder.write_text("not a folder")
    first = nightly(home, site)
    errors = archive_errors(first)
    loaded = documents(home)
    folder.unlink()
    second = nightly(home, site)
    missing = missing_figures(home, sample_home)
    record_fault(
        reliability,
        "archive_is_a_file",
        f"every fetched document a failed fetch with “{shown(errors[0], home)}”; "
        "no document loaded without its bytes, the run failed (exit 1); once the file was "
        "moved away the next run "
        "loaded everything",
        first,
        second,
        missing,
        status="failed",
    )
    assert first.status == "failed" and errors and loaded == 0  # nothing archived: exit 1
    assert all("cannot write to the archive" in e for e in errors), errors
    assert second.status == "completed" and not missing


# ------------------------------------------------------------------------ the archive writer

FILE_SIZE_LIMIT = textwrap.dedent(
    """
    import json, resource, signal, sys
    from pathlib import Path
    from warehouse import archive
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails with EFBIG instead
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
    try:
        archive.store(Path(sys.argv[1]), b"%PDF-1.4 " + b"x" * 100_000, "application/pdf")
        print(json.dumps({"error": None}))
    except archive.ArchiveError as error:
        print(json.dumps({"error": str(error)}))
    """
)


def test_file_size_limit_leaves_no_partial_file(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", FILE_SIZE_LIMIT, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    error = json.loads(result.stdout)["error"]
    assert error and "File too large" in error
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_full_disk_leaves_no_partial_file(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with tmpfs(home / archive.ARCHIVE_DIR, "size=64k"):
        archive.store(home, b"small", "text/plain")
        with pytest.raises(archive.ArchiveError, match="No space left on device"):
            archive.store(home, os.urandom(200_000), "application/pdf")
        assert leftovers(home) == []
        assert verify(home).problems == []


def test_damaged_copy_is_replaced_when_the_bytes_come_again(tmp_path: Path) -> None:
    relative = archive.store(tmp_path, b"%PDF-1.4 original", "application/pdf")
    (tmp_path / relative).write_bytes(b"%PDF-1.4 tamperer")  # same size, other bytes
    assert archive.store(tmp_path, b"%PDF-1.4 original", "application/pdf") == relative
    assert archive.read(tmp_path, relative) == b"%PDF-1.4 original"
