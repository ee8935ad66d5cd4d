"""Errors over HTTP: the one place where failures become status codes and JSON.

Every error response has the same body::

    {"error": {"code": "not_found", "message": "<zh-CN>", "message_en": "<en>",
               "details": [{"field": "...", "problem": "..."}]}}   # details: validation only

``code`` is stable and meant for programs; both messages come from the
translation catalogs (``site/translations/<lang>/errors.yaml``, key
``errors.<code>``), so no user-facing text lives in Python.

=====================================  ======  ======================
what went wrong                        status  code
=====================================  ======  ======================
``portal.errors.InvalidInput``         400     its code (``invalid_input`` ...)
request fails its pydantic model       400     ``invalid_input`` + details
body is not a JSON object              400     ``invalid_json``
``portal.errors.Unauthenticated``      401     its code
``portal.errors.Forbidden``            403     its code
``portal.errors.NotFound``, no route   404     its code / ``not_found``
wrong method for the route             405     ``method_not_allowed`` (+ ``Allow``)
``portal.errors.Conflict``             409     its code
body over ``MAX_CONTENT_LENGTH``       413     ``payload_too_large``
``portal.errors.RateLimited``          429     its code
DynamoDB unreachable or throttling     503     ``unavailable`` (``portal.store.errors``)
an unhandled refused conditional write 409     ``conflict``
``portal.errors.Unavailable``          503     its code
anything else                          500     ``internal`` (logged with the request id)
=====================================  ======  ======================

A domain error may carry a more specific code (``InvalidInput("invalid_phone")``);
its status comes from its class, its message from ``errors.<its code>``, falling
back to the class's generic message when the catalog has no such key.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Required, TypedDict

from flask import Flask, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import BadRequest, HTTPException, MethodNotAllowed, RequestEntityTooLarge

from functions.request_id import current_request_id
from portal.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    RateLimited,
    Unauthenticated,
    Unavailable,
    class_codes,
    render,
)
from portal.store.errors import (
    ConditionFailed,
    StoreError,
    StoreUnavailable,
    Throttled,
    TransactionCancelled,
)

if TYPE_CHECKING:  # only a failed validation, with pydantic already loaded, brings one
    from pydantic import ValidationError

logger = logging.getLogger(__name__)

MAX_CONTENT_LENGTH = 1024 * 1024
"""Largest request body accepted (1 MiB): forms are small; photos go straight to S3."""

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

STATUS: dict[type[DomainError], int] = {
    InvalidInput: 400,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    RateLimited: 429,
    Unavailable: 503,
}
"""Domain error class → HTTP status. Subclasses inherit their parent's status."""

HTTP_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    429: "rate_limited",
    503: "unavailable",
}
"""Status of an HTTP error raised by Flask/Werkzeug itself → our code."""

ERROR_CODES: frozenset[str] = frozenset(
    {cls.code for cls in STATUS} | set(HTTP_CODES.values()) | {"error", "internal", "invalid_json"}
)
"""Every code this layer can put in a response: each needs a message in every language."""

class DetailJSON(TypedDict):
    field: str
    problem: str


class ErrorJSON(TypedDict, total=False):
    """An error body, as :class:`functions.error_models.ErrorBody` documents it (``None``
    fields left out)."""

    code: Required[str]
    message: Required[str]
    message_en: Required[str]
    details: list[DetailJSON]
    retry_after: int


# --------------------------------------------------------------------------- rendering


def error_body(
    code: str,
    *,
    params: Mapping[str, Any] | None = None,
    details: Sequence[DetailJSON] | None = None,
    fallbacks: Sequence[str] = (),
) -> ErrorJSON:
    """The error body for ``code``, with both messages from the catalogs.

    When the catalogs have no message for ``code``, the first of ``fallbacks``
    that has one is used (then the generic ``error``); ``code`` itself is kept.
    Placeholders without a value in ``params`` render empty.
    """
    values = dict(params or {})
    body = ErrorJSON(
        code=code,
        message=render(code, "zh-CN", values, fallbacks),
        message_en=render(code, "en", values, fallbacks),
    )
    if details is not None:
        body["details"] = list(details)
    return body


def error_response(
    status: int, body: ErrorJSON, *, headers: Mapping[str, str] | None = None
) -> Response:
    response = jsonify({"error": body})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def status_for(exc: DomainError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def domain_error_body(exc: DomainError) -> ErrorJSON:
    return error_body(exc.code, params=exc.params, fallbacks=class_codes(exc))


# --------------------------------------------------------------------------- handlers


def _where() -> str:
    return f"{request.method} {request.path} [request {current_request_id()}]"


def handle_domain_error(exc: DomainError) -> Response:
    status = status_for(exc)
    if status >= 500:
        logger.warning("%s: %s on %s", status, exc.code, _where())
    body = domain_error_body(exc)
    headers: dict[str, str] = {}
    seconds = exc.params.get("seconds")
    if isinstance(exc, RateLimited) and isinstance(seconds, int):
        body["retry_after"] = max(1, seconds)
        headers["Retry-After"] = str(body["retry_after"])
    return error_response(status, body, headers=headers)


def handle_http_error(exc: HTTPException) -> ResponseReturnValue:
    if exc.response is not None:  # a complete response passed to abort(), e.g. validation
        return exc.response
    status = exc.code or 500
    code = HTTP_CODES.get(status) or ("internal" if status >= 500 else "bad_request")
    headers: dict[str, str] = {}
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        headers["Allow"] = ", ".join(exc.valid_methods)
    return error_response(status, error_body(code), headers=headers)


def handle_store_error(exc: StoreError) -> Response:
    if isinstance(exc, Throttled | StoreUnavailable):
        logger.warning("DynamoDB unavailable on %s: %r", _where(), exc)
        return error_response(503, error_body(Unavailable.code))
    if isinstance(exc, ConditionFailed | TransactionCancelled):
        # A concurrent change that no rule above expected: the caller may try again.
        logger.warning("unhandled write conflict on %s: %s", _where(), exc)
        return error_response(409, error_body(Conflict.code))
    return handle_unexpected_error(exc)


def handle_unexpected_error(exc: Exception) -> Response:
    logger.error("unhandled %s on %s", type(exc).__name__, _where(), exc_info=exc)
    return error_response(500, error_body("internal"))


def validation_error_response(exc: ValidationError) -> Response:
    """flask-openapi3's ``validation_error_callback``: a request failed its model."""
    errors = exc.errors(include_url=False, include_context=False)
    if request.method in BODY_METHODS and any(
        not e["loc"] and e.get("input") is None for e in errors
    ):
        # flask-openapi3 hands the body model ``None`` when the body is absent or not JSON.
        return error_response(400, error_body("invalid_json"))
    details = [
        DetailJSON(field=".".join(str(part) for part in e["loc"]), problem=e["type"])
        for e in errors
    ]
    fields = ", ".join(dict.fromkeys(d["field"] for d in details if d["field"]))
    body = error_body(InvalidInput.code, params={"detail": fields}, details=details)
    return error_response(400, body)


def check_request_body() -> None:
    """Before every request: refuse oversized bodies and JSON that does not parse."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    length = request.content_length
    if limit is not None and length is not None and length > limit:
        raise RequestEntityTooLarge()
    if limit is not None and length is None and request.method in BODY_METHODS:
        # A chunked body declares no length: read it up to the cap, refuse it at the cap
        # (the stream stops there), and hand the rest of the app a body of known length.
        data = request.stream.read(limit + 1)
        if len(data) >= limit:
            raise RequestEntityTooLarge()
        request.environ["wsgi.input"] = io.BytesIO(data)
        request.environ["CONTENT_LENGTH"] = str(len(data))
        request.environ.pop("HTTP_TRANSFER_ENCODING", None)
        request.__dict__.pop("stream", None)
    if request.method in BODY_METHODS and request.is_json and request.get_data(cache=True):
        try:
            request.get_json()
        except (BadRequest, RecursionError, ValueError) as exc:
            # RecursionError: JSON nested a thousand levels deep is not a request, it is an attack.
            raise InvalidInput("invalid_json") from None if isinstance(exc, RecursionError) else exc


def init_app(app: Flask) -> None:
    app.config["MAX_CONTENT_LENGTH"] = MAX_CONTENT_LENGTH
    app.before_request(check_request_body)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(StoreError, handle_store_error)
    app.register_error_handler(Exception, handle_unexpected_error)
