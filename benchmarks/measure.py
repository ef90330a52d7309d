"""Timing and memory measurement for the benchmarks."""

from __future__ import annotations

import functools
import gc
import os
import platform
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Timing:
    """Best and median wall time over repeats, in seconds."""

    best: float
    median: float
    repeats: int


def time_it(
    function: Callable[..., Any],
    repeats: int = 3,
    warmup: int = 1,
    setup: Callable[[], Any] | None = None,
) -> Timing:
    """Run a function `warmup + repeats` times and keep the best and median of the repeats.

    The best run is the least disturbed by other work on the machine; it is what ratios use.
    `setup`, when given, runs before each call outside the clock, and its result is the
    function's argument (a fresh database, say).
    """
    samples = []
    for index in range(warmup + repeats):
        call = functools.partial(function, setup()) if setup else function
        elapsed = _clocked(call)
        if index >= warmup:
            samples.append(elapsed)
    return _timing(samples)


def _clocked(call: Callable[[], Any]) -> float:
    """Seconds one call takes, after a garbage collection (so none falls inside the clock
    for what an earlier call left)."""
    gc.collect()
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def _timing(samples: list[float]) -> Timing:
    """The best and the median of the samples."""
    ordered = sorted(samples)
    return Timing(ordered[0], ordered[len(ordered) // 2], len(ordered))


def time_pair(
    baseline: Callable[[], Any], toll: Callable[[], Any], repeats: int = 3
) -> tuple[Timing, Timing]:
    """Time a baseline and toll's version of the same work, one run of each in turn (after a
    warm-up of each), so that a disturbance of the machine part way through falls on both
    sides rather than on whichever ran second; the best and median of each side."""
    sides = (baseline, toll)
    for function in sides:
        function()
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for side, function in enumerate(sides):
            samples[side].append(_clocked(function))
    return _timing(samples[0]), _timing(samples[1])


def peak_rss_mib(children: bool = False) -> float:
    """Peak resident memory of this process (or of its waited-for children), in MiB."""
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        with open("/proc/meminfo") as handle:
            memory_kib = int(handle.readline().split()[1])
    except (OSError, ValueError, IndexError):
        memory_kib = 0
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
