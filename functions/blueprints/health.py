"""``GET /api/health``: can the functions reach every DynamoDB table, and is each ACTIVE?

For load balancers, uptime checks and the people on call: 200 when every table
is ``ACTIVE``; 503 with the same body plus the error envelope when one is
missing or not ready, or DynamoDB cannot be reached (then each table is
``UNKNOWN``).
"""

from __future__ import annotations

import logging

from flask import Response
from pydantic import Field

from functions.blueprints import api_blueprint
from functions.context import services, settings
from functions.error_models import ErrorBody
from functions.errors import error_body
from functions.model import ApiModel
from functions.responses import json_response
from portal.errors import Unavailable
from portal.store.bootstrap import table_status
from portal.store.errors import StoreError
from portal.store.tables import TABLES

logger = logging.getLogger(__name__)

bp = api_blueprint("health", __name__)

UNKNOWN = "UNKNOWN"


class HealthResponse(ApiModel):
    ok: bool = Field(description="True when every table is ACTIVE.")
    stage: str = Field(description="Deployment stage (`local`, `test`, `dev`, `prod`).")
    tables: dict[str, str] = Field(
        description="Table name → DynamoDB status (`ACTIVE`, `CREATING`...), "
        "`MISSING` when it does not exist, `UNKNOWN` when DynamoDB could not be reached."
    )
    error: ErrorBody | None = Field(
        default=None, description="Present (code `unavailable`) when `ok` is false."
    )


@bp.get("/health", responses={200: HealthResponse, 503: HealthResponse})
def status() -> Response:
    """Report each DynamoDB table's status."""
    cfg = settings()
    try:
        tables = table_status(services().clients.dynamodb, cfg.table_prefix)
    except StoreError as exc:
        logger.warning("health: DynamoDB unreachable: %r", exc)
        tables = {cfg.table_name(t.suffix): UNKNOWN for t in TABLES}
    ok = all(status == "ACTIVE" for status in tables.values())
    body = HealthResponse(
        ok=ok,
        stage=cfg.stage,
        tables=tables,
        error=None if ok else ErrorBody.model_validate(error_body(Unavailable.code)),
    )
    return json_response(body, 200 if ok else 503, exclude_none=True)
