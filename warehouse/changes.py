"""What a run changed, for what is derived from the figures (issue 15).

The stored `monthly_toll` and `figure_conflicts` and the quality checks are functions of the
figures. Recomputing them over the whole warehouse at every publish cost a nightly run 40 s
(refresh) plus about 50 s (checks) at ten million figures, whatever the run brought. Instead,
every load notes in `changed_figures`, inside its own transaction, the documents and months
whose figures it added, replaced or made no longer current (a newer version of a document);
the run then recomputes only those (warehouse/served.py, warehouse/checks.py) and clears the
notes when it has (`clear`). A crash in between leaves the notes for the next run.

An upgrade of toll that changes a view or a check asks for everything once (`note_definitions`,
called on every migration), and so does a warehouse made before these notes existed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from warehouse.sql import scalar

# Above these, recomputing everything is quicker than filtering on long lists.
MAX_SOURCES = 16
MAX_MONTHS = 64


@dataclass(frozen=True)
class Scope:
    """What needs recomputing: everything, or some documents, sources and months."""

    everything: bool
    documents: tuple[str, ...] = ()  # whose figures changed
    sources: tuple[str, ...] = ()  # with changed months
    months: tuple[object, ...] = ()  # first days of the changed months (any source)
    whole_sources: tuple[str, ...] = ()  # every month of these

    @property
    def empty(self) -> bool:
        """True when nothing changed."""
        return not (self.everything or self.documents or self.sources or self.whole_sources)


NOTHING = Scope(False)


def note_replaced(conn: duckdb.DuckDBPyConnection, pairs_table: str, run_id: str) -> None:
    """Note the months of the figures about to be replaced: the (sha256, parser) pairs in the
    registered relation `pairs_table`. Call inside the load's transaction, before deleting."""
    conn.execute(
        f"""
        INSERT INTO changed_figures
        SELECT DISTINCT f.sha256, f.source_id, f.period_start, ?
        FROM figures f JOIN {pairs_table} r ON r.sha256 = f.sha256 AND r.parser = f.parser
        """,
        [run_id],
    )


def note_added(conn: duckdb.DuckDBPyConnection, staged_table: str, run_id: str) -> None:
    """Note the documents and months of staged new figures (a registered relation)."""
    conn.execute(
        f"""
        INSERT INTO changed_figures
        SELECT DISTINCT sha256, source_id, period_start, ? FROM {staged_table}
        """,
        [run_id],
    )


def note_new_versions(conn: duckdb.DuckDBPyConnection, urls: list[str], run_id: str) -> None:
    """Note the figures of every stored version of these URLs: a new version makes the older
    ones' figures no longer current."""
    if urls:
        conn.execute(
            """
            INSERT INTO changed_figures
            SELECT DISTINCT f.sha256, f.source_id, f.period_start, ?
            FROM figures f JOIN documents d ON d.sha256 = f.sha256
            WHERE list_contains(?::VARCHAR[], d.url)
            """,
            [run_id, urls],
        )


def note_source(conn: duckdb.DuckDBPyConnection, source_id: str, run_id: str | None) -> None:
    """Note every figure of a source (its country, the scope of its figures, changed)."""
    conn.execute("INSERT INTO changed_figures VALUES (NULL, ?, NULL, ?)", [source_id, run_id])


def note_everything(conn: duckdb.DuckDBPyConnection, run_id: str | None = None) -> None:
    """Ask for everything derived to be recomputed."""
    conn.execute("INSERT INTO changed_figures VALUES (NULL, NULL, NULL, ?)", [run_id])


def note_definitions(conn: duckdb.DuckDBPyConnection, name: str, definition: str) -> bool:
    """Record the SQL a derived thing is defined by; when it differs from what the stored
    results were computed with (an upgrade, or a warehouse older than these notes), ask for
    everything to be recomputed. Returns True when it did."""
    stored = scalar(conn, "SELECT definition_sha256 FROM derived_state WHERE name = ?", [name])
    wanted = digest(definition)
    if stored == wanted:
        return False
    conn.execute("DELETE FROM derived_state WHERE name = ?", [name])
    conn.execute("INSERT INTO derived_state VALUES (?, ?, ?)", [name, wanted, datetime.now(UTC)])
    note_everything(conn)
    return True


def digest(definition: str) -> str:
    """The SHA-256 of a definition's SQL."""
    return hashlib.sha256(definition.encode("utf-8")).hexdigest()


def pending(conn: duckdb.DuckDBPyConnection) -> Scope:
    """What the notes ask to recompute (NOTHING when there are none)."""
    if not scalar(conn, "SELECT count(*) FROM (SELECT 1 FROM changed_figures LIMIT 1)"):
        return NOTHING
    if scalar(conn, "SELECT count(*) FROM changed_figures WHERE source_id IS NULL"):
        return Scope(True)
    documents = _column(conn, "SELECT DISTINCT sha256 FROM changed_figures WHERE sha256 NOT NULL")
    whole = _column(conn, "SELECT DISTINCT source_id FROM changed_figures WHERE sha256 IS NULL")
    sources = _column(
        conn, "SELECT DISTINCT source_id FROM changed_figures WHERE month IS NOT NULL"
    )
    months = _column(conn, "SELECT DISTINCT month FROM changed_figures WHERE month IS NOT NULL")
    if len({*sources, *whole}) > MAX_SOURCES or len(months) > MAX_MONTHS:
        return Scope(True)
    return Scope(False, documents, sources, months, whole)


def clear(conn: duckdb.DuckDBPyConnection) -> None:
    """Forget the notes (in the transaction that brought everything derived up to date)."""
    conn.execute("DELETE FROM changed_figures")


def _column(conn: duckdb.DuckDBPyConnection, query: str) -> tuple:
    return tuple(sorted(row[0] for row in conn.execute(query).fetchall()))
