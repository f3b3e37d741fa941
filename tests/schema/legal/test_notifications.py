"""The inbox: replies, restrictions, read marks; its owner's alone."""

from __future__ import annotations

from service.models import Role
from tests.schema.legal.helpers import inbox_of, posted
from tests.support import Api, post_comment

MARK_READ = "mutation($ids: [ID!]) { markNotificationsRead(ids: $ids) }"
REMOVE = """
mutation($input: ModerateCommentInput!) { removeComment(input: $input) { __typename } }
"""


async def test_a_reply_tells_the_parents_author_but_not_a_self_reply(api: Api) -> None:
    author = await api.person(subscriber=True)
    replier = await api.person(subscriber=True)
    parent_id = await posted(api, author, "What do you think?")

    reply = await post_comment(api, replier, "I agree", parentId=parent_id)
    await post_comment(api, author, "Thanks", parentId=reply["id"])  # tells the replier
    await post_comment(api, author, "Also me", parentId=parent_id)  # their own thread: silent

    inbox = await inbox_of(api, author)
    replier_inbox = await inbox_of(api, replier)
    [line] = [e["node"] for e in inbox["notifications"]["edges"]]
    assert (line["kind"], line["comment"], line["readAt"]) == ("REPLY", {"id": reply["id"]}, None)
    assert inbox["unreadNotificationCount"] == 1
    assert [e["node"]["kind"] for e in replier_inbox["notifications"]["edges"]] == ["REPLY"]


async def test_marking_read_by_id_and_all_at_once(api: Api) -> None:
    author = await api.person(subscriber=True)
    replier = await api.person(subscriber=True)
    parent_id = await posted(api, author)
    for n in range(3):
        await post_comment(api, replier, f"Reply {n}", parentId=parent_id)
    ids = [e["node"]["id"] for e in (await inbox_of(api, author))["notifications"]["edges"]]

    one = await api.data(MARK_READ, {"ids": [ids[0], "NOTIFICATION-ID"]}, token=author.token)
    again = await api.data(MARK_READ, {"ids": [ids[0]]}, token=author.token)
    unread = await inbox_of(api, author, unread_only=True)
    rest = await api.data(MARK_READ, {"ids": None}, token=author.token)

    assert (one["markNotificationsRead"], again["markNotificationsRead"]) == (1, 0)
    assert unread["unreadNotificationCount"] == 2
    assert [e["node"]["id"] for e in unread["notifications"]["edges"]] == ids[1:]
    assert rest["markNotificationsRead"] == 2
    assert (await inbox_of(api, author))["unreadNotificationCount"] == 0


async def test_nobody_else_reads_or_marks_an_inbox(api: Api) -> None:
    author = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    parent_id = await posted(api, author)
    await api.data(
        REMOVE, {"input": {"commentId": parent_id, "reason": "Spam"}}, token=moderator.token
    )
    [line] = (await inbox_of(api, author))["notifications"]["edges"]
    query = """
    query($id: ID!) {
      user(id: $id) { unreadNotificationCount notifications { edges { node { id } } } }
    }
    """

    as_moderator = await api.data(query, {"id": author.id}, token=moderator.token)
    marked_by_moderator = await api.data(
        MARK_READ, {"ids": [line["node"]["id"]]}, token=moderator.token
    )
    signed_out = await api.error_code(MARK_READ, {"ids": None})

    assert as_moderator["user"] == {"unreadNotificationCount": None, "notifications": None}
    assert marked_by_moderator["markNotificationsRead"] == 0
    assert signed_out == "UNAUTHENTICATED"
    assert line["node"]["kind"] == "COMMENT_RESTRICTED"
