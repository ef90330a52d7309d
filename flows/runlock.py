"""One writer per data folder: an exclusive lock file held for the length of a run."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from warehouse.errors import Busy

LOCK_NAME = "writer.lock"

_HELD: set[int] = set()  # descriptors of the writer locks this process holds


def _close_in_child() -> None:
    """A forked child (a parse budget's child, a process-pool worker) must not keep the
    writer lock alive: its inherited descriptors are closed (the parent keeps the lock; an
    flock is released only when every descriptor of it is closed, so a child that outlived
    a killed run would otherwise make the next run 'busy')."""
    for descriptor in list(_HELD):
        with suppress(OSError):
            os.close(descriptor)
    _HELD.clear()


os.register_at_fork(after_in_child=_close_in_child)


class WarehouseBusy(Busy):
    """Another toll process is writing to this data folder."""


@contextmanager
def writer_lock(home: Path, wait: bool = False) -> Iterator[None]:
    """Hold the data folder's writer lock; raise WarehouseBusy (or wait) if it is taken.

    The lock is an advisory `flock` on `<home>/state/writer.lock`: the kernel releases it when
    the holder exits, even on kill -9, so a crash never leaves a stale lock behind.
    """
    path = home / "state" / LOCK_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")  # noqa: SIM115 - held for the whole block
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise WarehouseBusy(
                f"another toll run is writing to {home} (pid {holder}); "
                "wait for it to finish or use --wait"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        _HELD.add(handle.fileno())
        yield
    finally:
        _HELD.discard(handle.fileno())
        handle.close()


def lock_holder(home: Path) -> str | None:
    """The pid of the process holding the data folder's writer lock, or None if it is free."""
    path = home / "state" / LOCK_NAME
    if not path.exists():
        return None
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            return handle.read().strip() or "unknown"
        fcntl.flock(handle, fcntl.LOCK_UN)
        return None
