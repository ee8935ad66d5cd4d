"""A request id on every response (``X-Request-Id``) and in every error log line.

On Lambda the id is API Gateway's own ``requestContext.requestId`` (Zappa puts
the event in the WSGI environ as ``lambda.event``), so a line in our logs can be
matched with API Gateway's access log and with what an owner reports. Elsewhere
(local server, tests) a random id is generated. A client-sent ``X-Request-Id``
is not trusted: anyone could make our logs say anything.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from flask import Flask, Response, g, has_request_context, request

HEADER = "X-Request-Id"
_SAFE = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def _from_api_gateway(environ: dict[str, Any]) -> str | None:
    event = environ.get("lambda.event")
    if not isinstance(event, dict):
        return None
    context = event.get("requestContext")
    if not isinstance(context, dict):
        return None
    rid = context.get("requestId")
    return rid if isinstance(rid, str) and _SAFE.fullmatch(rid) else None


def current_request_id() -> str:
    """The id of the request being served (``-`` outside a request)."""
    if not has_request_context():
        return "-"
    rid = g.get("request_id")
    if not isinstance(rid, str):
        rid = _from_api_gateway(request.environ) or str(uuid.uuid4())
        g.request_id = rid
    return rid


def _assign() -> None:
    current_request_id()


def _add_header(response: Response) -> Response:
    response.headers[HEADER] = current_request_id()
    return response


def init_app(app: Flask) -> None:
    app.before_request(_assign)
    app.after_request(_add_header)
