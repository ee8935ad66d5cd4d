"""Routes of the `bills` resource: bills (应收) for owners and finance.

``GET  /api/bills/mine[?year=]``                      the signed-in owner's units: unpaid
                                                      (due date, late), paid, history by year
``GET  /api/bills/<estate>/<building>/<room>[?year=]`` one unit's account (its owners,
                                                      finance and managers of the estate)
``GET  /api/bills/<estate>/<building>/<room>/payments`` the unit's payments with their
                                                      refunds (the same readers)
``POST /api/bills/runs``                              issue a period's bills (finance;
                                                      idempotent)
``POST /api/bills/charges``                           a one-off item (finance)
``POST /api/bills/readings?estate=&period=``          meter readings (CSV/XLSX upload, finance),
                                                      answered with the per-row report
``POST /api/bills/areas?estate=``                     unit areas (房屋面积, CSV/XLSX upload,
                                                      finance), answered with the per-row report

The rules are in :mod:`portal.billing`; this module only translates HTTP.
"""

from __future__ import annotations

from flask import Response
from pydantic import Field
from werkzeug.datastructures import FileStorage as UploadedFile

from functions.auth import require, signed_in
from functions.blueprints import api_blueprint
from functions.blueprints.bills_models import (
    AreasQuery,
    AreasReportOut,
    BillOut,
    ChargeIn,
    MyBills,
    ReadingsQuery,
    ReadingsReportOut,
    RunIn,
    RunOut,
    StatementOut,
    UnitPath,
    YearQuery,
)  # fmt: skip
from functions.blueprints.payments_models import UnitPaymentOut, UnitPayments
from functions.context import services
from functions.edge import client_ip
from functions.error_models import DENIED, ErrorEnvelope
from functions.errors import MAX_CONTENT_LENGTH
from functions.fields import FileStorage
from functions.model import ApiModel
from functions.responses import json_response
from portal.accounts.audit import actor
from portal.accounts.policy import Target
from portal.billing.model import UnitKey
from portal.errors import InvalidInput

bp = api_blueprint("bills", __name__)



@bp.get("/bills/mine", responses={200: MyBills, **DENIED})
def mine(query: YearQuery) -> Response:
    """The signed-in owner's bills, per unit: what is owed (late or not), paid, the year."""
    statements = services().statements.mine(signed_in(), query.year)
    offered = services().payments.offered
    return json_response(MyBills(units=[StatementOut.of(s, offered(s.unit.estate))
                                        for s in statements]))  # fmt: skip


@bp.get("/bills/<estate>/<building>/<room>", responses={200: StatementOut, **DENIED})
def unit_account(path: UnitPath, query: YearQuery) -> Response:
    """One unit's account (an owner: their own units; finance and managers: their estates)."""
    unit = UnitKey(path.estate, path.building, path.room)
    statement = services().statements.of_unit(signed_in(), unit, query.year)
    return json_response(StatementOut.of(statement, services().payments.offered(unit.estate)))


@bp.get("/bills/<estate>/<building>/<room>/payments", responses={200: UnitPayments, **DENIED})
def unit_payments(path: UnitPath) -> Response:
    """One unit's payments, newest first, each with its refunds (the unit account's readers)."""
    unit = UnitKey(path.estate, path.building, path.room)
    payments = services().payments.of_unit_visible(signed_in(), unit)
    refunds = services().refunds
    return json_response(UnitPayments(unit_id=unit.unit_id, items=[
        UnitPaymentOut.with_refunds(p, refunds.of_payment(p.payment_id) if p.refunds else ())
        for p in payments]))  # fmt: skip


@bp.post("/bills/runs", responses={200: RunOut, **DENIED, 503: ErrorEnvelope})
def run(body: RunIn) -> Response:
    """Issue the period's bills of an estate: one per unit and fee item (running it again
    issues only what is missing)."""
    identity = require("bill.run", Target(estate=body.estate))
    report = services().billing_run.run(body.estate, body.period,
                                        actor=actor("staff", identity.user_id),
                                        source_ip=client_ip())  # fmt: skip
    return json_response(RunOut.of(report))


@bp.post("/bills/charges", responses={201: BillOut, **DENIED, 409: ErrorEnvelope})
def charge(body: ChargeIn) -> Response:
    """A one-off item (其他费用) on a unit, once per reference."""
    identity = require("bill.run", Target(estate=body.estate))
    bill = services().billing_run.add_charge(
        UnitKey(body.estate, body.building, body.room), body.period, body.ref, body.amount_fen,
        body.note, actor=actor("staff", identity.user_id), source_ip=client_ip())  # fmt: skip
    return json_response(BillOut.of(bill), 201)


class ReadingsForm(ApiModel):
    file: FileStorage | None = Field(default=None, description="CSV or XLSX (first sheet).")


@bp.post("/bills/readings", responses={200: ReadingsReportOut, **DENIED, 413: ErrorEnvelope})
def readings(query: ReadingsQuery, form: ReadingsForm) -> Response:
    """Import the period's water and electricity readings, with a per-row report."""
    identity = require("bill.run", Target(estate=query.estate))
    estate = services().estates.estate(query.estate)
    upload = form.file
    if not isinstance(upload, UploadedFile):
        raise InvalidInput("readings_missing_file")
    report = services().readings.run(
        upload.read(MAX_CONTENT_LENGTH + 1), estate=estate, period=query.period,
        file_name=(upload.filename or "")[:200], actor=actor("staff", identity.user_id),
        source_ip=client_ip(), dry_run=query.dry_run, allow_partial=query.allow_partial)  # fmt: skip
    return json_response(ReadingsReportOut.of(report))


@bp.post("/bills/areas", responses={200: AreasReportOut, **DENIED, 413: ErrorEnvelope})
def areas(query: AreasQuery, form: ReadingsForm) -> Response:
    """Import the units' areas (the management fee's basis), with a per-row report."""
    identity = require("bill.run", Target(estate=query.estate))
    estate = services().estates.estate(query.estate)
    upload = form.file
    if not isinstance(upload, UploadedFile):
        raise InvalidInput("areas_missing_file")
    report = services().areas.run(
        upload.read(MAX_CONTENT_LENGTH + 1), estate=estate,
        file_name=(upload.filename or "")[:200], actor=actor("staff", identity.user_id),
        source_ip=client_ip(), dry_run=query.dry_run, allow_partial=query.allow_partial)  # fmt: skip
    return json_response(AreasReportOut.of(report))
