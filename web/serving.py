"""`serve`: uvicorn, one process or several sharing one listening socket.

With several workers, uvicorn binds the socket itself with `socket.socket(family)`, so the
connections it accepts have proto 0 and asyncio does not turn Nagle off on them (it only
does for IPPROTO_TCP sockets): every keep-alive response after the first then waits for
the delayed ACK, ~40 ms (Kludex/uvicorn#3149). Binding with IPPROTO_TCP keeps TCP_NODELAY.

uvicorn's own proxy handling is off: by default it believes X-Forwarded-For from 127.0.0.1
(or from FORWARDED_ALLOW_IPS), which would let a local client pick the address the rate
limits count. Only BTL_TRUSTED_PROXIES decides that (web/operations.py `client_address`).
"""

from __future__ import annotations

import socket
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

from service.config import Settings
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
    while idle (web/ws_protocol.py), and
    uvicorn's own proxy headers off (only BTL_TRUSTED_PROXIES decides whose
    X-Forwarded-For is believed)."""
    chosen: dict[str, Any] = {"log_level": "info", "access_log": False, **options}
    return uvicorn.Config(
        app,
        http=BoundedHeadProtocol,
        ws=LeanWebSocketProtocol,
        timeout_keep_alive=5,
        ws_max_size=settings.ws_max_message_bytes,
        ws_per_message_deflate=settings.ws_per_message_deflate,
        proxy_headers=False,
        forwarded_allow_ips=[],  # not read from FORWARDED_ALLOW_IPS either
        **chosen,
    )


def serve(settings: Settings, sock: socket.socket, workers: int) -> None:
    """Serve on a socket the caller bound (so a port in use is one line, not uvicorn's log)."""
    host, port = sock.getsockname()[:2]
    config = uvicorn_config(APP, settings, factory=True, host=host, port=port, workers=workers)
    if workers == 1:
        uvicorn.Server(config).run(sockets=[sock])
        return
    Multiprocess(config, sockets=[sock]).run()
