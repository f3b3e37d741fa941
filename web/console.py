"""The moderators' console: GraphiQL from btl's own static files, for GET /graphql in a browser.

`make console` (or `make install` with npm on PATH) builds `console/dist/` from the npm
registry; the Docker image builds it in a node stage into `<venv>/share/btl/console`.
Nothing is fetched from elsewhere at run time, and the Content-Security-Policy says so.
Without the build, the page says how to make it.
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import sys
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

ASSETS_PATH = "/console/assets"
ASSETS = ("console.js", "console.css")
CANDIDATE_DIRECTORIES = (
    Path(__file__).resolve().parents[1] / "console" / "dist",  # a checkout, after `make console`
    Path(sys.prefix) / "share" / "btl" / "console",  # the Docker image
)


def assets_directory() -> Path | None:
    """Where the built console is, or None when it has not been built."""
    for directory in CANDIDATE_DIRECTORIES:
        if all((directory / name).is_file() for name in ASSETS):
            return directory
    return None


def content_security_policy(style_nonce: str | None = None) -> str:
    # GraphiQL needs data: for its bundled fonts and icons, and one <style> element its
    # dialogs add (allowed by a per-page nonce); everything else comes from this origin.
    style = f"'self' 'nonce-{style_nonce}'" if style_nonce else "'self'"
    return (
        "default-src 'self'; script-src 'self'; "
        f"style-src {style}; img-src 'self' data:; font-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    )


def security_headers(style_nonce: str | None = None) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(style_nonce),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
    }


_digests: dict[tuple[str, int, int], str] = {}


def _integrity(path: Path) -> str:
    """The file's Subresource Integrity value, recomputed only when the file changes."""
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _digests:
        digest = hashlib.sha384(path.read_bytes()).digest()
        _digests[key] = "sha384-" + base64.b64encode(digest).decode()
    return _digests[key]


def _asset_url(request: Request, directory: Path, name: str) -> tuple[str, str]:
    integrity = _integrity(directory / name)
    version = hashlib.sha256(integrity.encode()).hexdigest()[:12]
    root = request.scope.get("root_path", "")
    return f"{root}{ASSETS_PATH}/{name}?v={version}", integrity


_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>btl · moderators' console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{css}" integrity="{css_integrity}">
<script defer src="{js}" integrity="{js_integrity}"></script>
</head>
<body>
<div id="console" data-endpoint="{endpoint}" data-style-nonce="{nonce}">Loading the console…</div>
<noscript>The console needs JavaScript. POST /graphql works without it.</noscript>
</body>
</html>
"""

_NOT_BUILT = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>btl · the console is not built</title></head>
<body>
<h1>The moderators' console is not built</h1>
<p>Its files come from the npm registry at install time, not from a CDN. Build them with
npm on your PATH:</p>
<pre>make console      # or: make install (builds it whenever npm is present)</pre>
<p>or by hand: <code>cd console &amp;&amp; npm ci &amp;&amp; npm run build</code>.
The Docker image builds it in its node stage. Looked in: {searched}.</p>
<p>The API itself works: <code>POST /graphql</code> with a JSON body.</p>
</body>
</html>
"""


def console_page(request: Request) -> Response:
    """The console's HTML page (GET /graphql from a browser), or how to build it."""
    directory = assets_directory()
    headers = {"Cache-Control": "no-store", "Vary": "Accept"}
    if directory is None:
        searched = ", ".join(html.escape(str(d)) for d in CANDIDATE_DIRECTORIES)
        headers.update(security_headers())
        return HTMLResponse(_NOT_BUILT.format(searched=searched), 503, headers=headers)
    nonce = secrets.token_urlsafe(18)
    headers.update(security_headers(nonce))
    js, js_integrity = _asset_url(request, directory, "console.js")
    css, css_integrity = _asset_url(request, directory, "console.css")
    page = _PAGE.format(
        css=html.escape(css),
        css_integrity=css_integrity,
        js=html.escape(js),
        js_integrity=js_integrity,
        endpoint=html.escape(request.url.path),
        nonce=nonce,
    )
    return HTMLResponse(page, headers=headers)


class ConsoleAssets:
    """StaticFiles over the built console (404 until it is built), with the page's headers."""

    def __init__(self) -> None:
        self._files: dict[Path, GZipMiddleware] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        directory = assets_directory()
        if directory is None:
            response = PlainTextResponse(
                "The console is not built: run `make console`.", 404, headers=security_headers()
            )
            await response(scope, receive, send)
            return
        if directory not in self._files:  # the bundle is 1.2 MB, about 350 kB gzipped
            self._files[directory] = GZipMiddleware(StaticFiles(directory=directory))
        files = self._files[directory]
        extra = [(k.lower().encode(), v.encode()) for k, v in security_headers().items()]
        extra.append((b"cache-control", b"no-cache"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        try:
            await files(scope, receive, send_with_headers)
        except HTTPException as exc:  # 404, 405: as plain text, with the same headers
            refusal = PlainTextResponse(exc.detail, exc.status_code, headers=security_headers())
            await refusal(scope, receive, send)


console_routes: list[BaseRoute] = [Mount(ASSETS_PATH, app=ConsoleAssets(), name="console")]
