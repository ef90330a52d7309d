"""A time and memory budget for parsing one document.

A hostile or pathological document (a PDF of a million tiny objects, a deeply nested page)
must cost one recorded failure, not a stuck or crashed run. Each parse runs in a child
process: its address space is capped (RLIMIT_AS) and it is killed when it outlives the time
budget.

The child is forked from this process's fork server (flows/forkserver.py), a single-threaded
interpreter that imported and warmed the parsers once, never from the process asking: that
one has threads, and a lock another thread holds at the moment of a fork (PDFium's) would be
copied into the child locked. The server is started on the first budgeted parse of a process
(or earlier, by `start_fork_server()`), by fork and exec, which works the same in thread,
process and Dask workers (whose daemonic processes multiprocessing would refuse). Where Linux's
pidfd is missing, the child is forked from this process as before.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import select
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from flows import forkserver

T = TypeVar("T")
WARM_UP = "flows.warmup.warm_parsers"


@dataclass(frozen=True)
class Budget:
    """Limits for one parse: wall seconds and extra memory in MiB (0 disables a limit)."""

    seconds: float = 120.0
    memory_mb: int = 1536


class BudgetExceeded(Exception):
    """The work did not finish within its budget (or its process died)."""


_server: forkserver.ForkServer | None = None
_server_lock = threading.Lock()


def uses_fork_server() -> bool:
    """Whether budgeted work goes through a fork server on this system (Linux's pidfd)."""
    return hasattr(os, "fork") and hasattr(os, "pidfd_open")


def start_fork_server(warm: bool = True) -> forkserver.ForkServer | None:
    """This process's fork server, started (and warmed) now if it is not running."""
    global _server
    if not uses_fork_server():
        return None
    with _server_lock:
        if _server is None or not _server.alive:
            if _server is None:
                atexit.register(stop_fork_server)
            _server = forkserver.ForkServer(WARM_UP if warm else None)
        return _server


def stop_fork_server() -> None:
    """Stop this process's fork server, if it runs (it also stops when the process exits)."""
    global _server
    with _server_lock:
        if _server is not None and _server.owner == os.getpid():
            _server.close()
        _server = None


def run_within_budget(function: Callable[..., T], args: tuple, budget: Budget) -> T:
    """Run `function(*args)` in a child process under the budget and return its result.

    Raises BudgetExceeded when the child runs out of time or memory or dies; re-raises any
    exception the function raised. Without fork (not Linux/macOS) it runs in this process.
    """
    with budget_session(budget) as run:
        return run(function, args)


@contextlib.contextmanager
def budget_session(budget: Budget) -> Iterator[Callable[[Callable[..., Any], tuple], Any]]:
    """A runner for many budgeted calls (a job group's parses), each under `budget`, raising as
    `run_within_budget` does. Through the fork server they share one warm child, replaced
    after a call that failed on its budget: a fork per job group, not per parse, and each
    document's parsers find the caches the earlier ones filled (an HTML table parse took
    2 ms in a warm process, 12 ms as the first parse of a fresh fork)."""
    if not hasattr(os, "fork") or not budget.seconds:
        yield lambda function, args: function(*args)
        return
    if not uses_fork_server():
        yield lambda function, args: _unpack(*_fork_here(function, args, budget), budget)
        return
    server = start_fork_server()
    assert server is not None
    session = server.session()

    def run(function: Callable[..., Any], args: tuple) -> Any:
        nonlocal server, session
        try:
            output, code = session.call(function, args, budget.seconds, budget.memory_mb)
        except forkserver.ServerGone:  # one retry on a fresh server, then it is this call's
            session.close()
            stop_fork_server()
            server = start_fork_server()
            assert server is not None
            session = server.session()
            try:
                output, code = session.call(function, args, budget.seconds, budget.memory_mb)
            except forkserver.ServerGone as error:
                raise BudgetExceeded(f"parse process lost: {error}") from None
        return _unpack(output, code, budget)

    try:
        yield run
    finally:
        session.close()


def _unpack(data: bytes | None, code: int, budget: Budget) -> Any:
    """The child's result, or the exception that says how it ended."""
    if data is None:
        raise BudgetExceeded(f"time budget of {budget.seconds:g} s exceeded")
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


# ------------------------------------------------------- without a fork server (no pidfd)


def _fork_here(
    function: Callable[..., Any], args: tuple, budget: Budget
) -> tuple[bytes | None, int]:
    """Fork this process for the call (the fallback where pidfd is missing)."""
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
    _, code = os.waitpid(pid, 0)
    return data, code


def _child(write_fd: int, function: Callable[..., Any], args: tuple, memory_mb: int) -> None:
    """In the forked child: run under the memory cap, send the outcome, exit at once."""
    status = 1
    try:
        with contextlib.suppress(Exception):
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
        forkserver.limit_memory(memory_mb)
        try:
            payload = ("ok", function(*args))
        except MemoryError:
            payload = ("error", f"memory budget of {memory_mb} MiB exceeded")
        except BaseException as error:
            payload = ("raised", error)
        try:
            data = pickle.dumps(payload)
        except Exception as error:
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


def _exit_description(status: int) -> str:
    """A wait status in words: 'SIGABRT' for a native library aborting, or 'exit status 3'."""
    if os.WIFSIGNALED(status):
        try:
            return signal.Signals(os.WTERMSIG(status)).name
        except ValueError:
            return f"signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"
