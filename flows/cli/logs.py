"""How the CLI logs: readable lines for people, JSON lines for log collectors (--log-json)."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class TerminalFormatter(logging.Formatter):
    """Readable lines, with what came from documents and servers (URLs, titles, errors)
    stripped of control and bidi-override characters before it reaches a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        from flows.cli.output import shown

        return shown(super().format(record), markup=False)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and any extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        data.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            data["error"] = self.formatException(record.exc_info)
        return json.dumps(data, default=str, ensure_ascii=False)


def configure(json_lines: bool = False, level: int = logging.INFO) -> logging.Handler:
    """Send toll's logs (and Prefect's, when JSON) to stderr in the chosen format."""
    handler = logging.StreamHandler(sys.stderr)
    if json_lines:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TerminalFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    toll = logging.getLogger("toll")
    toll.handlers = [handler]
    toll.setLevel(level)
    toll.propagate = False
    if json_lines:
        for name in ("prefect", "prefect.flow_runs", "prefect.task_runs"):
            logger = logging.getLogger(name)
            logger.handlers = [handler]
            logger.propagate = False
    return handler
