"""A hostile or compromised publisher's server, played for real on 127.0.0.1: compression
bombs, redirects to other ports, names that resolve to private addresses or change their
answer, robots.txt of a redirect target, and a Crawl-delay of a day. Each test checks what
reached the machine (requests the servers saw, connections made, memory used)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from flows.acquire.addresses import kind_of
from flows.acquire.decoding import BoundedDecoder, EncodingRefused, content_coding
from flows.acquire.fetch import Fetcher
from flows.acquire.politeness import Politeness
from flows.acquire.robots import forget_robots
from flows.config import FetchSettings, SourceConfig, host_allowed
from flows.sample_site.demo import write_demo_config
from flows.sample_site.server import Fault, SiteServer, _gzip_of_zeros
from warehouse.database import reader
from warehouse.sql import scalar

ROOT = Path(__file__).resolve().parents[2]
PDF = "/wp-content/uploads/2024/07/M240701E.pdf"
GIB = 1 << 30
MIB = 1 << 20


def fetcher(site: SiteServer, **settings: object) -> Fetcher:
    """A fetcher allowed exactly the site's host and port, on a private address."""
    forget_robots()
    return Fetcher(
        FetchSettings(max_attempts=1, **settings),
        [site.host],
        Politeness(1000, 2),
        allow_private_addresses=True,
    )


def nightly(home: Path, config: Path):
    from flows.nightly import make_task_runner, nightly

    flow = nightly.with_options(task_runner=make_task_runner("threads", 2))
    return flow(home=str(home), config_path=str(config))


# ------------------------------------------------------------------------ compression bombs


def test_content_codings_accepted_and_refused() -> None:
    assert content_coding(None) is None and content_coding("identity") is None
    assert content_coding("gzip") == "gzip" and content_coding("x-gzip, identity") == "gzip"
    assert content_coding("Deflate") == "deflate"
    for header in ("gzip, gzip", "deflate, gzip", "identity, identity, gzip", "br", "zstd"):
        with pytest.raises(EncodingRefused):
            content_coding(header)


def test_the_decoder_never_yields_more_than_a_piece_at_a_time() -> None:
    bomb = _gzip_of_zeros(64 * MIB)
    decoder = BoundedDecoder("gzip")
    sizes = [len(piece) for piece in decoder.feed(bomb)] + [len(p) for p in decoder.flush()]
    assert sum(sizes) == 64 * MIB and max(sizes) <= 64 * 1024
    import zlib

    raw = zlib.compress(b"93 civilians", 9)[2:-4]  # raw deflate, as some servers send it
    assert b"".join(BoundedDecoder("deflate").feed(raw)) == b"93 civilians"
    with pytest.raises(EncodingRefused, match="ends before"):
        truncated = BoundedDecoder("gzip")
        list(truncated.feed(_gzip_of_zeros(MIB)[:-100]))
        list(truncated.flush())


def test_a_stacked_gzip_bomb_is_refused_unread(site, reliability) -> None:
    site.faults[PDF] = bomb = Fault("gzip_bomb", size=GIB, layers=2)
    with fetcher(site, max_bytes=5_000_000) as f:
        result = f.get(site.base_url + PDF)
    assert bomb.hits == 1 and len(_gzip_of_zeros(GIB, 2)) < 3000
    assert result.outcome == "failed" and "more than one encoding" in result.error


def test_a_gzip_bomb_costs_no_more_memory_than_the_cap(site, reliability) -> None:
    cap = 20 * MIB
    site.faults[PDF] = Fault("gzip_bomb", size=GIB)
    with fetcher(site, max_bytes=cap) as f:
        tracemalloc.start()
        try:
            result = f.get(site.base_url + PDF)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    limit = cap * 1.125 + 4 * MIB  # the buffer grows by an eighth; a constant for the rest
    reliability.record(
        "gzip_bomb_memory",
        f"fetch refused: “{result.error}”; Python allocations peaked at "
        f"{peak / MIB:.1f} MiB for a {cap / MIB:.0f} MiB cap (decoded 64 KiB at a time)",
        result.outcome == "failed",
        None if peak <= limit else f"peak {peak / MIB:.0f} MiB",
    )
    assert result.outcome == "failed" and "cap" in result.error
    assert peak <= limit, f"{peak / MIB:.1f} MiB"


CHILD = """
import json, resource, sys
from flows.acquire.fetch import Fetcher
from flows.acquire.politeness import Politeness
from flows.forkserver import _address_space
from flows.config import FetchSettings

url, host = sys.argv[1], sys.argv[2]
settings = FetchSettings(max_attempts=1, max_bytes=2 << 30)
fetcher = Fetcher(settings, [host], Politeness(1000, 1), obey_robots=False,
                  allow_private_addresses=True)
limit = _address_space() + 300 * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
result = fetcher.get(url)
after = fetcher.get(url.replace("07/M240701E", "02/M240201E"))  # the process goes on
print(json.dumps([result.outcome, result.error, after.outcome, after.error]))
"""


def test_running_out_of_memory_is_a_failed_fetch(site, reliability) -> None:
    site.faults[PDF] = Fault("gzip_bomb", size=GIB)
    child = subprocess.run(
        [sys.executable, "-c", CHILD, site.base_url + PDF, site.host],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert child.returncode == 0, child.stderr[-2000:]
    outcome, error, after, after_error = json.loads(child.stdout.splitlines()[-1])
    reliability.record(
        "gzip_bomb_out_of_memory",
        f"in a process limited to 300 MiB more memory, with a 2 GiB cap: fetch recorded as "
        f"{outcome}: “{error}”; the next fetch of the same process: {after}",
        outcome == "failed" and after == "fetched",
    )
    assert (outcome, error) == ("failed", "out of memory while reading the body")
    assert after == "fetched", after_error


# ------------------------------------------------------------------------ hosts, ports, addresses


def test_allowed_hosts_name_ports() -> None:
    assert host_allowed("http://127.0.0.1:8741/a", ["127.0.0.1:8741"])
    assert not host_allowed("http://127.0.0.1:4200/api", ["127.0.0.1:8741"])
    assert not host_allowed("http://127.0.0.1:8741/a", ["127.0.0.1"])  # no port: 80 only
    assert host_allowed("http://snhr.org/a", ["snhr.org"])
    assert host_allowed("https://snhr.org/a", ["snhr.org"])
    assert not host_allowed("https://snhr.org:8443/a", ["snhr.org"])
    assert not host_allowed("http://snhr.org:443/a", ["snhr.org"])
    assert host_allowed("http://[::1]:9000/a", ["[::1]:9000"])
    assert not host_allowed("file:///etc/passwd", ["snhr.org"])
    with pytest.raises(ValueError, match="give a host"):
        SourceConfig(
            name="x", publisher="x", homepage="https://x.org/", allowed_hosts=["x.org/path"],
            feeds=["https://x.org/feed/"], include=["."],
        )  # fmt: skip


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_api")
def test_a_redirect_to_another_port_of_an_allowed_host_is_refused(
    home: Path, site, site_root: Path, reliability
) -> None:
    admin = SiteServer(root=site_root).start()  # another service on 127.0.0.1 (the API, say)
    try:
        site.faults[PDF] = Fault("redirect_offsite", location=admin.base_url + PDF)
        summary = nightly(home, write_demo_config(home, site.base_url))
    finally:
        admin.stop()
    errors = {f["url"].removeprefix(site.base_url): f["error"] for f in summary.failures}
    with reader(home) as conn:
        loaded = scalar(conn, "SELECT count(*) FROM documents WHERE url LIKE ?", [f"%{PDF}"])
    reliability.record(
        "redirect_other_port",
        f"fetch recorded as failed: “{errors.get(PDF, '').replace(site.base_url, '<site>')}”"
        f"; the other port saw {len(admin.requests)} request(s); every other document loaded",
        summary.status == "partial",
        f"{len(admin.requests)} request(s) reached the other port" if admin.requests else None,
    )
    assert admin.requests == [] and loaded == 0
    assert "outside the allowed hosts" in errors[PDF] and list(errors) == [PDF]


def test_names_resolving_to_private_addresses_are_refused_before_connecting(
    site, monkeypatch, reliability
) -> None:
    port = site.httpd.server_address[1]
    answers = {"intranet.example": "10.0.0.7", "metadata.example": "169.254.169.254"}
    resolve = socket.getaddrinfo

    def dns(host, *args, **kwargs):  # what a hostile zone answers; the rest is real
        if host in answers:
            return resolve(answers[host], *args, **kwargs)
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", dns)
    connected: list[object] = []
    monkeypatch.setattr(socket.socket, "connect", lambda sock, address: connected.append(address))
    hosts = ["localhost", "intranet.example", "metadata.example", "169.254.169.254"]
    errors = {}
    for host in hosts:
        with Fetcher(
            FetchSettings(max_attempts=1), [f"{host}:{port}"], Politeness(1000, 1)
        ) as public_source:
            result = public_source.get(f"http://{host}:{port}{PDF}")
        errors[host] = result.error
        assert result.outcome == "failed", host
    reliability.record(
        "private_address",
        "every fetch refused before connecting: "
        + "; ".join(f"“{e.removeprefix('refused: ')}”" for e in errors.values()),
        all(e and "address" in e for e in errors.values()),
        f"{len(connected)} connection(s) made" if connected else None,
    )
    assert connected == [] and site.requests == []
    assert "a loopback address" in errors["localhost"]
    assert "a private address" in errors["intranet.example"]
    assert "a link-local address" in errors["metadata.example"]
    assert "a link-local address" in errors["169.254.169.254"]
    assert [kind_of(a) for a in ("8.8.8.8", "::ffff:10.1.2.3", "fd00::1", "0.0.0.0")] == [
        None, "private", "private", "private",
    ]  # fmt: skip


def test_the_connection_goes_to_the_address_that_was_checked(
    site, site_root: Path, monkeypatch, reliability
) -> None:
    port = site.httpd.server_address[1]
    internal = SiteServer(root=site_root, host="127.0.0.2", port=port).start()
    try:
        lookups: list[str] = []
        resolve = socket.getaddrinfo

        def rebinding(host, *args, **kwargs):  # first answer checked, the next one hostile
            if host == "rebind.example":
                lookups.append(host)
                return resolve("127.0.0.1" if len(lookups) == 1 else "127.0.0.2", *args, **kwargs)
            return resolve(host, *args, **kwargs)

        monkeypatch.setattr(socket, "getaddrinfo", rebinding)
        with Fetcher(
            FetchSettings(max_attempts=1),
            [f"rebind.example:{port}"],
            Politeness(1000, 1),
            obey_robots=False,
            allow_private_addresses=True,
        ) as f:
            result = f.get(f"http://rebind.example:{port}{PDF}")
    finally:
        internal.stop()
    seen = site.requests_to(PDF)
    reliability.record(
        "dns_rebinding",
        f"resolved once ({len(lookups)} lookup), checked, connected to that address: the "
        f"site served the report ({result.outcome}); the second answer's server saw "
        f"{len(internal.requests)} request(s)",
        result.outcome == "fetched",
        "the rebound address was reached" if internal.requests else None,
    )
    assert result.outcome == "fetched" and len(seen) == 1 and internal.requests == []
    assert lookups == ["rebind.example"]
    assert seen[0].headers["Host"] == f"rebind.example:{port}"


def test_robots_txt_of_a_redirect_target_is_obeyed(site, site_root: Path, reliability) -> None:
    mirror_root = site_root.parent / "mirror"
    mirror_root.mkdir()
    (mirror_root / "robots.txt").write_text("User-agent: *\nDisallow: /wp-content/*.pdf$\n")
    with SiteServer(root=mirror_root) as mirror:
        site.faults[PDF] = Fault("redirect_offsite", location=mirror.base_url + PDF)
        forget_robots()
        with Fetcher(
            FetchSettings(max_attempts=1),
            [site.host, mirror.host],
            Politeness(1000, 1),
            allow_private_addresses=True,
        ) as f:
            result = f.get(site.base_url + PDF)
        paths = [r.path for r in mirror.requests]
    reliability.record(
        "redirect_robots",
        f"fetch recorded as {result.outcome}: “"
        f"{result.error.replace(site.base_url, '<site>').replace(mirror.base_url, '<mirror>')}”;"
        f" the target host saw only {', '.join(paths)}",
        result.outcome == "failed",
        "the disallowed path was requested" if PDF in paths else None,
    )
    assert paths == ["/robots.txt"]
    assert result.outcome == "failed" and "disallowed by the site's robots.txt" in result.error


def test_robots_txt_matching_follows_rfc_9309(site) -> None:
    (site.root / "robots.txt").write_text(
        "User-agent: *\nDisallow: /*.pdf$\nAllow: /wp-content/uploads/2024/07/\n"
        "Disallow: /category/\nCrawl-delay: 0.25\n"
    )
    with fetcher(site) as f:
        rules = f.robots
        assert rules is not None
        assert rules.allowed(site.base_url + PDF)  # the longer Allow wins
        assert not rules.allowed(site.base_url + "/wp-content/uploads/2024/06/M240601E.pdf")
        assert rules.allowed(site.base_url + "/wp-content/uploads/2024/06/M240601E.pdf?x=1")
        assert not rules.allowed(site.base_url + "/category/death-toll/")
        assert rules.crawl_delay(site.base_url + "/") == 0.25


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_api")
def test_a_crawl_delay_of_a_day_skips_the_host_for_the_run(home: Path, site, reliability) -> None:
    (site.root / "robots.txt").write_text("User-agent: *\nCrawl-delay: 86400\n")
    config = write_demo_config(home, site.base_url)
    first = nightly(home, config)
    requested = sorted({r.path for r in site.requests})
    (site.root / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    second = nightly(home, config)
    with reader(home) as conn:
        loaded = scalar(conn, "SELECT count(*) FROM documents")
    errors = {f["error"].replace(site.base_url, "<site>") for f in first.failures}
    reliability.record(
        "crawl_delay_day",
        f"run {first.status} without waiting, every fetch of the host a recorded failure: "
        f"“{sorted(errors)[0] if errors else ''}”; the site saw only {', '.join(requested)}; "
        f"the next run (Crawl-delay gone) loaded {loaded} documents",
        first.status == "failed" and second.status == "completed",
        None if requested == ["/robots.txt"] else f"requests to {requested}",
    )
    assert requested == ["/robots.txt"]
    assert first.status == "failed" and first.counts.fetched == 0  # nothing fetched: failed
    assert errors and all("above the 60 s cap" in e for e in errors)
    assert second.status == "completed" and loaded > 0
