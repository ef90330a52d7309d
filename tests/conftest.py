"""Shared fixtures: an isolated Prefect home and API server for the session, the sample site
served on 127.0.0.1, and fresh data folders.

Prefect reads its settings when first imported, so the environment is set here, at import
time, before any test module imports it.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_PREFECT_HOME = Path(tempfile.mkdtemp(prefix="toll-tests-prefect-"))
os.environ["PREFECT_HOME"] = str(_PREFECT_HOME)
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "90"
os.environ["PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW"] = "ignore"
os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
os.environ["PREFECT_TASKS_DISABLE_CACHING"] = "true"
os.environ.pop("PREFECT_API_URL", None)
os.environ.pop("TOLL_HOME", None)
os.environ.pop("TOLL_CONFIG", None)

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS / "site"))  # the site generator, importable as `generate`

CORPUS = TESTS.parent.parent / "shared" / "corpus"
REPORTS: list[str] = []  # figures measured by tests, printed at the end of the run


def pytest_terminal_summary(terminalreporter) -> None:
    if os.environ.get("TOLL_WRITE_RELIABILITY") == "1":
        from datetime import date

        from tests.support.reliability import write_doc

        REPORTS.append(write_doc(date.today()))
    if REPORTS:
        terminalreporter.section("figures measured")
        for line in REPORTS:
            terminalreporter.write_line(line)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_PREFECT_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def reliability():
    """Where fault and hostile-input tests record what toll did, for docs/reliability.md
    (written at the end of a session run with TOLL_WRITE_RELIABILITY=1)."""
    from tests.support.reliability import COLLECTOR

    return COLLECTOR


def _loopback_only(address: object) -> None:
    host = address[0] if isinstance(address, tuple) else str(address)
    if host not in {"127.0.0.1", "localhost", "::1"} and not str(host).startswith("/"):
        raise RuntimeError(f"tests may only reach loopback, not {host!r}")


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to connect beyond loopback fails the test."""
    original = socket.socket.connect

    def guarded(sock: socket.socket, address: object) -> object:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            _loopback_only(address)
        return original(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[None]:
    """One temporary Prefect API server for the whole session (it takes 10-15 s to start).
    Flow heartbeats are off: the engine otherwise joins their thread at the end of every
    flow run, about half a second each (see ../shared/TECH-NOTES.md)."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with (
        prefect_test_harness(server_startup_timeout=90),
        temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
    ):
        yield


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A fresh data folder."""
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def site_root(tmp_path: Path) -> Path:
    """A private copy of the bundled sample site that a test may change."""
    from flows.sample_site.server import bundled_site

    root = tmp_path / "site"
    shutil.copytree(bundled_site(), root)
    return root


@pytest.fixture
def site(site_root: Path) -> Iterator[object]:
    """The sample site served on 127.0.0.1 (a free port) from the test's private copy. The
    robots.txt rules toll cached for the process are dropped first: the port may be one an
    earlier test's host had, whose robots.txt was unreachable or forbidding."""
    from flows.acquire.robots import forget_robots
    from flows.sample_site.server import SiteServer

    forget_robots()
    with SiteServer(root=site_root) as server:
        yield server


def corpus_path(*parts: str) -> Path:
    """A path in ../shared/corpus; the test is skipped when the corpus is absent."""
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"corpus not available: {path}")
    return path


@pytest.fixture(scope="session")
def sample_home(prefect_api, tmp_path_factory) -> Path:
    """A warehouse built once per session by the real nightly flow from the sample site.
    Tests must only read it."""
    from flows.nightly import make_task_runner, nightly
    from flows.sample_site.demo import write_demo_config
    from flows.sample_site.server import SiteServer, bundled_site

    root = tmp_path_factory.mktemp("sample-site") / "site"
    shutil.copytree(bundled_site(), root)
    home = tmp_path_factory.mktemp("sample-home")
    with SiteServer(root=root) as server:
        config = write_demo_config(home, server.base_url)
        flow = nightly.with_options(task_runner=make_task_runner("threads", 2))
        summary = flow(home=str(home), config_path=str(config))
    assert summary.status == "completed", summary.failures
    return home
