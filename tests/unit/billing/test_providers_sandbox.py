"""The sandbox provider: its page, and the notifications it sends (signed, through the same
check as a real provider's), now, twice, late, out of order, stale or never."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from portal.billing.providers.base import (
    Notification,
    NotificationRejected,
    PaymentRequest,
    ProviderError,
)
from portal.billing.providers.http import HttpResponse
from portal.billing.providers.sandbox import SandboxProvider
from portal.wiring import Services
from tests.factories import FakeClock
from tests.support.auth import SITE_URL
from tests.support.payments import RecordingTransport

NOTIFY = f"{SITE_URL}/api/payments/notify/sandbox"
RETURN = f"{SITE_URL}/account/bills/"


@pytest.fixture
def inbox() -> RecordingTransport:
    """Where the sandbox's notifications arrive (the notify URL answers 200)."""
    return RecordingTransport()


@pytest.fixture
def sandbox(services: Services, inbox: RecordingTransport) -> SandboxProvider:
    services.payment_transport = inbox
    provider = services.payment_providers.account("sandbox")
    assert isinstance(provider, SandboxProvider)
    return provider


def _request(out_trade_no: str = "P20261122SANDBOX1", **changes: Any) -> PaymentRequest:
    values: dict[str, Any] = {"out_trade_no": out_trade_no, "amount_fen": 12_345,
                              "subject": "兰亭苑 2-1-1503 2026年11月物业费",
                              "notify_url": NOTIFY, "return_url": RETURN}  # fmt: skip
    values.update(changes)
    return PaymentRequest(**values)


def _received(sandbox: SandboxProvider, inbox: RecordingTransport, clock: FakeClock) -> list[Notification]:
    assert all(s.url == NOTIFY and s.method == "POST" for s in inbox.sent)
    return [sandbox.verify(s.headers, s.body, clock()) for s in inbox.sent]


def test_every_estate_pays_into_the_sandbox_locally(services: Services) -> None:
    assert [p.name for p in services.payment_providers.for_estate("lanting")] == ["sandbox"]


def test_start_sends_the_owner_to_the_sandbox_page(sandbox: SandboxProvider) -> None:
    start = sandbox.start(_request(), in_wechat=True)
    assert (start.kind, start.url) == ("sandbox", f"{SITE_URL}/sandbox-pay/P20261122SANDBOX1")
    found = sandbox.query("P20261122SANDBOX1")
    assert found is not None and (found.status, found.amount_fen) == ("pending", 12_345)
    assert sandbox.query("P20261122UNKNOWN") is None


def test_the_same_payment_id_for_another_amount_is_refused(sandbox: SandboxProvider) -> None:
    sandbox.start(_request(), in_wechat=False)
    sandbox.start(_request(), in_wechat=False)  # the same request again: the same payment
    with pytest.raises(ProviderError):
        sandbox.start(_request(amount_fen=1), in_wechat=False)


def test_confirm_sends_one_signed_notification_that_verifies(
    sandbox: SandboxProvider, inbox: RecordingTransport, clock: FakeClock
) -> None:
    sandbox.start(_request(), in_wechat=False)
    settled = sandbox.settle("P20261122SANDBOX1", "paid")
    [n] = _received(sandbox, inbox, clock)
    assert (n.provider, n.status, n.amount_fen, n.out_trade_no) == (
        "sandbox", "paid", 12_345, "P20261122SANDBOX1")  # fmt: skip
    assert n.transaction_id == settled.transaction_id and n.transaction_id.startswith("SBX")
    assert n.paid_at == "2026-11-22T02:00:00Z"
    found = sandbox.query("P20261122SANDBOX1")
    assert found is not None and (found.status, found.transaction_id) == ("paid", n.transaction_id)
    sandbox.settle("P20261122SANDBOX1", "paid")  # a second click: nothing more is sent
    assert len(inbox.sent) == 1


def test_cancel_closes_the_payment(
    sandbox: SandboxProvider, inbox: RecordingTransport, clock: FakeClock
) -> None:
    sandbox.start(_request(), in_wechat=False)
    sandbox.settle("P20261122SANDBOX1", "closed")
    [n] = _received(sandbox, inbox, clock)
    assert (n.status, n.transaction_id, n.paid_at) == ("closed", "", "")
    found = sandbox.query("P20261122SANDBOX1")
    assert found is not None and found.status == "closed"


def test_twice_delivers_the_same_notification_twice(
    sandbox: SandboxProvider, inbox: RecordingTransport, clock: FakeClock
) -> None:
    sandbox.start(_request(), in_wechat=False)
    sandbox.settle("P20261122SANDBOX1", "paid", "twice")
    first, second = _received(sandbox, inbox, clock)
    assert first == second


def test_late_delivers_after_the_delay_while_query_already_says_paid(
    services: Services, sandbox: SandboxProvider, inbox: RecordingTransport, clock: FakeClock
) -> None:
    sandbox.start(_request(), in_wechat=False)
    sandbox.settle("P20261122SANDBOX1", "paid", "late", delay_s=90)
    assert inbox.sent == []
    found = sandbox.query("P20261122SANDBOX1")
    assert found is not None and found.status == "paid"
    clock.now += timedelta(seconds=89)
    services.task_runner.run_due()
    assert inbox.sent == []
    clock.now += timedelta(seconds=1)
    services.task_runner.run_due()
    [n] = _received(sandbox, inbox, clock)  # signed when sent: fresh
    assert n.status == "paid" and n.transaction_id == found.transaction_id


def test_never_sends_nothing_and_query_tells(
    services: Services, sandbox: SandboxProvider, inbox: RecordingTransport, clock: FakeClock
) -> None:
    sandbox.start(_request(), in_wechat=False)
    sandbox.settle("P20261122SANDBOX1", "paid", "never")
    clock.now += timedelta(hours=2)
    services.task_runner.run_due()
    assert inbox.sent == []
    found = sandbox.query("P20261122SANDBOX1")
    assert found is not None and found.status == "paid"


def test_out_of_order_sends_an_older_pending_after_the_final_state(
    sandbox: SandboxProvider, inbox: RecordingTransport, clock: FakeClock
) -> None:
    sandbox.start(_request(), in_wechat=False)
    sandbox.settle("P20261122SANDBOX1", "paid", "out_of_order")
    paid, pending = _received(sandbox, inbox, clock)
    assert (paid.status, pending.status) == ("paid", "pending")
    assert paid.notification_id != pending.notification_id
    assert paid.transaction_id == pending.transaction_id


def test_stale_is_refused_by_verify(
    sandbox: SandboxProvider, inbox: RecordingTransport, clock: FakeClock
) -> None:
    sandbox.start(_request(), in_wechat=False)
    sandbox.settle("P20261122SANDBOX1", "paid", "stale")
    [sent] = inbox.sent
    with pytest.raises(NotificationRejected) as caught:
        sandbox.verify(sent.headers, sent.body, clock())
    assert caught.value.reason == "stale"


def test_a_tampered_or_unsigned_notification_is_refused(
    sandbox: SandboxProvider, inbox: RecordingTransport, clock: FakeClock
) -> None:
    sandbox.start(_request(), in_wechat=False)
    sandbox.settle("P20261122SANDBOX1", "paid")
    [sent] = inbox.sent
    cases: list[tuple[dict[str, str], bytes, str]] = [
        (dict(sent.headers), sent.body.replace(b"12345", b"12346"), "bad_signature"),
        ({k: v for k, v in sent.headers.items() if k != "Sandbox-Signature"}, sent.body,
         "missing_header"),
        ({**sent.headers, "Sandbox-Serial": "0000000000000000"}, sent.body, "unknown_key"),
    ]  # fmt: skip
    for headers, body, reason in cases:
        with pytest.raises(NotificationRejected) as caught:
            sandbox.verify(headers, body, clock())
        assert caught.value.reason == reason
    clock.now += timedelta(seconds=301)
    with pytest.raises(NotificationRejected) as caught:
        sandbox.verify(sent.headers, sent.body, clock())
    assert caught.value.reason == "stale"


def test_the_sandbox_retries_until_the_notify_url_answers(
    services: Services, sandbox: SandboxProvider, inbox: RecordingTransport, clock: FakeClock
) -> None:
    inbox.respond = lambda sent: HttpResponse(500 if len(inbox.sent) == 1 else 200)
    sandbox.start(_request(), in_wechat=False)
    sandbox.settle("P20261122SANDBOX1", "paid")
    assert len(inbox.sent) == 1
    clock.now += timedelta(seconds=16)
    services.task_runner.run_due()
    assert len(inbox.sent) == 2
    assert sandbox.verify(inbox.sent[1].headers, inbox.sent[1].body, clock()).status == "paid"


def test_an_expired_payment_closes_instead_of_paying(sandbox: SandboxProvider, clock: FakeClock) -> None:
    sandbox.start(_request(expires_at=clock() + timedelta(minutes=15)), in_wechat=False)
    clock.now += timedelta(minutes=16)
    assert sandbox.settle("P20261122SANDBOX1", "paid").status == "closed"


def test_refund_once_per_refund_number_and_never_more_than_paid(sandbox: SandboxProvider) -> None:
    sandbox.start(_request(), in_wechat=False)
    with pytest.raises(ProviderError):
        sandbox.refund("P20261122SANDBOX1", "R1", 100, 12_345, "未付款")
    sandbox.settle("P20261122SANDBOX1", "paid")
    first = sandbox.refund("P20261122SANDBOX1", "R1", 10_000, 12_345, "多收")
    assert sandbox.refund("P20261122SANDBOX1", "R1", 10_000, 12_345, "多收") == first
    with pytest.raises(ProviderError):
        sandbox.refund("P20261122SANDBOX1", "R2", 2_346, 12_345, "多收")
    sandbox.refund("P20261122SANDBOX1", "R2", 2_345, 12_345, "多收")
    found = sandbox.query("P20261122SANDBOX1")
    assert found is not None and found.status == "refunded"


# -- the page and the control API --------------------------------------------------------


def test_the_page_shows_the_payment_in_chinese_first(app: Any, sandbox: SandboxProvider) -> None:
    sandbox.start(_request(), in_wechat=False)
    res = app.test_client().get("/sandbox-pay/P20261122SANDBOX1")
    html = res.get_data(as_text=True)
    assert res.status_code == 200 and res.mimetype == "text/html"
    assert "确认支付" in html and "¥123.45" in html and "兰亭苑 2-1-1503" in html
    assert "default-src 'none'" in res.headers["Content-Security-Policy"]
    assert app.test_client().get("/sandbox-pay/P20261122NOSUCH1").status_code == 404


def test_confirming_on_the_page_notifies_and_returns_to_the_merchant(
    app: Any, sandbox: SandboxProvider, inbox: RecordingTransport, clock: FakeClock
) -> None:
    sandbox.start(_request(), in_wechat=False)
    res = app.test_client().post("/sandbox-pay/P20261122SANDBOX1/confirm", data={"notify": "twice"},
                                 headers={"Origin": SITE_URL})  # fmt: skip
    assert res.status_code == 303 and res.headers["Location"] == RETURN
    assert [n.status for n in _received(sandbox, inbox, clock)] == ["paid", "paid"]
    state = app.test_client().get("/sandbox-pay/P20261122SANDBOX1/state").get_json()
    assert state["status"] == "paid" and state["amount_fen"] == 12_345


def test_another_site_cannot_confirm(app: Any, sandbox: SandboxProvider) -> None:
    sandbox.start(_request(), in_wechat=False)
    res = app.test_client().post("/sandbox-pay/P20261122SANDBOX1/confirm",
                                 headers={"Origin": "https://evil.example"})  # fmt: skip
    assert res.status_code == 403
    assert sandbox.query("P20261122SANDBOX1").status == "pending"  # type: ignore[union-attr]


def test_the_control_api_cancels_and_replays(
    app: Any, sandbox: SandboxProvider, inbox: RecordingTransport, clock: FakeClock
) -> None:
    sandbox.start(_request(), in_wechat=False)
    client = app.test_client()
    res = client.post("/sandbox-pay/P20261122SANDBOX1/cancel?notify=never",
                      headers={"Accept": "application/json"})  # fmt: skip
    assert res.status_code == 200 and res.get_json()["status"] == "closed" and inbox.sent == []
    res = client.post("/sandbox-pay/P20261122SANDBOX1/notify?times=2&skew_s=-400")
    nid = res.get_json()["notification_id"]
    assert len(inbox.sent) == 2
    for sent in inbox.sent:
        with pytest.raises(NotificationRejected):
            sandbox.verify(sent.headers, sent.body, clock())
    client.post(f"/sandbox-pay/P20261122SANDBOX1/notify?notification_id={nid}")
    n = sandbox.verify(inbox.sent[2].headers, inbox.sent[2].body, clock())
    assert (n.status, n.notification_id) == ("closed", nid)
    assert client.post("/sandbox-pay/P20261122SANDBOX1/notify?times=9").status_code == 400
    assert client.post("/sandbox-pay/P20261122SANDBOX1/confirm?notify=sometimes").status_code == 400


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_the_sandbox_does_not_exist_in_dev_and_prod(make_app: Callable[..., Any], stage: str) -> None:
    app = make_app(stage=stage, phone_hash_key=b"k", site_url="https://owners.example.cn")
    assert not [r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/sandbox-pay")]
    headers = {"Origin": "https://owners.example.cn"}
    assert app.test_client().get("/sandbox-pay/P20261122SANDBOX1").status_code == 404
    assert app.test_client().post("/sandbox-pay/P20261122SANDBOX1/confirm",
                                  headers=headers).status_code == 404  # fmt: skip


def test_the_local_server_sends_the_sandbox_pages_to_the_app() -> None:
    from functions.local.server import compose

    seen: list[str] = []

    def answer(name: str) -> Any:
        def wsgi(environ: Any, start_response: Any) -> list[bytes]:
            seen.append(name)
            start_response("200 OK", [])
            return [b""]

        return wsgi

    app = compose(answer("api"), answer("static"))
    for path in ("/sandbox-pay/P20261122SANDBOX1", "/sandbox-paying/", "/api/health"):
        app({"PATH_INFO": path, "HTTP_HOST": "127.0.0.1:8000"}, lambda *a: None)
    assert seen == ["api", "static", "api"]


def test_the_test_stage_never_reaches_the_network(services: Services, clock: FakeClock) -> None:
    sandbox = services.sandbox()
    assert sandbox is not None
    sandbox.start(_request(), in_wechat=False)
    sandbox.settle("P20261122SANDBOX1", "paid")  # the delivery fails offline: retried later
    found = sandbox.query("P20261122SANDBOX1")
    assert found is not None and found.status == "paid"
