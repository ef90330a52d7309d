"""`toll schedule`: run the nightly flow on a schedule on one machine with nothing else set up.

Prefect's schedules need a real API server: the temporary one a plain `toll ingest` uses
refuses to schedule. Without PREFECT_API_URL, toll starts `prefect server start` on
127.0.0.1 as a child process, waits until it answers, serves the nightly deployment with the
schedule, and stops the server when it is itself stopped (Ctrl-C or SIGTERM). With
PREFECT_API_URL set, it serves the deployment to that server.

While it runs, the server it started is advertised in Prefect's home folder
(`toll-schedule-server.json`), so that a `toll ingest` on this machine uses it instead of
starting a temporary API server of its own (6-13 s of every command's start here).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from warehouse.errors import TollError

ADVERT_NAME = "toll-schedule-server.json"

DEFAULT_PORT = 4200
STARTUP_SECONDS = 180.0


class ServerError(TollError):
    """The local Prefect server did not start."""


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class LocalServer:
    """A Prefect server child process."""

    process: subprocess.Popen
    url: str

    @property
    def api_url(self) -> str:
        """What PREFECT_API_URL must say."""
        return f"{self.url}/api"


def wait_until_healthy(url: str, process: subprocess.Popen, seconds: float) -> None:
    """Poll the server's health endpoint until it answers, the process dies, or time is up."""
    deadline = time.monotonic() + seconds
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise ServerError(f"prefect server exited with code {process.returncode}")
            try:
                if client.get(f"{url}/api/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.5)  # a process we do not control: poll its health endpoint
    raise ServerError(f"prefect server not healthy after {seconds:.0f} s")


@contextmanager
def local_server(port: int, seconds: float = STARTUP_SECONDS) -> Iterator[LocalServer]:
    """A Prefect server on 127.0.0.1:port for the length of a block, stopped afterwards."""
    env = dict(os.environ)
    env.pop("PREFECT_API_URL", None)
    command = [
        sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
        "--port", str(port),
    ]  # fmt: skip
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    server = LocalServer(process, f"http://127.0.0.1:{port}")
    try:
        wait_until_healthy(server.url, process, seconds)
        yield server
    finally:
        stop(process)


def stop(process: subprocess.Popen, grace: float = 20.0) -> None:
    """Stop a child process (and its own children) cleanly, then firmly."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM into KeyboardInterrupt, so a service stop is a clean Ctrl-C."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def prefect_home() -> Path:
    """Prefect's home folder, as Prefect will resolve it (PREFECT_HOME or ~/.prefect)."""
    return Path(os.environ.get("PREFECT_HOME") or "~/.prefect").expanduser()


def advertise(server: LocalServer) -> Path:
    """Say, in Prefect's home folder, that this process serves a Prefect API at that URL."""
    path = prefect_home() / ADVERT_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps({"api_url": server.api_url, "pid": os.getpid()}))
    os.replace(temporary, path)
    return path


def withdraw() -> None:
    """Remove this process's advertisement (not another's)."""
    path = prefect_home() / ADVERT_NAME
    with contextlib.suppress(OSError, ValueError):
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()


def running_schedule_server(timeout: float = 1.0) -> str | None:
    """The API URL of a `toll schedule` server running on this machine with the same Prefect
    home, if one is advertised, its process alive and its API healthy; else None."""
    path = prefect_home() / ADVERT_NAME
    try:
        advert = json.loads(path.read_text())
        url, pid = str(advert["api_url"]), int(advert["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:  # alive, another user's
        pass
    try:
        healthy = httpx.get(f"{url}/health", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return None
    return url if healthy else None
