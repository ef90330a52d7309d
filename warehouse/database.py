"""Where the warehouse lives and how it is opened.

DuckDB lets one process write a file and, while it does, no other process may even read it.
So toll writes to a private working copy (`<home>/state/warehouse-writer.duckdb`) and, at the
end of each run, publishes it as `<home>/warehouse.duckdb` by copying it and renaming the
copy over the old file in one atomic step. Analysts (and `toll sql`) open the published file
read-only at any time; a reader that opened the previous snapshot keeps reading it. Files are
written in the DuckDB 1.5 storage format so that 1.5 and 2.x clients can both open them.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from warehouse.errors import NotFound
from warehouse.files import atomic_file, copy_into
from warehouse.schema import migrate
from warehouse.served import refresh_served

PUBLISHED_NAME = "warehouse.duckdb"
WRITER_NAME = "warehouse-writer.duckdb"
STATE_DIR = "state"
STORAGE_COMPATIBILITY = "v1.5.0"


class WarehouseMissing(NotFound):
    """No published warehouse in the data folder yet."""


def published_path(home: Path) -> Path:
    """The analysts' file: `<home>/warehouse.duckdb`."""
    return home / PUBLISHED_NAME


def unpublished_marker(home: Path) -> Path:
    """The file that says the working copy holds changes not yet published."""
    return home / STATE_DIR / "unpublished"


def writer_path(home: Path) -> Path:
    """The writer's private working copy."""
    return home / STATE_DIR / WRITER_NAME


def connect_writer(home: Path) -> duckdb.DuckDBPyConnection:
    """Open (creating and migrating if needed) the writer's working database."""
    path = writer_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    published = published_path(home)
    if not path.exists() and published.exists():
        shutil.copyfile(published, path)  # continue from the last published snapshot
    conn = duckdb.connect(
        str(path), config={"storage_compatibility_version": STORAGE_COMPATIBILITY}
    )
    migrate(conn)
    return conn


@contextmanager
def writer(home: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The writer connection for a block; closed (checkpointed) afterwards."""
    conn = connect_writer(home)
    try:
        yield conn
    finally:
        conn.close()


def publish(home: Path) -> Path:
    """Publish the working database as `<home>/warehouse.duckdb`, atomically.

    The writer connection must be closed first. The stored results of the heavy views are
    brought up to date with any change not yet reflected in them (warehouse/served.py; a run
    has done it already), then the file is copied and flushed to disk before the rename, so a
    crash leaves either the old or the new snapshot, never a torn file.
    """
    source = writer_path(home)
    target = published_path(home)
    if not source.exists():
        raise WarehouseMissing(f"no working warehouse at {source}")
    # Store the heavy views' results so they match this snapshot; opening and closing also
    # replays the log a crashed writer may have left.
    conn = duckdb.connect(
        str(source), config={"storage_compatibility_version": STORAGE_COMPATIBILITY}
    )
    try:
        refresh_served(conn)
    finally:
        conn.close()
    for leftover in target.parent.glob(f".{target.name}.*.tmp"):  # from a publish killed mid-copy
        leftover.unlink(missing_ok=True)
    with open(source, "rb") as copied, atomic_file(target) as out:
        copy_into(copied, out)
    return target


def connect_reader(home: Path) -> duckdb.DuckDBPyConnection:
    """Open the published warehouse read-only (any write fails)."""
    path = published_path(home)
    if not path.exists():
        raise WarehouseMissing(
            f"no warehouse at {path} yet: run `toll ingest` (or `toll demo`) first"
        )
    return duckdb.connect(str(path), read_only=True)


def connect_query_reader(
    home: Path, memory_limit: str = "2GB", threads: int = 2
) -> duckdb.DuckDBPyConnection:
    """The published warehouse read-only for queries nobody vetted (`toll sql`): no files or
    network beyond the warehouse (external access off), no temp folder (nothing spills into
    the data folder, and no folder there for a query to read or write), no extension
    autoloading or installing, a memory limit and a thread count, and the configuration
    locked so the query cannot lift any of it. Raises WarehouseMissing, and duckdb's error
    for a memory limit it cannot read."""
    path = published_path(home)
    if not path.exists():
        raise WarehouseMissing(
            f"no warehouse at {path} yet: run `toll ingest` (or `toll demo`) first"
        )
    return duckdb.connect(
        str(path),
        read_only=True,
        config={
            "enable_external_access": False,
            "temp_directory": "",
            "autoload_known_extensions": False,
            "autoinstall_known_extensions": False,
            "allow_community_extensions": False,
            "memory_limit": memory_limit,
            "threads": threads,
            "lock_configuration": True,
        },
    )


@contextmanager
def reader(home: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the published warehouse for a block."""
    conn = connect_reader(home)
    try:
        yield conn
    finally:
        conn.close()
