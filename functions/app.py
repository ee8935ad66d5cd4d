"""The application factory of the HTTP API.

A plain Flask app: one blueprint per resource (:mod:`functions.blueprints`), each route
validating its pydantic models (:mod:`functions.routing`), every error shaped in one
module (:mod:`functions.errors`), and the OpenAPI document built from the same
declarations by flask-openapi3 when it is first asked for (:mod:`functions.openapi`).

Why flask-openapi3 for the document (and not spectree or hand-written JSON): it is
pydantic-v2 native, so the document and the validation come from one set of models; why
not at run time: importing it and describing every route cost about a third of a cold
start (``bench/cold_start.py``), for a document that almost no request reads.
"""

from __future__ import annotations

import threading
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, jsonify
from flask.json.provider import DefaultJSONProvider

from functions import auth, context, edge, errors, openapi, request_id
from functions.blueprints import blueprints
from portal.logs import setup_logging
from portal.settings import Settings
from portal.wiring import Services

if TYPE_CHECKING:
    from functions.routing import ApiBlueprint


class _JSONProvider(DefaultJSONProvider):
    ensure_ascii = False  # Chinese text as UTF-8, not \uXXXX escapes: smaller and readable


class PortalAPI(Flask):
    """The API app: its resources' blueprints, and their OpenAPI document on demand."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.api_blueprints: list[ApiBlueprint] = []
        self._document: dict[str, Any] | None = None
        self._documenting = threading.Lock()

    def register_api(self, bp: ApiBlueprint) -> None:
        self.register_blueprint(bp)
        self.api_blueprints.append(bp)

    @property
    def api_doc(self) -> dict[str, Any]:
        with self._documenting:
            if self._document is None:
                self._document = openapi.build_document(self.api_blueprints)
            return self._document


def _default_headers(response: Response) -> Response:
    # API answers are per-owner and change: never let CloudFront or a browser cache them
    # unless a view says otherwise.
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def create_app(settings: Settings | None = None, services: Services | None = None, *,
               only: Collection[str] | None = None) -> PortalAPI:  # fmt: skip
    """Build the API; ``settings`` default to :meth:`Settings.from_env`, ``services`` to the
    wiring's for those settings (tests pass their own clients and clock through it).

    ``only`` limits it to some resources (modules of :data:`functions.blueprints.RESOURCES`):
    what the Lambda builds for the paths it has been asked for (:mod:`functions.dispatch`).
    """
    setup_logging()
    app = PortalAPI(__name__)
    app.json = _JSONProvider(app)
    cfg = settings or (services.settings if services else Settings.from_env())
    context.init_app(app, cfg, services)
    request_id.init_app(app)
    edge.init_app(app)  # before anything reads the body, the session or the CSRF token
    errors.init_app(app)
    auth.init_app(app)
    app.after_request(_default_headers)

    for bp in blueprints(local=cfg.is_local, only=only):
        app.register_api(bp)
    if cfg.is_local:  # the stand-in payment provider's page: not routed in dev and prod
        from functions import sandbox_pay

        app.register_blueprint(sandbox_pay.bp)

    def openapi_json() -> Response:
        return jsonify(app.api_doc)

    app.add_url_rule(openapi.DOC_PATH, "openapi_json", openapi_json, methods=["GET"])
    return app
