"""Logging as JSON lines on stderr (python-json-logger), uvicorn's own lines included.

Each line has `time`, `level`, `logger`, `pid` (which worker), `message`, the request's id
while a request is answered (web/request_log.py), and the fields a line was given; an
exception's traceback is in `exc_info`. The serving process writes them with
web/log_writer.py's handler, which takes the request lines without the logging machinery.
"""

from __future__ import annotations

import json
import logging
import logging.config
import time
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter


class JsonLines(JsonFormatter):
    """python-json-logger's formatter, with a short way for the request lines: one per
    request is on the hot path, where the general way (every attribute of the record
    looked at, the time formatted anew) costs as much as a cached answer."""

    # ISO 8601 in UTC: 2026-11-26T05:26:30.717Z (and `converter` is time.gmtime)
    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"
    # one tuple each: another thread may read one while it is replaced
    formatted_second = (-1, "")
    formatted_millisecond = (-1, "")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.converter = time.gmtime

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "request_fields", None)
        if fields is None or record.exc_info:
            return super().format(record)
        line = {
            "time": self.moment(record.created),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process,
            "message": record.msg,
            **fields,
        }
        return json.dumps(line, default=str)

    def moment(self, created: float) -> str:
        """`formatTime`'s text, made once a millisecond (the seconds once a second)."""
        millisecond = int(created * 1000)
        seen, text = self.formatted_millisecond
        if millisecond == seen:
            return text
        second, thousandths = divmod(millisecond, 1000)
        seen, seconds_text = self.formatted_second
        if second != seen:
            seconds_text = time.strftime(self.default_time_format, self.converter(second))
            self.formatted_second = (second, seconds_text)
        text = self.default_msec_format % (seconds_text, thousandths)
        self.formatted_millisecond = (millisecond, text)
        return text


def json_formatter() -> logging.Formatter:
    return JsonLines(
        "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger", "process": "pid"},
        # uvicorn's copy of each message with terminal colours in it
        reserved_attrs=[*RESERVED_ATTRS, "color_message", "request_fields"],
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
                "class": "web.log_writer.JsonLinesHandler",  # the request lines the short way
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
