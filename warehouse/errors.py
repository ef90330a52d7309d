"""toll's one error model: every error a user can meet is a `TollError` carrying its exit code.

The code raises these where the problem is found; the command line maps them to one line on
stderr and the exit code, in one place (`flows/cli/app.py`). Anything else that escapes is a
bug and keeps its traceback. The root sits in `warehouse/` (the lowest package that raises
them; `flows/` imports it, `parsers/` never does: only `ParseError` leaves a parser, and a
parse failure is an outcome, not an exit).

Exit codes (docs/operations.md): 0 done, 1 failed, 2 usage or configuration error, 3 a run
that published part of its work, 75 busy (EX_TEMPFAIL: try again later).
"""

from __future__ import annotations


class TollError(Exception):
    """Something toll cannot do, said in one line; `exit_code` is the process's exit status
    and `label` the word the CLI prints before the message."""

    exit_code: int = 1
    label: str = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(TollError):
    """A name or value given on the command line that toll does not know (exit 2)."""

    exit_code = 2


class ConfigurationError(TollError):
    """The sources file or the data folder is unusable: missing, unreadable, invalid (exit 2).
    Raised before any run starts."""

    exit_code = 2


class DataFolderError(ConfigurationError):
    """`--home` is a file, cannot be created, or cannot be written."""


class NotFound(TollError):
    """Something the command needs does not exist: the warehouse, a file, a figure (exit 2)."""

    exit_code = 2


class UnknownSource(UsageError):
    """`--source` names no configured source (or none the warehouse knows)."""


class UnknownParser(UsageError):
    """`--parser` names no registered parser."""


class Busy(TollError):
    """Another process holds what this one needs; try again later (exit 75, EX_TEMPFAIL)."""

    exit_code = 75
    label = "busy"


class DamagedArchive(TollError):
    """Archived evidence is corrupt, missing or misplaced (exit 1)."""


class CommandFailed(TollError):
    """The command ran and its answer is "no": a query error, a parser that read nothing, a
    golden mismatch, open errors under --strict (exit 1)."""


class RunIncomplete(TollError):
    """A run ended without all of its work done; raised after its summary is printed."""

    def __init__(self, message: str, status: str) -> None:
        super().__init__(message)
        self.status = status
        self.label = status
        self.exit_code = RUN_EXIT_CODES[status]


RUN_EXIT_CODES = {"completed": 0, "partial": 3, "failed": 1}
"""A run's status as the exit code of `toll ingest`, `backfill`, `reparse` and `demo`."""
