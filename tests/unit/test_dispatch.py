"""The Lambda's API, built part by part as paths need it, answers as the whole API does."""

from __future__ import annotations

import re
from typing import Any

import pytest
from werkzeug.test import Client

from functions.app import create_app
from functions.blueprints import RESOURCES, for_segment, resources
from functions.dispatch import ApiByResource, segment_of
from portal.settings import Settings
from portal.wiring import Services
from tests.support.auth import ORIGIN

EXTRA_PATHS = ("/api/", "/api/nope", "/api/orders/O-1/nope", "/nope", "/api/openapi.json")
"""Paths no route serves (or that only the whole API serves), asked of both."""


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


def test_segment_of_takes_the_first_segment_after_api() -> None:
    assert segment_of("/api/orders/O-1/callbacks") == "orders"
    assert segment_of("/api/orders") == "orders"
    assert segment_of("/api/") == ""
    assert segment_of("/sandbox-pay/x") == ""


def test_every_route_is_under_a_segment_its_resource_declares(settings: Settings) -> None:
    declared = dict(resources(local=settings.is_local))
    used: dict[str, set[str]] = {module: set() for module in declared}
    for rule, _method, module in _api_rules(settings):
        assert segment_of(rule) in declared[module], (module, rule)
        used[module].add(segment_of(rule))
    # and no resource declares a segment it has no route under
    assert {m: set(s) for m, s in declared.items()} == used


def test_resource_modules_are_listed_once() -> None:
    modules = [module for module, _ in RESOURCES]
    assert len(modules) == len(set(modules))
    assert for_segment("orders") == ("orders", "callbacks")
    assert for_segment("no-such-segment") == ()


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
    assert ("orders", "callbacks") in by_resource.built and None in by_resource.built


def test_a_part_is_built_once_and_shares_the_services(settings: Settings) -> None:
    by_resource = ApiByResource(settings)
    first = by_resource.app_for("/api/orders/O-1")
    assert by_resource.app_for("/api/orders") is first
    assert by_resource.app_for("/api/staff") is not first
    assert {app.extensions["portal"].services for app in (first, by_resource.app_for("/api/staff"))} \
        == {by_resource.services}  # fmt: skip
    assert by_resource.built == [("orders", "callbacks"), ("staff",)]


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

