"""API keys as bearer tokens: no user, only the operations of their scopes."""

from __future__ import annotations

import pytest

from service import api_keys
from service.api_keys import Scope
from service.models import Article, Entitlement, ModerationAction
from tests.sso_support import api_key
from tests.support import Api

GRANT = """
mutation Grant($input: GrantEntitlementInput!) {
  grantEntitlement(input: $input) {
    __typename ... on Entitlement { id source ref active }
  }
}
"""
REVOKE = """
mutation Revoke($id: ID!) {
  revokeEntitlement(id: $id) { __typename ... on Entitlement { active } }
}
"""
CONFIGURE = """
mutation Configure($input: ConfigureArticleInput!) {
  configureArticle(input: $input) { __typename ... on Article { id title } }
}
"""
SET_COMMENTING = """
mutation SetCommenting($input: SetCommentingInput!) {
  setCommenting(input: $input) { __typename ... on Article { commentsOpen } }
}
"""
POST = """
mutation { postComment(input: {articleId: "story-1", body: "hi"}) { __typename } }
"""
QUEUE = "{ moderationQueue { totalCount } }"
SET_ROLE = """mutation($id: ID!) { setUserRole(userId: $id, role: ADMIN) { __typename } }"""


def grant(user_id: str) -> dict[str, object]:
    return {"input": {"userId": user_id, "product": "digital", "startsAt": "2020-01-01T00:00Z"}}


async def test_a_key_is_no_user(publisher_api: Api) -> None:
    key = await api_key(Scope.ENTITLEMENTS, Scope.ARTICLES)

    assert (await publisher_api.data("{ me { id } }", token=key))["me"] is None
    assert await publisher_api.error_code(POST, token=key) == "FORBIDDEN"
    assert await publisher_api.error_code(QUEUE, token=key) == "FORBIDDEN"
    response = await publisher_api.raw("{ me { id } }", token=key)
    assert response.headers["cache-control"] == "private, no-store"


async def test_an_entitlements_key_grants_and_revokes_by_btl_id(publisher_api: Api) -> None:
    key = await api_key(Scope.ENTITLEMENTS)
    reader = await publisher_api.person()

    granted = (await publisher_api.data(GRANT, grant(reader.id), token=key))["grantEntitlement"]
    revoked = (await publisher_api.data(REVOKE, {"id": granted["id"]}, token=key))[
        "revokeEntitlement"
    ]

    assert granted == {
        "__typename": "Entitlement",
        "id": granted["id"],
        "source": "ADMIN",
        "ref": None,
        "active": True,
    }
    assert revoked == {"__typename": "Entitlement", "active": False}


async def test_an_articles_key_configures_articles_and_opens_or_closes_comments(
    publisher_api: Api,
) -> None:
    key = await api_key(Scope.ARTICLES, name="cms")

    configured = await publisher_api.data(
        CONFIGURE, {"input": {"id": "story-1", "title": "A story"}}, token=key
    )
    closed = await publisher_api.data(
        SET_COMMENTING,
        {"input": {"articleId": "story-1", "open": False, "reason": "legal advice"}},
        token=key,
    )

    assert configured["configureArticle"] == {
        "__typename": "Article",
        "id": "story-1",
        "title": "A story",
    }
    assert closed["setCommenting"] == {"__typename": "Article", "commentsOpen": False}
    action = await ModerationAction.get(article_id="story-1")
    assert (action.moderator_id, action.reason) == (None, "legal advice")


async def test_a_key_outside_its_scopes_is_forbidden_and_changes_nothing(
    publisher_api: Api,
) -> None:
    entitlements_key = await api_key(Scope.ENTITLEMENTS)
    articles_key = await api_key(Scope.ARTICLES, name="cms")
    reader = await publisher_api.person()

    assert (
        await publisher_api.error_code(
            CONFIGURE, {"input": {"id": "story-1", "title": "x"}}, token=entitlements_key
        )
        == "FORBIDDEN"
    )
    assert await publisher_api.error_code(GRANT, grant(reader.id), token=articles_key) == (
        "FORBIDDEN"
    )
    for key in (entitlements_key, articles_key):
        assert await publisher_api.error_code(SET_ROLE, {"id": reader.id}, token=key) == "FORBIDDEN"
    assert await Article.all().count() == 0
    assert await Entitlement.all().count() == 0


async def test_a_key_revoked_mid_session_is_refused_from_the_next_request(
    publisher_api: Api,
) -> None:
    key = await api_key(Scope.ENTITLEMENTS)
    reader = await publisher_api.person()
    assert (await publisher_api.data(GRANT, grant(reader.id), token=key))["grantEntitlement"][
        "__typename"
    ] == "Entitlement"

    await api_keys.revoke("subscriptions")

    assert await publisher_api.error_code(GRANT, grant(reader.id), token=key) == ("UNAUTHENTICATED")
    assert await Entitlement.all().count() == 1


async def test_an_unknown_key_is_no_one(publisher_api: Api) -> None:
    reader = await publisher_api.person()

    code = await publisher_api.error_code(GRANT, grant(reader.id), token=api_keys.PREFIX + "x" * 43)

    assert code == "UNAUTHENTICATED"


@pytest.mark.parametrize("unusable_id", ["99999999999999999999", "²", "-1", "0"])
async def test_ids_no_row_can_have_are_not_found_not_internal_errors(
    publisher_api: Api, unusable_id: str
) -> None:
    key = await api_key(Scope.ENTITLEMENTS)

    granted = await publisher_api.data(GRANT, grant(unusable_id), token=key)
    revoked = await publisher_api.data(REVOKE, {"id": unusable_id}, token=key)

    assert granted["grantEntitlement"]["__typename"] == "NotFound"
    assert revoked["revokeEntitlement"]["__typename"] == "NotFound"
