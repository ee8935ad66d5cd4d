"""The error body as pydantic models: what the OpenAPI document says every error looks like.

The error layer (:mod:`functions.errors`) builds the same body as plain dictionaries, so
an error answered on a cold start (a 404, a 401 before any model is built) does not
import pydantic; a unit test checks that every body it builds validates against
:class:`ErrorEnvelope`. The blueprints name these models in their ``responses=``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from functions.model import ApiModel


class ErrorDetail(ApiModel):
    field: str = Field(
        description="Dotted path of the offending input (`phone`, `items.0.amount`); "
        "empty when the input as a whole is wrong."
    )
    problem: str = Field(
        description="Machine-readable kind of problem (pydantic's error type: "
        "`missing`, `string_too_short`, `int_parsing`...)."
    )


class ErrorBody(ApiModel):
    code: str = Field(description="Stable machine-readable error code.")
    message: str = Field(description="Message for the owner, in Simplified Chinese.")
    message_en: str = Field(description="The same message in English.")
    details: list[ErrorDetail] | None = Field(
        default=None, description="Per-field problems (validation errors only)."
    )
    retry_after: int | None = Field(
        default=None, description="Seconds to wait before trying again (429 only)."
    )


class ErrorEnvelope(ApiModel):
    """The body of every error response."""

    error: ErrorBody


Responses = dict[str | int, type[BaseModel] | dict[Any, Any] | None]
"""What a route documents it may answer (``responses=`` of a blueprint's route)."""
DENIED: Responses = {401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope}
"""The refusals of a route that needs a session: none, not allowed, not found (or hidden)."""
COMMON_RESPONSES: Responses = {400: ErrorEnvelope, 500: ErrorEnvelope}
"""Documented on every operation: any request may be malformed, any may fail."""
