"""Being a good citizen toward small websites: a per-host request rate and concurrency limit."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class HostLimiter:
    """Spaces requests to one host at least `1 / rate` seconds apart and allows at most
    `concurrency` of them in flight. Thread-safe; one instance per host."""

    rate_per_second: float
    concurrency: int
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _slots: threading.Semaphore = field(init=False)
    _next_start: float = field(default=0.0, init=False)

    def __post_init__(self) -> None:
        self._slots = threading.BoundedSemaphore(self.concurrency)

    def at_most_every(self, seconds: float) -> None:
        """Slow down to at most one request per `seconds` (a robots.txt Crawl-delay)."""
        with self._lock:
            self.rate_per_second = min(self.rate_per_second, 1.0 / seconds)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one request slot, waiting for the rate limit first."""
        with self._slots:
            with self._lock:
                now = self.clock()
                start = max(now, self._next_start)
                self._next_start = start + 1.0 / self.rate_per_second
            if start > now:
                self.sleep(start - now)
            yield


@dataclass
class Politeness:
    """One limiter per host, created on first use with the source's limits."""

    rate_per_second: float
    concurrency: int
    _limiters: dict[str, HostLimiter] = field(default_factory=dict, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def limiter(self, host: str) -> HostLimiter:
        """The limiter of a host."""
        with self._lock:
            if host not in self._limiters:
                self._limiters[host] = HostLimiter(self.rate_per_second, self.concurrency)
            return self._limiters[host]


_SHARED: dict[str, Politeness] = {}
_SHARED_LOCK = threading.Lock()


def shared_politeness(key: str, rate_per_second: float, concurrency: int) -> Politeness:
    """The limits of one source, shared by every fetcher of this process, so they hold across
    a whole run (discovery, reports, and the documents linked from them)."""
    with _SHARED_LOCK:
        current = _SHARED.get(key)
        if (
            current is None
            or current.rate_per_second != rate_per_second
            or current.concurrency != concurrency
        ):
            current = _SHARED[key] = Politeness(rate_per_second, concurrency)
        return current
