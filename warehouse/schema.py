"""The warehouse schema: forward-only SQL migrations, analyst views, and the check that every
table, view and column is documented (their comments are the analysts' data dictionary)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import duckdb

from warehouse import changes, checks
from warehouse.errors import ConfigurationError
from warehouse.served import ensure_served
from warehouse.sql import scalar

_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    """One numbered SQL migration file."""

    version: int
    name: str
    sql: str


def _read_sql(name: str) -> str:
    return resources.files("warehouse").joinpath(name).read_text("utf-8")


class WarehouseTooNew(ConfigurationError):
    """The warehouse was written by a newer toll, whose schema this one does not know."""


def migrations() -> list[Migration]:
    """All migrations shipped with toll, in order."""
    folder = resources.files("warehouse.migrations")
    found = []
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 001, 002, ... without gaps: {versions}")
    return found


def current_version(conn: duckdb.DuckDBPyConnection) -> int:
    """Highest applied migration (0 for an empty database)."""
    exists = scalar(
        conn, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_version'"
    )
    if not exists:
        return 0
    return int(scalar(conn, "SELECT coalesce(max(version), 0) FROM schema_version"))


def migrate(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply pending migrations, each in its own transaction, then recreate the views.

    Returns the names of the migrations applied. A database newer than this toll refuses.
    """
    conn.execute(_read_sql("schema_version.sql"))
    applied = current_version(conn)
    known = migrations()
    if applied > len(known):
        raise WarehouseTooNew(
            f"warehouse schema v{applied} is newer than this toll (v{len(known)}): upgrade toll"
        )
    done = []
    for migration in known[applied:]:
        conn.execute("BEGIN TRANSACTION")
        try:
            conn.execute(migration.sql)
            conn.execute(
                "INSERT INTO schema_version (version, name) VALUES (?, ?)",
                [migration.version, migration.name],
            )
            conn.execute("COMMIT")
        except Exception:
            conn.execute("ROLLBACK")
            raise
        done.append(migration.name)
    if done or not views_current(conn):
        apply_views(conn)
    return done


def views_current(conn: duckdb.DuckDBPyConnection) -> bool:
    """True when the views, stored tables and checks are those of this toll already, so a
    run need not recreate them (0.2-0.9 s of every run's start on a small machine)."""
    if not scalar(conn, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'derived_state'"):
        return False
    stored = dict(conn.execute("SELECT name, definition_sha256 FROM derived_state").fetchall())
    served = scalar(
        conn,
        "SELECT count(*) FROM duckdb_tables() WHERE table_name IN "
        "('monthly_toll', 'figure_conflicts')",
    )
    return (
        served == 2
        and stored.get("views") == changes.digest(_read_sql("views.sql"))
        and stored.get("checks") == changes.digest(checks.definition())
    )


def apply_views(conn: duckdb.DuckDBPyConnection) -> None:
    """(Re)create the analyst views, give every view column a comment, and create the stored
    results of the heaviest views if they are missing or out of date. When the views or the
    checks differ from those the derived data were computed with, everything derived is
    recomputed by the next run (warehouse/changes.py)."""
    views = _read_sql("views.sql")
    conn.execute(views)
    inherit_view_column_comments(conn)
    ensure_served(conn)
    changes.note_definitions(conn, "views", views)
    changes.note_definitions(conn, "checks", checks.definition())


def inherit_view_column_comments(conn: duckdb.DuckDBPyConnection) -> None:
    """A view column without a comment takes the comment of the base-table column of the
    same name, so each meaning is written once (in the migration)."""
    table_comments = dict(
        conn.execute(
            """
            SELECT column_name, any_value(comment)
            FROM duckdb_columns()
            WHERE comment IS NOT NULL AND NOT internal
              AND table_name IN (SELECT table_name FROM duckdb_tables())
            GROUP BY column_name
            """
        ).fetchall()
    )
    missing = conn.execute(
        """
        SELECT c.table_name, c.column_name
        FROM duckdb_columns() c
        JOIN duckdb_views() v ON v.view_name = c.table_name AND NOT v.internal
        WHERE c.comment IS NULL
        """
    ).fetchall()
    for view, column in missing:
        comment = table_comments.get(column)
        if comment:
            quoted = comment.replace("'", "''")
            conn.execute(f'COMMENT ON COLUMN "{view}"."{column}" IS \'{quoted}\'')


def undocumented(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Tables, views and columns without a comment (should be none)."""
    rows = conn.execute(
        """
        SELECT table_name FROM duckdb_tables() WHERE comment IS NULL AND NOT internal
        UNION ALL
        SELECT view_name FROM duckdb_views() WHERE comment IS NULL AND NOT internal
        UNION ALL
        SELECT table_name || '.' || column_name FROM duckdb_columns()
        WHERE comment IS NULL AND NOT internal
        ORDER BY 1
        """
    ).fetchall()
    return [r[0] for r in rows]
