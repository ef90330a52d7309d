"""The nightly flow's last step: write the HTML report from the warehouse it just published
(when `[report] enabled`) and attach a link to it as the Prefect artifact `toll-report`.

The warehouse is already published when this runs, so a failing report is logged and never
fails the run.
"""

from __future__ import annotations

import logging
from pathlib import Path

from prefect import get_run_logger
from prefect.artifacts import create_link_artifact

from flows.config import TollConfig

ARTIFACT_KEY = "toll-report"


def _logger() -> logging.Logger | logging.LoggerAdapter:
    try:
        return get_run_logger()
    except Exception:  # outside a flow run (a plain call from a test or a script)
        return logging.getLogger("toll.flows")


def write_run_report(home: Path, config: TollConfig) -> Path | None:
    """Write the report into the data folder if the configuration asks for it; return its
    path, or None when disabled or when writing failed (logged)."""
    if not config.report.enabled:
        return None
    from warehouse.outputs.report import write_report

    logger = _logger()
    target = home / config.report.path
    try:
        written = write_report(home, target)
    except Exception as error:  # the run's data is safe; the report is a by-product
        logger.error("could not write the report %s: %s: %s", target, type(error).__name__, error)
        return None
    logger.info("report written: %s (%d bytes, %.1f s)", target, written.bytes, written.seconds)
    try:
        create_link_artifact(
            key=ARTIFACT_KEY,
            link=target.resolve().as_uri(),
            link_text=target.name,
            description=f"toll report: {written.sources} source(s), {written.charts} charts",
        )
    except Exception as error:  # the artifact is a convenience; the file is written
        logger.warning("could not create the report artifact: %s", error)
    return target
