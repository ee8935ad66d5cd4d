"""Routes of the `reconcile` resource: statements, matching, exceptions, day close (对账).

Finance of the estate and admin only (``reconcile.read`` / ``reconcile.manage``).

``POST /api/reconcile/statements?estate=&source=[&bank=]``  import a statement (multipart
                                                            ``file``): a bad file is a 200
                                                            ``rejected`` report, nothing written
``GET  /api/reconcile/banks?estate=``                       the saved bank column mappings
``PUT  /api/reconcile/banks``                               save a bank's column mapping
``POST /api/reconcile/banks/sample?estate=``                a sample statement's header, its
                                                            first rows and the guessed mapping
``GET  /api/reconcile/days/<estate>/<day>``                 the day: state, discrepancies
``POST /api/reconcile/days/<estate>/<day>/match``           run the three-way match (409 closed)
``POST /api/reconcile/days/<estate>/<day>/resolutions``     resolve a discrepancy with a note
``POST /api/reconcile/days/<estate>/<day>/close``           close and lock the day
``POST /api/reconcile/days/<estate>/<day>/reopen``          reopen it, with a reason
``GET  /api/reconcile/exceptions?estate=``                  the open discrepancies of an estate
"""

from __future__ import annotations

from flask import Response
from werkzeug.datastructures import FileStorage as UploadedFile

from functions.auth import require
from functions.blueprints import api_blueprint
from functions.blueprints.reconcile_models import (
    BankSampleOut,
    DayOut,
    DayPath,
    DiscrepancyList,
    DiscrepancyOut,
    EstateQuery,
    ImportOut,
    ImportQuery,
    MappingIn,
    MappingList,
    MappingOut,
    ReopenIn,
    ResolveIn,
    StatementForm,
)  # fmt: skip
from functions.context import services
from functions.edge import client_ip
from functions.error_models import ErrorEnvelope, Responses
from functions.errors import MAX_CONTENT_LENGTH
from functions.responses import json_response
from portal.accounts.audit import actor
from portal.accounts.identity import Identity
from portal.accounts.policy import Target
from portal.clock import iso
from portal.errors import InvalidInput
from portal.finance.reconcile.bank import BankMapping
from portal.finance.reconcile.banksample import sample

bp = api_blueprint("reconcile", __name__)
_DENIED: Responses = {401: ErrorEnvelope, 403: ErrorEnvelope}


def _who(action: str, estate: str) -> tuple[Identity, str]:
    identity = require(action, Target(estate=estate))
    return identity, actor("staff", identity.user_id)


@bp.post("/reconcile/statements", responses={200: ImportOut, **_DENIED, 413: ErrorEnvelope})
def import_statement(query: ImportQuery, form: StatementForm) -> Response:
    """Import an Alipay/WeChat Pay bill or a bank statement: all or nothing, once."""
    _, who = _who("reconcile.manage", query.estate)
    upload = form.file
    if not isinstance(upload, UploadedFile):
        raise InvalidInput("reconcile_missing_file")
    report = services().statement_imports.run(
        query.estate, query.source, upload.read(MAX_CONTENT_LENGTH + 1),
        file_name=(upload.filename or "")[:200], actor=who, bank_name=query.bank,
        source_ip=client_ip())  # fmt: skip
    return json_response(ImportOut.of(report))


@bp.get("/reconcile/banks", responses={200: MappingList, **_DENIED})
def banks(query: EstateQuery) -> Response:
    """The column mappings finance saved, one per bank."""
    _who("reconcile.read", query.estate)
    items = services().reconcile_repo.mappings(query.estate)
    return json_response(MappingList(items=[MappingOut(**vars(m)) for m in items]))


@bp.put("/reconcile/banks", responses={200: MappingOut, **_DENIED})
def save_bank(body: MappingIn) -> Response:
    """Save (or replace) how a bank's statement columns are read."""
    _, who = _who("reconcile.manage", body.estate)
    mapping = BankMapping(body.bank, body.date, body.counterparty, body.credit, body.amount,
                          body.debit, body.serial, body.memo)  # fmt: skip
    s = services()
    s.reconcile_repo.save_mapping(body.estate, mapping, who, iso(s.clock()))
    return json_response(MappingOut(**vars(mapping)))


@bp.post("/reconcile/banks/sample", responses={200: BankSampleOut, **_DENIED, 413: ErrorEnvelope})
def bank_sample(query: EstateQuery, form: StatementForm) -> Response:
    """Read a sample statement of a bank for its header (nothing is stored): the columns, the
    first rows under them and a guess of the mapping, for finance to pick and save."""
    _who("reconcile.manage", query.estate)
    upload = form.file
    if not isinstance(upload, UploadedFile):
        raise InvalidInput("reconcile_missing_file")
    return json_response(BankSampleOut.of(sample(upload.read(MAX_CONTENT_LENGTH + 1))))


@bp.get("/reconcile/days/<estate>/<day>", responses={200: DayOut, **_DENIED})
def day(path: DayPath) -> Response:
    """A day of reconciliation: its state and every discrepancy found (nothing deleted)."""
    _who("reconcile.read", path.estate)
    return json_response(DayOut.of(services().reconcile_days.view(path.estate, path.iso)))


@bp.post("/reconcile/days/<estate>/<day>/match", responses={200: DayOut, **_DENIED,
                                                             409: ErrorEnvelope})  # fmt: skip
def match(path: DayPath) -> Response:
    """Match our payments, the provider lines and the bank for the day (a closed day: 409)."""
    _, who = _who("reconcile.manage", path.estate)
    view = services().reconcile_days.match(path.estate, path.iso, who, client_ip())
    return json_response(DayOut.of(view))


@bp.post("/reconcile/days/<estate>/<day>/resolutions",
         responses={200: DiscrepancyOut, **_DENIED, 404: ErrorEnvelope, 409: ErrorEnvelope})  # fmt: skip
def resolve(path: DayPath, body: ResolveIn) -> Response:
    """Resolve an open discrepancy with an action and a note (audited)."""
    _, who = _who("reconcile.manage", path.estate)
    item = services().reconcile_days.resolve(path.estate, path.iso, body.id, body.action,
                                             body.note, who, client_ip())  # fmt: skip
    return json_response(DiscrepancyOut.of(item))


@bp.post("/reconcile/days/<estate>/<day>/close", responses={200: DayOut, **_DENIED,
                                                             409: ErrorEnvelope})  # fmt: skip
def close(path: DayPath) -> Response:
    """Close and lock a matched day whose discrepancies are all resolved."""
    _, who = _who("reconcile.manage", path.estate)
    return json_response(DayOut.of(services().reconcile_days.close(path.estate, path.iso, who,
                                                                   client_ip())))  # fmt: skip


@bp.post("/reconcile/days/<estate>/<day>/reopen", responses={200: DayOut, **_DENIED,
                                                              409: ErrorEnvelope})  # fmt: skip
def reopen(path: DayPath, body: ReopenIn) -> Response:
    """Reopen a closed day, with the reason (audited)."""
    _, who = _who("reconcile.manage", path.estate)
    view = services().reconcile_days.reopen(path.estate, path.iso, body.reason, who, client_ip())
    return json_response(DayOut.of(view))


@bp.get("/reconcile/exceptions", responses={200: DiscrepancyList, **_DENIED})
def exceptions(query: EstateQuery) -> Response:
    """The estate's open discrepancies, oldest day first: finance's queue."""
    _who("reconcile.read", query.estate)
    items = services().reconcile_repo.open_queue(query.estate)
    return json_response(DiscrepancyList(items=[DiscrepancyOut.of(i) for i in items]))
