from __future__ import annotations

import pytest
from tortoise import connections

from service.clock import now
from service.models import ActionKind, ModerationAction
from tests.support import Api


async def test_postgres_refuses_updates_and_deletes_of_the_log(api: Api, is_postgres: bool) -> None:
    if not is_postgres:
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    action = await ModerationAction.create(
        kind=ActionKind.CLOSE_COMMENTS, reason="legal", created_at=now()
    )
    conn = connections.get("default")

    for statement in (
        f"UPDATE moderation_actions SET reason = 'edited' WHERE id = {action.id}",
        f"DELETE FROM moderation_actions WHERE id = {action.id}",
    ):
        with pytest.raises(Exception, match="append-only"):
            await conn.execute_script(statement)

    assert (await ModerationAction.get(id=action.id)).reason == "legal"


async def test_postgres_lets_an_erasure_blank_a_lines_text_and_nothing_else(
    api: Api, is_postgres: bool
) -> None:
    if not is_postgres:
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    action = await ModerationAction.create(
        kind=ActionKind.AMEND,
        reason="rude to Ada",
        previous_body="Ada is a fool",
        new_body="[amended]",
        created_at=now(),
    )
    conn = connections.get("default")

    for statement in (
        "UPDATE moderation_actions SET reason = '(erased)', kind = 'REMOVE' "
        f"WHERE id = {action.id}",
        f"UPDATE moderation_actions SET reason = 'other', previous_body = NULL, new_body = NULL "
        f"WHERE id = {action.id}",
        "UPDATE moderation_actions SET reason = '(erased)', new_body = NULL "
        f"WHERE id = {action.id}",
    ):
        with pytest.raises(Exception, match="append-only"):
            await conn.execute_script(statement)
    await conn.execute_script(
        "UPDATE moderation_actions SET reason = '(erased)', previous_body = NULL, "
        f"new_body = NULL WHERE id = {action.id}"
    )

    kept = await ModerationAction.get(id=action.id)
    assert (kept.kind, kept.reason, kept.previous_body, kept.new_body) == (
        ActionKind.AMEND,
        "(erased)",
        None,
        None,
    )
