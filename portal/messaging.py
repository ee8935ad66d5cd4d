"""Message senders: how a text reaches an owner's phone.

The rest of the code knows only the :class:`MessageSender` protocol. Which
sender is used is decided in one place, :func:`message_sender`:

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
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any, Protocol

import boto3

from portal.clock import Clock, iso, system_clock
from portal.phones import mask
from portal.settings import Settings
from portal.store import keys
from portal.store.client import botocore_config

logger = logging.getLogger(__name__)

OUTBOX_TTL = timedelta(days=1)
SMS_TYPE_ATTRIBUTE = "AWS.SNS.SMS.SMSType"
COUNTRY_PREFIX = "+86"


class MessageSender(Protocol):
    def send_sms(self, phone: str, text: str) -> None:
        """Send ``text`` to the (normalised, mainland) mobile number ``phone``."""


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

    def __init__(self, client: Any, table: str, clock: Clock = system_clock) -> None:
        self.client, self.table, self.clock = client, table, clock

    def send_sms(self, phone: str, text: str) -> None:
        now = self.clock()
        at = iso(now)
        message_id = uuid.uuid4().hex
        self.client.put_item(
            TableName=self.table,
            Item={
                **{k: {"S": v} for k, v in keys.outbox_message(at, message_id).items()},
                "message_id": {"S": message_id},
                "at": {"S": at},
                "channel": {"S": "sms"},
                "phone": {"S": phone},
                "text": {"S": text},
                "expires_at": {"N": str(int((now + OUTBOX_TTL).timestamp()))},
            },
            ConditionExpression="attribute_not_exists(pk)",  # outbox_message_is_new
        )
        logger.info("SMS to %s written to the local outbox (message %s)", mask(phone), message_id)

    def recent(self, limit: int = 50) -> list[OutboxMessage]:
        """The latest ``limit`` messages still in the outbox, newest first."""
        now = int(self.clock().timestamp())
        page = self.client.query(
            TableName=self.table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": keys.OUTBOX_PARTITION}},
            ScanIndexForward=False,
            Limit=limit,
        )
        out: list[OutboxMessage] = []
        for item in page["Items"]:
            expires_at = int(item.get("expires_at", {}).get("N", "0"))
            if expires_at and expires_at <= now:
                continue  # TTL deletion is lazy
            out.append(
                OutboxMessage(
                    message_id=item["message_id"]["S"],
                    at=item["at"]["S"],
                    channel=item["channel"]["S"],
                    phone=item["phone"]["S"],
                    text=item["text"]["S"],
                )
            )
        return out


@lru_cache(maxsize=4)
def sns_client(settings: Settings) -> Any:
    """An SNS client (standard retries, short timeouts), created once per settings."""
    return boto3.session.Session(region_name=settings.aws_region).client(
        "sns", config=botocore_config(settings)
    )


def message_sender(
    settings: Settings, dynamodb: Any, table: str, clock: Clock = system_clock
) -> MessageSender:
    """The sender for this stage: the local outbox in local/test, SNS in dev/prod."""
    if settings.is_local:
        return OutboxSender(dynamodb, table, clock)
    return SnsSender(sns_client(settings))
