"""The files a run leaves follow the umask (issue 13, item 12): archive files used to be
written 0600 while everything else followed the umask, so an analyst or a Dask worker under
another user could read the warehouse but not the documents its figures point to."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.sample_site.demo import write_demo_config
from warehouse import archive
from warehouse.database import reader
from warehouse.sql import scalar


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The usual umask for the block (the process's own restored afterwards)."""
    before = os.umask(0o022)
    yield
    os.umask(before)


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_api", "umask_022")
def test_a_run_under_umask_022_leaves_files_other_users_can_read(
    home: Path, site, reliability
) -> None:
    from flows.nightly import make_task_runner, nightly

    config = write_demo_config(home, site.base_url)
    flow = nightly.with_options(task_runner=make_task_runner("threads", 2))
    summary = flow(home=str(home), config_path=str(config))
    files = [p for p in (home / archive.ARCHIVE_DIR).rglob("*") if p.is_file()]
    folders = [p for p in (home / archive.ARCHIVE_DIR).rglob("*") if p.is_dir()]
    private = [
        p.relative_to(home).as_posix()
        for p in [*files, *folders, home / "warehouse.duckdb"]
        if stat.S_IMODE(p.stat().st_mode) & 0o044 != 0o044
    ]
    with reader(home) as conn:
        documents = scalar(conn, "SELECT count(*) FROM documents")
    modes = sorted({oct(stat.S_IMODE(p.stat().st_mode)) for p in files})
    reliability.record(
        "archive_umask",
        f"{len(files)} archive file(s) of {documents} document(s) written {', '.join(modes)} "
        f"and their folders readable by group and others, as the umask 022 asks",
        summary.status == "completed",
        f"unreadable by other users: {', '.join(private[:3])}" if private else None,
    )
    assert summary.status == "completed", summary.failures
    assert files and len(files) == documents and private == []
