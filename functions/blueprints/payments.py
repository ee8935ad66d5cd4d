"""Routes of the `payments` resource: paying bills online (实收), receipts, refunds.

``POST /api/payments``                          pay bills of a unit (its owners); the server
                                                computes the amount; answers how to start
``GET  /api/payments/<payment_id>``             where a payment stands (the result page polls
                                                it: `paid` only once the notification is recorded)
``GET  /api/payments/<payment_id>/receipt``     the printable receipt (收据)
``POST /api/payments/notify/<account>``         the provider's signed notification (no cookie,
                                                no CSRF: the signature authenticates it)
``GET  /api/payments/review?estate=``           payments under review (finance)
``POST /api/payments/<payment_id>/refunds``     a refund, full or partial, with a reason (finance)
"""

from __future__ import annotations

from flask import Response, request

from functions.auth import signature_authenticated, signed_in
from functions.blueprints import api_blueprint
from functions.blueprints.payments_models import (
    NotifyPath,
    PaymentCreated,
    PaymentIn,
    PaymentList,
    PaymentOut,
    PaymentPath,
    ReceiptOut,
    RefundIn,
    RefundOut,
    ReviewQuery,
    StartOut,
)  # fmt: skip
from functions.blueprints.wechat_payer import OPENID_COOKIE
from functions.context import services
from functions.edge import client_ip
from functions.error_models import DENIED, ErrorEnvelope
from functions.responses import json_response
from portal.billing.model import UnitKey

bp = api_blueprint("payments", __name__)



@bp.post("/payments", responses={201: PaymentCreated, **DENIED, 409: ErrorEnvelope,
                                 503: ErrorEnvelope})  # fmt: skip
def create(body: PaymentIn) -> Response:
    """Pay bills of a unit online: the amount is the bills' outstanding total."""
    payment, start = services().payments.create(
        signed_in(), UnitKey(body.estate, body.building, body.room), body.bills, body.provider,
        in_wechat=body.in_wechat, client_ip=client_ip(),
        openid=body.openid or request.cookies.get(OPENID_COOKIE, ""))  # fmt: skip
    return json_response(PaymentCreated(payment=PaymentOut.of(payment), start=StartOut.of(start)),
                         201)  # fmt: skip


@bp.get("/payments/review", responses={200: PaymentList, **DENIED})
def review(query: ReviewQuery) -> Response:
    """Payments whose money could not be applied (amount differs, bills changed): finance."""
    items = services().payments.in_review(signed_in(), query.estate)
    return json_response(PaymentList(items=[PaymentOut.of(p) for p in items]))


@bp.get("/payments/<payment_id>", responses={200: PaymentOut, **DENIED})
def status(path: PaymentPath) -> Response:
    """Where a payment stands; another's answers 404 like a missing one."""
    return json_response(PaymentOut.of(services().payments.visible(signed_in(), path.payment_id)))


@bp.get("/payments/<payment_id>/receipt", responses={200: ReceiptOut, **DENIED})
def receipt(path: PaymentPath) -> Response:
    """The receipt of a paid payment, zh-CN with English."""
    return json_response(ReceiptOut.of(services().payments.receipt(signed_in(), path.payment_id)))


@bp.post("/payments/<payment_id>/refunds",
         responses={201: RefundOut, 202: RefundOut, **DENIED, 409: ErrorEnvelope,
                    503: ErrorEnvelope})  # fmt: skip
def refund(path: PaymentPath, body: RefundIn) -> Response:
    """Refund a payment, all or part of it, with a reason (finance of the estate): 201 when
    the provider has refunded, 202 when its answer is not known yet (the refund stays
    `requested` and is settled by the refund sweep within minutes), 409 `refund_refused`."""
    made = services().refunds.refund(signed_in(), path.payment_id, body.amount_fen, body.reason,
                                     allocation=body.allocation, source_ip=client_ip())  # fmt: skip
    return json_response(RefundOut.of(made), 201 if made.state == "succeeded" else 202)


@bp.post("/payments/notify/<account>", responses={200: None, 404: ErrorEnvelope,
                                                   503: ErrorEnvelope})  # fmt: skip
@signature_authenticated
def notify(path: NotifyPath) -> Response:
    """The provider's asynchronous notification, authenticated by its signature; answered in
    the provider's own format (a 5xx only when it could not be recorded: it is sent again)."""
    status_code, headers, body = services().ledger.notify(
        path.account, dict(request.headers), request.get_data(cache=True), client_ip())  # fmt: skip
    return Response(body, status=status_code, headers=headers)
