"""Prefect settings toll needs, applied before Prefect is imported.

Prefect reads its settings from the environment when it is first imported, so the CLI calls
`configure()` first. Values already set by the user win.
"""

from __future__ import annotations

import os

DEFAULTS = {
    # Offline machines: no telemetry calls (they fail noisily without a network).
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # The ephemeral API server takes 10-15 s to start cold on small machines; the default
    # 20 s timeout is too tight.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
    # toll's own progress and summary are the interface; Prefect's INFO lines are noise there.
    "PREFECT_LOGGING_LEVEL": "WARNING",
    # toll's own log lines also reach the Prefect UI of a flow run.
    "PREFECT_LOGGING_EXTRA_LOGGERS": "toll",
}


def configure(quiet: bool = True) -> None:
    """Set toll's Prefect defaults in the environment, without overriding the user's."""
    for name, value in DEFAULTS.items():
        if name == "PREFECT_LOGGING_LEVEL" and not quiet:
            continue
        os.environ.setdefault(name, value)
