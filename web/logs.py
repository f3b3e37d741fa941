"""Logging as JSON lines on stderr (python-json-logger), uvicorn's own lines included.

Each line has `time`, `level`, `logger`, `pid` (which worker), `message`, the request's id
while a request is answered (web/request_log.py), and the fields a line was given; an
exception's traceback is in `exc_info`.
"""

from __future__ import annotations

import logging
import logging.config
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter


def json_formatter() -> logging.Formatter:
    return JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger", "process": "pid"},
        # uvicorn's copy of each message with terminal colours in it
        reserved_attrs=[*RESERVED_ATTRS, "color_message"],
    )


def log_config(level: str = "INFO") -> dict[str, Any]:
    """The `logging.config.dictConfig` of a serving process (uvicorn applies it in each
    worker)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "web.request_log.RequestIdFilter"}},
        "formatters": {"json": {"()": "web.logs.json_formatter"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "json",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["stderr"], "level": level.upper()},
        # uvicorn's loggers write through the root's handler, as JSON too
        "loggers": {
            name: {"handlers": [], "propagate": True}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
        },
    }


def configure(level: str = "INFO") -> None:
    """JSON logging, unless the process already set logging up (a server of its own)."""
    if not logging.getLogger().handlers:
        logging.config.dictConfig(log_config(level))
