"""Routes of the `acknowledgements` resource: read coverage of critical notices (已知晓).

``GET  /api/acknowledgements/mine``                        an owner's critical notices, unread first
``POST /api/acknowledgements/<estate>/<notice>``           the owner's household acknowledges
``GET  /api/acknowledgements?estate=``                     staff: the estate's critical notices,
                                                           acknowledged / targeted households
``GET  /api/acknowledgements/<estate>/<notice>/coverage``  staff: per building, and the units
                                                           still unread (phones masked)

Owners need ``notice.acknowledge`` on their own unit; staff ``notice.coverage`` in the estate
(:mod:`portal.accounts.policy`). A notice that does not ask, is not active or does not target
the unit is 404 ``critical_notice_not_found``. The rules are in
:mod:`portal.acknowledgements.service`.
"""

from __future__ import annotations

from flask import Response

from functions.auth import signed_in
from functions.blueprints import api_blueprint
from functions.blueprints.acknowledgements_models import (
    AckEstateQuery,
    AcknowledgeIn,
    CoverageOut,
    CriticalNoticeOut,
    NoticeCountList,
    NoticeCountOut,
    NoticePath,
    OwnerNoticeList,
    OwnerNoticeOut,
)  # fmt: skip
from functions.context import services
from functions.edge import client_ip
from functions.error_models import DENIED
from functions.responses import json_response

bp = api_blueprint("acknowledgements", __name__)


@bp.get("/acknowledgements/mine", responses={200: OwnerNoticeList, **DENIED})
def mine() -> Response:
    """The signed-in owner's active critical notices (停水、安全), one per unit they target,
    unread first."""
    got = services().acknowledgements.mine(signed_in())
    return json_response(OwnerNoticeList(items=[OwnerNoticeOut.of(o) for o in got]))


@bp.post("/acknowledgements/<estate>/<notice>", responses={200: OwnerNoticeOut, **DENIED})
def acknowledge(path: NoticePath, body: AcknowledgeIn) -> Response:
    """已知晓 for the owner's household: once per unit, whoever in it taps (again: the first)."""
    got = services().acknowledgements.acknowledge(signed_in(), path.estate, path.notice,
                                                  body.building, body.room, client_ip())  # fmt: skip
    return json_response(OwnerNoticeOut.of(got))


@bp.get("/acknowledgements", responses={200: NoticeCountList, **DENIED})
def of_estate(query: AckEstateQuery) -> Response:
    """The estate's critical notices, newest first, each with households acknowledged over
    households targeted (a butler: their buildings)."""
    got = services().acknowledgements.notices(signed_in(), query.estate)
    return json_response(NoticeCountList(items=[
        NoticeCountOut(notice=CriticalNoticeOut.of(n), acknowledged=a, targeted=t)
        for n, a, t in got]))  # fmt: skip


@bp.get("/acknowledgements/<estate>/<notice>/coverage", responses={200: CoverageOut, **DENIED})
def coverage(path: NoticePath) -> Response:
    """Per building: households acknowledged / targeted, and every unit still unread with its
    residents' names and masked phones, for calls and door knocks."""
    got = services().acknowledgements.coverage(signed_in(), path.estate, path.notice)
    return json_response(CoverageOut.of(got))
