"""Sign-in code limits under concurrency, on DynamoDB Local (real conditional writes).

Each thread has its own DynamoDB client, like separate Lambda instances: the
limits must hold in the store, not in any process's memory.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest

from functions.app import create_app
from portal.accounts.signin.owner import MAX_TRIES
from portal.errors import RateLimited, Unauthenticated
from portal.settings import Settings
from portal.store.client import dynamodb_client
from tests.factories import FakeClock, RecordingSender, make_owner, wired
from tests.support.auth import ORIGIN
from tests.support.concurrency import run_together

PHONE = "13800138000"



def _code_of(text: str) -> str:
    match = re.search(r"\d{6}", text)
    assert match
    return match.group(0)


def test_twenty_concurrent_wrong_guesses_get_exactly_five_evaluated_attempts(
    ddb: Any, settings: Settings
) -> None:
    make_owner(ddb, settings, PHONE, "王芳", ("lanting", "2", "1-1503"))
    clock, sender = FakeClock(), RecordingSender()
    wired(ddb, settings, clock, sender, with_estates=False).owner_sign_in.request(PHONE)
    code = _code_of(sender.sent[0][1])
    guesses = [f"{(int(code) + 1 + i) % 1_000_000:06d}" for i in range(20)]

    def guess(i: int) -> str:
        codes = wired(dynamodb_client(settings), settings, clock, sender
        ).owner_sign_in
        try:
            codes.verify(PHONE, guesses[i])
        except (Unauthenticated, RateLimited) as exc:
            return exc.code
        return "signed_in"

    outcomes = Counter(run_together(20, guess))
    assert outcomes == {"code_invalid": MAX_TRIES, "code_locked": 20 - MAX_TRIES}
    # The window is used up: even the right code is refused now.
    with pytest.raises(RateLimited):
        wired(ddb, settings, clock, sender, with_estates=False).owner_sign_in.verify(PHONE, code)


def test_two_concurrent_verifies_of_the_right_code_start_exactly_one_session(
    ddb: Any, settings: Settings
) -> None:
    make_owner(ddb, settings, PHONE, "王芳", ("lanting", "2", "1-1503"))
    clock = FakeClock()
    app = create_app(settings, wired(ddb, settings, clock))
    table = settings.table_name("main")
    for _round in range(3):
        setup = app.test_client()
        assert (
            setup.post(
                "/api/auth/code", json={"phone": PHONE}, headers={"Origin": ORIGIN}
            ).status_code
            == 200
        )
        outbox: Any = setup.get("/api/dev/outbox").json
        code = _code_of(outbox[0]["text"])

        def sign_in(_i: int, code: str = code) -> int:
            res = app.test_client().post(
                "/api/auth/verify",
                json={"phone": PHONE, "code": code},
                headers={"Origin": ORIGIN},
            )
            return int(res.status_code)

        statuses = sorted(run_together(2, sign_in))
        assert statuses == [200, 401]  # the loser: code_invalid (401, like a wrong password)
        clock.now += timedelta(minutes=10)  # a fresh attempts window and resend allowed

    sessions = ddb.scan(
        TableName=table,
        FilterExpression="begins_with(pk, :p)",
        ExpressionAttributeValues={":p": {"S": "SESSION#"}},
    )["Items"]
    assert len(sessions) == 3  # one per round
