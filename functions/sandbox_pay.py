"""The sandbox provider's hosted page and control API, under ``/sandbox-pay/``.

It stands in for a provider's own site (another party: no session cookie, no CSRF
token of ours), so it is registered only in the local and test stages
(:func:`functions.app.create_app`): in ``dev`` and ``prod`` the paths are not routed
at all (404), and the local server sends ``/sandbox-pay/*`` to the same app as
``/api/*``. The provider behind it is :mod:`portal.billing.providers.sandbox`.

=========================================  =================================================
``GET  /sandbox-pay/<out_trade_no>``        the page: subject, amount, 确认支付 / 取消支付 and
                                            how to send the notification (``notify``)
``POST /sandbox-pay/<out_trade_no>/confirm`` pay (form or query: ``notify`` one of
                                            now, twice, late, out_of_order, never, stale;
                                            ``delay_s`` for late); 303 to the return URL,
                                            or the state as JSON (``Accept: application/json``)
``POST /sandbox-pay/<out_trade_no>/cancel``  close, the same way
``GET  /sandbox-pay/<out_trade_no>/state``   the sandbox's state of the payment (JSON)
``POST /sandbox-pay/<out_trade_no>/notify``  send a notification now: ``status``, ``skew_s``
                                            (sign it that many seconds off), ``times``,
                                            ``delay_s``, ``notification_id`` (JSON answer)
=========================================  =================================================

A POST whose ``Origin`` is another site's is refused (a page elsewhere must not pay
for the developer); scripts without ``Origin`` are fine.
"""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlsplit

from flask import Blueprint, Response, jsonify, redirect, render_template_string, request

from functions.auth import signature_authenticated
from functions.context import services, settings
from portal.billing.providers.base import ProviderError, Status, yuan_from_fen
from portal.billing.providers.sandbox import BEHAVIOURS, LATE_S, PAGE_PREFIX, SandboxProvider
from portal.billing.providers.sandbox_store import SandboxPayment
from portal.errors import Forbidden, InvalidInput, NotFound
from portal.i18n import translate

bp = Blueprint("sandbox_pay", __name__, url_prefix=PAGE_PREFIX)

CSP = ("default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
       "frame-ancestors 'none'; form-action 'self'")  # fmt: skip

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ t.title[0] }}</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;padding:1rem;max-width:32rem;margin:auto;color:#222}
h1{font-size:1.3rem} .en{color:#666;font-size:.85em;display:block} dl{display:grid;
grid-template-columns:auto 1fr;gap:.4rem 1rem} dt{color:#555} dd{margin:0;overflow-wrap:anywhere}
.amount{font-size:1.6rem;font-weight:bold} .note{background:#fff6d6;padding:.6rem;border-radius:.4rem}
fieldset{border:1px solid #ddd;border-radius:.4rem;margin:1rem 0} label{display:block;padding:.25rem 0}
button{font-size:1.1rem;padding:.7rem 1.2rem;margin:.3rem .5rem .3rem 0;border-radius:.4rem;border:0}
.pay{background:#1677ff;color:#fff} .cancel{background:#eee}
</style></head><body>
<h1>{{ t.title[0] }}<span class="en">{{ t.title[1] }}</span></h1>
<p class="note">{{ t.notice[0] }}<span class="en">{{ t.notice[1] }}</span></p>
<dl>
<dt>{{ t.subject[0] }}</dt><dd>{{ p.subject }}</dd>
<dt>{{ t.amount[0] }}</dt><dd class="amount">¥{{ amount }}</dd>
<dt>{{ t.order[0] }}</dt><dd>{{ p.out_trade_no }}</dd>
<dt>{{ t.status[0] }}</dt><dd id="status">{{ status[0] }}<span class="en">{{ status[1] }}</span></dd>
</dl>
{% if p.status == "pending" %}
{% if expired %}<p class="note">{{ t.expired[0] }}<span class="en">{{ t.expired[1] }}</span></p>{% endif %}
<form method="post" action="{{ base }}/confirm">
<fieldset><legend>{{ t.behaviour[0] }} <span class="en">{{ t.behaviour[1] }}</span></legend>
{% for b in behaviours %}<label><input type="radio" name="notify" value="{{ b.value }}"
{% if b.value == "now" %}checked{% endif %}> {{ b.zh }} <span class="en">{{ b.en }}</span></label>
{% endfor %}
<label>{{ t.delay[0] }} <input type="number" name="delay_s" value="{{ late_s }}" min="1" max="86400"></label>
</fieldset>
<button class="pay" type="submit">{{ t.confirm[0] }}</button>
<button class="cancel" type="submit" formaction="{{ base }}/cancel">{{ t.cancel[0] }}</button>
</form>
{% else %}
<p>{{ t.settled[0] }}<span class="en">{{ t.settled[1] }}</span></p>
<p><a href="{{ p.return_url }}">{{ t.back[0] }}</a></p>
{% endif %}
</body></html>
"""


def _text(key: str) -> tuple[str, str]:
    return translate(f"providers.sandbox.{key}", "zh-CN"), translate(f"providers.sandbox.{key}",
                                                                     "en")  # fmt: skip


def _sandbox() -> SandboxProvider:
    sandbox = services().sandbox(request.args.get("account", "sandbox"))
    if sandbox is None:
        raise NotFound()
    return sandbox


def _payment(sandbox: SandboxProvider, out_trade_no: str) -> SandboxPayment:
    payment = sandbox.payment(out_trade_no)
    if payment is None:
        raise NotFound()
    return payment


def _same_origin() -> None:
    origin = request.headers.get("Origin")
    if origin is not None and origin not in (request.host_url.rstrip("/"), settings().site_origin):
        raise Forbidden("csrf_failed")


def _param(name: str, default: str = "") -> str:
    return request.form.get(name) or request.args.get(name) or default


def _int(name: str, default: int) -> int:
    try:
        return int(_param(name, str(default)))
    except ValueError:
        raise InvalidInput() from None


def _state(payment: SandboxPayment) -> dict[str, Any]:
    return {
        "out_trade_no": payment.out_trade_no,
        "status": payment.status,
        "amount_fen": payment.amount_fen,
        "transaction_id": payment.transaction_id,
        "paid_at": payment.paid_at,
        "refunded_fen": payment.refunded_fen,
        "return_url": payment.return_url,
    }


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    # Not "no-referrer": with it, Chromium sends ``Origin: null`` on the page's own form
    # POSTs (confirm, cancel), which the origin check then refuses.
    response.headers["Referrer-Policy"] = "same-origin"
    return response


@bp.get("/<out_trade_no>")
@signature_authenticated  # another party's page: our session and CSRF token do not apply
def page(out_trade_no: str) -> Response:
    sandbox = _sandbox()
    payment = _payment(sandbox, out_trade_no)
    html = render_template_string(
        PAGE,
        p=payment,
        t={k: _text(k) for k in ("title", "notice", "subject", "amount", "order", "status",
                                 "expired", "behaviour", "delay", "confirm", "cancel",
                                 "back", "settled")},
        status=_text(f"status_{payment.status}"),
        amount=yuan_from_fen(payment.amount_fen),
        expired=payment.expired(sandbox.clock()),
        behaviours=[{"value": b, "zh": _text(f"behaviour_{b}")[0], "en": _text(f"behaviour_{b}")[1]}
                    for b in BEHAVIOURS],
        base=f"{PAGE_PREFIX}/{payment.out_trade_no}",
        late_s=LATE_S,
    )
    return Response(html, 200, content_type="text/html; charset=utf-8")


def _settle(out_trade_no: str, outcome: str) -> Response:
    _same_origin()
    sandbox = _sandbox()
    _payment(sandbox, out_trade_no)
    behaviour = _param("notify", "now")
    if behaviour not in BEHAVIOURS:
        raise InvalidInput()
    settled = sandbox.settle(out_trade_no, "paid" if outcome == "paid" else "closed",
                             cast(Any, behaviour), _int("delay_s", LATE_S))  # fmt: skip
    if request.accept_mimetypes.best == "application/json" or "json" in request.args:
        return jsonify(_state(settled))
    target = settled.return_url
    if urlsplit(target).scheme not in ("http", "https"):
        raise InvalidInput()
    return cast(Response, redirect(target, 303))


@bp.post("/<out_trade_no>/confirm")
@signature_authenticated
def confirm(out_trade_no: str) -> Response:
    return _settle(out_trade_no, "paid")


@bp.post("/<out_trade_no>/cancel")
@signature_authenticated
def cancel(out_trade_no: str) -> Response:
    return _settle(out_trade_no, "closed")


@bp.get("/<out_trade_no>/state")
@signature_authenticated
def state(out_trade_no: str) -> Response:
    return jsonify(_state(_payment(_sandbox(), out_trade_no)))


@bp.post("/<out_trade_no>/notify")
@signature_authenticated
def notify(out_trade_no: str) -> Response:
    _same_origin()
    sandbox = _sandbox()
    _payment(sandbox, out_trade_no)
    status = _param("status") or None
    if status not in (None, "paid", "closed", "refunded", "pending"):
        raise InvalidInput()
    try:
        nid = sandbox.send(out_trade_no, cast(Status | None, status), skew_s=_int("skew_s", 0),
                           times=_int("times", 1), delay_s=_int("delay_s", 0),
                           notification_id=_param("notification_id"))  # fmt: skip
    except (ValueError, ProviderError):
        raise InvalidInput() from None
    return jsonify({"notification_id": nid})
