"""Outgoing mail through an outbox: a message is stored with the change that sends it, and
a job delivers it over SMTP, again with backoff while the server is away.

Off (nothing is queued) unless BTL_SMTP_URL is set; `use()` is called once by the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import unquote, urlsplit

import aiosmtplib

from service import jobs
from service.clock import now
from service.config import Settings
from service.models import MailMessage

DELIVER = "mail.deliver"
SEND_TIMEOUT_SECONDS = 30


@dataclass(frozen=True, slots=True)
class MailConfig:
    hostname: str
    port: int
    use_tls: bool
    username: str | None
    password: str | None
    sender: str

    @classmethod
    def of(cls, settings: Settings) -> MailConfig | None:
        if not settings.smtp_url or not settings.mail_from:
            return None
        url = urlsplit(settings.smtp_url)
        secure = url.scheme == "smtps"
        return cls(
            hostname=url.hostname or "localhost",
            port=url.port or (465 if secure else 25),
            use_tls=secure,
            username=unquote(url.username) if url.username else None,
            password=unquote(url.password) if url.password else None,
            sender=settings.mail_from,
        )


_config: MailConfig | None = None


def use(config: MailConfig | None) -> None:
    global _config
    _config = config


def enabled() -> bool:
    return _config is not None


async def queue(recipient: str, subject: str, body: str) -> MailMessage | None:
    """Store a mail and schedule its delivery (inside the caller's transaction); None when
    mail is off."""
    if _config is None:
        return None
    message = await MailMessage.create(
        recipient=recipient, subject=subject[:300], body=body, created_at=now()
    )
    await jobs.schedule(DELIVER, {"mail_id": message.id})
    return message


def _message(config: MailConfig, stored: MailMessage) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config.sender
    message["To"] = stored.recipient
    message["Subject"] = stored.subject
    message["Date"] = format_datetime(stored.created_at)
    # one id per stored mail: a receiver can tell a resent copy from a new message
    domain = config.sender.rpartition("@")[2]
    message["Message-ID"] = f"<btl-mail-{stored.id}@{domain}>"
    message.set_content(stored.body)
    return message


async def deliver(payload: jobs.Payload) -> None:
    """The job: send one stored mail unless it was sent already; raise to be retried."""
    stored = await MailMessage.filter(id=int(payload["mail_id"])).first()
    if stored is None or stored.sent_at is not None:
        return
    if _config is None:
        raise RuntimeError("mail is queued but BTL_SMTP_URL is not set")
    await aiosmtplib.send(
        _message(_config, stored),
        hostname=_config.hostname,
        port=_config.port,
        use_tls=_config.use_tls,
        username=_config.username,
        password=_config.password,
        timeout=SEND_TIMEOUT_SECONDS,
    )
    await MailMessage.filter(id=stored.id, sent_at=None).update(sent_at=now())
