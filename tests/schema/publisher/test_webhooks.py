"""POST /webhooks/entitlements: Standard Webhooks deliveries from the subscription system,
signed here with the `standardwebhooks` package."""

from __future__ import annotations

import time
from typing import Any

import pytest

from service.models import Entitlement, EntitlementSource, WebhookDelivery
from tests.schema.publisher.conftest import MakeApi
from tests.schema.publisher.test_sign_in_with_publisher_token import sign_in
from tests.sso_support import SigningKey, deliver, mint, signed_headers
from tests.support import Api


def event(**data: Any) -> dict[str, Any]:
    values = {
        "ref": "sub_77",
        "subject": "reader-77",
        "product": "digital",
        "startsAt": "2020-01-01T00:00:00Z",
        "endsAt": None,
        "revoked": False,
        "updatedAt": "2024-05-01T10:00:00Z",
        **data,
    }
    return {"type": "entitlement.upserted", "data": {k: v for k, v in values.items() if v != "-"}}


async def test_a_signed_delivery_is_applied(publisher_api: Api, key_a: SigningKey) -> None:
    # when
    response = await deliver(publisher_api.client, event())

    # then
    assert response.status_code == 204
    stored = await Entitlement.get(ref="sub_77")
    assert (stored.source, stored.subject, stored.user_id) == (
        EntitlementSource.SUBSCRIPTION_SYSTEM,
        "reader-77",
        None,  # until reader-77 first signs in
    )
    session = await sign_in(publisher_api, mint(key_a, sub="reader-77"))
    assert session["user"]["isSubscriber"] is True


async def test_a_delivery_by_btl_user_id_is_applied(publisher_api: Api) -> None:
    reader = await publisher_api.person()

    response = await deliver(publisher_api.client, event(subject="-", userId=int(reader.id)))

    assert response.status_code == 204
    assert (await Entitlement.get(ref="sub_77")).user_id == int(reader.id)


async def test_a_replayed_delivery_is_accepted_and_not_applied_again(publisher_api: Api) -> None:
    assert (await deliver(publisher_api.client, event(), message_id="msg_1")).status_code == 204

    # when the same webhook-id comes again, even with other content
    again = await deliver(
        publisher_api.client,
        event(product="other", updatedAt="2025-01-01T00:00:00Z"),
        message_id="msg_1",
    )

    # then
    assert again.status_code == 204
    assert (await Entitlement.get(ref="sub_77")).product == "digital"
    assert await WebhookDelivery.all().count() == 1


async def test_deliveries_out_of_order_keep_the_newest(publisher_api: Api) -> None:
    await deliver(
        publisher_api.client, event(revoked=True, updatedAt="2024-06-01T00:00Z"), message_id="b"
    )

    late = await deliver(publisher_api.client, event(updatedAt="2024-05-01T00:00Z"), message_id="a")

    assert late.status_code == 204
    assert (await Entitlement.get(ref="sub_77")).revoked_at is not None


@pytest.mark.parametrize("minutes", [-10, 10])
async def test_a_timestamp_more_than_5_minutes_off_is_401(publisher_api: Api, minutes: int) -> None:
    response = await deliver(publisher_api.client, event(), at=time.time() + minutes * 60)

    assert response.status_code == 401
    assert "reason" in response.json()
    assert await Entitlement.all().count() == 0
    assert await WebhookDelivery.all().count() == 0


@pytest.mark.parametrize(
    "headers",
    [
        {"webhook-signature": "v1,AAAA"},
        {"webhook-signature": "v1," + "A" * 44},
        {"webhook-signature": "no-comma"},
        {"webhook-signature": "v1,not base64!"},
        {"webhook-signature": "v2,whatever"},
        {"webhook-signature": ""},
        {"webhook-timestamp": "not-a-number"},
        {"webhook-timestamp": "nan"},
        {"webhook-id": ""},
    ],
)
async def test_a_bad_or_missing_signature_is_401(
    publisher_api: Api, headers: dict[str, str]
) -> None:
    body = '{"type": "entitlement.upserted", "data": {}}'
    signed = {**signed_headers(body, message_id="msg_1"), **headers}

    response = await publisher_api.client.post(
        "/webhooks/entitlements", content=body, headers=signed
    )

    assert response.status_code == 401
    assert await WebhookDelivery.all().count() == 0


async def test_a_body_signed_for_another_body_is_401(publisher_api: Api) -> None:
    headers = signed_headers('{"type": "entitlement.upserted"}', message_id="msg_1")

    response = await publisher_api.client.post(
        "/webhooks/entitlements", content='{"type": "something else"}', headers=headers
    )

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ("this is not JSON", None),
        ("[1, 2]", "type"),
        ({"type": "entitlement.deleted", "data": {}}, "type"),
        ({"type": "entitlement.upserted", "data": "x"}, "data"),
        (event(ref="-"), "ref"),
        (event(ref=12), "ref"),
        (event(product="-"), "product"),
        (event(startsAt="soon"), "startsAt"),
        (event(updatedAt="-"), "updatedAt"),
        (event(revoked="yes"), "revoked"),
        (event(subject="-"), "userId"),
        (event(userId="999999", subject="-"), "userId"),
        (event(userId=True, subject="-"), "userId"),
        (event(endsAt="2019-01-01T00:00:00Z"), "endsAt"),
    ],
)
async def test_a_body_btl_cannot_use_is_400_with_a_reason(
    publisher_api: Api, payload: Any, field: str | None
) -> None:
    response = await deliver(publisher_api.client, payload)

    assert response.status_code == 400
    assert response.json()["reason"]
    assert response.json()["field"] == field
    assert await Entitlement.all().count() == 0
    assert await WebhookDelivery.all().count() == 0  # a corrected delivery may reuse the id


async def test_a_body_that_is_not_utf8_is_400(publisher_api: Api) -> None:
    response = await publisher_api.client.post(
        "/webhooks/entitlements",
        content=b"\xff\xfe",
        headers=signed_headers("x", message_id="msg_1"),
    )

    assert response.status_code == 400


async def test_a_body_over_the_limit_is_413(make_publisher_api: MakeApi) -> None:
    api = await make_publisher_api(max_body_bytes=1000)

    response = await deliver(api.client, event(product="x" * 2000))

    assert response.status_code == 413


async def test_without_a_secret_the_webhook_is_404(api: Api) -> None:
    response = await deliver(api.client, event())

    assert response.status_code == 404
    assert "BTL_WEBHOOK_SECRET" in response.json()["reason"]
    assert await Entitlement.all().count() == 0
