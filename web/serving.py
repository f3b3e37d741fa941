"""`serve`: uvicorn, one process or several sharing one listening socket.

With several workers, uvicorn binds the socket itself with `socket.socket(family)`, so the
connections it accepts have proto 0 and asyncio does not turn Nagle off on them (it only
does for IPPROTO_TCP sockets): every keep-alive response after the first then waits for
the delayed ACK, ~40 ms (Kludex/uvicorn#3149). Binding with IPPROTO_TCP keeps TCP_NODELAY.

uvicorn's own proxy handling is off: by default it believes X-Forwarded-For from 127.0.0.1
(or from FORWARDED_ALLOW_IPS), which would let a local client pick the address the rate
limits count. Only BTL_TRUSTED_PROXIES decides that (web/operations.py `client_address`).

SIGTERM drains: the socket stops accepting, requests in flight have
BTL_SHUTDOWN_GRACE_SECONDS to finish, websockets are closed with 1012 (uvicorn's "service
restart": clients reconnect, to another instance), then the lifespan ends and the process
exits 0 (with several workers, the supervisor does, once every worker has drained).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import tempfile
from collections.abc import Iterator
from typing import Any

import uvicorn
from prometheus_client import multiprocess
from uvicorn.supervisors import Multiprocess

from service.config import Settings
from web.logs import log_config
from web.request_head import BoundedHeadProtocol
from web.ws_protocol import LeanWebSocketProtocol

APP = "web.app:create_app_from_environment"


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def uvicorn_config(app: Any, settings: Settings, **options: Any) -> uvicorn.Config:
    """uvicorn's settings for btl: a request's head bounded in time and size (uvicorn waits
    for it forever), idle keep-alive connections closed after 5 s, a websocket message past
    BTL_WS_MAX_MESSAGE_BYTES closing the socket (1009) before any of it is decoded,
    permessage-deflate only with BTL_WS_PER_MESSAGE_DEFLATE, websockets that keep little
    while idle (web/ws_protocol.py), logs as JSON lines (uvicorn's access log off: btl
    writes its own), and uvicorn's own proxy headers off (only BTL_TRUSTED_PROXIES decides whose
    X-Forwarded-For is believed)."""
    chosen: dict[str, Any] = {
        "log_level": "info",
        "access_log": False,
        "log_config": log_config(),  # JSON lines; web/request_log.py writes one per request
        **options,
    }
    return uvicorn.Config(
        app,
        http=BoundedHeadProtocol,
        ws=LeanWebSocketProtocol,
        timeout_keep_alive=5,
        ws_max_size=settings.ws_max_message_bytes,
        ws_per_message_deflate=settings.ws_per_message_deflate,
        proxy_headers=False,
        forwarded_allow_ips=[],  # not read from FORWARDED_ALLOW_IPS either
        # on SIGTERM: stop accepting, let requests in flight finish (websockets are closed
        # with 1012, "service restart", so clients reconnect elsewhere), at most this long
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,
        # a worker that has not answered the supervisor's ping for this long is killed and
        # started again: uvicorn's 5 s kill workers still importing on a busy machine
        timeout_worker_healthcheck=30,
        **chosen,
    )


def serve(settings: Settings, sock: socket.socket, workers: int) -> None:
    """Serve on a socket the caller bound (so a port in use is one line, not uvicorn's log)."""
    host, port = sock.getsockname()[:2]
    config = uvicorn_config(APP, settings, factory=True, host=host, port=port, workers=workers)
    if workers == 1:
        signal.signal(signal.SIGTERM, _stopped)
        uvicorn.Server(config).run(sockets=[sock])
        return
    with metrics_directory(settings):
        Supervisor(config, sockets=[sock]).run()


class Supervisor(Multiprocess):
    def keep_subprocess_alive(self) -> None:
        before = {process.pid for process in self.processes}
        super().keep_subprocess_alive()
        directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        for pid in before - {process.pid for process in self.processes}:
            if directory and pid is not None:  # a dead worker's sockets are open no more
                multiprocess.mark_process_dead(pid, directory)  # type: ignore[no-untyped-call]

    def terminate_all(self) -> None:
        # the supervisor's copy of the listening socket would keep taking connections into
        # the backlog while the workers drain, where nobody answers them: close it first
        for sock in self.sockets:
            sock.close()
        super().terminate_all()


def _stopped(signum: int, frame: object) -> None:
    """uvicorn drains on SIGTERM, then raises it again under the handler it found, to die
    of it (exit status 143): a drained instance did what was asked, so it exits 0."""
    raise SystemExit(0)


@contextlib.contextmanager
def metrics_directory(settings: Settings) -> Iterator[None]:
    """With several workers and /metrics on, a fresh directory where prometheus-client keeps
    each worker's counts (PROMETHEUS_MULTIPROC_DIR, read by it in each worker) so that a
    scrape answered by any worker adds them all up; one the operator set is used as it is."""
    if not settings.metrics_token or os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="btl-metrics-") as directory:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory  # the workers inherit it
        try:
            yield
        finally:
            del os.environ["PROMETHEUS_MULTIPROC_DIR"]
