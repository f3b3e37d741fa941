"""Mail through the outbox to a real local SMTP server, and through its outage."""

from __future__ import annotations

from typing import Any

from service.clock import clock
from service.models import MailMessage, Role
from tests.mailbox import Mailbox, smtp_server
from tests.schema.legal.helpers import (
    DECIDE,
    act,
    illegal_content,
    posted,
    run_due_jobs,
    submit,
)
from tests.served import free_port
from tests.support import Api

FROM = "legal@paper.example"


async def _mailing_api(make_api: Any, port: int) -> Api:
    api: Api = await make_api(smtp_url=f"smtp://127.0.0.1:{port}", mail_from=FROM)
    return api


async def test_the_notifier_gets_the_receipt_and_the_decision_by_mail(make_api: Any) -> None:
    with smtp_server(Mailbox(free_port())) as mailbox:
        api = await _mailing_api(make_api, mailbox.port)
        moderator = await api.person(Role.MODERATOR)
        poster = await api.person(subscriber=True)
        comment_id = await posted(api, poster)

        receipt = await submit(api, illegal_content(comment_id))
        await run_due_jobs()
        await act(
            api,
            moderator,
            DECIDE,
            noticeId=receipt["id"],
            decision="CONTENT_REMOVED",
            reason="Incitement",
        )
        await run_due_jobs()

    to_notifier = mailbox.to("nora@example.org")
    assert [m["Subject"] for m in to_notifier] == [
        f"We received your notice of illegal content (notice {receipt['id']})",
        f"Our decision on your notice of illegal content (notice {receipt['id']})",
    ]
    assert all(m["From"] == FROM for m in mailbox.received)
    assert "We have removed the comment" in to_notifier[1].get_payload()
    # the poster is told too: a statement of reasons, by mail as in the inbox
    [to_poster] = mailbox.to(poster.email)
    assert to_poster["Subject"] == "A decision about your comment"
    assert "Reason: Incitement" in to_poster.get_payload()


async def test_mail_waits_out_an_smtp_outage_and_is_delivered_once_it_returns(
    make_api: Any,
) -> None:
    # given a mail server that is down while two notices arrive
    port = free_port()
    api = await _mailing_api(make_api, port)
    poster = await api.person(subscriber=True)
    receipts = [
        await submit(api, illegal_content(await posted(api, poster, f"C{n}"))) for n in range(2)
    ]
    assert [r["__typename"] for r in receipts] == ["NoticeReceipt"] * 2
    assert await run_due_jobs() == 0  # both deliveries failed: kept, due again later
    assert await MailMessage.filter(sent_at=None).count() == 2

    # when it comes back, and the retry falls due
    with smtp_server(Mailbox(port)) as mailbox:
        before_retry = await run_due_jobs()
        clock.advance(31)
        delivered = await run_due_jobs()
        afterwards = await run_due_jobs()

    # then each receipt arrived, once
    assert (before_retry, delivered, afterwards) == (0, 2, 0)
    subjects = sorted(m["Subject"] for m in mailbox.to("nora@example.org"))
    assert subjects == sorted(
        f"We received your notice of illegal content (notice {r['id']})" for r in receipts
    )
    assert await MailMessage.filter(sent_at=None).count() == 0


async def test_without_an_smtp_url_nothing_is_queued(api: Api) -> None:
    poster = await api.person(subscriber=True)

    await submit(api, illegal_content(await posted(api, poster)))

    assert await MailMessage.all().count() == 0
