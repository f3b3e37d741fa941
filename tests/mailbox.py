"""A real SMTP server on the loopback (aiosmtpd), collecting what it is sent."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Mailbox:
    port: int
    received: list[Message] = field(default_factory=list)
    # set on each mail (the server runs in its own thread, with its own event loop)
    arrived: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(message_from_bytes(envelope.content))
        self.arrived.set()
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.received if m["To"] == address]

    def wait_for(self, address: str, seconds: float) -> list[Message]:
        """The mails to `address`, once at least one has come (or `seconds` have passed)."""
        waited = 0.0
        while not self.to(address) and waited < seconds:
            self.arrived.clear()
            if self.to(address):  # arrived between the look and the clear
                break
            self.arrived.wait(0.2)
            waited += 0.2
        return self.to(address)


@contextmanager
def smtp_server(mailbox: Mailbox) -> Iterator[Mailbox]:
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()
