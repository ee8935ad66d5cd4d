"""Message senders (portal.messaging) and the local outbox route (GET /api/dev/outbox)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from portal import ROOT
from portal.estates.records import company_from, company_item
from portal.estates.source import load_company
from portal.i18n import translate
from portal.messaging import OutboxSender, SignedSender, SnsSender
from portal.settings import Settings
from portal.store.client import sns_client
from portal.store.table import Table
from portal.wiring import Clients, Services
from tests.factories import FakeClock, make_owner, wired
from tests.support.auth import AuthActions

PHONE = "13800138000"


class SpyClient:
    """Records the arguments of ``publish`` and passes them on to the real (moto) client."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.calls: list[dict[str, Any]] = []

    def publish(self, **kwargs: Any) -> Any:
        self.calls.append(kwargs)
        return self.client.publish(**kwargs)


def _sms_sent(region: str) -> list[tuple[str, str]]:
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    return list(sns_backends[DEFAULT_ACCOUNT_ID][region].sms_messages.values())


# ----------------------------------------------------------------------------- SNS


def test_the_sns_sender_publishes_a_transactional_sms_to_the_plus_86_number(
    moto_aws: None, settings: Settings
) -> None:
    spy = SpyClient(sns_client(settings.with_(stage="prod")))
    SnsSender(spy).send_sms(PHONE, "您的验证码是 123456")
    assert _sms_sent(settings.aws_region) == [("+8613800138000", "您的验证码是 123456")]
    attributes = spy.calls[0]["MessageAttributes"]
    assert attributes == {
        "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}
    }


def test_a_sign_in_code_goes_out_through_sns_with_the_text_from_the_catalog_signed_by_the_company(
    ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    make_owner(ddb, settings, PHONE, "王芳", ("lanting", "2", "1-1503"))
    prod = settings.with_(stage="prod")
    sender = Services(prod, Clients(prod, dynamodb=ddb), clock).sender
    assert isinstance(sender, SignedSender) and isinstance(sender.inner, SnsSender)
    codes = wired(ddb, settings, clock, sender).owner_sign_in
    codes.request(PHONE)
    [(number, text)] = _sms_sent(settings.aws_region)
    code = re.search(r"\d{6}", text)
    assert number == "+8613800138000" and code
    signed = "【常青藤物业】"  # the signature registered in company.yaml, once
    assert text == signed + translate("auth.sms_code", "zh-CN", code=code.group(0), minutes=5)
    assert codes.verify(PHONE, code.group(0)).phone == PHONE


def test_the_sns_client_fails_fast_with_standard_retries(settings: Settings) -> None:
    client = sns_client(settings.with_(stage="prod"))
    assert client.meta.region_name == settings.aws_region
    assert client.meta.config.retries["mode"] == "standard"
    assert client.meta.config.connect_timeout == settings.connect_timeout_s


def test_the_sns_sender_logs_only_the_masked_number(
    moto_aws: None, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="portal")
    SnsSender(sns_client(settings)).send_sms(PHONE, "hello")
    text = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("portal"))
    assert "138****8000" in text and PHONE not in text


# ----------------------------------------------------------------------------- choosing


@pytest.mark.parametrize(
    ("stage", "kind"),
    [("local", OutboxSender), ("test", OutboxSender), ("dev", SnsSender), ("prod", SnsSender)],
)
def test_the_sender_is_the_outbox_locally_and_sns_on_aws(
    settings: Settings, stage: str, kind: type
) -> None:
    chosen = Services(settings.with_(stage=stage), Clients(settings, dynamodb=object())).sender
    assert isinstance(chosen, SignedSender) and isinstance(chosen.inner, kind)


def test_a_message_already_signed_is_not_signed_again_and_none_goes_unsigned_by_choice() -> None:
    sent: list[str] = []

    class Recorder:
        def send_sms(self, phone: str, text: str) -> None:
            sent.append(text)

    signed = SignedSender(Recorder(), lambda: "常青藤物业")
    signed.send_sms(PHONE, "您的验证码是 123456。")
    signed.send_sms(PHONE, "【常青藤物业】新春快乐！")
    SignedSender(Recorder(), lambda: "").send_sms(PHONE, "没有公司名时照发。")
    assert sent == ["【常青藤物业】您的验证码是 123456。", "【常青藤物业】新春快乐！", "没有公司名时照发。"]


# ----------------------------------------------------------------------------- the outbox


def test_the_outbox_lists_messages_newest_first_and_hides_those_older_than_a_day(
    ddb: Any, settings: Settings, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="portal")
    outbox = OutboxSender(Table(ddb, settings.table_name("main")), clock)
    outbox.send_sms(PHONE, "first")
    clock.now += timedelta(hours=1)
    outbox.send_sms("13900139000", "second")
    assert [(m.phone, m.text) for m in outbox.recent()] == [
        ("13900139000", "second"),
        (PHONE, "first"),
    ]
    assert [m.text for m in outbox.recent(limit=1)] == ["second"]
    item = ddb.scan(TableName=settings.table_name("main"))["Items"][0]
    assert item["pk"]["S"] == "OUTBOX" and int(item["expires_at"]["N"]) > clock.now.timestamp()
    clock.now += timedelta(hours=23, seconds=30)
    assert [m.text for m in outbox.recent()] == ["second"]
    text = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("portal"))
    assert "138****8000" in text and PHONE not in text


def test_dev_outbox_shows_the_local_messages_newest_first(
    auth: AuthActions, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    make_owner(ddb, settings, PHONE, "王芳", ("lanting", "2", "1-1503"))
    client = auth.client()
    assert client.get("/api/dev/outbox").json == []
    res = client.post("/api/auth/code", json={"phone": PHONE}, headers=auth.same_origin)
    assert res.status_code == 200
    clock.now += timedelta(minutes=2)
    body = {"phone": PHONE, "lang": "en"}
    assert client.post("/api/auth/code", json=body, headers=auth.same_origin).status_code == 200
    res = client.get("/api/dev/outbox")
    assert res.status_code == 200
    messages = res.json
    assert [m["phone"] for m in messages] == [PHONE, PHONE]
    assert messages[0]["at"] == "2026-11-22T02:02:00Z" and "sign-in code" in messages[0]["text"]
    assert "验证码" in messages[1]["text"] and messages[0]["channel"] == "sms"
    assert client.get("/api/dev/outbox?limit=1").json == messages[:1]
    res = client.get("/api/dev/outbox?limit=0")
    assert res.status_code == 400 and res.json["error"]["code"] == "invalid_input"


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_dev_routes_do_not_exist_outside_local_stages(
    make_app: Callable[..., Any], stage: str
) -> None:
    app = make_app(stage=stage, site_url="https://portal.example.cn", phone_hash_key=b"k" * 32)
    res = app.test_client().get("/api/dev/outbox")
    body: Any = res.json
    assert res.status_code == 404 and body["error"]["code"] == "not_found"


def test_the_signature_is_the_registered_one_else_the_company_name_and_a_bad_one_is_a_file_error(
    tmp_path: Path,
) -> None:
    source = (ROOT / "site" / "content" / "company.yaml").read_text(encoding="utf-8")
    company, errors = load_company(ROOT / "site" / "content")
    assert errors == [] and company is not None and company.signature() == "常青藤物业"
    for value, ok in (("常青藤物业", True), ("EvergreenPM", True), ("常", False),
                      ("长沙常青藤物业服务有限公司", False), ("【常青藤物业】", False)):  # fmt: skip
        folder = tmp_path / value
        folder.mkdir()
        (folder / "company.yaml").write_text(
            source.replace("sms_signature: 常青藤物业", f"sms_signature: {value}"), encoding="utf-8"
        )
        got, errs = load_company(folder)
        assert got is not None  # the rest of the file is still read
        if ok:
            assert errs == [] and got.signature() == value
        else:
            line = next(n for n, text in enumerate(source.splitlines(), 1)
                        if text.startswith("  sms_signature:"))  # fmt: skip
            assert [(e.line, e.code) for e in errs] == [(line, "bad_sms_signature")], value
            assert got.signature() == got.name.zh  # signed with the name meanwhile
    unsigned = source.replace("  sms_signature: 常青藤物业\n", "")
    (tmp_path / "none").mkdir()
    (tmp_path / "none" / "company.yaml").write_text(unsigned, encoding="utf-8")
    got, errs = load_company(tmp_path / "none")
    assert errs == [] and got is not None and got.signature() == "长沙常青藤物业服务有限公司"
    assert company_from(company_item(got), []).sms_signature == ""
    assert company_from(company_item(company), []).signature() == "常青藤物业"
