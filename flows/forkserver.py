"""A warmed fork server: the process every budgeted parse is forked from.

Why. A budgeted parse runs in a child process so that a hostile document costs one killed
child, never the run (flows/budget.py). Forking the process that asks for the parse has two
faults:
- that process has threads (Prefect's engine, a Dask worker's event loop, httpx pools); a lock
  one of them holds at the moment of the fork, PDFium's for one, is copied into the child
  locked, and the child's first PDF waits on it until its time budget kills it;
- its parsers are cold in the child: vocabularies loaded, regular expressions compiled, PDF and
  HTML libraries initialised on first use, in every child, for every document and parser,
  and thrown away when the child exits (the first parse of a small page in a fresh process
  took 378 ms, the next ones 13-43 ms).

How. The server is a new interpreter (fork and exec, which is safe from a threaded process), so
it starts with one thread and never starts another. It imports the parsers and parses a
sample web page and PDF with every parser once (warming every lazy cache), then waits. For
each request it forks a child, which inherits the warm caches copy-on-write, reads the call
from the requester, runs it under the memory cap and writes the result straight back. The
server keeps the clock: it waits for each child's exit on a pidfd and kills a child that
outlives its time budget. Then it reports how the child ended on a second socket.

Each request travels as two socket pairs sent over the control socket (SCM_RIGHTS): `data`
(the call in, the result out, written by the child only) and `status` (written by the server
only, after the child has gone: how it ended). The requester reads `data` to its end, then
`status`. Nothing listens on a path or a port: only the process that started the server can
reach it. The server exits when that process closes the control socket (or dies), and kills
the children still running.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import resource
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_HEADER = struct.Struct("!dq")  # seconds, memory MiB
_LENGTH = struct.Struct("!Q")
READY = b"ready"


class ServerGone(RuntimeError):
    """The fork server died or never started."""


# ----------------------------------------------------------------------------- the server


@dataclass
class _Child:
    pid: int
    pidfd: int
    status: socket.socket
    deadline: float


def _address_space() -> int:
    """The current virtual memory size of this process, in bytes."""
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[0])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def limit_memory(memory_mb: int) -> None:
    """Cap this process's address space at its current size plus `memory_mb` MiB."""
    if memory_mb:
        limit = _address_space() + memory_mb * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or limit < hard:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _recv_exactly(sock: socket.socket, size: int) -> bytes:
    chunks, remaining = [], size
    while remaining:
        chunk = sock.recv(min(remaining, 1 << 20))
        if not chunk:
            raise EOFError("connection closed")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _read_frame(sock: socket.socket) -> bytes:
    (size,) = _LENGTH.unpack(_recv_exactly(sock, _LENGTH.size))
    return _recv_exactly(sock, size)


def _write_frame(sock: socket.socket, data: bytes) -> None:
    sock.sendall(_LENGTH.pack(len(data)) + data)


def run_child(data: socket.socket, memory_mb: int) -> None:
    """In a forked child: read the call, run it under the memory cap, send the outcome, exit."""
    status = 1
    try:
        with contextlib.suppress(Exception):
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # the requester decides when to stop
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        function, args = pickle.loads(_read_frame(data))
        limit_memory(memory_mb)
        try:
            payload = ("ok", function(*args))
        except MemoryError:
            payload = ("error", f"memory budget of {memory_mb} MiB exceeded")
        except BaseException as error:  # reported to the requester, which decides
            payload = ("raised", error)
        try:
            out = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as error:  # an unpicklable result or exception
            out = pickle.dumps(("error", f"result could not be returned: {error}"))
        data.sendall(out)
        data.shutdown(socket.SHUT_WR)
        status = 0
    finally:
        os._exit(status)


class _Server:
    """The server's loop: fork on request, reap on exit, kill on deadline."""

    def __init__(self, control: socket.socket) -> None:
        self.control = control
        self.children: dict[int, _Child] = {}  # by pidfd

    def loop(self) -> None:
        while True:
            now = time.monotonic()
            deadlines = [c.deadline for c in self.children.values()]
            timeout = max(0.0, min(deadlines) - now) if deadlines else None
            ready, _, _ = select.select([self.control, *self.children], [], [], timeout)
            for item in ready:
                if item is self.control:
                    if not self._accept():
                        return
                else:
                    self._reap(self.children.pop(item), timed_out=False)
            now = time.monotonic()
            for pidfd, child in list(self.children.items()):
                if child.deadline <= now:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(child.pid, signal.SIGKILL)
                    self._reap(self.children.pop(pidfd), timed_out=True)

    def _accept(self) -> bool:
        """Take one request; False when the requester has gone."""
        try:
            message, fds, _, _ = socket.recv_fds(self.control, _HEADER.size, 2)
        except OSError:
            return False
        if not message:
            return False
        data = socket.socket(fileno=fds[0])
        status = socket.socket(fileno=fds[1])
        seconds, memory_mb = _HEADER.unpack(message)
        pid = os.fork()
        if pid == 0:
            self._close_inherited(status)
            run_child(data, int(memory_mb))
        data.close()  # the child's alone now: the requester sees its end when the child ends
        pidfd = os.pidfd_open(pid)
        deadline = time.monotonic() + seconds if seconds > 0 else float("inf")
        self.children[pidfd] = _Child(pid, pidfd, status, deadline)
        return True

    def _close_inherited(self, status: socket.socket) -> None:
        """In a new child: let go of what belongs to the server and the other children."""
        self.control.close()
        status.close()
        for pidfd, child in self.children.items():
            os.close(pidfd)
            child.status.close()

    def _reap(self, child: _Child, timed_out: bool) -> None:
        _, code = os.waitpid(child.pid, 0)
        os.close(child.pidfd)
        with contextlib.suppress(OSError), child.status:
            child.status.sendall(pickle.dumps(("timeout", code) if timed_out else ("exit", code)))

    def stop(self) -> None:
        for pidfd, child in self.children.items():
            with contextlib.suppress(ProcessLookupError):
                os.kill(child.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(child.pid, 0)
            os.close(pidfd)
        self.children.clear()


def serve(control_fd: int) -> None:
    """The server process: set up like the requester, warm up, then serve until it leaves."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the requester to handle
    control = socket.socket(fileno=control_fd)
    setup = pickle.loads(_read_seqpacket(control))
    sys.path[:] = setup["sys_path"]
    warmed = None
    if setup.get("warm"):
        module, name = setup["warm"].rsplit(".", 1)
        warmer: Callable[[], Any] = getattr(__import__(module, fromlist=[name]), name)
        warmed = warmer()
    threads = len(os.listdir("/proc/self/task")) if os.path.isdir("/proc/self/task") else 1
    control.send(READY + pickle.dumps({"threads": threads, "warmed": warmed}))
    server = _Server(control)
    try:
        server.loop()
    finally:
        server.stop()


def _read_seqpacket(control: socket.socket) -> bytes:
    message = control.recv(1 << 20)
    if not message:
        raise EOFError("requester closed the control socket")
    return message


# ----------------------------------------------------------------------------- the client


class ForkServer:
    """The requester's handle on a running fork server (one per process that parses)."""

    def __init__(self, warm: str | None = None, startup_seconds: float = 120.0) -> None:
        """Start the server; it warms up while this process goes on (the first call waits)."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.owner = os.getpid()
        self._lock = threading.Lock()
        self._control = ours
        self._startup_seconds = startup_seconds
        self._facts: dict[str, Any] | None = None
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flows.forkserver", str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
            env=_server_environment(),
            start_new_session=True,  # Ctrl-C reaches the requester, which stops the server
        )
        theirs.close()
        ours.send(pickle.dumps({"sys_path": list(sys.path), "warm": warm}))

    @property
    def facts(self) -> dict[str, Any]:
        """What the server said when it was ready: its thread count, what warming read."""
        self.wait_ready()
        assert self._facts is not None
        return self._facts

    def wait_ready(self) -> None:
        """Wait until the server has warmed up (ServerGone if it fails to)."""
        with self._lock:
            if self._facts is not None:
                return
            self._control.settimeout(self._startup_seconds)
            try:
                answer = self._control.recv(1 << 16)
            except (TimeoutError, OSError) as error:
                raise ServerGone(f"fork server not ready: {error}") from None
            finally:
                with contextlib.suppress(OSError):
                    self._control.settimeout(None)
            if not answer.startswith(READY):
                raise ServerGone(f"fork server failed to start (exit {self.process.poll()})")
            self._facts = pickle.loads(answer[len(READY) :])

    @property
    def alive(self) -> bool:
        """True while the server runs and belongs to this process (not a fork of it)."""
        return self.owner == os.getpid() and self.process.poll() is None

    def call(
        self, function: Callable[..., Any], args: tuple, seconds: float, memory_mb: int
    ) -> tuple[bytes, str, int]:
        """Run `function(*args)` in a child forked from the server.

        Returns what the child wrote, how it ended ("exit" or "timeout") and its wait status.
        Raises ServerGone if the server is not there to answer.
        """
        self.wait_ready()
        request = pickle.dumps((function, args), protocol=pickle.HIGHEST_PROTOCOL)
        data, data_theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        status, status_theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        with data, status:
            try:
                with self._lock:
                    socket.send_fds(
                        self._control,
                        [_HEADER.pack(seconds, memory_mb)],
                        [data_theirs.fileno(), status_theirs.fileno()],
                    )
            except OSError as error:
                raise ServerGone(f"fork server unreachable: {error}") from None
            finally:
                data_theirs.close()
                status_theirs.close()
            with contextlib.suppress(OSError):  # a child killed early stops reading
                _write_frame(data, request)
            # The server answers within the budget; a server that died answers with EOF.
            limit = seconds + 60.0 if seconds > 0 else None
            data.settimeout(limit)
            status.settimeout(limit)
            try:
                output = _read_to_end(data)
                ending = _read_to_end(status)
            except TimeoutError:
                raise ServerGone("fork server stopped answering") from None
        if not ending:
            raise ServerGone("fork server died")
        how, code = pickle.loads(ending)
        return output, how, code

    def close(self) -> None:
        """Stop the server (it kills any child still running) and wait for it."""
        with contextlib.suppress(OSError):
            self._control.close()
        if self.owner == os.getpid():
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _server_environment() -> dict[str, str]:
    """The server's environment: the requester's, its import path, and pyarrow's allocator
    told not to start its background purge thread (the one thread importing pyarrow starts)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    env.setdefault("JE_ARROW_MALLOC_CONF", "background_thread:false")
    return env


def _read_to_end(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


if __name__ == "__main__":
    serve(int(sys.argv[1]))
