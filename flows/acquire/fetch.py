"""Downloading documents politely and defensively with httpx.

One `Fetcher.get` is one logical fetch: conditional (If-None-Match / If-Modified-Since from the
previous fetch), redirects followed by hand and only within the source's allowed hosts,
bounded retries with exponential backoff on connection errors, timeouts, 429 (honouring
Retry-After) and 5xx, a size cap enforced while streaming (an oversized body is cut off, not
downloaded) and an overall deadline (a body that trickles in is abandoned). Every outcome,
including failure, comes back as a `FetchResult`; nothing here raises on a bad server.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

from flows.acquire.politeness import Politeness
from flows.acquire.robots import RobotsRules, RobotsUnreachable
from flows.config import FetchSettings
from warehouse.rows import PreviousFetch

REDIRECT_CODES = {301, 302, 303, 307, 308}


@dataclass(frozen=True)
class FetchResult:
    """The outcome of fetching one URL."""

    url: str
    final_url: str | None
    requested_at: datetime
    status_code: int | None
    outcome: str  # fetched | unchanged | failed | skipped (robots.txt)
    content: bytes | None
    content_type: str | None
    etag: str | None
    last_modified: str | None
    sha256: str | None
    attempts: int
    duration_ms: int
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True unless the fetch failed or was not made."""
        return self.outcome not in {"failed", "skipped"}


class FetchRefused(Exception):
    """A response toll will not take (off-host redirect, oversized body): never retried."""


class _Retryable(Exception):
    """A response worth trying again (429, 5xx), with the server's requested delay."""

    def __init__(self, message: str, status_code: int, retry_after: float | None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.retry_after = retry_after


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class Fetcher:
    """Fetches URLs of one source."""

    def __init__(
        self,
        settings: FetchSettings,
        allowed_hosts: list[str],
        politeness: Politeness,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        robots: RobotsRules | None = None,
        obey_robots: bool = True,
    ) -> None:
        self.settings = settings
        self.allowed_hosts = {h.lower() for h in allowed_hosts}
        self.politeness = politeness
        self.sleep = sleep
        self.robots = robots or (
            RobotsRules(self._fetch_robots, settings.user_agent) if obey_robots else None
        )
        self.client = httpx.Client(
            headers={"User-Agent": settings.user_agent_header},
            timeout=httpx.Timeout(
                settings.timeout_seconds, connect=settings.connect_timeout_seconds
            ),
            follow_redirects=False,
            transport=transport,
        )

    def close(self) -> None:
        """Close the connection pool."""
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in {"http", "https"} and (parts.hostname or "") in self.allowed_hosts

    def _backoff(self, attempt: int) -> float:
        base = self.settings.backoff_seconds * (2 ** (attempt - 1))
        return min(self.settings.max_backoff_seconds, base * (0.5 + random.random() / 2))

    def get(self, url: str, previous: PreviousFetch | None = None) -> FetchResult:
        """Fetch a URL; the result says fetched (new bytes), unchanged, or failed and why."""
        requested_at = datetime.now(UTC)
        started = time.monotonic()
        headers = {}
        if previous is not None:
            if previous.etag:
                headers["If-None-Match"] = previous.etag
            if previous.last_modified:
                headers["If-Modified-Since"] = previous.last_modified

        def result(**fields: object) -> FetchResult:
            base: dict[str, object] = {
                "url": url,
                "final_url": None,
                "requested_at": requested_at,
                "status_code": None,
                "content": None,
                "content_type": None,
                "etag": None,
                "last_modified": None,
                "sha256": None,
                "attempts": attempt,
                "duration_ms": int((time.monotonic() - started) * 1000),
            }
            base.update(fields)
            return FetchResult(**base)  # type: ignore[arg-type]

        if not self._allowed(url):
            attempt = 0
            return result(outcome="failed", error=f"refused: {url} is not on an allowed host")
        if self.robots is not None and (why := self.robots.unreachable(url)):
            attempt = 0
            host = urlsplit(url).netloc
            return result(outcome="failed", error=f"robots.txt of {host} unreachable: {why}")
        if self.robots is not None and not self.robots.allowed(url):
            attempt = 0
            return result(outcome="skipped", error="disallowed by the site's robots.txt")
        if self.robots is not None:
            delay = self.robots.crawl_delay(url)
            if delay:
                self.politeness.limiter(urlsplit(url).hostname or "").at_most_every(delay)

        last_error = ""
        last_status: int | None = None
        for attempt in range(1, self.settings.max_attempts + 1):
            try:
                response, body, final_url = self._request(url, headers)
            except FetchRefused as error:
                return result(outcome="failed", error=f"refused: {error}")
            except _Retryable as error:
                last_error, last_status = str(error), error.status_code
                delay = error.retry_after
                if delay is not None and delay > self.settings.max_retry_after_seconds:
                    return result(
                        outcome="failed",
                        status_code=error.status_code,
                        error=f"{error}; server asked to wait {delay:.0f} s, above the "
                        f"{self.settings.max_retry_after_seconds:.0f} s cap",
                    )
                if attempt < self.settings.max_attempts:
                    self.sleep(delay if delay is not None else self._backoff(attempt))
                continue
            except httpx.TransportError as error:
                last_error = f"{type(error).__name__}: {error}".rstrip(": ")
                last_status = None
                if attempt < self.settings.max_attempts:
                    self.sleep(self._backoff(attempt))
                continue

            validators = {
                "final_url": final_url,
                "status_code": response.status_code,
                "content_type": response.headers.get("content-type"),
                "etag": response.headers.get("etag"),
                "last_modified": response.headers.get("last-modified"),
            }
            if response.status_code == 304 and previous is not None:
                validators["etag"] = validators["etag"] or previous.etag
                validators["last_modified"] = validators["last_modified"] or previous.last_modified
                return result(outcome="unchanged", sha256=previous.sha256, **validators)
            if 200 <= response.status_code < 300:
                digest = hashlib.sha256(body).hexdigest()
                same = previous is not None and previous.sha256 == digest
                return result(
                    outcome="unchanged" if same else "fetched",
                    content=body,
                    sha256=digest,
                    **validators,
                )
            return result(
                outcome="failed",
                error=f"HTTP {response.status_code} {response.reason_phrase}".strip(),
                **validators,
            )
        return result(
            outcome="failed",
            status_code=last_status,
            error=f"gave up after {self.settings.max_attempts} attempts: {last_error}",
        )

    def _fetch_robots(self, url: str) -> tuple[int | None, bytes | None]:
        """(status, body) of a robots.txt, for RobotsRules."""
        try:
            response, body, _ = self._request(url, {})
        except _Retryable as error:
            return error.status_code, None
        except FetchRefused as error:
            raise RobotsUnreachable(f"refused: {error}") from None
        except httpx.TransportError as error:
            raise RobotsUnreachable(f"{type(error).__name__}: {error}".rstrip(": ")) from None
        return response.status_code, body

    def _request(self, url: str, headers: dict[str, str]) -> tuple[httpx.Response, bytes, str]:
        """One attempt: follow allowed redirects, stream the body under the caps."""
        current = url
        for _hop in range(self.settings.max_redirects + 1):
            host = urlsplit(current).hostname or ""
            with (
                self.politeness.limiter(host).slot(),
                self.client.stream("GET", current, headers=headers) as response,
            ):
                if response.status_code in REDIRECT_CODES:
                    location = response.headers.get("location")
                    if not location:
                        raise FetchRefused(f"HTTP {response.status_code} without Location")
                    target = urljoin(current, location)
                    if not self._allowed(target):
                        raise FetchRefused(
                            f"redirect from {current} to {target}, outside the allowed hosts"
                        )
                    current = target
                    continue
                if response.status_code == 429 or response.status_code >= 500:
                    wait = retry_after_seconds(
                        response.headers.get("retry-after"), datetime.now(UTC)
                    )
                    raise _Retryable(
                        f"HTTP {response.status_code} {response.reason_phrase}".strip(),
                        response.status_code,
                        wait,
                    )
                body = self._read_capped(response)
                return response, body, current
        raise FetchRefused(f"more than {self.settings.max_redirects} redirects (a loop?)")

    def _read_capped(self, response: httpx.Response) -> bytes:
        cap = self.settings.max_bytes
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise FetchRefused(f"body of {int(declared)} bytes announced, above the {cap} cap")
        deadline = time.monotonic() + self.settings.deadline_seconds
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > cap:
                raise FetchRefused(f"body exceeded the {cap} byte cap; download cut off")
            if time.monotonic() > deadline:
                raise httpx.ReadTimeout(
                    f"body still arriving after {self.settings.deadline_seconds:.0f} s"
                )
            chunks.append(chunk)
        return b"".join(chunks)
