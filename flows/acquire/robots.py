"""robots.txt: fetched once per host, cached, and honoured before every request.

Following RFC 9309: a robots.txt that does not exist (4xx) allows everything; one that cannot
be fetched (5xx, network failure) disallows the host until it can be read. Rules are matched
by protego, which implements what `urllib.robotparser` gets wrong: the `*` and `$` wildcards,
the longest match winning between Allow and Disallow, and fractional Crawl-delays.
The fetcher reports such a host's URLs as failed fetches that say why ("robots.txt
unreachable: ..."), not as URLs the site disallows: with no network, every URL would
otherwise read as forbidden.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

from protego import Protego

logger = logging.getLogger("toll.robots")

RobotsFetch = Callable[[str], tuple[int | None, bytes | None]]


_RULES: dict[str, Protego | bool] = {}  # per origin, for the life of the process
_UNREADABLE: dict[str, str] = {}  # origin -> why its robots.txt could not be read
_RULES_LOCK = threading.Lock()


class RobotsUnreachable(Exception):
    """Raised by a RobotsFetch when no answer came (connection refused, DNS, timeout)."""


def forget_robots() -> None:
    """Drop the cached robots.txt rules (a new run in a long-lived process reads them again)."""
    with _RULES_LOCK:
        _RULES.clear()
        _UNREADABLE.clear()


class RobotsRules:
    """The robots.txt rules of the hosts a fetcher talks to, read once per host."""

    def __init__(self, fetch: RobotsFetch, user_agent: str) -> None:
        self._fetch = fetch
        self._agent = user_agent.split("/")[0]
        self._parsers = _RULES
        self._lock = _RULES_LOCK

    def _rules_for(self, url: str) -> Protego | bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            if origin in self._parsers:
                return self._parsers[origin]
        robots_url = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
        try:
            status, body = self._fetch(robots_url)
            reason = f"HTTP {status}" if status is not None else "no answer"
        except RobotsUnreachable as error:
            status, body, reason = None, None, str(error)
        rules: Protego | bool
        if status is not None and 200 <= status < 300 and body is not None:
            rules = Protego.parse(body.decode("utf-8", errors="replace"))
        elif status is not None and 400 <= status < 500:
            rules = True  # no robots.txt: everything allowed
        else:
            logger.warning("robots.txt of %s unreachable (%s): host skipped", origin, reason)
            rules = False
        with self._lock:
            self._parsers[origin] = rules
            if rules is False:
                _UNREADABLE[origin] = reason
        return rules

    def unreachable(self, url: str) -> str | None:
        """Why the robots.txt of the URL's host could not be read, or None when it was (or
        the host has none)."""
        if self._rules_for(url) is not False:
            return None
        parts = urlsplit(url)
        with self._lock:
            return _UNREADABLE.get(f"{parts.scheme}://{parts.netloc}", "unreadable")

    def allowed(self, url: str) -> bool:
        """Whether toll may fetch this URL."""
        rules = self._rules_for(url)
        if isinstance(rules, bool):
            return rules
        allowed = rules.can_fetch(url, self._agent)
        if not allowed:
            logger.warning("robots.txt disallows %s for %s: not fetched", url, self._agent)
        return allowed

    def crawl_delay(self, url: str) -> float | None:
        """The Crawl-delay the host asks of us, if any."""
        rules = self._rules_for(url)
        if isinstance(rules, bool):
            return None
        delay = rules.crawl_delay(self._agent)
        return float(delay) if delay is not None else None
