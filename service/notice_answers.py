"""The poster's side of a defamation complaint (Website Operators Regulations 2013).

Told of the complaint, the poster may until `posterRespondBy` consent to removal (it comes
down at once) or refuse, giving a name and postal address (a moderator then decides). A
poster who stays silent loses the comment: the job scheduled when they were told removes
it at the deadline, with nobody deciding (decidedBy null, an automated statement).
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from service import jobs, notice_mail, notices
from service.clock import now
from service.errors import NotAllowed, Unauthenticated
from service.models import LegalNotice, NoticeDecision, NoticeStatus, User
from service.text import clean_text

MAX_ADDRESS = 1000
AWAITING = (NoticeStatus.AWAITING_POSTER,)


async def respond(
    viewer: User | None,
    *,
    notice_id: str,
    consents_to_removal: bool,
    name: str | None,
    address: str | None,
    consents_to_share_details: bool,
) -> LegalNotice:
    if viewer is None:
        raise Unauthenticated("Sign in first.")
    notice = await notices.get(notice_id)
    if notice.poster_id != viewer.id:
        raise NotAllowed("Only the poster of the comment may answer this notice.")
    if notice.status != NoticeStatus.AWAITING_POSTER:
        raise NotAllowed("This notice is not waiting for your answer.")
    assert notice.poster_respond_by is not None
    moment = now()
    if moment >= notice.poster_respond_by:
        raise NotAllowed("The time to answer this notice has ended.")
    if consents_to_removal:
        return await notices.close(
            notice,
            NoticeDecision.CONTENT_REMOVED,
            "The poster consented to the removal of the comment.",
            decided_by=None,
            expected=AWAITING,
            automated=False,  # the poster's own choice, not the service's
            responded_at=moment,
            poster_consents_to_removal=True,
        )
    # refusing needs a name and a postal address, or the comment comes down as if silent
    poster_name = clean_text(name or "", field="name", max_length=notices.MAX_NAME)
    poster_address = clean_text(
        address or "", field="address", max_length=MAX_ADDRESS, multiline=True
    )
    async with in_transaction():
        changed = await LegalNotice.filter(id=notice.id, status__in=AWAITING).update(
            status=NoticeStatus.POSTER_REFUSED,
            responded_at=moment,
            poster_consents_to_removal=False,
            poster_name=poster_name,
            poster_address=poster_address,
            poster_consents_to_share=consents_to_share_details,
        )
        if not changed:
            raise NotAllowed("This notice is not waiting for your answer.")
        await notice.refresh_from_db()
        await notice_mail.poster_refused(notice)
    return notice


class TooEarly(Exception):
    """The deadline job ran before the deadline (another instance's clock): retried later."""


async def on_poster_deadline(payload: jobs.Payload) -> None:
    """The job at `posterRespondBy`: a poster who has not answered loses the comment."""
    notice = await LegalNotice.filter(id=int(payload["notice_id"])).first()
    if notice is None or notice.status != NoticeStatus.AWAITING_POSTER:
        return  # answered, or decided by a moderator, in time
    assert notice.poster_respond_by is not None
    if now() < notice.poster_respond_by:
        raise TooEarly(f"notice {notice.id} is due at {notice.poster_respond_by.isoformat()}")
    try:
        await notices.close(
            notice,
            NoticeDecision.CONTENT_REMOVED,
            "The poster did not answer the complaint by the deadline.",
            decided_by=None,
            expected=AWAITING,
            automated=True,
        )
    except NotAllowed:
        return  # the poster answered at the last moment: their answer stands
