"""Bringing what is derived from the figures up to date at the end of a run: the stored
analyst tables and the quality findings, over what the run (or an interrupted one before it)
changed, in one transaction that also clears the change notes (warehouse/changes.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb

from warehouse import changes, checks, served
from warehouse.sql import transaction


@dataclass(frozen=True)
class Derived:
    """What bringing the derived data up to date did."""

    changed: bool  # False: nothing was noted, nothing recomputed
    open_issues: int
    scope: changes.Scope


def update_derived(
    conn: duckdb.DuckDBPyConnection,
    run_id: str,
    now: datetime,
    before_change: Callable[[], None] | None = None,
    watches: Sequence[checks.SourceWatch] = (),
) -> Derived:
    """Refresh the stored tables and run the checks over what changed, then clear the notes.
    Nothing noted: only the source checks of the run's `watches` (a source goes quiet while
    nothing changes). `before_change` is called before a change is committed."""
    scope = changes.pending(conn)
    if scope.empty:
        with transaction(conn):
            if checks.record_findings(conn, run_id, now, (), (), watches) and before_change:
                before_change()  # an alarm was raised or cleared: the warehouse must show it
        return Derived(False, checks.open_findings(conn), scope)
    if before_change is not None:
        before_change()
    with transaction(conn):
        served.refresh_in_transaction(conn, scope)
        if scope.everything:
            checks.record_findings(conn, run_id, now, watches=watches)
        else:
            sources = sorted({*scope.sources, *scope.whole_sources})
            checks.record_findings(conn, run_id, now, scope.documents, sources, watches)
        changes.clear(conn)
    return Derived(True, checks.open_findings(conn), scope)
