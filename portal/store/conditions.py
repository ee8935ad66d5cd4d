"""Recognising DynamoDB's answers to conditional writes, in one place.

Every conditional write names its condition in a comment where it is made;
when DynamoDB refuses one, callers ask these helpers rather than reading
botocore's error structure themselves.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

CHECK_FAILED = "ConditionalCheckFailed"
"""The reason a transaction item was cancelled when its condition did not hold."""


def error_code(exc: BaseException) -> str:
    if not isinstance(exc, ClientError):
        return ""
    return str(exc.response.get("Error", {}).get("Code", ""))


def is_condition_failure(exc: BaseException) -> bool:
    """A single conditional write (put, update, delete) whose condition did not hold."""
    return error_code(exc) == "ConditionalCheckFailedException"


def cancellation_reasons(exc: BaseException) -> list[str] | None:
    """For a cancelled transaction, the reason per item (``""`` where none); else ``None``."""
    if error_code(exc) != "TransactionCanceledException":
        return None
    assert isinstance(exc, ClientError)
    reasons: list[dict[str, Any]] = exc.response.get("CancellationReasons", [])
    return [str(r.get("Code", "") or "") for r in reasons]
