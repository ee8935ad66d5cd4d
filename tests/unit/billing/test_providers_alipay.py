"""Alipay: the signed wap.pay redirect, the notification (accepted, and each way it is
refused), the answer Alipay expects, query and refund against a stand-in gateway."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest

from portal.billing.providers import crypto
from portal.billing.providers.alipay import sign_content
from portal.billing.providers.base import NotificationRejected, PaymentRequest, ProviderError
from portal.billing.providers.http import HttpResponse
from tests.factories import FakeClock
from tests.support.payments import (
    ALIPAY_APP_ID,
    NOTIFY_URL,
    RETURN_URL,
    RecordingTransport,
    alipay_answer,
    alipay_body,
    alipay_params,
    alipay_provider,
    key,
)

REQUEST = PaymentRequest("P20261122ABCDEF01", 8880, "兰亭苑 2-1-1503 2026年11月物业费",
                         NOTIFY_URL, RETURN_URL)  # fmt: skip


def _rejected(clock: FakeClock, body: bytes) -> str:
    with pytest.raises(NotificationRejected) as caught:
        alipay_provider(clock).verify({}, body, clock())
    return caught.value.reason


# -- starting ------------------------------------------------------------------------------


def test_start_redirects_to_a_wap_pay_request_signed_with_our_key(clock: FakeClock) -> None:
    start = alipay_provider(clock).start(REQUEST, in_wechat=False)
    assert start.kind == "redirect"
    url = urlsplit(start.url)
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://openapi.alipay.com/gateway.do"
    params = dict(parse_qsl(url.query))
    assert params["method"] == "alipay.trade.wap.pay" and params["app_id"] == ALIPAY_APP_ID
    assert params["sign_type"] == "RSA2" and params["timestamp"] == "2026-11-22 10:00:00"
    assert params["notify_url"] == NOTIFY_URL and params["return_url"] == RETURN_URL
    biz = json.loads(params["biz_content"])
    assert biz["total_amount"] == "88.80" and biz["out_trade_no"] == REQUEST.out_trade_no
    assert biz["product_code"] == "QUICK_WAP_WAY" and biz["subject"] == REQUEST.subject
    # The counterpart key verifies it; sign_type is part of what a request signs.
    content = sign_content(params)
    assert b"sign_type=RSA2" in content
    assert crypto.verify(key("merchant").public_key(), content, params["sign"])
    assert not crypto.verify(key("stranger").public_key(), content, params["sign"])


def test_start_carries_the_expiry_in_beijing_time(clock: FakeClock) -> None:
    request = PaymentRequest(REQUEST.out_trade_no, 100, "物业费", NOTIFY_URL, RETURN_URL,
                             expires_at=clock() + timedelta(minutes=30))  # fmt: skip
    params = dict(parse_qsl(urlsplit(alipay_provider(clock).start(request, in_wechat=False).url).query))
    assert json.loads(params["biz_content"])["time_expire"] == "2026-11-22 10:30:00"


def test_inside_wechat_start_answers_with_open_in_browser_guidance(clock: FakeClock) -> None:
    transport = RecordingTransport()
    start = alipay_provider(clock, transport).start(REQUEST, in_wechat=True)
    assert start.kind == "guide" and start.url == RETURN_URL
    assert start.fields["reason"] == "open_in_system_browser"
    assert "浏览器" in start.fields["message"] and "browser" in start.fields["message_en"]
    assert transport.sent == []


def test_start_refuses_plain_http_urls_outside_local(clock: FakeClock) -> None:
    request = PaymentRequest(REQUEST.out_trade_no, 100, "物业费", "http://x.cn/n", RETURN_URL)
    with pytest.raises(ProviderError) as caught:
        alipay_provider(clock).start(request, in_wechat=False)
    assert caught.value.code == "insecure_url"


# -- the notification ------------------------------------------------------------------------


def test_a_valid_notification_is_read_exactly(clock: FakeClock) -> None:
    n = alipay_provider(clock).verify({}, alipay_body(alipay_params(clock())), clock())
    assert (n.provider, n.status, n.amount_fen, n.app_id) == ("alipay", "paid", 8880, ALIPAY_APP_ID)
    assert n.out_trade_no == "P20261122ABCDEF01"
    assert n.transaction_id == "2026112222001404660500000001"
    assert n.notification_id == "ac05099524730693a8b330c5ecf72da9786"
    assert n.paid_at == "2026-11-22T02:00:00Z"  # 10:00 Beijing time


@pytest.mark.parametrize(("status", "expected"), [
    ("TRADE_FINISHED", "paid"), ("TRADE_CLOSED", "closed"), ("WAIT_BUYER_PAY", "pending"),
])  # fmt: skip
def test_other_trade_states(clock: FakeClock, status: str, expected: str) -> None:
    body = alipay_body(alipay_params(clock(), trade_status=status))
    assert alipay_provider(clock).verify({}, body, clock()).status == expected


def test_a_refund_notification_names_the_refund(clock: FakeClock) -> None:
    body = alipay_body(alipay_params(clock(), gmt_refund="2026-11-23 09:00:00.000",
                                     refund_fee="20.00", out_biz_no="R20261123000001"))  # fmt: skip
    n = alipay_provider(clock).verify({}, body, clock())
    assert (n.status, n.amount_fen, n.refund_no) == ("refunded", 2000, "R20261123000001")


@pytest.mark.parametrize("skew_s", [300, -300])
def test_five_minutes_off_is_still_fresh(clock: FakeClock, skew_s: int) -> None:
    body = alipay_body(alipay_params(clock() + timedelta(seconds=skew_s)))
    assert alipay_provider(clock).verify({}, body, clock()).status == "paid"


@pytest.mark.parametrize("skew_s", [301, -301, -86_400])
def test_a_notification_more_than_five_minutes_off_is_stale(clock: FakeClock, skew_s: int) -> None:
    body = alipay_body(alipay_params(clock() + timedelta(seconds=skew_s)))
    assert _rejected(clock, body) == "stale"


def test_a_flipped_byte_in_the_body_breaks_the_signature(clock: FakeClock) -> None:
    body = alipay_body(alipay_params(clock()))
    assert b"total_amount=88.80" in body
    assert _rejected(clock, body.replace(b"total_amount=88.80", b"total_amount=88.81")) == (
        "bad_signature"
    )


def test_a_flipped_byte_in_the_signature_is_refused(clock: FakeClock) -> None:
    params = dict(parse_qsl(alipay_body(alipay_params(clock())).decode()))
    sign = params["sign"]
    params["sign"] = ("B" if sign[10] != "B" else "C").join((sign[:10], sign[11:]))
    from urllib.parse import urlencode

    assert _rejected(clock, urlencode(params).encode()) == "bad_signature"


def test_a_notification_signed_with_another_key_is_refused(clock: FakeClock) -> None:
    assert _rejected(clock, alipay_body(alipay_params(clock()), signer="stranger")) == (
        "bad_signature"
    )


@pytest.mark.parametrize("amount", ["88.8", "88.800", "88", "088.80", "-88.80", "8.88e1",
                                    "88,80", "８８.８０", "0.00", " 88.80"])
def test_an_amount_that_is_not_exact_yuan_is_refused(clock: FakeClock, amount: str) -> None:
    assert _rejected(clock, alipay_body(alipay_params(clock(), total_amount=amount))) == "bad_amount"


def test_another_apps_notification_is_refused(clock: FakeClock) -> None:
    assert _rejected(clock, alipay_body(alipay_params(clock(), app_id="2021009999999999"))) == (
        "wrong_app_id"
    )


def test_another_sellers_notification_is_refused(clock: FakeClock) -> None:
    assert _rejected(clock, alipay_body(alipay_params(clock(), seller_id="2088999999999999"))) == (
        "wrong_merchant"
    )


def test_an_unknown_trade_status_is_refused(clock: FakeClock) -> None:
    assert _rejected(clock, alipay_body(alipay_params(clock(), trade_status="TRADE_PENDING"))) == (
        "unknown_status"
    )


@pytest.mark.parametrize(("body", "reason"), [
    (b"\xff\xfe", "bad_body"),
    (b"a=1&a=2&sign=x&sign_type=RSA2", "bad_body"),
    (b"", "missing_field"),
])  # fmt: skip
def test_a_body_that_is_not_a_signed_form_is_refused(clock: FakeClock, body: bytes, reason: str) -> None:
    assert _rejected(clock, body) == reason


def test_missing_fields_and_other_sign_types_are_refused(clock: FakeClock) -> None:
    params = alipay_params(clock())
    from urllib.parse import urlencode

    assert _rejected(clock, urlencode(params).encode()) == "missing_field"  # no sign
    assert _rejected(clock, alipay_body({**params, "sign_type": "RSA"})) == "unsupported_algorithm"
    assert _rejected(clock, alipay_body(alipay_params(clock(), notify_time=None))) == "missing_field"
    assert _rejected(clock, alipay_body(alipay_params(clock(), notify_id=None))) == "missing_field"
    assert _rejected(clock, alipay_body(alipay_params(clock(), out_trade_no="P 1"))) == (
        "bad_out_trade_no"
    )


def test_alipay_gets_success_or_failure_in_plain_text(clock: FakeClock) -> None:
    provider = alipay_provider(clock)
    assert provider.acknowledge(True) == (200, {"Content-Type": "text/plain; charset=utf-8"},
                                          b"success")  # fmt: skip
    assert provider.acknowledge(False, "bad_signature")[2] == b"failure"


# -- query and refund --------------------------------------------------------------------


def test_query_reads_the_signed_answer_and_signs_its_request(clock: FakeClock) -> None:
    transport = RecordingTransport(lambda sent: alipay_answer("alipay.trade.query", {
        "code": "10000", "msg": "Success", "trade_no": "2026112222001404660500000001",
        "out_trade_no": "P20261122ABCDEF01", "trade_status": "TRADE_SUCCESS",
        "total_amount": "88.80", "send_pay_date": "2026-11-22 10:00:00",
    }))  # fmt: skip
    found = alipay_provider(clock, transport).query("P20261122ABCDEF01")
    assert found is not None and (found.status, found.amount_fen) == ("paid", 8880)
    assert found.notification_id == "query:2026112222001404660500000001:paid"
    assert found.paid_at == "2026-11-22T02:00:00Z"
    sent = dict(parse_qsl(transport.sent[0].body.decode()))
    assert sent["method"] == "alipay.trade.query"
    assert crypto.verify(key("merchant").public_key(), sign_content(sent), sent["sign"])


def test_query_of_an_unknown_trade_is_none(clock: FakeClock) -> None:
    transport = RecordingTransport(lambda sent: alipay_answer("alipay.trade.query", {
        "code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_NOT_EXIST"}))  # fmt: skip
    assert alipay_provider(clock, transport).query("P20261122ABCDEF01") is None


@pytest.mark.parametrize("answer", [
    lambda: alipay_answer("alipay.trade.query", {"code": "10000", "trade_status": "TRADE_SUCCESS"},
                          signer="stranger"),
    lambda: alipay_answer("alipay.trade.query", {"code": "10000"}, signed_ok=False),
    lambda: HttpResponse(200, {}, b"<html>busy</html>"),
])  # fmt: skip
def test_an_answer_that_is_not_signed_by_alipay_is_not_believed(clock: FakeClock, answer: object) -> None:
    transport = RecordingTransport(lambda sent: answer())  # type: ignore[operator]
    with pytest.raises(ProviderError) as caught:
        alipay_provider(clock, transport).query("P20261122ABCDEF01")
    assert caught.value.code == "bad_response"


def test_a_gateway_that_fails_is_unavailable(clock: FakeClock) -> None:
    transport = RecordingTransport(lambda sent: HttpResponse(502, {}, b""))
    with pytest.raises(ProviderError) as caught:
        alipay_provider(clock, transport).query("P20261122ABCDEF01")
    assert caught.value.code == "unavailable"


def test_refund_sends_the_amount_in_yuan_and_returns_our_refund_number(clock: FakeClock) -> None:
    transport = RecordingTransport(lambda sent: alipay_answer("alipay.trade.refund", {
        "code": "10000", "msg": "Success", "trade_no": "2026112222001404660500000001",
        "fund_change": "Y", "refund_fee": "20.00"}))  # fmt: skip
    refund_id = alipay_provider(clock, transport).refund("P20261122ABCDEF01", "R20261123000001",
                                                         2000, 8880, "多收")  # fmt: skip
    assert refund_id == "R20261123000001"
    biz = json.loads(dict(parse_qsl(transport.sent[0].body.decode()))["biz_content"])
    assert biz == {"out_trade_no": "P20261122ABCDEF01", "refund_amount": "20.00",
                   "out_request_no": "R20261123000001", "refund_reason": "多收"}  # fmt: skip


def test_a_refused_refund_raises_with_alipays_reason(clock: FakeClock) -> None:
    transport = RecordingTransport(lambda sent: alipay_answer("alipay.trade.refund", {
        "code": "40004", "msg": "Business Failed", "sub_code": "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"}))  # fmt: skip
    with pytest.raises(ProviderError) as caught:
        alipay_provider(clock, transport).refund("P20261122ABCDEF01", "R1", 100, 8880, "")
    assert (caught.value.code, caught.value.provider_code) == (
        "refused", "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"
    )
