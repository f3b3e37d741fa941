"""`serve`: uvicorn, one process or several sharing one listening socket.

With several workers, uvicorn binds the socket itself with `socket.socket(family)`, so the
connections it accepts have proto 0 and asyncio does not turn Nagle off on them (it only
does for IPPROTO_TCP sockets): every keep-alive response after the first then waits for
the delayed ACK, ~40 ms (Kludex/uvicorn#3149). Binding with IPPROTO_TCP keeps TCP_NODELAY.
"""

from __future__ import annotations

import socket

import uvicorn
from uvicorn.supervisors import Multiprocess

from service.request_head import BoundedHeadProtocol

APP = "service.app:create_app_from_environment"


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def serve(host: str, port: int, workers: int) -> None:
    config = uvicorn.Config(
        APP,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,
        # a request's head bounded in time and size (uvicorn waits for it forever)
        http=BoundedHeadProtocol,
        # an idle keep-alive connection is closed after this many seconds
        timeout_keep_alive=5,
    )
    if workers == 1:
        uvicorn.Server(config).run()
        return
    Multiprocess(config, sockets=[listening_socket(host, port)]).run()
