"""Routes of offline payments (线下收费), cash handover (现金交接) and direct debits (银行托收).

``POST /api/offline-payments``                         record cash, transfer or POS (front
                                                       desk, a guard's door cash, finance)
``GET  /api/offline-payments?estate=&day=``            a local day's offline payments (finance)
``GET  /api/handovers?estate=&since=``                 guards' cash batches, overdue marked
``POST /api/handovers/<estate>/<day>/<collector>/confirm`` the foreman's count
``POST /api/debits?estate=``                           the bank's result file (CSV/XLSX)
``GET  /api/debits/notices?estate=``                   owners still to be told (3 days)

The rules are in :mod:`portal.finance`; this module only translates HTTP.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from pydantic import BaseModel, Field
from werkzeug.datastructures import FileStorage as UploadedFile

from functions.auth import current_identity, require
from functions.blueprints import api_blueprint
from functions.blueprints.offline_payments_models import (
    BatchList,
    BatchOut,
    BatchPath,
    ConfirmIn,
    DayQuery,
    DebitReportOut,
    EstateQuery,
    HandoverQuery,
    NoticeList,
    NoticeOut,
    OfflineDay,
    OfflineIn,
    OfflineLine,
    OfflineOut,
)  # fmt: skip
from functions.context import services
from functions.edge import client_ip
from functions.error_models import ErrorEnvelope
from functions.errors import MAX_CONTENT_LENGTH
from functions.fields import FileStorage
from functions.model import ApiModel
from functions.responses import json_response
from portal.accounts.audit import actor
from portal.accounts.identity import Identity
from portal.accounts.policy import Target
from portal.billing.model import UnitKey
from portal.billing.money import yuan
from portal.errors import InvalidInput, Unauthenticated
from portal.finance.offline import OfflineRequest, day_total

bp = api_blueprint("offline_payments", __name__)
_DENIED: dict[str | int, type[BaseModel] | dict[Any, Any] | None] = {
    401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope,
}  # fmt: skip


def _identity() -> Identity:
    identity = current_identity()
    if identity is None:
        raise Unauthenticated()
    return identity


@bp.post("/offline-payments", responses={201: OfflineOut, 200: OfflineOut, **_DENIED,
                                         409: ErrorEnvelope, 503: ErrorEnvelope})  # fmt: skip
def record(body: OfflineIn) -> Response:
    """Record money taken offline, with a receipt numbered like online receipts (201; the same
    request id again: 200 with the first recording)."""
    identity = _identity()
    req = OfflineRequest(UnitKey(body.estate, body.building, body.room), tuple(body.bills),
                         body.method, body.amount_fen, body.request_id, body.reference,
                         body.at_door, body.note)  # fmt: skip
    done = services().offline_payments.record(identity, req, source_ip=client_ip())
    return json_response(OfflineOut.of(done), 201 if done.first else 200)


@bp.get("/offline-payments", responses={200: OfflineDay, **_DENIED})
def of_day(query: DayQuery) -> Response:
    """An estate's offline payments of a local day, with the day's total (finance)."""
    s = services()
    day = (query.day or s.handovers.today()).isoformat()
    items = s.offline_payments.of_day(_identity(), query.estate, day)
    total = day_total(items)
    return json_response(OfflineDay(estate=query.estate, day=day, count=len(items), total_fen=total,
                                    total_yuan=yuan(total),
                                    payments=[OfflineLine.of(i) for i in items]))  # fmt: skip


@bp.get("/handovers", responses={200: BatchList, **_DENIED})
def handovers(query: HandoverQuery) -> Response:
    """Guards' cash batches (交接): open, confirmed or with a count that differs; overdue ones
    marked (not confirmed by the end of the next day)."""
    s = services()
    since = query.since.isoformat() if query.since else ""
    batches = s.handovers.of_estate(_identity(), query.estate, since)
    today = s.handovers.today()
    return json_response(BatchList(estate=query.estate, today=today.isoformat(),
                                   batches=[BatchOut.of(b, b.overdue(today)) for b in batches]))  # fmt: skip


@bp.post("/handovers/<estate>/<day>/<collector>/confirm",
         responses={200: BatchOut, **_DENIED, 409: ErrorEnvelope})  # fmt: skip
def confirm(path: BatchPath, body: ConfirmIn) -> Response:
    """The foreman's count of a guard's batch: the same figures → confirmed, others → a
    discrepancy for finance. Confirming again with the same figures answers the first."""
    s = services()
    batch = s.handovers.confirm(_identity(), path.estate, path.day.isoformat(), path.collector,
                                count=body.count, amount_fen=body.amount_fen, note=body.note,
                                source_ip=client_ip())  # fmt: skip
    return json_response(BatchOut.of(batch, batch.overdue(s.handovers.today())))


class DebitForm(ApiModel):
    file: FileStorage | None = Field(default=None, description="CSV or XLSX (first sheet).")


@bp.post("/debits", responses={200: DebitReportOut, **_DENIED, 413: ErrorEnvelope})
def debits(query: EstateQuery, form: DebitForm) -> Response:
    """Import the bank's direct-debit results: a report per row; good rows are recorded, the
    same file again adds nothing; each debited owner is told within 3 days."""
    identity = require("debit.import", Target(estate=query.estate))
    estate = services().estates.estate(query.estate)
    upload = form.file
    if not isinstance(upload, UploadedFile):
        raise InvalidInput("debit_missing_file")
    report = services().direct_debits.run(
        identity, upload.read(MAX_CONTENT_LENGTH + 1), estate=estate,
        file_name=(upload.filename or "")[:200], who=actor("staff", identity.user_id),
        source_ip=client_ip())  # fmt: skip
    return json_response(DebitReportOut.of(report))


@bp.get("/debits/notices", responses={200: NoticeList, **_DENIED})
def notices(query: EstateQuery) -> Response:
    """Debited owners not told yet, each with the day it is due by (and whether it passed)."""
    due = services().direct_debits.due(_identity(), query.estate)
    return json_response(NoticeList(estate=query.estate, due=[NoticeOut.of(n, o) for n, o in due]))
