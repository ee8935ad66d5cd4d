"""The OpenAPI document, built by flask-openapi3 from the routes as they are declared.

Why flask-openapi3 builds it (and not hand-written JSON): it is pydantic-v2 native, so
each operation's parameters, bodies and answers are the JSON schemas of the very models
that validate the requests at run time (:mod:`functions.routing`); there is one
description of each payload and the document cannot drift from the code.

It is built when it is first asked for (``GET /api/openapi.json``, or a test reading
``app.api_doc``), by replaying every blueprint's declarations onto flask-openapi3's own
``APIBlueprint`` in a throw-away ``OpenAPI`` app: a Lambda that never serves the document
never imports flask-openapi3 (``bench/cold_start.py``). No documentation UI is served.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from portal.i18n import translate

if TYPE_CHECKING:
    from functions.routing import ApiBlueprint

DOC_PATH = "/api/openapi.json"


def _api_version() -> str:
    try:
        return version("owner-portal")
    except PackageNotFoundError:  # on Lambda the project is copied into the zip, not installed
        return "0"


_BUILT: dict[tuple[tuple[ApiBlueprint, int], ...], dict[str, Any]] = {}
"""The documents this process built, by the blueprints they describe (and how many routes
each had): building one takes seconds of pydantic's schema generation, and every app of
a process (the tests make hundreds) would otherwise build the same document again."""
_BUILDING = threading.Lock()


def build_document(blueprints: Sequence[ApiBlueprint]) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``blueprints``' routes, in their order (a copy of its own
    for each caller: built once per process for the same blueprints)."""
    key = tuple((bp, len(bp.routes)) for bp in blueprints)  # kept alive: no id is reused
    with _BUILDING:
        document = _BUILT.get(key)
        if document is None:
            document = _BUILT[key] = _build(blueprints)
    return copy.deepcopy(document)


def _build(blueprints: Sequence[ApiBlueprint]) -> dict[str, Any]:
    from flask_openapi3.blueprint import APIBlueprint
    from flask_openapi3.models.info import Info
    from flask_openapi3.models.tag import Tag
    from flask_openapi3.openapi import OpenAPI

    from functions import errors
    from functions.blueprints import operation_id
    from functions.error_models import COMMON_RESPONSES, ErrorEnvelope

    describer = OpenAPI(
        __name__,
        info=Info(
            title=translate("api.title", "en"),
            version=_api_version(),
            description=f"{translate('api.description', 'zh-CN')}\n\n"
            f"{translate('api.description', 'en')}",
        ),
        validation_error_status=400,
        validation_error_model=ErrorEnvelope,
        validation_error_callback=errors.validation_error_response,
        security_schemes={},
        doc_ui=False,
    )
    for bp in blueprints:
        described = APIBlueprint(
            bp.name,
            bp.import_name,
            url_prefix=bp.url_prefix,
            abp_tags=[Tag(name=bp.name, description=translate(f"api.tags.{bp.name}", "en"))],
            abp_responses=dict(COMMON_RESPONSES),
            operation_id_callback=operation_id,
        )
        for route in bp.routes:
            declare = getattr(described, route.method.lower())
            declare(route.rule, responses=route.responses)(route.func)
        describer.register_api(described)
    document: dict[str, Any] = describer.api_doc
    return document
