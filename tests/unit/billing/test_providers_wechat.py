"""WeChat Pay API v3: signed requests (H5, JSAPI, query, refund), notifications (accepted,
and each way they are refused), the answer WeChat expects, and the OAuth step."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from portal.billing.providers import crypto, signed
from portal.billing.providers.base import NotificationRejected, PaymentRequest, ProviderError
from portal.billing.providers.http import HttpResponse
from portal.billing.providers.wechat_oauth import (
    OAuthRefused,
    WeChatOAuth,
    authorize_url,
    callback_code,
)
from tests.factories import FakeClock
from tests.support.payments import (
    APPID,
    MCHID,
    MERCHANT_SERIAL,
    NOTIFY_URL,
    PLATFORM_KEY_ID,
    RETURN_URL,
    RecordingTransport,
    Sent,
    key,
    signed_by_platform,
    transaction,
    wechat_answer,
    wechat_notification,
    wechat_provider,
)

REQUEST = PaymentRequest("P20261122ABCDEF01", 8880, "兰亭苑 2-1-1503 2026年11月物业费",
                         NOTIFY_URL, RETURN_URL, client_ip="203.0.113.7")  # fmt: skip
_AUTH = re.compile(r'WECHATPAY2-SHA256-RSA2048 mchid="(\d+)",nonce_str="(\w+)",'
                   r'signature="([A-Za-z0-9+/=]+)",timestamp="(\d+)",serial_no="(\w+)"')  # fmt: skip


def _check_signed_request(sent: Sent) -> None:
    """Our request verifies with our merchant key's counterpart, over method, URL, time,
    nonce and body."""
    match = _AUTH.fullmatch(sent.headers["Authorization"])
    assert match, sent.headers["Authorization"]
    mchid, nonce, signature, timestamp, serial = match.groups()
    assert (mchid, serial) == (MCHID, MERCHANT_SERIAL)
    url = urlsplit(sent.url)
    path = url.path + (f"?{url.query}" if url.query else "")
    message = f"{sent.method}\n{path}\n{timestamp}\n{nonce}\n".encode() + sent.body + b"\n"
    assert crypto.verify(key("merchant").public_key(), message, signature)
    assert not crypto.verify(key("merchant").public_key(), message + b" ", signature)


def _rejected(clock: FakeClock, headers: dict[str, str], body: bytes) -> str:
    with pytest.raises(NotificationRejected) as caught:
        wechat_provider(clock).verify(headers, body, clock())
    return caught.value.reason


# -- starting ----------------------------------------------------------------------------


def test_h5_start_creates_a_signed_order_and_redirects_with_the_return_url(clock: FakeClock) -> None:
    transport = RecordingTransport(lambda sent: wechat_answer(clock(), {
        "h5_url": "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx1&package=1"}))  # fmt: skip
    start = wechat_provider(clock, transport).start(REQUEST, in_wechat=False)
    assert start.kind == "redirect"
    assert start.url.startswith("https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx1")
    assert parse_qs(urlsplit(start.url).query)["redirect_url"] == [RETURN_URL]
    sent = transport.sent[0]
    assert sent.url == "https://api.mch.weixin.qq.com/v3/pay/transactions/h5"
    _check_signed_request(sent)
    order = json.loads(sent.body)
    assert order["amount"] == {"total": 8880, "currency": "CNY"}
    assert (order["mchid"], order["appid"], order["notify_url"]) == (MCHID, APPID, NOTIFY_URL)
    assert order["scene_info"] == {"payer_client_ip": "203.0.113.7", "h5_info": {"type": "Wap"}}


def test_inside_wechat_start_uses_jsapi_with_a_signed_pay_request(clock: FakeClock) -> None:
    transport = RecordingTransport(lambda sent: wechat_answer(clock(), {"prepay_id": "wx2211"}))
    request = PaymentRequest(REQUEST.out_trade_no, 8880, "物业费", NOTIFY_URL, RETURN_URL,
                             openid="oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")  # fmt: skip
    start = wechat_provider(clock, transport).start(request, in_wechat=True)
    assert start.kind == "jsapi"
    f = start.fields
    assert (f["appId"], f["package"], f["signType"]) == (APPID, "prepay_id=wx2211", "RSA")
    message = f"{f['appId']}\n{f['timeStamp']}\n{f['nonceStr']}\n{f['package']}\n".encode()
    assert crypto.verify(key("merchant").public_key(), message, f["paySign"])
    sent = transport.sent[0]
    assert sent.url.endswith("/v3/pay/transactions/jsapi")
    assert json.loads(sent.body)["payer"] == {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}
    _check_signed_request(sent)


def test_jsapi_needs_the_openid_and_h5_the_client_address(clock: FakeClock) -> None:
    provider = wechat_provider(clock)
    bare = PaymentRequest(REQUEST.out_trade_no, 100, "物业费", NOTIFY_URL, RETURN_URL)
    for in_wechat, code in ((True, "openid_required"), (False, "client_ip_required")):
        with pytest.raises(ProviderError) as caught:
            provider.start(bare, in_wechat=in_wechat)
        assert caught.value.code == code


@pytest.mark.parametrize(("answer", "code"), [
    (lambda now: wechat_answer(now, {"h5_url": "https://x"}, signer="stranger"), "bad_response"),
    (lambda now: HttpResponse(200, {}, b'{"h5_url": "https://x"}'), "bad_response"),
    (lambda now: wechat_answer(now, {"code": "PARAM_ERROR", "message": "x"}, 400), "refused"),
    (lambda now: HttpResponse(503, {}, b""), "unavailable"),
])  # fmt: skip
def test_a_start_that_wechat_refuses_or_did_not_sign_fails(clock: FakeClock, answer: object,
                                                          code: str) -> None:  # fmt: skip
    transport = RecordingTransport(lambda sent: answer(clock()))  # type: ignore[operator]
    with pytest.raises(ProviderError) as caught:
        wechat_provider(clock, transport).start(REQUEST, in_wechat=False)
    assert caught.value.code == code


# -- notifications -----------------------------------------------------------------------


def test_a_valid_notification_is_verified_decrypted_and_read(clock: FakeClock) -> None:
    headers, body = wechat_notification(clock(), transaction())
    n = wechat_provider(clock).verify(headers, body, clock())
    assert (n.provider, n.status, n.amount_fen, n.app_id) == ("wechat", "paid", 8880, APPID)
    assert (n.notification_id, n.transaction_id) == ("EV-2026112210000001",
                                                     "4200002026112212345678901234")  # fmt: skip
    assert n.out_trade_no == "P20261122ABCDEF01" and n.paid_at == "2026-11-22T02:00:00Z"


def test_header_names_are_read_whatever_their_case(clock: FakeClock) -> None:
    headers, body = wechat_notification(clock(), transaction())
    lower = {k.lower(): v for k, v in headers.items()}
    assert wechat_provider(clock).verify(lower, body, clock()).status == "paid"


def test_a_refund_notification(clock: FakeClock) -> None:
    refund = {"mchid": MCHID, "out_trade_no": "P20261122ABCDEF01",
              "transaction_id": "4200002026112212345678901234", "refund_id": "50000000382019052709732678859",
              "out_refund_no": "R20261123000001", "refund_status": "SUCCESS",
              "success_time": "2026-11-23T09:00:00+08:00",
              "amount": {"total": 8880, "refund": 2000, "payer_total": 8880, "payer_refund": 2000}}  # fmt: skip
    headers, body = wechat_notification(clock(), refund, event_type="REFUND.SUCCESS")
    n = wechat_provider(clock).verify(headers, body, clock())
    assert (n.status, n.amount_fen, n.refund_no) == ("refunded", 2000, "R20261123000001")


@pytest.mark.parametrize("skew_s", [300, -300])
def test_five_minutes_off_is_still_fresh(clock: FakeClock, skew_s: int) -> None:
    headers, body = wechat_notification(clock(), transaction(), skew_s=skew_s)
    assert wechat_provider(clock).verify(headers, body, clock()).status == "paid"


@pytest.mark.parametrize("skew_s", [301, -301, -3600])
def test_more_than_five_minutes_off_is_stale(clock: FakeClock, skew_s: int) -> None:
    headers, body = wechat_notification(clock(), transaction(), skew_s=skew_s)
    assert _rejected(clock, headers, body) == "stale"


def test_a_flipped_byte_in_the_body_or_the_signature_is_refused(clock: FakeClock) -> None:
    headers, body = wechat_notification(clock(), transaction())
    flipped = body.replace(b'"summary"', b'"summarY"')
    assert flipped != body and _rejected(clock, headers, flipped) == "bad_signature"
    sig = headers["Wechatpay-Signature"]
    bad = {**headers, "Wechatpay-Signature": sig[:20] + ("A" if sig[20] != "A" else "B") + sig[21:]}
    assert _rejected(clock, bad, body) == "bad_signature"
    assert _rejected(clock, {**headers, "Wechatpay-Signature": "not base64!"}, body) == (
        "bad_signature"
    )


@pytest.mark.parametrize("name", ["Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Signature",
                                  "Wechatpay-Serial"])
def test_a_missing_header_is_refused(clock: FakeClock, name: str) -> None:
    headers, body = wechat_notification(clock(), transaction())
    del headers[name]
    assert _rejected(clock, headers, body) == "missing_header"


def test_a_wrong_key_or_serial_is_refused(clock: FakeClock) -> None:
    headers, body = wechat_notification(clock(), transaction(), signer="stranger")
    assert _rejected(clock, headers, body) == "bad_signature"
    headers, body = wechat_notification(clock(), transaction(), serial="PUB_KEY_ID_0000000000000000")
    assert _rejected(clock, headers, body) == "unknown_key"


def test_another_algorithm_or_a_bad_timestamp_is_refused(clock: FakeClock) -> None:
    headers, body = wechat_notification(clock(), transaction())
    assert _rejected(clock, {**headers, "Wechatpay-Signature-Type": "WECHATPAY2-SM2-WITH-SM3"},
                     body) == "unsupported_algorithm"  # fmt: skip
    headers, body = wechat_notification(clock(), transaction(), algorithm="AEAD_SM4_GCM")
    assert _rejected(clock, headers, body) == "unsupported_algorithm"
    headers, body = wechat_notification(clock(), transaction())
    odd = signed.sign_headers(signed.WECHATPAY, key("platform"), PLATFORM_KEY_ID, "1795e3",
                              "n0nce", body)  # fmt: skip
    assert _rejected(clock, odd, body) == "bad_timestamp"
    assert _rejected(clock, {**odd, "Wechatpay-Timestamp": "1"}, body) == "bad_signature"


def test_a_resource_under_another_apiv3_key_does_not_decrypt(clock: FakeClock) -> None:
    headers, body = wechat_notification(clock(), transaction(),
                                        apiv3_key="ffffffffffffffffffffffffffffffff")  # fmt: skip
    assert _rejected(clock, headers, body) == "decrypt_failed"
    # A tampered ciphertext, even re-signed, does not decrypt (the GCM tag).
    _, body = wechat_notification(clock(), transaction())
    doc = json.loads(body)
    ct = doc["resource"]["ciphertext"]
    doc["resource"]["ciphertext"] = ct[:8] + ("A" if ct[8] != "A" else "B") + ct[9:]
    tampered = json.dumps(doc).encode()
    assert _rejected(clock, signed_by_platform(clock(), tampered), tampered) == "decrypt_failed"


@pytest.mark.parametrize(("changes", "reason"), [
    ({"mchid": "1900000999"}, "wrong_merchant"),
    ({"appid": "wx0000000000000000"}, "wrong_app_id"),
    ({"amount": {"total": "8880", "currency": "CNY"}}, "bad_amount"),
    ({"amount": {"total": 88.8, "currency": "CNY"}}, "bad_amount"),
    ({"amount": {"total": 8880, "currency": "USD"}}, "bad_amount"),
    ({"amount": {"total": True, "currency": "CNY"}}, "bad_amount"),
    ({"trade_state": "WHATEVER"}, "unknown_status"),
    ({"out_trade_no": "../../x"}, "bad_out_trade_no"),
    ({"success_time": "yesterday"}, "bad_timestamp"),
])  # fmt: skip
def test_a_resource_that_is_not_ours_or_not_exact_is_refused(clock: FakeClock, changes: dict[str, object],
                                                             reason: str) -> None:  # fmt: skip
    headers, body = wechat_notification(clock(), transaction(**changes))
    assert _rejected(clock, headers, body) == reason


def test_an_unknown_event_is_refused(clock: FakeClock) -> None:
    headers, body = wechat_notification(clock(), transaction(), event_type="TRANSACTION.WEIRD")
    assert _rejected(clock, headers, body) == "unknown_status"


def test_wechat_gets_the_json_answer_it_expects(clock: FakeClock) -> None:
    provider = wechat_provider(clock)
    status, headers, body = provider.acknowledge(True)
    assert (status, json.loads(body)) == (200, {"code": "SUCCESS", "message": "成功"})
    assert headers["Content-Type"].startswith("application/json")
    status, _, body = provider.acknowledge(False, "bad_signature")
    assert (status, json.loads(body)) == (400, {"code": "FAIL", "message": "bad_signature"})
    status, _, body = provider.acknowledge(False)
    assert status == 500 and json.loads(body)["code"] == "FAIL"


# -- query and refund --------------------------------------------------------------------


def test_query_asks_by_our_payment_id_and_reads_the_signed_answer(clock: FakeClock) -> None:
    transport = RecordingTransport(lambda sent: wechat_answer(clock(), transaction()))
    found = wechat_provider(clock, transport).query("P20261122ABCDEF01")
    assert found is not None and (found.status, found.amount_fen) == ("paid", 8880)
    assert found.notification_id == "query:4200002026112212345678901234:paid"
    sent = transport.sent[0]
    assert sent.method == "GET" and sent.body == b""
    assert sent.url.endswith(f"/v3/pay/transactions/out-trade-no/P20261122ABCDEF01?mchid={MCHID}")
    _check_signed_request(sent)


def test_query_of_an_unpaid_or_unknown_order(clock: FakeClock) -> None:
    unpaid = transaction(trade_state="NOTPAY", transaction_id=None, success_time=None)
    transport = RecordingTransport(lambda sent: wechat_answer(clock(), unpaid))
    found = wechat_provider(clock, transport).query("P20261122ABCDEF01")
    assert found is not None and (found.status, found.paid_at) == ("pending", "")
    transport = RecordingTransport(lambda sent: wechat_answer(
        clock(), {"code": "ORDER_NOT_EXIST", "message": "订单不存在"}, 404))  # fmt: skip
    assert wechat_provider(clock, transport).query("P20261122ABCDEF01") is None


def test_refund_returns_wechats_refund_id(clock: FakeClock) -> None:
    transport = RecordingTransport(lambda sent: wechat_answer(clock(), {
        "refund_id": "50000000382019052709732678859", "out_refund_no": "R1", "status": "PROCESSING"}))  # fmt: skip
    refund_id = wechat_provider(clock, transport).refund("P20261122ABCDEF01", "R1", 2000, 8880, "多收")
    assert refund_id == "50000000382019052709732678859"
    sent = transport.sent[0]
    assert json.loads(sent.body)["amount"] == {"refund": 2000, "total": 8880, "currency": "CNY"}
    _check_signed_request(sent)
    transport = RecordingTransport(lambda sent: wechat_answer(
        clock(), {"code": "NOT_ENOUGH", "message": "余额不足"}, 403))  # fmt: skip
    with pytest.raises(ProviderError) as caught:
        wechat_provider(clock, transport).refund("P20261122ABCDEF01", "R1", 2000, 8880, "")
    assert (caught.value.code, caught.value.provider_code) == ("refused", "NOT_ENOUGH")


def test_an_answer_signed_too_long_ago_is_not_believed(clock: FakeClock) -> None:
    old = clock() - timedelta(minutes=6)
    transport = RecordingTransport(lambda sent: wechat_answer(old, transaction()))
    with pytest.raises(ProviderError) as caught:
        wechat_provider(clock, transport).query("P20261122ABCDEF01")
    assert (caught.value.code, caught.value.provider_code) == ("bad_response", "stale")


# -- OAuth: the payer's openid -----------------------------------------------------------


def test_the_oauth_step_builds_the_silent_authorize_url_and_exchanges_the_code() -> None:
    url = authorize_url(APPID, "https://pay.example.cn/api/payments/wechat/openid?bill=1", "st4te")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://open.weixin.qq.com/connect/oauth2/authorize"
    )
    assert parts.fragment == "wechat_redirect"
    query = parse_qs(parts.query)
    assert query["redirect_uri"] == ["https://pay.example.cn/api/payments/wechat/openid?bill=1"]
    assert (query["scope"], query["state"], query["appid"]) == (["snsapi_base"], ["st4te"], [APPID])
    assert callback_code({"code": "061Abc123XYZ", "state": "st4te"}, "st4te") == "061Abc123XYZ"
    transport = RecordingTransport(lambda sent: HttpResponse(200, {}, json.dumps({
        "access_token": "t", "expires_in": 7200, "openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        "scope": "snsapi_base"}).encode()))  # fmt: skip
    assert WeChatOAuth(APPID, "app-secret", transport).openid("061Abc123XYZ") == (
        "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
    )
    sent = parse_qs(urlsplit(transport.sent[0].url).query)
    assert (sent["code"], sent["grant_type"]) == (["061Abc123XYZ"], ["authorization_code"])


@pytest.mark.parametrize(("query", "reason"), [
    ({"code": "061Abc123XYZ", "state": "other"}, "state_mismatch"),
    ({"code": "061Abc123XYZ"}, "state_mismatch"),
    ({"state": "st4te"}, "no_code"),
    ({"code": "<script>", "state": "st4te"}, "bad_code"),
])  # fmt: skip
def test_a_callback_without_our_state_or_a_code_is_refused(query: dict[str, str], reason: str) -> None:
    with pytest.raises(OAuthRefused) as caught:
        callback_code(query, "st4te")
    assert caught.value.reason == reason


def test_an_oauth_error_answer_is_refused() -> None:
    transport = RecordingTransport(lambda sent: HttpResponse(
        200, {}, b'{"errcode":40029,"errmsg":"invalid code"}'))  # fmt: skip
    with pytest.raises(OAuthRefused) as caught:
        WeChatOAuth(APPID, "app-secret", transport).openid("061Abc123XYZ")
    assert (caught.value.reason, caught.value.detail) == ("refused", "40029")


def test_the_platform_key_id_is_what_selects_the_key(clock: FakeClock) -> None:
    headers, _ = wechat_notification(clock(), transaction())
    assert headers["Wechatpay-Serial"] == PLATFORM_KEY_ID
