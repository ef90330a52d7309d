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
sample web page and PDF with every parser once (warming every lazy cache), freezes what that
built out of the garbage collector's reach, then waits. On request it forks a child, which
inherits the warm caches copy-on-write and serves calls one at a time for its requester
(a session): read a call, set the memory cap for it, run it, write the result. A session's
child serves many calls (a job group), so the fork and the child's own first-use
costs are paid once per job group, not once per parse; it is replaced after a call that ran out
of memory, timed out or killed it.

The requester keeps the clock: it waits for each result at most the call's time budget, then
asks the server to kill that child (only the server, its parent, can do so without a race on
a reused pid), and the server reports how the child ended once it has reaped it.

Each session travels as two socket pairs sent over the control socket (SCM_RIGHTS): `data`
(calls in, results out; the child's alone) and `status` (the server's: the child's pid, then
how it ended). Nothing listens on a path or a port: only the process that started the server
can reach it. The server exits when that process closes the control socket (or dies), and
kills the children still running.
"""

from __future__ import annotations

import contextlib
import gc
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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_LENGTH = struct.Struct("!Q")
_PID = struct.Struct("!q")
READY = b"ready"
FORK, KILL = b"F", b"K"
MORE, LAST = b"C", b"X"  # a result's first byte: the child goes on, or exits after it


class ServerGone(RuntimeError):
    """The fork server died or never started."""


# ----------------------------------------------------------------------------- the server


@dataclass
class _Child:
    pid: int
    pidfd: int
    status: socket.socket


def _address_space() -> int:
    """The current virtual memory size of this process, in bytes."""
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[0])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def limit_memory(memory_mb: int) -> None:
    """Cap this process's address space at its current size plus `memory_mb` MiB (0: lift
    the cap this process set before)."""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if not memory_mb:
        resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
        return
    limit = _address_space() + memory_mb * 1024 * 1024
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


def _call(function: Any, args: tuple, memory_mb: int) -> tuple[bytes, bool]:
    """Run one call under its memory cap: the pickled outcome, and whether to stop after it."""
    limit_memory(memory_mb)
    last = False
    try:
        payload: tuple = ("ok", function(*args))
    except MemoryError:
        payload, last = ("error", f"memory budget of {memory_mb} MiB exceeded"), True
    except BaseException as error:  # reported to the requester, which decides
        payload = ("raised", error)
    try:
        return pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL), last
    except Exception as error:  # an unpicklable result or exception
        return pickle.dumps(("error", f"result could not be returned: {error}")), last


def run_child(data: socket.socket) -> None:
    """In a forked child: serve the session's calls one by one until it ends, then exit."""
    status = 1
    try:
        with contextlib.suppress(Exception):
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # the requester decides when to stop
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
        while True:
            try:
                function, args, memory_mb = pickle.loads(_read_frame(data))
            except EOFError:
                break
            out, last = _call(function, args, int(memory_mb))
            _write_frame(data, (LAST if last else MORE) + out)
            if last:
                break
        status = 0
    finally:
        os._exit(status)


class _Server:
    """The server's loop: fork on request, kill on request, report each child's end."""

    def __init__(self, control: socket.socket) -> None:
        self.control = control
        self.children: dict[int, _Child] = {}  # by pidfd

    def loop(self) -> None:
        while True:
            watched: list[socket.socket | int] = [self.control, *self.children]
            ready, _, _ = select.select(watched, [], [])
            for item in ready:
                if isinstance(item, int):
                    self._reap(self.children.pop(item))
                elif not self._take_request():
                    return

    def _take_request(self) -> bool:
        """Take one request; False when the requester has gone."""
        try:
            message, fds, _, _ = socket.recv_fds(self.control, 64, 2)
        except OSError:
            return False
        if not message:
            return False
        if message[:1] == KILL:
            (pid,) = _PID.unpack(message[1:])
            if any(child.pid == pid for child in self.children.values()):  # not reaped yet
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            return True
        data, status = socket.socket(fileno=fds[0]), socket.socket(fileno=fds[1])
        pid = os.fork()
        if pid == 0:
            self._close_inherited(status)
            run_child(data)
        data.close()  # the child's alone now: the requester sees its end when the child ends
        pidfd = os.pidfd_open(pid)
        self.children[pidfd] = _Child(pid, pidfd, status)
        with contextlib.suppress(OSError):
            _write_frame(status, pickle.dumps(("pid", pid)))
        return True

    def _close_inherited(self, status: socket.socket) -> None:
        """In a new child: let go of what belongs to the server and the other children."""
        self.control.close()
        status.close()
        for pidfd, child in self.children.items():
            os.close(pidfd)
            child.status.close()

    def _reap(self, child: _Child) -> None:
        _, code = os.waitpid(child.pid, 0)
        os.close(child.pidfd)
        with contextlib.suppress(OSError), child.status:
            _write_frame(child.status, pickle.dumps(("exit", code)))

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
    gc.collect()
    gc.freeze()  # children never walk (nor copy the pages of) what warming built
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

    @property
    def alive(self) -> bool:
        """True while the server runs and belongs to this process (not a fork of it)."""
        return self.owner == os.getpid() and self.process.poll() is None

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

    def session(self) -> Session:
        """A session: calls served one at a time by a child forked on the first call."""
        return Session(self)

    def fork(self) -> Child:
        """A new child of the server, waiting for calls."""
        self.wait_ready()
        data, data_theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        status, status_theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            with self._lock:
                socket.send_fds(
                    self._control, [FORK], [data_theirs.fileno(), status_theirs.fileno()]
                )
        except OSError as error:
            data.close()
            status.close()
            raise ServerGone(f"fork server unreachable: {error}") from None
        finally:
            data_theirs.close()
            status_theirs.close()
        child = Child(self, data, status)
        try:
            child.pid = int(child.report("pid"))
        except ServerGone:
            child.close()
            raise
        return child

    def kill(self, pid: int) -> None:
        """Ask the server to kill its child `pid` (if it has not ended already)."""
        with contextlib.suppress(OSError), self._lock:
            self._control.send(KILL + _PID.pack(pid))

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


class Child:
    """One child of the fork server, as its requester sees it."""

    def __init__(self, server: ForkServer, data: socket.socket, status: socket.socket) -> None:
        self.server = server
        self.data = data
        self.status = status
        self.pid = 0

    def report(self, kind: str, seconds: float = 60.0) -> Any:
        """The server's next report about this child, which must be of `kind`."""
        self.status.settimeout(seconds)
        try:
            found, value = pickle.loads(_read_frame(self.status))
        except (TimeoutError, OSError, EOFError):
            raise ServerGone("fork server stopped answering") from None
        if found != kind:
            raise ServerGone(f"fork server said {found!r}, not {kind!r}")
        return value

    def call(self, request: bytes, seconds: float) -> tuple[bytes | None, int, bool]:
        """Send one pickled call and wait for its result at most `seconds` (0: no limit).

        Returns (result, wait status, whether the child has ended): result None when the
        time ran out (the child is killed), b"" when the child died without answering."""
        try:
            _write_frame(self.data, request)
        except OSError:
            return b"", self.report("exit"), True
        ready, _, _ = select.select([self.data], [], [], seconds if seconds > 0 else None)
        if not ready:
            self.server.kill(self.pid)
            return None, self.report("exit"), True
        self.data.settimeout(seconds + 60.0 if seconds > 0 else None)
        try:
            frame = _read_frame(self.data)
        except (EOFError, OSError):
            return b"", self.report("exit"), True
        if frame[:1] == LAST:
            return frame[1:], self.report("exit"), True
        return frame[1:], 0, False

    def close(self) -> None:
        """End the session: the child sees the end of its calls and exits."""
        with contextlib.suppress(OSError):
            self.data.close()
            self.status.close()


class Session:
    """Calls served by one warm child at a time; a child that ended is replaced on the next
    call. Use it from one thread."""

    def __init__(self, server: ForkServer) -> None:
        self.server = server
        self.child: Child | None = None

    def call(
        self, function: Callable[..., Any], args: tuple, seconds: float, memory_mb: int
    ) -> tuple[bytes | None, int]:
        """Run `function(*args)` in the session's child under the budget: its pickled outcome
        (None: out of time, b"": the child died) and the child's wait status if it ended."""
        request = pickle.dumps((function, args, memory_mb), protocol=pickle.HIGHEST_PROTOCOL)
        if self.child is None:
            self.child = self.server.fork()
        output, code, ended = self.child.call(request, seconds)
        if ended:
            self.child.close()
            self.child = None
        return output, code

    def close(self) -> None:
        """End the session (its child exits)."""
        if self.child is not None:
            self.child.close()
            self.child = None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _server_environment() -> dict[str, str]:
    """The server's environment: the requester's, its import path, and pyarrow's allocator
    told not to start its background purge thread (the one thread importing pyarrow starts)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    env.setdefault("JE_ARROW_MALLOC_CONF", "background_thread:false")
    return env


if __name__ == "__main__":
    serve(int(sys.argv[1]))
