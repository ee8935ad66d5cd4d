"""Routes of the collection rate (收缴率) and arrears (欠费, 催缴): finance of the estate, admin.

``GET  /api/collection?estate=&period=[&building=]``        the rate by amount and household,
                                                            buildings (or a building's units),
                                                            trend, the month's daily path
``GET  /api/collection/export?…&format=xlsx|csv``           the same as a spreadsheet
``GET  /api/arrears?estate=[&building=]``                   units in arrears by age bucket
``GET  /api/arrears/export?estate=&format=xlsx|csv``        the same as a spreadsheet
``POST /api/arrears/reminders``                             remind owners (quiet hours, N days)
``GET  /api/arrears/reminders?estate=``                     what was sent

The rules are in :mod:`portal.finance`; this module only translates HTTP.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response
from pydantic import BaseModel

from functions.auth import current_identity
from functions.blueprints import api_blueprint
from functions.blueprints.collection_models import (
    ArrearsExportQuery,
    ArrearsOut,
    ArrearsQuery,
    CollectionOut,
    CollectionQuery,
    ExportQuery,
    ReminderList,
    ReminderOut,
    RemindIn,
    RemindOut,
)  # fmt: skip
from functions.blueprints.offline_payments_models import EstateQuery
from functions.context import services
from functions.edge import client_ip
from functions.error_models import ErrorEnvelope
from functions.responses import json_response
from portal.accounts.identity import Identity
from portal.errors import NotFound, Unauthenticated
from portal.finance.arrears import REMIND_EVERY_DAYS
from portal.finance.collection import CollectionReport
from portal.finance.exports import CONTENT_TYPES, Table, arrears_table, collection_table, render

bp = api_blueprint("collection", __name__)
_DENIED: dict[str | int, type[BaseModel] | dict[Any, Any] | None] = {
    401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope,
}  # fmt: skip
_FILE: dict[str | int, type[BaseModel] | dict[Any, Any] | None] = {
    200: {"description": "The spreadsheet (XLSX, or CSV in UTF-8 with a BOM).",
          "content": {t: {"schema": {"type": "string", "format": "binary"}}
                      for t in CONTENT_TYPES.values()}},
}  # fmt: skip


def _identity() -> Identity:
    identity = current_identity()
    if identity is None:
        raise Unauthenticated()
    return identity


def _report(query: CollectionQuery) -> CollectionReport:
    identity = _identity()
    s = services()
    report = s.collection.report(identity, query.estate, query.period, query.building)
    if query.building is not None and not report.units:
        estate = s.estates.estate(query.estate)
        if all(b.code != query.building for b in estate.buildings):
            raise NotFound("collection_building_not_found")
    return report


@bp.get("/collection", responses={200: CollectionOut, **_DENIED})
def collection(query: CollectionQuery) -> Response:
    """The period's collection rate of an estate (or one building, with its units)."""
    return json_response(CollectionOut.of(_report(query)))


def _file(table: Table, fmt: str, name: str) -> Response:
    body = render(table, "xlsx" if fmt == "xlsx" else "csv")
    response = Response(body, status=200, mimetype=CONTENT_TYPES[fmt].split(";")[0])
    if fmt == "csv":
        response.headers["Content-Type"] = CONTENT_TYPES["csv"]
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{name}.{fmt}\"; filename*=UTF-8''{quote(name)}.{fmt}"
    )
    return response


@bp.get("/collection/export", responses={**_FILE, **_DENIED})
def collection_export(query: ExportQuery) -> Response:
    """The collection report as a spreadsheet (Chinese headers, yuan, totals = the screen)."""
    report = _report(query)
    name = f"collection-{report.estate}-{report.period}" + (f"-{query.building}" if query.building else "")
    return _file(collection_table(report), query.format, name)


@bp.get("/arrears", responses={200: ArrearsOut, **_DENIED})
def arrears(query: ArrearsQuery) -> Response:
    """Every unit with a bill past due, by age bucket (≤30, 31–90, 91–180, >180 days)."""
    found = services().arrears.of_estate(_identity(), query.estate, query.building or "")
    return json_response(ArrearsOut.of(found))


@bp.get("/arrears/export", responses={**_FILE, **_DENIED})
def arrears_export(query: ArrearsExportQuery) -> Response:
    """The arrears list as a spreadsheet."""
    found = services().arrears.of_estate(_identity(), query.estate, query.building or "")
    return _file(arrears_table(found), query.format, f"arrears-{found.estate}-{found.today}")


@bp.post("/arrears/reminders", responses={200: RemindOut, **_DENIED})
def remind(body: RemindIn) -> Response:
    """Remind owners in arrears (催缴): one message per owner, at most once every N days, never
    in the quiet hours (it goes at 08:00 then)."""
    report = services().arrears.remind(_identity(), body.estate, body.units, source_ip=client_ip())
    return json_response(RemindOut.of(report, REMIND_EVERY_DAYS))


@bp.get("/arrears/reminders", responses={200: ReminderList, **_DENIED})
def reminders(query: EstateQuery) -> Response:
    """The estate's reminders, newest first."""
    items = services().arrears.history(_identity(), query.estate)
    return json_response(ReminderList(estate=query.estate, reminders=[ReminderOut.of(i) for i in items]))
