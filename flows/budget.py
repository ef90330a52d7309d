"""A time and memory budget for parsing one document.

A hostile or pathological document (a PDF of a million tiny objects, a deeply nested page)
must cost one recorded failure, not a stuck or crashed run. Each parse runs in a child process
forked from the worker: the child's address space is capped (RLIMIT_AS) and the parent waits
at most the time budget, then kills it. Forking is cheap (copy-on-write) and works the same in
thread, process and Dask workers (whose daemonic processes multiprocessing would refuse).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import resource
import select
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Budget:
    """Limits for one parse: wall seconds and extra memory in MiB (0 disables a limit)."""

    seconds: float = 120.0
    memory_mb: int = 1536


class BudgetExceeded(Exception):
    """The work did not finish within its budget (or its process died)."""


def _address_space() -> int:
    """The current virtual memory size of this process, in bytes."""
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[0])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _limit_memory(memory_mb: int) -> None:
    if memory_mb:
        limit = _address_space() + memory_mb * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or limit < hard:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _child(write_fd: int, function: Callable[..., Any], args: tuple, memory_mb: int) -> None:
    """In the forked child: run under the memory cap, send the outcome, exit at once."""
    status = 1
    try:
        with contextlib.suppress(Exception):
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _limit_memory(memory_mb)
        try:
            payload = ("ok", function(*args))
        except MemoryError:
            payload = ("error", f"memory budget of {memory_mb} MiB exceeded")
        except BaseException as error:  # reported to the parent, which decides what it means
            payload = ("raised", error)
        try:
            data = pickle.dumps(payload)
        except Exception as error:  # an unpicklable result or exception
            data = pickle.dumps(("error", f"result could not be returned: {error}"))
        with os.fdopen(write_fd, "wb") as out:
            out.write(data)
        status = 0
    finally:
        os._exit(status)


def _read_all(read_fd: int, seconds: float) -> bytes | None:
    """Everything the child writes, or None if it is not done within `seconds`."""
    deadline = time.monotonic() + seconds
    chunks: list[bytes] = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        ready, _, _ = select.select([read_fd], [], [], remaining)
        if not ready:
            return None
        chunk = os.read(read_fd, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def run_within_budget(function: Callable[..., T], args: tuple, budget: Budget) -> T:
    """Run `function(*args)` in a forked child under the budget and return its result.

    Raises BudgetExceeded when the child runs out of time or memory or dies; re-raises any
    exception the function raised. Without fork (not Linux/macOS) it runs in this process.
    """
    if not hasattr(os, "fork") or not budget.seconds:
        return function(*args)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_fd)
        _child(write_fd, function, args, budget.memory_mb)
    os.close(write_fd)
    try:
        data = _read_all(read_fd, budget.seconds)
    finally:
        os.close(read_fd)
    if data is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise BudgetExceeded(f"time budget of {budget.seconds:g} s exceeded")
    _, code = os.waitpid(pid, 0)
    if not data:
        raise BudgetExceeded(
            f"parse process died ({_exit_description(code)}); "
            f"likely over the {budget.memory_mb} MiB memory budget"
        )
    status, value = pickle.loads(data)
    if status == "ok":
        return value
    if status == "raised":
        raise value
    raise BudgetExceeded(value)


def _exit_description(status: int) -> str:
    """A wait status in words: 'SIGABRT' for a native library aborting, or 'exit status 3'."""
    if os.WIFSIGNALED(status):
        try:
            return signal.Signals(os.WTERMSIG(status)).name
        except ValueError:
            return f"signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"
