"""Security: toll contacts only the configured hosts (redirects included), names archive files
by hash whatever the URL, opens the analysts' warehouse read-only, never runs what it
fetches, and caps the size and time of everything it fetches and parses."""

from __future__ import annotations

import ast
import re
import socket
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.acquire.discovery import feed_links
from flows.config import FetchSettings, ParseSettings
from flows.sample_site.demo import write_demo_config
from flows.sample_site.server import Fault, SiteServer
from parsers.html_document import MAX_HTML_BYTES, MAX_HTML_DEPTH
from parsers.pdf_document import MAX_PAGES
from tests.support import hostile_documents as hostile
from tests.support.records import batch, figure
from warehouse.database import publish, reader, writer
from warehouse.load import load_batch
from warehouse.sql import scalar

ROOT = Path(__file__).resolve().parents[2]
PDF = "/wp-content/uploads/2024/07/M240701E.pdf"
ARCHIVE_NAME = re.compile(r"^archive/[0-9a-f]{2}/[0-9a-f]{64}\.(pdf|html|txt)$")


def nightly(home: Path, config: Path):
    from flows.nightly import make_task_runner, nightly

    flow = nightly.with_options(task_runner=make_task_runner("threads", 2))
    return flow(home=str(home), config_path=str(config))


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every (host, port) this process connects to, and every name it resolves, recorded
    beneath the loopback guard of conftest.py."""
    seen: list[tuple[str, int]] = []
    connect, resolve = socket.socket.connect, socket.getaddrinfo

    def recording_connect(sock: socket.socket, address: object) -> object:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            seen.append((address[0], address[1]))
        return connect(sock, address)

    def recording_resolve(host, *args, **kwargs):
        seen.append((f"resolve:{host}", 0))
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", recording_connect)
    monkeypatch.setattr(socket, "getaddrinfo", recording_resolve)
    return seen


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_api")
def test_only_configured_hosts_are_contacted_even_after_redirects(
    home: Path, site, site_root: Path, connections
) -> None:
    from prefect.settings import PREFECT_API_URL

    other = SiteServer(root=site_root, host="127.0.0.2").start()
    try:
        article = next(p for p in site.root.glob("blog/2024/08/01/*/")).relative_to(site.root)
        site.faults[PDF] = Fault("redirect_offsite", location=other.base_url + PDF)
        site.faults[f"/{article}/"] = Fault("redirect_offsite", location="file:///etc/passwd")
        summary = nightly(home, write_demo_config(home, site.base_url))
    finally:
        other.stop()
    api = PREFECT_API_URL.value().split("//", 1)[1].split("/")[0].rsplit(":", 1)
    allowed = {("127.0.0.1", site.httpd.server_address[1]), (api[0], int(api[1]))}
    resolved = {host for host, _ in connections if host.startswith("resolve:")}
    contacted = {c for c in connections if not c[0].startswith("resolve:")}
    assert contacted <= allowed, contacted - allowed
    assert resolved <= {"resolve:127.0.0.1", f"resolve:{api[0]}"}, resolved
    assert other.requests == []
    refused = {f["url"].removeprefix(site.base_url): f["error"] for f in summary.failures}
    assert "outside the allowed hosts" in refused[PDF]
    assert "file:///etc/passwd" in refused[f"/{article}/"]


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_api")
def test_archive_names_come_from_hashes_never_from_urls(
    home: Path, site, site_root: Path, reliability
) -> None:
    report = b"In April 2024, 93 civilians were killed in Idlib.\n"
    files = {"report.txt": report, "تقرير.txt": report.replace(b"93", b"94")}
    links = [
        "/hostile/report.txt?name=../../../../etc/passwd&out=/tmp/x",
        "/hostile/report.txt?page=" + "a" * 3000,
        "/hostile/%D8%AA%D9%82%D8%B1%D9%8A%D8%B1.txt",
        "/hostile/..%2F..%2F..%2Fetc%2Fpasswd",
    ]
    feed = hostile.serve(site_root, files, links)
    config = write_demo_config(home, site.base_url)
    config.write_text(hostile.hostile_source(site.base_url, feed))  # the hostile source only
    before = {p for p in home.parent.rglob("*")}
    summary = nightly(home, config)

    created = {p for p in home.parent.rglob("*")} - before
    archived = sorted(p.relative_to(home).as_posix() for p in created if "archive" in p.parts)
    files_archived = [p for p in archived if p.count("/") == 2]
    outside = sorted(p for p in created if not p.is_relative_to(home))
    with reader(home) as conn:
        loaded = scalar(conn, "SELECT count(*) FROM documents")
        figures = sorted(r[0] for r in conn.execute("SELECT count FROM figures").fetchall())
    reliability.record(
        "hostile_urls",
        f"{len(files_archived)} distinct document(s) archived as archive/<sha[:2]>/<sha256>.txt, "
        "whatever the URL said; nothing written outside the data folder; the encoded ../ "
        "path got the site's 404, recorded",
        summary.status in {"completed", "partial"},
        None if loaded == 2 and figures == [93, 94] else f"loaded {loaded} documents",
    )
    assert outside == []
    assert files_archived and all(ARCHIVE_NAME.match(p) for p in files_archived), archived
    assert loaded == 2 and figures == [93, 94]
    assert [f["url"].removeprefix(site.base_url) for f in summary.failures] == [links[3]]


@pytest.mark.parametrize(
    "statement",
    [
        "DROP TABLE figures",
        "DELETE FROM figures",
        "INSERT INTO runs (run_id, flow, started_at, status) VALUES ('x', 'x', now(), 'x')",
        "CREATE TABLE evil AS SELECT 1",
        "UPDATE documents SET url = 'x'",
    ],
)
def test_toll_sql_is_read_only(home: Path, statement: str) -> None:
    from flows.cli.app import app

    with writer(home) as conn:
        load_batch(conn, batch("run", "doc", [figure("doc", "civilians", 5)]))
    publish(home)
    result = CliRunner().invoke(app, ["sql", statement, "--home", str(home)])
    assert result.exit_code == 1 and "read-only" in result.output, result.output
    with reader(home) as conn:
        assert scalar(conn, "SELECT count(*) FROM figures") == 1
        assert scalar(conn, "SELECT url FROM documents") == "https://example.org/doc"


@pytest.mark.parametrize(
    "statement",
    [
        "COPY (SELECT * FROM figures) TO '{tmp}/stolen.csv'",
        "ATTACH '{tmp}/other.duckdb' AS other",
        "SELECT * FROM read_text('/etc/hostname')",
        "SET enable_external_access = true",
    ],
)
def test_toll_sql_reaches_no_file_but_the_warehouse(
    home: Path, tmp_path: Path, statement: str
) -> None:
    from flows.cli.app import app

    with writer(home) as conn:
        load_batch(conn, batch("run", "doc", [figure("doc", "civilians", 5)]))
    publish(home)
    outside = tmp_path / "outside"
    outside.mkdir()
    query = statement.format(tmp=outside)
    result = CliRunner().invoke(app, ["sql", query, "--home", str(home)])
    assert result.exit_code == 1, result.output
    assert list(outside.iterdir()) == []


# ------------------------------------------------------------------------ no code from outside

SCANNED = [
    *sorted((ROOT / "parsers").rglob("*.py")),
    *(ROOT / "flows" / "acquire" / name for name in ("fetch.py", "discovery.py", "robots.py",
                                                      "retry.py", "documents.py")),
    *(ROOT / path for path in ("warehouse/archive.py", "flows/jobs.py",
                               "warehouse/outputs/verify.py")),
]  # fmt: skip
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__", "breakpoint"}
FORBIDDEN_ATTRIBUTES = {
    ("os", "system"), ("os", "popen"), ("pickle", "loads"), ("pickle", "load"),
    ("marshal", "loads"), ("shelve", "open"), ("yaml", "load"), ("yaml", "unsafe_load"),
}  # fmt: skip
FORBIDDEN_MODULES = {"subprocess", "pickle", "marshal", "shelve", "ctypes", "pty"}


def violations(path: Path) -> list[str]:
    """Places where a module could run code or a shell: what fetched content must never reach."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        where = f"{path.name}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Call):
            function = node.func
            if isinstance(function, ast.Name) and function.id in FORBIDDEN_CALLS:
                found.append(f"{where}: {function.id}()")
            if (
                isinstance(function, ast.Attribute)
                and isinstance(function.value, ast.Name)
                and (
                    (function.value.id, function.attr) in FORBIDDEN_ATTRIBUTES
                    or (function.value.id == "os" and function.attr.startswith(("exec", "spawn")))
                )
            ):
                found.append(f"{where}: {function.value.id}.{function.attr}()")
            for keyword in node.keywords:
                if keyword.arg == "shell" and not (
                    isinstance(keyword.value, ast.Constant) and keyword.value.value is False
                ):
                    found.append(f"{where}: shell=")
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            found += [f"{where}: import {n}" for n in names if n and n.split(".")[0]
                      in FORBIDDEN_MODULES]  # fmt: skip
    return found


def test_no_shell_or_eval_where_fetched_content_goes() -> None:
    assert len(SCANNED) > 20
    assert [v for path in SCANNED for v in violations(path)] == []


def test_the_scan_would_catch_them(tmp_path: Path) -> None:
    bad = tmp_path / "probe.py"
    bad.write_text(
        "import subprocess\nimport os, pickle\neval('1')\nos.system('x')\n"
        "subprocess.run('x', shell=True)\npickle.loads(b'')\nos.execv('x', [])\n"
    )
    assert [v.split(": ", 1)[1] for v in violations(bad)] == [
        "import subprocess", "import pickle", "eval()", "os.system()", "shell=",
        "pickle.loads()", "os.execv()",
    ]  # fmt: skip


# ------------------------------------------------------------------------ caps


def test_everything_fetched_and_parsed_is_capped() -> None:
    fetch, parse = FetchSettings(), ParseSettings()
    assert 0 < fetch.max_bytes <= 100 * 1024 * 1024
    assert 0 < fetch.timeout_seconds <= 60 and 0 < fetch.connect_timeout_seconds <= 60
    assert 0 < fetch.deadline_seconds <= 600  # a body that trickles in is abandoned
    assert fetch.max_attempts <= 10 and fetch.max_redirects <= 20
    assert fetch.max_retry_after_seconds <= 600 and fetch.max_backoff_seconds <= 60
    assert 0 < parse.time_budget_seconds <= 600 and 0 < parse.memory_budget_mb <= 4096
    assert MAX_HTML_BYTES <= 50 * 1024 * 1024 and MAX_HTML_DEPTH <= 1000 and MAX_PAGES <= 5000
    with pytest.raises(ValueError):
        FetchSettings(max_bytes=0)
    with pytest.raises(ValueError):
        FetchSettings(timeout_seconds=0)


def test_a_trickling_body_is_abandoned_at_the_deadline(site) -> None:
    from flows.acquire.fetch import Fetcher
    from flows.acquire.politeness import Politeness

    settings = FetchSettings(max_attempts=1, timeout_seconds=5, deadline_seconds=1)
    trickle = site.faults[PDF] = Fault("trickle", seconds=0.02)  # a byte every 20 ms, forever
    started = time.monotonic()
    with Fetcher(
        settings, [site.host], Politeness(1000, 1), obey_robots=False, allow_private_addresses=True
    ) as fetcher:
        result = fetcher.get(site.base_url + PDF)
    assert result.outcome == "failed" and "still arriving after 1 s" in result.error
    assert trickle.sent > 0 and time.monotonic() - started < 5


@pytest.mark.parametrize(
    "payload",
    [
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<rss><channel><item><link>http://127.0.0.1/&x;</link></item></channel></rss>",
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        + b"".join(b'<!ENTITY %c "%s">' % (98 + i, (b"&%c;" % (97 + i)) * 10) for i in range(9))
        + b"]><rss><channel><item><link>http://127.0.0.1/&j;</link></item></channel></rss>",
    ],
    ids=["external-entity", "billion-laughs"],
)
def test_feeds_never_expand_entities(payload: bytes) -> None:
    started = time.monotonic()
    links = feed_links(payload, "http://127.0.0.1/feed/")
    assert time.monotonic() - started < 5
    assert all("root:" not in link.url and len(link.url) < 200 for link in links)
