"""POST /webhooks/entitlements: the subscription system's signed deliveries (Standard Webhooks).

204 applied, or already applied (the same `webhook-id`); 400 with a JSON reason for a body
btl cannot use; 401 for a missing or bad signature or a timestamp more than 5 minutes off
(the `standardwebhooks` package checks both); 404 when BTL_WEBHOOK_SECRET is not set.
"""

from __future__ import annotations

import json
import logging

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from service import subscriptions_sync
from service.errors import InvalidInput
from service.runtime import Runtime
from web.operations import read_body  # the same bounded read as /graphql

logger = logging.getLogger("btl.webhooks")
MAX_DELIVERY_ID = 255


def _refuse(status: int, reason: str, field: str | None = None) -> JSONResponse:
    return JSONResponse({"reason": reason, "field": field}, status_code=status)


async def entitlements_webhook(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    secret = runtime.settings.webhook_secret
    if secret is None:
        return _refuse(404, "No webhook is set up here (BTL_WEBHOOK_SECRET).")
    limit = runtime.settings.max_body_bytes
    body = await read_body(request, limit, runtime.settings.read_timeout_seconds)
    if isinstance(body, Response):  # too large (413) or too slow (408)
        return body
    try:
        text = body.decode()
    except UnicodeDecodeError:
        return _refuse(400, "The body is not UTF-8 JSON.")
    try:
        Webhook(secret).verify(text, dict(request.headers), json_parse=False)
    except (WebhookVerificationError, ValueError) as exc:  # ValueError: a malformed header
        return _refuse(401, f"The signature does not verify: {exc or 'malformed'}.")
    delivery_id = request.headers["webhook-id"]
    if len(delivery_id) > MAX_DELIVERY_ID:
        return _refuse(400, f"webhook-id has at most {MAX_DELIVERY_ID} characters.")
    try:
        payload = json.loads(text)
    except ValueError:
        return _refuse(400, "The body is not JSON.")
    try:
        update = subscriptions_sync.update_from_webhook(payload)
        await subscriptions_sync.upsert(update, runtime.settings, delivery_id=delivery_id)
    except InvalidInput as exc:
        return _refuse(400, exc.message, exc.field)
    except Exception:  # e.g. the database went away: the sender retries later
        logger.exception("webhook %s could not be applied", delivery_id)
        return _refuse(503, "The delivery could not be applied now; send it again later.")
    return Response(status_code=204)
