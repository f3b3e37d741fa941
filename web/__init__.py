"""The HTTP edge: everything between a socket and the GraphQL schema.

One concern a module: reading an operation from a request (operations.py), persisted
queries (persisted.py), the exact cache of signed-out answers (public_cache.py), the
signed-in overlay (viewer_overlay.py), GraphQL-over-HTTP answers (responses.py), the one
error guard (guard.py), websockets (websocket.py), the console, webhooks and probes; the
app is composed in app.py. `schema/` is the GraphQL schema alone, and `service/` imports
nothing from here.
"""
