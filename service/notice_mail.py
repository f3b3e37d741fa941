"""What the parties to a legal notice are told by mail. The notifier may have no account:
mail is how they get the receipt (DSA Art. 16(4)), the decision (Art. 16(5)), and, for a
defamation complaint, the poster's refusal (Website Operators Regulations, Schedule para. 8).
"""

from __future__ import annotations

from datetime import datetime

from service import mail
from service.defamation_clock import LONDON
from service.models import LegalNotice, NoticeDecision, NoticeKind, NoticeStatus

KIND_WORDS = {
    NoticeKind.ILLEGAL_CONTENT: "notice of illegal content",
    NoticeKind.DEFAMATION: "complaint of defamation",
}


def _london(moment: datetime) -> str:
    return f"{moment.astimezone(LONDON):%A %d %B %Y, %H:%M} (London)"


async def receipt(notice: LegalNotice) -> None:
    await mail.queue(
        notice.notifier_email,
        f"We received your {KIND_WORDS[notice.kind]} (notice {notice.id})",
        f"Dear {notice.notifier_name},\n\n"
        f"We received your {KIND_WORDS[notice.kind]} about comment {notice.comment_id} on "
        f"{_london(notice.received_at)}. Its reference is {notice.id}: quote it in any "
        "follow-up.\n\nWe will tell you our decision by email.\n",
    )


def to_poster(notice: LegalNotice, note: str) -> str:
    """The text of the poster's notification (Schedule, para. 2 of the Regulations)."""
    assert notice.poster_respond_by is not None
    who = (
        f"The complainant, {notice.notifier_name} <{notice.notifier_email}>, agreed that you "
        "may be given their name and email."
        if notice.consents_to_share_details
        else "The complainant did not agree to their details being passed to you."
    )
    return (
        f"We received a complaint that your comment {notice.comment_id} is defamatory.\n\n"
        f"The meaning complained of: {notice.meaning}\n\n"
        f"Why the complainant says it is inaccurate: {notice.explanation}\n\n"
        f"{who}\n\nA note from our moderators: {note}\n\n"
        f"Please answer until {_london(notice.poster_respond_by)}: say whether you agree to "
        "its removal. If you do not agree, give your full name and a postal address, and say "
        "whether they may be given to the complainant. Without an answer by then, or without "
        "a name and address, we will remove the comment.\n"
    )


async def decision(notice: LegalNotice) -> None:
    if notice.status == NoticeStatus.REJECTED:
        outcome = "We cannot act on it as it stands"
    elif notice.decision == NoticeDecision.CONTENT_REMOVED:
        outcome = "We have removed the comment"
    else:
        outcome = "We have decided to keep the comment"
    automated = notice.decided_by_id is None
    await mail.queue(
        notice.notifier_email,
        f"Our decision on your {KIND_WORDS[notice.kind]} (notice {notice.id})",
        f"Dear {notice.notifier_name},\n\n{outcome}.\n\nReason: {notice.decision_reason}\n\n"
        + (
            "This followed the poster's own answer or silence; no moderator was needed.\n"
            if automated
            else "A moderator took this decision.\n"
        ),
    )


async def poster_refused(notice: LegalNotice) -> None:
    details = (
        f"They agreed that you may be given their name and postal address:\n\n"
        f"{notice.poster_name}\n{notice.poster_address}\n"
        if notice.poster_consents_to_share
        else "They did not agree to their name and address being given to you.\n"
    )
    await mail.queue(
        notice.notifier_email,
        f"The poster refuses removal (notice {notice.id})",
        f"Dear {notice.notifier_name},\n\nThe poster of comment {notice.comment_id} does not "
        f"agree to its removal and has given us their name and address.\n\n{details}\n"
        "A moderator will now decide on your complaint; we will tell you the decision.\n",
    )
