"""Downloading documents politely and defensively with httpx.

One `Fetcher.get` is one logical fetch: conditional (If-None-Match / If-Modified-Since from the
previous fetch), redirects followed by hand and only to the source's allowed hosts and ports
(each hop's address checked, its robots.txt obeyed), bounded retries with exponential backoff
on connection errors, timeouts, 429 (honouring Retry-After) and 5xx, a size cap enforced on
decoded bytes while streaming (an oversized or over-compressed body is cut off, not
downloaded) and an overall deadline (a body that trickles in is abandoned). Every outcome,
including failure, comes back as a `FetchResult`; nothing here raises on a bad server.
"""

from __future__ import annotations

import hashlib
import io
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

from flows.acquire.addresses import AddressRefused, Resolver, checked_address, resolve
from flows.acquire.decoding import (
    ACCEPT_ENCODING,
    BoundedDecoder,
    EncodingRefused,
    content_coding,
)
from flows.acquire.politeness import Politeness
from flows.acquire.robots import RobotsRules, RobotsUnreachable
from flows.config import FetchSettings, host_allowed, url_host_port
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


class AddressBlocked(FetchRefused):
    """A host that resolves to an address the source may not reach."""


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
        allow_private_addresses: bool = False,
        resolver: Resolver = resolve,
    ) -> None:
        self.settings = settings
        self.allowed_hosts = [h.lower() for h in allowed_hosts]
        self.politeness = politeness
        self.sleep = sleep
        self.allow_private_addresses = allow_private_addresses
        self.resolver = resolver
        self.robots = robots or (
            RobotsRules(self._fetch_robots, settings.user_agent) if obey_robots else None
        )
        self.client = httpx.Client(
            headers={"User-Agent": settings.user_agent_header, "Accept-Encoding": ACCEPT_ENCODING},
            timeout=httpx.Timeout(
                settings.timeout_seconds, connect=settings.connect_timeout_seconds
            ),
            follow_redirects=False,
            transport=transport,
            trust_env=False,  # a proxy would connect to names toll has not checked
        )

    def close(self) -> None:
        """Close the connection pool."""
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _allowed(self, url: str) -> bool:
        return host_allowed(url, self.allowed_hosts)

    def _robots_refusal(self, url: str) -> tuple[str, str] | None:
        """(outcome, reason) when robots.txt of the URL's host forbids fetching it now: it
        could not be read (failed), its rules disallow it (skipped), or its Crawl-delay is
        above the cap (failed: the host is skipped for this run); None when it may be fetched
        (after any Crawl-delay)."""
        if self.robots is None:
            return None
        if why := self.robots.unreachable(url):
            return "failed", f"robots.txt of {urlsplit(url).netloc} unreachable: {why}"
        if not self.robots.allowed(url):
            return "skipped", "disallowed by the site's robots.txt"
        delay = self.robots.crawl_delay(url)
        if delay:
            cap = self.settings.max_crawl_delay_seconds
            if delay > cap:
                host = urlsplit(url).netloc
                return "failed", (
                    f"robots.txt of {host} asks for a Crawl-delay of {delay:g} s, above the "
                    f"{cap:g} s cap (max_crawl_delay_seconds): host skipped for this run"
                )
            self.politeness.limiter(urlsplit(url).hostname or "").at_most_every(delay)
        return None

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

        attempt = 0
        if not self._allowed(url):
            return result(outcome="failed", error=f"refused: {url} is not on an allowed host")
        try:
            refusal = self._robots_refusal(url)
        except AddressBlocked as error:  # robots.txt is on the same, forbidden, address
            return result(outcome="failed", error=f"refused: {error}")
        if refusal is not None:
            return result(outcome=refusal[0], error=refusal[1])

        last_error = ""
        last_status: int | None = None
        for attempt in range(1, self.settings.max_attempts + 1):
            try:
                response, body, final_url = self._request(url, headers)
            except FetchRefused as error:
                return result(outcome="failed", error=f"refused: {error}")
            except MemoryError:  # the body did not fit: this fetch fails, the run goes on
                return result(outcome="failed", error="out of memory while reading the body")
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
            response, body, _ = self._request(url, {}, obey_robots=False)
        except _Retryable as error:
            return error.status_code, None
        except AddressBlocked:
            raise  # not an unreadable robots.txt: a host toll must not contact at all
        except FetchRefused as error:
            raise RobotsUnreachable(f"refused: {error}") from None
        except httpx.TransportError as error:
            raise RobotsUnreachable(f"{type(error).__name__}: {error}".rstrip(": ")) from None
        except MemoryError:
            raise RobotsUnreachable("out of memory while reading it") from None
        return response.status_code, body

    def _open(self, url: str, headers: dict[str, str]):
        """Stream a GET of `url` from the address its host was checked to have: the request
        goes to that address, with the name in the Host header and for TLS."""
        target = url_host_port(url)
        if target is None:
            raise FetchRefused(f"{url} is not an http(s) URL")
        host, port = target
        try:
            address = checked_address(host, port, self.allow_private_addresses, self.resolver)
        except AddressRefused as error:
            raise AddressBlocked(str(error)) from None
        except OSError as error:
            raise httpx.ConnectError(f"cannot resolve {host}: {error}") from None
        request_url = httpx.URL(url).copy_with(host=address)
        extensions = {"sni_hostname": host} if request_url.scheme == "https" else {}
        netloc = urlsplit(url).netloc.rsplit("@", 1)[-1]
        return self.client.stream(
            "GET", request_url, headers={**headers, "Host": netloc}, extensions=extensions
        )

    def _request(
        self, url: str, headers: dict[str, str], obey_robots: bool = True
    ) -> tuple[httpx.Response, bytes, str]:
        """One attempt: follow allowed redirects (each hop's address checked and, past the
        first, its robots.txt obeyed), stream the body under the caps."""
        current = url
        for _hop in range(self.settings.max_redirects + 1):
            host = urlsplit(current).hostname or ""
            with self.politeness.limiter(host).slot(), self._open(current, headers) as response:
                if response.status_code in REDIRECT_CODES:
                    location = response.headers.get("location")
                    if not location:
                        raise FetchRefused(f"HTTP {response.status_code} without Location")
                    target = urljoin(current, location)
                    if not self._allowed(target):
                        raise FetchRefused(
                            f"redirect from {current} to {target}, outside the allowed hosts"
                        )
                else:
                    self._raise_if_retryable(response)
                    body = self._read_capped(response)
                    return response, body, current
            # out of the host's slot: the target's robots.txt may be on the same host
            refusal = self._robots_refusal(target) if obey_robots else None
            if refusal is not None:
                raise FetchRefused(f"redirect from {current} to {target}: {refusal[1]}")
            current = target
        raise FetchRefused(f"more than {self.settings.max_redirects} redirects (a loop?)")

    @staticmethod
    def _raise_if_retryable(response: httpx.Response) -> None:
        """429 and 5xx are worth another attempt, after the server's Retry-After if any."""
        if response.status_code == 429 or response.status_code >= 500:
            wait = retry_after_seconds(response.headers.get("retry-after"), datetime.now(UTC))
            raise _Retryable(
                f"HTTP {response.status_code} {response.reason_phrase}".strip(),
                response.status_code,
                wait,
            )

    def _read_capped(self, response: httpx.Response) -> bytes:
        """The decoded body, read from the raw stream and decoded piece by piece, so that
        neither the bytes on the wire nor the decoded bytes ever exceed the cap in memory."""
        cap = self.settings.max_bytes
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise FetchRefused(f"body of {int(declared)} bytes announced, above the {cap} cap")
        try:
            decoder = BoundedDecoder(content_coding(response.headers.get("content-encoding")))
        except EncodingRefused as error:
            raise FetchRefused(str(error)) from None
        deadline = time.monotonic() + self.settings.deadline_seconds
        body = io.BytesIO()  # grows in place; getvalue() hands over its buffer, no copy

        def keep(pieces) -> None:
            for piece in pieces:
                if body.tell() + len(piece) > cap:
                    raise FetchRefused(f"body exceeded the {cap} byte cap; download cut off")
                body.write(piece)

        try:
            for chunk in response.iter_raw():
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout(
                        f"body still arriving after {self.settings.deadline_seconds:.0f} s"
                    )
                keep(decoder.feed(chunk))
            keep(decoder.flush())
        except EncodingRefused as error:
            raise FetchRefused(str(error)) from None
        return body.getvalue()
