"""The serving process's log handler: stderr, with the request lines written a few at a time.

One line per request is on the hot path of a cached answer, where the logging machinery (a
LogRecord, filters, a lock, a formatter) and a write to stderr per line cost a quarter of
the answer. So when this handler alone would receive btl.request's lines (the serving
process's set-up, web/logs.py), web/request_log.py hands it each one as text, the same text
the formatter would make, and the handler writes them together at most FLUSH_SECONDS later:
from a thread of its own, when MAX_PENDING_LINES wait, before any other line (so the order
holds, and uvicorn's and the error lines are written at once as before), and at exit
(logging flushes every handler at shutdown; uvicorn's workers are spawned interpreters that
exit normally). Only a SIGKILL can lose the last moment's request lines.
"""

from __future__ import annotations

import collections
import logging
import os
import threading
import time
from typing import TextIO

from web.logs import JsonLines

FLUSH_SECONDS = 0.1
MAX_PENDING_LINES = 2000  # ~0.6 MB: past this, the request itself waits for the stream


class JsonLinesHandler(logging.StreamHandler):  # type: ignore[type-arg]
    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(stream)
        self.pending: collections.deque[str] = collections.deque()  # append needs no lock
        self.writing = threading.Lock()  # one writer at a time, lines in their order
        self.flusher: threading.Thread | None = None
        self._in_process(os.getpid())
        os.register_at_fork(after_in_child=lambda: self._in_process(os.getpid()))
        global _latest
        _latest = self

    def _in_process(self, pid: int) -> None:
        self.flusher = None  # a forked child has no thread: it starts its own
        self.after_time = (
            f'", "level": "INFO", "logger": "btl.request", "pid": {pid}, "message": "request", '
        )

    def request_line(self, fields: str) -> None:
        """A btl.request line at INFO; `fields` is its JSON text after `message`, to the `}`."""
        moment = self.formatter.moment(time.time())  # type: ignore[union-attr]
        self.pending.append('{"time": "' + moment + self.after_time + fields)
        if self.flusher is None:
            self.flusher = threading.Thread(target=self._flush_often, daemon=True)
            self.flusher.start()
        if len(self.pending) >= MAX_PENDING_LINES:  # the stream is slow: wait for it here
            self.write_pending()

    def emit(self, record: logging.LogRecord) -> None:
        """Any other line: written at once, after the request lines before it."""
        try:
            text = self.format(record)
        except Exception:
            self.handleError(record)
            return
        self.pending.append(text)
        self.write_pending()

    def flush(self) -> None:
        self.write_pending()

    def write_pending(self) -> None:
        with self.writing:
            pending = self.pending
            lines = [pending.popleft() for _ in range(len(pending))]
            if not lines or self.stream is None:
                return
            try:
                self.stream.write("\n".join(lines) + "\n")
                self.stream.flush()
            except (OSError, ValueError):  # stderr closed or gone: nowhere left to say so
                pass

    def _flush_often(self) -> None:
        while True:
            time.sleep(FLUSH_SECONDS)
            if self.pending:
                self.write_pending()


_latest: JsonLinesHandler | None = None  # the handler made last


def direct_writer(logger: logging.Logger) -> JsonLinesHandler | None:
    """The JSON handler when `logger`'s lines would reach it alone and unfiltered, so giving
    it a line's text is the same as logging the line (the caller checks the level)."""
    handler = _latest
    if handler is None:
        return None
    root = logging.root
    handlers = root.handlers
    if (
        len(handlers) != 1
        or handlers[0] is not handler
        or logger.filters
        or handler.level > logging.INFO
        or not isinstance(handler.formatter, JsonLines)
    ):
        return None
    on_the_way: logging.Logger | None = logger  # the loggers a record propagates through
    while on_the_way is not None and on_the_way is not root:
        if on_the_way.handlers or not on_the_way.propagate:
            return None
        on_the_way = on_the_way.parent
    return handler
