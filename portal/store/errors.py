"""The store's own errors: the only place that reads botocore's exceptions.

Repositories and services catch these, never ``botocore.exceptions``:

=========================================  ==========================  ==========================
DynamoDB / botocore says                   the store raises            the HTTP layer answers
=========================================  ==========================  ==========================
``ConditionalCheckFailedException``        :class:`ConditionFailed`    409 if nobody handled it
``TransactionCanceledException``           :class:`TransactionCancelled`  409 if nobody handled it
throttling, ``RequestLimitExceeded``       :class:`Throttled`          503 ``unavailable``
unreachable, timeouts, 5xx, no such table  :class:`StoreUnavailable`   503 ``unavailable``
S3 ``NoSuchKey`` / 404 on ``HeadObject``   :class:`ObjectMissing`      500 if nobody handled it
S3 ``PreconditionFailed`` (412)            :class:`ObjectChanged`      500 if nobody handled it
anything else (a bug: bad expression...)   :class:`StoreError`         500 ``internal``
=========================================  ==========================  ==========================
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from portal.store.items import Item, decode_item


class StoreError(Exception):
    """DynamoDB (or S3, SNS) refused a request for a reason that is a bug here."""

    def __init__(self, message: str = "", aws_code: str = "") -> None:
        self.aws_code = aws_code
        super().__init__(message or aws_code or type(self).__name__)


class ConditionFailed(StoreError):
    """A conditional write's named condition did not hold.

    ``item`` is the item as stored when DynamoDB returned it (writes made with
    ``ReturnValuesOnConditionCheckFailure=ALL_OLD``), else ``None``.
    """

    def __init__(self, condition: str, item: Item | None = None) -> None:
        self.condition, self.item = condition, item
        super().__init__(f"condition {condition!r} failed", "ConditionalCheckFailedException")


class TransactionCancelled(StoreError):
    """A transaction was cancelled: see which of its items' conditions failed."""

    CHECK_FAILED = "ConditionalCheckFailed"
    CONFLICT = "TransactionConflict"

    def __init__(self, reasons: Sequence[str], conditions: Sequence[str]) -> None:
        self.reasons = tuple(reasons)
        """DynamoDB's reason per item, in order (``""`` where none)."""
        self.conditions = tuple(conditions)
        """The condition name of each item (``""`` for an unconditional one)."""
        super().__init__(f"transaction cancelled: {list(self.reasons)}",
                         "TransactionCanceledException")  # fmt: skip

    @property
    def failed(self) -> frozenset[str]:
        """Names of the conditions that did not hold."""
        return frozenset(
            c for c, r in zip(self.conditions, self.reasons, strict=False) if r == self.CHECK_FAILED
        )

    @property
    def conflict(self) -> bool:
        """Another request was writing one of the same items at the same moment."""
        return self.CONFLICT in self.reasons


class ObjectMissing(StoreError):
    """S3 has no object under the key (``NoSuchKey``, or a 404 from ``HeadObject``)."""


class ObjectChanged(StoreError):
    """An S3 object is no longer the version a request was conditioned on (``If-Match``)."""


class Throttled(StoreError):
    """DynamoDB is throttling (after the client's own retries)."""


class StoreUnavailable(StoreError):
    """The store cannot be reached or cannot answer (network, timeout, 5xx, missing table)."""


_THROTTLING = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
    }
)
_UNAVAILABLE = frozenset(
    {
        "InternalFailure",
        "InternalServerError",
        "ServiceUnavailable",
        "ResourceNotFoundException",
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "ExpiredTokenException",
        "NoSuchBucket",
    }
)
_OBJECT_MISSING = frozenset({"NoSuchKey", "NotFound", "404"})
_OBJECT_CHANGED = frozenset({"PreconditionFailed", "412"})


def aws_error_code(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


def translate(
    exc: BaseException, condition: str = "", conditions: Sequence[str] = ()
) -> BaseException:
    """The store error for an exception raised by boto3 (others are returned unchanged)."""
    if isinstance(exc, BotoCoreError):
        return StoreUnavailable(type(exc).__name__)
    if not isinstance(exc, ClientError):
        return exc
    code = aws_error_code(exc)
    if code == "ConditionalCheckFailedException":
        raw: Any = exc.response.get("Item")
        return ConditionFailed(condition or "condition", decode_item(raw) if raw else None)
    if code == "TransactionCanceledException":
        reasons = [str(r.get("Code", "") or "") for r in exc.response.get("CancellationReasons", [])]
        reasons = [r if r != "None" else "" for r in reasons]
        return TransactionCancelled(reasons, conditions)
    if code in _THROTTLING:
        return Throttled(code, code)
    if code in _OBJECT_MISSING:
        return ObjectMissing(code, code)
    if code in _OBJECT_CHANGED:
        return ObjectChanged(code, code)
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    if code in _UNAVAILABLE or status >= 500:
        return StoreUnavailable(code, code)
    return StoreError(str(exc), code)


@contextmanager
def translated(condition: str = "", conditions: Sequence[str] = ()) -> Iterator[None]:
    """Run a boto3 call, raising the store's errors instead of botocore's."""
    try:
        yield
    except (BotoCoreError, ClientError) as exc:
        raise translate(exc, condition, conditions) from exc
