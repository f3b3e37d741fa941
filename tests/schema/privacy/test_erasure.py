"""Erasure: after it, the person's name, email and texts appear in no answer — signed out
(answers cached before it too), signed in, to moderators (thread, queue, log), live — but
the comment a legal notice holds, until the notice is closed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from service import erasure, job_kinds, jobs
from service.clock import clock, now
from service.models import ActionKind, Job, ModerationAction, Role
from tests.schema.legal.helpers import DECIDE, act, illegal_content, run_due_jobs, submit
from tests.schema.moderation.helpers import SUSPEND, report
from tests.schema.privacy.helpers import DELETE, EDIT, ERASE, RECOMMEND, posted
from tests.schema.reader.helpers import signed_out_get
from tests.support import Api, Person

NODE = "id body status replyCount recommendCount author { id displayName }"
THREAD = f"""
query Thread($id: ID!) {{
  article(id: $id) {{
    id commentCount
    comments(first: 5) {{ edges {{ node {{
      {NODE}
      replies(first: 5) {{ edges {{ node {{ {NODE} }} }} }}
    }} }} }}
  }}
}}
"""
STAFF_NODE = f"""
  {NODE}
  revisions {{ body replacedBy {{ displayName email }} }}
  reports(first: 3) {{ edges {{ node {{ note reporter {{ id displayName email }} }} }} }}
"""
STAFF_THREAD = f"""
query Thread($id: ID!) {{
  article(id: $id) {{
    id commentCount
    comments(first: 5) {{ edges {{ node {{
      {STAFF_NODE}
      replies(first: 5) {{ edges {{ node {{ {STAFF_NODE} }} }} }}
    }} }} }}
  }}
}}
"""
QUEUE = f"""
{{ moderationQueue(first: 5) {{ totalCount edges {{ node {{ comment {{ {STAFF_NODE} }} }} }} }} }}
"""
LOG = """
{ moderationLog(first: 100) { edges { node {
  kind reason previousBody newBody
  moderator { displayName } targetUser { id displayName email externalSubject }
  comment { id body author { displayName } }
} } } }
"""
USER = """
query User($id: ID!) {
  user(id: $id) {
    id displayName email externalSubject deletionScheduledAt
    comments(first: 10) { edges { node { body } } }
  }
}
"""
NOTICES = """
{ legalNotices(first: 50) { edges { node {
  status explanation comment { id body author { displayName } }
  posterResponse { name address }
} } } }
"""
AMEND = """
mutation Amend($input: AmendCommentInput!) { amendComment(input: $input) { __typename } }
"""
HELD_TEXT = "Eve's held words"


@dataclass
class Scene:
    eve: Person
    olga: Person
    moderator: Person
    admin: Person
    eve_top: str
    eve_lonely: str
    eve_held: str
    olga_top: str
    olga_reply: str
    notice: str
    secrets: tuple[str, ...]


async def a_scene(api: Api) -> Scene:
    """Eve comments, is replied to, edits, replies, recommends, reports and is reported,
    amended and suspended; one comment of hers is under an open legal notice."""
    eve = await api.person(subscriber=True, name="Eve Erased")
    olga = await api.person(subscriber=True, name="Olga Other")
    moderator = await api.person(Role.MODERATOR, name="Mo Moderator")
    admin = await api.person(Role.ADMIN, name="Ann Admin")
    eve_top = await posted(api, eve, "Eve's replied-to words")
    olga_reply = await posted(api, olga, "Olga's reply", parentId=eve_top)
    eve_lonely = await posted(api, eve, "Eve's lonely words")
    await api.data(
        EDIT, {"input": {"commentId": eve_lonely, "body": "Eve's edited words"}}, token=eve.token
    )
    olga_top = await posted(api, olga, "Olga's words")
    await posted(api, eve, "Eve's reply words", parentId=olga_top)
    await api.data(RECOMMEND, {"id": olga_top}, token=eve.token)
    await report(api, eve, olga_top, "SPAM", "Eve's report note")
    await report(api, olga, eve_lonely, "ABUSE", "Olga's note")
    amend = {"commentId": eve_top, "body": "[amended]", "reason": "Eve Erased was rude"}
    await api.data(AMEND, {"input": amend}, token=moderator.token)
    until = (now() + timedelta(hours=1)).isoformat()
    suspend = {"userId": eve.id, "until": until, "reason": "Eve Erased keeps insulting Olga"}
    await api.data(SUSPEND, {"input": suspend}, token=moderator.token)
    clock.advance(3601)  # the suspension is over: she comments on another story
    eve_held = await posted(api, eve, HELD_TEXT, article="story-2")
    receipt = await submit(api, illegal_content(eve_held))
    secrets = (
        "Eve Erased",
        eve.email,
        "Eve's replied-to words",
        "Eve's lonely words",
        "Eve's edited words",
        "Eve's reply words",
        "Eve's report note",
        "was rude",
        "keeps insulting",
    )
    return Scene(
        eve, olga, moderator, admin, eve_top, eve_lonely, eve_held, olga_top, olga_reply,
        receipt["id"], secrets,
    )  # fmt: skip


async def erase(api: Api, scene: Scene) -> dict[str, Any]:
    variables = {"input": {"userId": scene.eve.id, "reason": "Erasure request by post"}}
    answer: dict[str, Any] = (await api.data(ERASE, variables, token=scene.admin.token))[
        "eraseUser"
    ]
    return answer


def assert_nothing_of(scene: Scene, answer: object) -> None:
    text = str(answer)
    for secret in scene.secrets:
        assert secret not in text, (secret, text)


def comments_of(article: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {}
    for edge in article["comments"]["edges"]:
        found[edge["node"]["id"]] = edge["node"]
        for reply in edge["node"]["replies"]["edges"]:
            found[reply["node"]["id"]] = reply["node"]
    return found


async def test_after_erasure_the_person_appears_in_no_answer(api: Api) -> None:
    # given: signed-out answers cached while they showed her
    scene = await a_scene(api)
    for story in ("story-1", "story-2"):
        assert "Eve Erased" in str(await signed_out_get(api, THREAD, {"id": story}))

    # when
    erased = await erase(api, scene)

    # then
    assert erased == {"__typename": "User", "id": scene.eve.id, "displayName": "Deleted account"}
    answers: list[object] = []
    for story in ("story-1", "story-2"):
        answers.append(await signed_out_get(api, THREAD, {"id": story}))
        answers.append(await api.data(THREAD, {"id": story}, token=scene.olga.token))
        answers.append(await api.data(STAFF_THREAD, {"id": story}, token=scene.moderator.token))
    for document in (QUEUE, LOG, NOTICES):
        answers.append(await api.data(document, token=scene.moderator.token))
    answers.append(await api.data(USER, {"id": scene.eve.id}, token=scene.admin.token))
    answers.append(await signed_out_get(api, USER, {"id": scene.eve.id}))
    for answer in answers:
        assert_nothing_of(scene, answer)
    # the held comment keeps its text, without its author
    held = comments_of((await signed_out_get(api, THREAD, {"id": "story-2"}))["article"])
    assert held[scene.eve_held]["body"] == HELD_TEXT
    assert held[scene.eve_held]["author"] is None


async def test_erasure_leaves_tombstones_counts_and_reports_right(api: Api) -> None:
    # given
    scene = await a_scene(api)

    # when
    await erase(api, scene)

    # then: two of five comments are left on story-1; hers with a reply is a tombstone
    story = (await api.data(STAFF_THREAD, {"id": "story-1"}, token=scene.moderator.token))[
        "article"
    ]
    shown = comments_of(story)
    assert story["commentCount"] == 2
    tombstone = shown[scene.eve_top]
    # no text left, even for staff (who see every text there is)
    assert (tombstone["status"], tombstone["body"], tombstone["author"]) == (
        "WITHDRAWN",
        None,
        None,
    )
    assert tombstone["replyCount"] == 1 and tombstone["revisions"] == []
    assert shown[scene.olga_reply]["body"] == "Olga's reply"
    olga_top = shown[scene.olga_top]
    assert (olga_top["replyCount"], olga_top["recommendCount"]) == (0, 0)
    # her report stays counted, without reporter or note
    assert olga_top["reports"]["edges"] == [{"node": {"note": None, "reporter": None}}]
    # nothing of hers is left to moderate; the comment she reported still is
    queue = (await api.data(QUEUE, token=scene.moderator.token))["moderationQueue"]
    assert [e["node"]["comment"]["id"] for e in queue["edges"]] == [scene.olga_top]
    # the log keeps what was done, without its text; the erasure itself is logged once
    log = [
        e["node"]
        for e in (await api.data(LOG, token=scene.moderator.token))["moderationLog"]["edges"]
    ]
    kinds = {line["kind"]: line for line in log}
    assert kinds["SUSPEND_USER"]["reason"] == "(erased)"
    assert (kinds["AMEND"]["reason"], kinds["AMEND"]["previousBody"]) == ("(erased)", None)
    assert kinds["ERASE_USER"]["reason"] == "Erasure request by post"
    assert kinds["ERASE_USER"]["moderator"] == {"displayName": "Ann Admin"}
    assert [line["kind"] for line in log].count("ERASE_USER") == 1


async def test_a_held_comment_is_erased_when_its_notice_is_decided(api: Api) -> None:
    # given: erased while a notice holds one of her comments
    scene = await a_scene(api)
    await erase(api, scene)

    # when: the notice is decided (the comment stays up)
    decided = await act(
        api,
        scene.moderator,
        DECIDE,
        noticeId=scene.notice,
        decision="CONTENT_KEPT",
        reason="Lawful comment",
    )
    assert decided["__typename"] == "LegalNotice"
    await run_due_jobs()

    # then: the same job erased it
    staff = await api.data(STAFF_THREAD, {"id": "story-2"}, token=scene.moderator.token)
    held = comments_of(staff["article"])[scene.eve_held]
    assert (held["status"], held["body"], held["author"]) == ("WITHDRAWN", None, None)
    assert staff["article"]["commentCount"] == 0
    assert HELD_TEXT not in str(await api.data(LOG, token=scene.moderator.token))
    assert await ModerationAction.filter(kind=ActionKind.ERASE_USER).count() == 1


async def test_an_admin_is_not_erased_and_only_admins_erase(api: Api) -> None:
    admin = await api.person(Role.ADMIN)
    other_admin = await api.person(Role.ADMIN, name="Other Admin")
    moderator = await api.person(Role.MODERATOR)
    reader = await api.person()

    refused = (
        await api.data(
            ERASE, {"input": {"userId": other_admin.id, "reason": "no"}}, token=admin.token
        )
    )["eraseUser"]
    itself = (
        await api.data(ERASE, {"input": {"userId": admin.id, "reason": "no"}}, token=admin.token)
    )["eraseUser"]
    forbidden = await api.error_code(
        ERASE, {"input": {"userId": reader.id, "reason": "no"}}, token=moderator.token
    )

    assert refused["__typename"] == itself["__typename"] == "InvalidInput"
    assert refused["field"] == "userId"
    assert forbidden == "FORBIDDEN"
    assert await ModerationAction.filter(kind=ActionKind.ERASE_USER).count() == 0
    assert await Job.filter(kind=erasure.ERASE).count() == 0


async def test_an_erasure_cut_short_completes_once_when_the_job_runs_again(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the erasure is due, and the process dies midway through it
    scene = await a_scene(api)
    await api.data(DELETE, {"password": scene.eve.password}, token=scene.eve.token)
    clock.advance(24 * 3600 + 60)

    async def power_cut(*args: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(erasure, "_erase_account", power_cut)
    assert await run_due_jobs() == 0

    # then: nothing half done
    assert "Eve's reply words" in str(await signed_out_get(api, THREAD, {"id": "story-1"}))
    assert (await api.data("{ me { displayName } }", token=scene.eve.token))["me"] == {
        "displayName": "Eve Erased"
    }
    [job] = await Job.filter(kind=erasure.ERASE)
    assert job.done_at is None and "power cut" in (job.last_error or "")

    # when: the scheduler takes the job again
    monkeypatch.undo()
    clock.advance(60)
    assert await run_due_jobs() == 1

    # then: done, once
    assert_nothing_of(scene, await signed_out_get(api, THREAD, {"id": "story-1"}))
    assert_nothing_of(scene, await api.data(LOG, token=scene.moderator.token))
    assert await ModerationAction.filter(kind=ActionKind.ERASE_USER).count() == 1
    clock.advance(3600)
    assert await run_due_jobs() == 0


async def test_an_admins_erasure_cut_short_is_finished_by_the_job(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    scene = await a_scene(api)

    async def power_cut(*args: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(erasure, "_erase_text_about", power_cut)

    # when: the erasure fails midway; the answer says it is scheduled
    answer = await api.data(
        ERASE.replace("id displayName", "id deletionScheduledAt"),
        {"input": {"userId": scene.eve.id, "reason": "Erasure request by post"}},
        token=scene.admin.token,
    )
    assert answer["eraseUser"]["deletionScheduledAt"] is not None
    assert "Eve's reply words" in str(await signed_out_get(api, THREAD, {"id": "story-1"}))
    monkeypatch.undo()
    await run_due_jobs()

    # then
    assert_nothing_of(scene, await signed_out_get(api, THREAD, {"id": "story-1"}))
    assert_nothing_of(scene, await api.data(LOG, token=scene.moderator.token))
    log = await ModerationAction.filter(kind=ActionKind.ERASE_USER).values("reason", "moderator_id")
    assert log == [{"reason": "Erasure request by post", "moderator_id": int(scene.admin.id)}]


async def test_nobody_may_call_themselves_what_an_erased_account_is_called(api: Api) -> None:
    reader = await api.person()
    update = """
    mutation { updateProfile(input: {displayName: "DELETED ACCOUNT"}) {
      __typename ... on InvalidInput { field message } } }
    """

    answer = (await api.data(update, token=reader.token))["updateProfile"]

    assert answer == {
        "__typename": "InvalidInput",
        "field": "displayName",
        "message": "That display name is reserved.",
    }


async def test_an_erasure_claimed_by_an_instance_that_died_is_done_by_another(api: Api) -> None:
    # given: the job is due, and an instance claims it and dies before finishing
    scene = await a_scene(api)
    await api.data(DELETE, {"password": scene.eve.password}, token=scene.eve.token)
    clock.advance(24 * 3600 + 60)
    dead = jobs.Scheduler(job_kinds.handlers(), name="dead-instance")
    assert len(await dead.claim()) == 1

    # when: another instance looks before, and after, the claim runs out
    assert await run_due_jobs() == 0
    clock.advance(jobs.Scheduler(job_kinds.handlers()).lease.total_seconds() + 1)
    assert await run_due_jobs() == 1

    # then
    assert_nothing_of(scene, await signed_out_get(api, THREAD, {"id": "story-1"}))
    assert await ModerationAction.filter(kind=ActionKind.ERASE_USER).count() == 1


async def test_reply_counts_fall_at_every_level_above_an_erased_reply(api: Api) -> None:
    # given: Olga's thread, with Eve's replies at two depths
    eve = await api.person(subscriber=True, name="Eve Erased")
    olga = await api.person(subscriber=True)
    admin = await api.person(Role.ADMIN)
    top = await posted(api, olga, "top")
    reply = await posted(api, olga, "reply", parentId=top)
    await posted(api, eve, "Eve deep", parentId=reply)
    await posted(api, eve, "Eve shallow", parentId=top)
    await posted(api, eve, "Eve alone")

    # when
    await api.data(ERASE, {"input": {"userId": eve.id, "reason": "By post"}}, token=admin.token)

    # then
    story = (await signed_out_get(api, THREAD, {"id": "story-1"}))["article"]
    shown = comments_of(story)
    assert story["commentCount"] == 2
    assert (shown[top]["replyCount"], shown[reply]["replyCount"]) == (1, 0)
