"""Message senders: how a text reaches an owner's phone.

The rest of the code knows only the :class:`MessageSender` protocol. Which
sender is used is decided in one place, the wiring (:mod:`portal.wiring`):

=============  ====================  ==============================================
stage          sender                where the message goes
=============  ====================  ==============================================
local, test    :class:`OutboxSender`  an outbox in DynamoDB (TTL one day), shown by
                                      the local run at ``GET /api/dev/outbox``
dev, prod      :class:`SnsSender`     Amazon SNS, as a transactional SMS to +86…
=============  ====================  ==============================================

Phone numbers are personal data: log lines carry only the masked number
(``138****8000``). The local outbox is the one exception that stores the
number readably; it exists only in the local and test stages, holds the
developer's own test traffic and expires after a day.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from portal.clock import Clock, iso, system_clock
from portal.phones import mask
from portal.store import keys
from portal.store.items import text as text_of
from portal.store.items import whole
from portal.store.table import Table
from portal.store.tables import TTL_ATTRIBUTE

logger = logging.getLogger(__name__)

OUTBOX_TTL = timedelta(days=1)
SMS_TYPE_ATTRIBUTE = "AWS.SNS.SMS.SMSType"
COUNTRY_PREFIX = "+86"


class MessageSender(Protocol):
    def send_sms(self, phone: str, text: str) -> None:
        """Send ``text`` to the (normalised, mainland) mobile number ``phone``."""


class SignedSender:
    """Every SMS signed with the company's registered signature (【常青藤物业】; without one,
    its name), which mainland carriers require and owners recognise, in one place: the
    messages' own words carry none. A text already signed (a greeting names the company
    itself) goes as it is; without a company in the store yet (a fresh deployment), unsigned."""

    def __init__(self, inner: MessageSender, signature: Callable[[], str]) -> None:
        self.inner, self.signature = inner, signature

    def send_sms(self, phone: str, text: str) -> None:
        if not text.startswith("【"):
            name = self.signature()
            text = f"【{name}】{text}" if name else text
        self.inner.send_sms(phone, text)


class SnsSender:
    """Transactional SMS through Amazon SNS (dev and prod stages)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def send_sms(self, phone: str, text: str) -> None:
        result = self.client.publish(
            PhoneNumber=f"{COUNTRY_PREFIX}{phone}",
            Message=text,
            MessageAttributes={
                # Transactional: delivered with priority, even to numbers that opted out
                # of promotional messages. A sign-in code is transactional.
                SMS_TYPE_ATTRIBUTE: {"DataType": "String", "StringValue": "Transactional"},
            },
        )
        logger.info("SMS to %s sent via SNS (message %s)", mask(phone), result.get("MessageId"))


@dataclass(frozen=True)
class OutboxMessage:
    message_id: str
    at: str  # UTC ISO-8601
    channel: str
    phone: str
    text: str


class OutboxSender:
    """The local stand-in for SMS: messages are written to an outbox in DynamoDB."""

    def __init__(self, table: Table, clock: Clock = system_clock) -> None:
        self.table, self.clock = table, clock

    def send_sms(self, phone: str, text: str) -> None:
        now = self.clock()
        at = iso(now)
        message_id = uuid.uuid4().hex
        self.table.put_new(
            {
                **keys.outbox_message(at, message_id),
                "message_id": message_id,
                "at": at,
                "channel": "sms",
                "phone": phone,
                "text": text,
                TTL_ATTRIBUTE: int((now + OUTBOX_TTL).timestamp()),
            }
        )
        logger.info("SMS to %s written to the local outbox (message %s)", mask(phone), message_id)

    def recent(self, limit: int = 50) -> list[OutboxMessage]:
        """The latest ``limit`` messages still in the outbox, newest first."""
        now = int(self.clock().timestamp())
        out: list[OutboxMessage] = []
        for item in self.table.query_all(keys.OUTBOX_PARTITION, forward=False, limit=limit):
            expires_at = whole(item, TTL_ATTRIBUTE)
            if expires_at and expires_at <= now:
                continue  # TTL deletion is lazy
            out.append(
                OutboxMessage(
                    message_id=text_of(item, "message_id"),
                    at=text_of(item, "at"),
                    channel=text_of(item, "channel"),
                    phone=text_of(item, "phone"),
                    text=text_of(item, "text"),
                )
            )
        return out
