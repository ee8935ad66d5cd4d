"""A code request must not tell whether a number is an owner's: not by its answer, not by
the store work on its request path (the timing leak of the security issue, finding 2).

The DynamoDB calls of the request path are recorded with a botocore event hook, with the
keys' hashed parts blanked out: a known and an unknown number must cause the same
operations, on the same key shapes, in the same order. Sending happens in a task, after.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from functions.app import create_app
from portal.errors import Unauthenticated
from portal.settings import Settings
from portal.wiring import Clients, Services
from tests.conftest import FAST_HASHING
from tests.factories import FakeClock, make_owner

KNOWN = "13800138000"
UNKNOWN = "13900139000"
_HASHED = re.compile(
    r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}|[0-9a-f]{32}"
)


class RecordingDispatcher:
    def __init__(self) -> None:
        self.notified: list[str] = []

    def notify(self, task_id: str) -> None:
        self.notified.append(task_id)


class CallLog:
    """Every DynamoDB call of a client: operation, and each key with hashes blanked."""

    def __init__(self, client: Any) -> None:
        self.calls: list[tuple[str, str]] = []
        client.meta.events.register("before-call.dynamodb.*", self._record)

    def _record(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        body = params.get("body", b"")
        shape = _HASHED.sub("<h>", body.decode() if isinstance(body, bytes) else str(body))
        shape = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ#[0-9a-f]{32}", "<task>", shape)
        self.calls.append((model.name, shape))

    def take(self) -> list[tuple[str, str]]:
        calls, self.calls = self.calls, []
        return calls


@pytest.fixture
def world(
    ddb: Any, settings: Settings, clock: FakeClock
) -> Iterator[tuple[Any, CallLog, RecordingDispatcher, Services]]:
    make_owner(ddb, settings, KNOWN, "王芳", ("lanting", "2", "1-1503"))
    dispatcher = RecordingDispatcher()
    # The stage's own sender, the outbox in DynamoDB: a send on the request path would show.
    services = Services(settings, Clients(settings, dynamodb=ddb), clock,
                        password_hashing=FAST_HASHING, dispatcher=dispatcher)  # fmt: skip
    app = create_app(settings, services)
    log = CallLog(ddb)
    yield app.test_client(), log, dispatcher, services


def _ask(client: Any, settings: Settings, phone: str) -> Any:
    return client.post("/api/auth/code", json={"phone": phone},
                       headers={"Origin": settings.site_origin})  # fmt: skip


def test_probing_a_known_and_an_unknown_number_costs_the_same_dynamodb_calls(
    world: tuple[Any, CallLog, RecordingDispatcher, Services], settings: Settings
) -> None:
    client, log, dispatcher, _ = world
    known = _ask(client, settings, KNOWN)
    known_calls = log.take()
    unknown = _ask(client, settings, UNKNOWN)
    unknown_calls = log.take()
    assert known.status_code == unknown.status_code == 200
    assert known.json == unknown.json
    assert [op for op, _ in known_calls] == ["UpdateItem", "UpdateItem", "TransactWriteItems"]
    assert known_calls == unknown_calls  # same operations, same key shapes, same order
    assert len(dispatcher.notified) == 2  # and each dispatched one task


def test_the_sms_goes_out_from_the_task_and_only_to_a_known_number(
    world: tuple[Any, CallLog, RecordingDispatcher, Services], settings: Settings
) -> None:
    client, _, dispatcher, services = world
    _ask(client, settings, KNOWN)
    _ask(client, settings, UNKNOWN)
    assert services.outbox.recent() == []  # nothing is sent on the request path
    outcomes = [services.task_runner.run(task_id) for task_id in dispatcher.notified]
    assert outcomes == ["done", "done"]
    sent = services.outbox.recent()
    assert [m.phone for m in sent] == [KNOWN]
    assert services.owner_sign_in.verify(KNOWN, _code(sent[0].text)).phone == KNOWN


def test_a_delivery_run_twice_sends_twice_and_only_the_newest_code_works(
    world: tuple[Any, CallLog, RecordingDispatcher, Services], settings: Settings, clock: FakeClock
) -> None:
    client, _, dispatcher, services = world
    _ask(client, settings, KNOWN)
    services.owner_sign_in.deliver({"owner_id": _owner_id(services), "lang": "zh-CN"})
    clock.now += timedelta(seconds=1)
    services.task_runner.run(dispatcher.notified[0])  # the dispatch arrives after a retry
    sent = services.outbox.recent()
    assert len(sent) == 2  # at least once: a second run is harmless
    second, first = (_code(m.text) for m in sent)  # newest first
    if first != second:  # (one in a million they are equal)
        with pytest.raises(Unauthenticated):
            services.owner_sign_in.verify(KNOWN, first)
    assert services.owner_sign_in.verify(KNOWN, second).phone == KNOWN


def _code(text: str) -> str:
    match = re.search(r"(?<!\d)\d{6}(?!\d)", text)
    assert match
    return match.group(0)


def _owner_id(services: Services) -> str:
    owner = services.owners.by_phone(KNOWN)
    assert owner is not None
    return owner.owner_id
