"""The Lambda's API, built part by part as paths need it, answers as the whole API does."""

from __future__ import annotations

import re
from typing import Any

import pytest
from werkzeug.test import Client

from functions.app import create_app
from functions.blueprints import RESOURCES, for_path, resources, segments_of, serves
from functions.dispatch import ApiByResource, under_api
from portal.settings import Settings
from portal.wiring import Services
from tests.support.auth import ORIGIN

EXTRA_PATHS = ("/api/", "/api/nope", "/api/orders/O-1/nope", "/nope", "/api/openapi.json",
               "/api//orders", "/api/orders/lanting//WO-1/callback", "/api/orders/x/y/callback/",
               "/api/orders/x/y/callback/z", "/api/orders/x/callback", "/api/openapi.json/x",
               "/api//openapi.json")  # fmt: skip
"""Paths no route serves, that only the whole API serves, or that the router redirects (a
repeated slash), asked of both."""


def _concrete(rule: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"x-\1", rule)


def _api_rules(settings: Settings) -> list[tuple[str, str, str]]:
    """``(rule, method, module)`` of every API route of the whole app."""
    app = create_app(settings)
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or rule.endpoint == "openapi_json":
            continue
        module = app.blueprints[rule.endpoint.split(".")[0]].import_name.rsplit(".", 1)[-1]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.rule, method, module))
    return found


def test_a_path_is_read_after_api_with_repeated_slashes_merged() -> None:
    assert under_api("/api/orders/O-1/callback") == "orders/O-1/callback"
    assert under_api("/sandbox-pay/x") is None
    assert segments_of("orders//lanting/WO-1/") == ["orders", "lanting", "WO-1"]
    assert serves("orders", ["orders", "lanting", "WO-1"]) and not serves("orders", [])
    assert serves("orders/*/*/callback", ["orders", "lanting", "WO-1", "callback"])
    assert not serves("orders/*/*/callback", ["orders", "lanting", "WO-1"])
    assert not serves("orders/*/*/callback", ["orders", "lanting", "WO-1", "callback", "x"])


def _rule_parts(rule: str) -> list[str]:
    """A route's segments after ``/api/``, each variable as one any-value segment."""
    rest = under_api(rule)
    assert rest is not None, rule
    return segments_of(_concrete(rest))


def test_every_route_is_served_by_a_path_its_resource_declares(settings: Settings) -> None:
    declared = dict(resources(local=settings.is_local))
    used: dict[str, set[str]] = {module: set() for module in declared}
    for rule, _method, module in _api_rules(settings):
        parts = _rule_parts(rule)
        matching = {p for p in declared[module] if serves(p, parts)}
        assert matching, (module, rule)
        used[module] |= matching
        # and the dispatcher builds this resource for it, with whatever else serves it
        assert module in for_path("/".join(parts), local=settings.is_local), (module, rule)
    # and no resource declares a path it has no route under
    assert {m: set(s) for m, s in declared.items()} == used


def test_a_work_order_path_builds_the_callbacks_only_for_an_orders_callback() -> None:
    modules = [module for module, _ in RESOURCES]
    assert len(modules) == len(set(modules))
    assert for_path("orders") == ("orders",)
    assert for_path("orders/lanting/WO-1") == ("orders",)
    assert for_path("orders/lanting/WO-1/callback") == ("orders", "callbacks")
    assert for_path("callbacks/lanting/CB-1") == ("callbacks",)
    assert for_path("no-such-segment") == ()


def _answer(client: Client, method: str, path: str) -> tuple[int, Any]:
    response = client.open(path, method=method, headers={"Origin": ORIGIN})
    body = response.get_json(silent=True)
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return response.status_code, body["error"]["code"]
    return response.status_code, body


@pytest.mark.usefixtures("ddb")
def test_each_path_gets_the_same_answer_from_its_part_as_from_the_whole_api(
    settings: Settings, services: Services
) -> None:
    whole = Client(create_app(settings, services))
    by_resource = ApiByResource(settings, services)
    parts = Client(by_resource)
    asked = [(method, _concrete(rule)) for rule, method, _ in _api_rules(settings)]
    asked += [(method, path) for path in EXTRA_PATHS for method in ("GET", "DELETE")]
    for method, path in asked:
        assert _answer(parts, method, path) == _answer(whole, method, path), (method, path)
    # one app per group of resources, each built once
    assert len(by_resource.built) == len(set(by_resource.built))
    assert ("orders",) in by_resource.built and ("orders", "callbacks") in by_resource.built
    assert None in by_resource.built


def test_a_part_is_built_once_and_shares_the_services(settings: Settings) -> None:
    by_resource = ApiByResource(settings)
    first = by_resource.app_for("/api/orders/O-1")
    assert by_resource.app_for("/api/orders") is first
    assert by_resource.app_for("/api/staff") is not first
    assert {app.extensions["portal"].services for app in (first, by_resource.app_for("/api/staff"))} \
        == {by_resource.services}  # fmt: skip
    assert by_resource.built == [("orders",), ("staff",)]


@pytest.mark.parametrize("keep_built", [False, True])
def test_a_part_is_built_with_the_collector_paused_and_kept_out_of_its_sight_on_lambda(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, keep_built: bool
) -> None:
    """A cold start's resources live as long as the instance: the collector does not walk
    them while they are made (``bench/cold_start.py`` counted 142 collections before the
    first answer, 87 after), and on Lambda (``functions.wsgi``) not afterwards either."""
    import gc

    import functions.app

    during: list[bool] = []
    real = functions.app.create_app

    def watching(*args: Any, **kwargs: Any) -> Any:
        during.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(functions.app, "create_app", watching)
    frozen = gc.get_freeze_count()
    try:
        ApiByResource(settings, keep_built=keep_built).app_for("/api/staff")
        assert during == [False] and gc.isenabled()
        assert (gc.get_freeze_count() > frozen) is keep_built
    finally:
        gc.unfreeze()

