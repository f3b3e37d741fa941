"""myData: everything btl holds about the viewer, and nothing about anyone else."""

from __future__ import annotations

from service.config import RateLimit
from service.models import Role
from tests.schema.privacy.helpers import MY_DATA, a_full_life, my_data
from tests.support import Api


async def test_the_export_holds_everything_about_the_viewer(api: Api) -> None:
    # given
    author = await api.person(subscriber=True, name="Ada Author")
    other = await api.person(subscriber=True, name="Zed Other")
    moderator = await api.person(Role.MODERATOR, name="Mo Moderator")
    ids = await a_full_life(api, author, other, moderator)

    # when
    document = await my_data(api, author)

    # then
    assert document["format"] == "btl-my-data/1"
    account = document["account"]
    assert (account["id"], account["email"], account["displayName"]) == (
        int(author.id),
        author.email,
        "Ada Author",
    )
    assert account["deletionScheduledAt"] is None
    assert [e["product"] for e in document["entitlements"]] == ["digital"]
    [session] = document["sessions"]
    assert session["createdAt"] and session["lastUsedAt"] and session["revokedAt"] is None
    comments = {str(c["id"]): c for c in document["comments"]}
    assert set(comments) == {ids["first"], ids["withdrawn"], ids["noticed"]}
    assert comments[ids["first"]]["body"] == "Author's edited words"
    [revision] = comments[ids["first"]]["revisions"]
    assert (revision["body"], revision["replacedBy"]) == ("Author's first words", "you")
    assert comments[ids["withdrawn"]]["status"] == "WITHDRAWN"
    assert comments[ids["withdrawn"]]["body"] == "Author's withdrawn words"
    assert comments[ids["noticed"]]["status"] == "REMOVED"
    [reported] = document["reportsMade"]
    assert (str(reported["commentId"]), reported["note"]) == (ids["others"], "author's own note")
    assert [str(r["commentId"]) for r in document["recommendations"]] == [ids["others"]]
    assert [str(i["userId"]) for i in document["ignoredUsers"]] == [other.id]
    [notice] = document["noticesAboutMyComments"]
    assert (notice["kind"], notice["decision"], str(notice["commentId"])) == (
        "ILLEGAL_CONTENT",
        "CONTENT_REMOVED",
        ids["noticed"],
    )
    [statement] = document["statements"]
    assert (statement["restriction"], statement["reason"]) == (
        "COMMENT_REMOVED",
        "Unlawful under s.18",
    )
    assert document["appeals"] == []
    kinds = sorted(n["kind"] for n in document["notifications"])
    assert kinds == ["COMMENT_RESTRICTED", "REPLY"]


async def test_the_export_says_nothing_about_anyone_else(api: Api) -> None:
    # given: another reader replied to and reported the author; a notifier and a moderator
    # acted on the author's comment
    author = await api.person(subscriber=True, name="Ada Author")
    other = await api.person(subscriber=True, name="Zed Other")
    moderator = await api.person(Role.MODERATOR, name="Mo Moderator")
    await a_full_life(api, author, other, moderator)

    # when
    text = (await api.data(MY_DATA, token=author.token))["myData"]

    # then: no name, email or text of theirs
    for theirs in (
        "Zed Other",
        other.email,
        "Other's own words",
        "Other's reply words",
        "other's private note",
        "Mo Moderator",
        moderator.email,
        "Nora Notifier",
        "nora@example.org",
    ):
        assert theirs not in text
    assert '"reporter' not in text


async def test_the_export_needs_a_signed_in_reader(api: Api) -> None:
    assert await api.error_code(MY_DATA) == "UNAUTHENTICATED"


async def test_the_export_is_rate_limited(make_api: object) -> None:
    api: Api = await make_api(rate_limit_export=RateLimit(2, 3600))  # type: ignore[operator]
    reader = await api.person()
    for _ in range(2):
        await my_data(api, reader)

    body = await api.gql(MY_DATA, token=reader.token)

    assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
