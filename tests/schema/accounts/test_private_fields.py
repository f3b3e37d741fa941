from __future__ import annotations

from service.models import Role
from tests.support import Api

USER = """
query User($id: ID!) {
  user(id: $id) {
    id displayName role status email isSubscriber acceptedRulesVersion
    entitlements { product active }
  }
}
"""


async def test_a_user_sees_their_own_private_fields(api: Api) -> None:
    reader = await api.person(subscriber=True)

    user = (await api.data(USER, {"id": reader.id}, token=reader.token))["user"]

    assert user["email"] == reader.email
    assert user["isSubscriber"] is True
    assert user["entitlements"] == [{"product": "digital", "active": True}]


async def test_another_reader_and_anonymous_see_only_the_public_profile(api: Api) -> None:
    reader = await api.person(subscriber=True)
    other = await api.person()

    for token in (other.token, None):
        user = (await api.data(USER, {"id": reader.id}, token=token))["user"]

        assert user["displayName"] == reader.display_name
        assert user["email"] is None
        assert user["isSubscriber"] is None
        assert user["entitlements"] is None
        assert user["acceptedRulesVersion"] is None


async def test_a_moderator_sees_private_fields(api: Api) -> None:
    reader = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)

    user = (await api.data(USER, {"id": reader.id}, token=moderator.token))["user"]

    assert user["email"] == reader.email
    assert user["isSubscriber"] is True


async def test_an_unknown_user_is_null(api: Api) -> None:
    assert (await api.data(USER, {"id": "999999"}))["user"] is None
    assert (await api.data(USER, {"id": "not-a-number"}))["user"] is None
