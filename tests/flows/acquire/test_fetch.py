"""The polite, defensive fetcher against the sample site on 127.0.0.1, with faults."""

from __future__ import annotations

import pytest

from flows.acquire.fetch import Fetcher
from flows.acquire.politeness import Politeness
from flows.config import FetchSettings
from flows.sample_site.server import Fault
from warehouse.rows import PreviousFetch

PDF = "/wp-content/uploads/2024/02/M240201E.pdf"


@pytest.fixture
def fetcher(site):
    settings = FetchSettings(
        max_attempts=3, backoff_seconds=0.0, max_bytes=2_000_000, timeout_seconds=5
    )
    with Fetcher(settings, [site.host], Politeness(1000, 4), allow_private_addresses=True) as f:
        yield f


def test_fetches_and_hashes(site, fetcher) -> None:
    result = fetcher.get(site.base_url + PDF)
    assert result.outcome == "fetched" and result.status_code == 200
    assert result.content.startswith(b"%PDF") and len(result.sha256) == 64
    assert result.etag and result.last_modified
    user_agent = site.requests_to(PDF)[0].headers["User-Agent"]
    assert user_agent.startswith("toll/") and "+https://" in user_agent


def test_conditional_request_gets_304(site, fetcher) -> None:
    first = fetcher.get(site.base_url + PDF)
    previous = PreviousFetch(first.url, first.etag, first.last_modified, first.sha256)
    second = fetcher.get(site.base_url + PDF, previous)
    assert (second.outcome, second.status_code, second.sha256) == ("unchanged", 304, first.sha256)
    assert second.content is None
    assert site.requests_to(PDF)[-1].headers["If-None-Match"] == first.etag


def test_same_bytes_with_a_new_etag_are_unchanged(site, fetcher) -> None:
    first = fetcher.get(site.base_url + PDF)
    site.faults[PDF] = Fault("etag_changes")
    previous = PreviousFetch(first.url, '"stale"', None, first.sha256)
    assert fetcher.get(site.base_url + PDF, previous).outcome == "unchanged"


def test_5xx_burst_is_retried_then_succeeds(site, fetcher) -> None:
    site.faults[PDF] = Fault("status", times=2, status=503)
    result = fetcher.get(site.base_url + PDF)
    assert (result.outcome, result.attempts) == ("fetched", 3)


def test_persistent_500_fails_with_a_clear_message(site, fetcher) -> None:
    site.faults[PDF] = Fault("status", status=500)
    result = fetcher.get(site.base_url + PDF)
    assert result.outcome == "failed" and result.attempts == 3
    assert "HTTP 500" in result.error and "gave up after 3 attempts" in result.error
    assert len(site.requests_to(PDF)) == 3


def test_429_honours_retry_after(site) -> None:
    waits: list[float] = []
    settings = FetchSettings(max_attempts=2, backoff_seconds=0.0)
    site.faults[PDF] = Fault("status", times=1, status=429, retry_after=7)
    with Fetcher(
        settings, [site.host], Politeness(1000, 1), allow_private_addresses=True, sleep=waits.append
    ) as f:
        result = f.get(site.base_url + PDF)
    assert result.outcome == "fetched"
    assert waits == [7.0]


def test_retry_after_above_the_cap_fails_without_waiting(site) -> None:
    site.faults[PDF] = Fault("status", status=429, retry_after=86400)
    settings = FetchSettings(max_attempts=3, max_retry_after_seconds=60)
    with Fetcher(
        settings, [site.host], Politeness(1000, 1), allow_private_addresses=True, sleep=pytest.fail
    ) as f:
        result = f.get(site.base_url + PDF)
    assert result.outcome == "failed" and "above the 60 s cap" in result.error


def test_off_site_redirect_is_refused(site, fetcher) -> None:
    site.faults[PDF] = Fault("redirect_offsite", location="http://evil.invalid/x.pdf")
    result = fetcher.get(site.base_url + PDF)
    assert result.outcome == "failed" and "outside the allowed hosts" in result.error
    assert len(site.requests_to(PDF)) == 1


def test_redirect_loop_is_cut(site, fetcher) -> None:
    site.faults[PDF] = Fault("redirect_loop")
    result = fetcher.get(site.base_url + PDF)
    assert result.outcome == "failed" and "redirects" in result.error


def test_oversized_body_is_cut_off(site, fetcher) -> None:
    site.faults[PDF] = Fault("oversize", size=50_000_000)
    result = fetcher.get(site.base_url + PDF)
    assert result.outcome == "failed" and "cap" in result.error
    unannounced = Fault("oversize", size=50_000_000, announce=False)
    site.faults[PDF] = unannounced
    result = fetcher.get(site.base_url + PDF)
    assert result.outcome == "failed" and "cut off" in result.error


def test_truncated_body_fails(site, fetcher) -> None:
    site.faults[PDF] = Fault("truncate")
    result = fetcher.get(site.base_url + PDF)
    assert result.outcome == "failed" and result.attempts == 3


def test_hosts_outside_the_source_are_never_contacted(site, fetcher) -> None:
    result = fetcher.get("http://example.com/report.pdf")
    assert result.outcome == "failed" and "not on an allowed host" in result.error


def test_404_is_not_retried(site, fetcher) -> None:
    result = fetcher.get(site.base_url + "/missing.pdf")
    assert (result.outcome, result.status_code, result.attempts) == ("failed", 404, 1)
