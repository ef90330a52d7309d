"""Progress of a run, stage by stage (discover, fetch, parse, load), for whoever watches.

The flow reports; the CLI decides how to show it: rich progress bars in a terminal, one log
line per step otherwise. Nothing is shown when no reporter is installed (tests, schedules).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

STAGES = ("discover", "fetch", "parse", "load")


class Reporter(Protocol):
    """Something that shows progress."""

    def start(self, stage: str, total: int) -> None: ...

    def advance(self, stage: str, amount: int) -> None: ...


_reporters: list[Reporter] = []
_lock = threading.Lock()


def start(stage: str, total: int) -> None:
    """A stage has `total` more items to do."""
    with _lock:
        for reporter in _reporters:
            reporter.start(stage, total)


def advance(stage: str, amount: int = 1) -> None:
    """`amount` items of a stage are done."""
    with _lock:
        for reporter in _reporters:
            reporter.advance(stage, amount)


@contextmanager
def reporting(reporter: Reporter) -> Iterator[Reporter]:
    """Show progress with `reporter` for the length of a block."""
    with _lock:
        _reporters.append(reporter)
    try:
        yield reporter
    finally:
        with _lock:
            _reporters.remove(reporter)


class LogLines:
    """Progress as log lines ("fetch 24/24"), for logs and non-interactive terminals."""

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self.logger = logger or logging.getLogger("toll.progress")
        self.totals: dict[str, int] = {}
        self.done: dict[str, int] = {}

    def start(self, stage: str, total: int) -> None:
        self.totals[stage] = self.totals.get(stage, 0) + total

    def advance(self, stage: str, amount: int) -> None:
        before = self.done.get(stage, 0)
        self.done[stage] = before + amount
        total = self.totals.get(stage, self.done[stage])
        step = max(1, total // 4)
        if self.done[stage] < total and before // step == self.done[stage] // step:
            return  # quiet: a line per quarter of a stage, and one when it is done
        self.logger.info(
            "%s %d/%d",
            stage,
            self.done[stage],
            self.totals.get(stage, self.done[stage]),
            extra={"stage": stage, "done": self.done[stage], "total": self.totals.get(stage)},
        )
