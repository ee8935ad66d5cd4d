"""The application factory of the HTTP API.

Why flask-openapi3 (and not spectree or hand-written validation):

- It is pydantic-v2 native: a view declares its inputs as pydantic models
  (``body: RepairRequest``, ``query: Page``) and its outputs as response models,
  and the same models both validate the request and generate the OpenAPI
  document served at ``/api/openapi.json``. The document cannot drift from the
  code because there is only one description of each payload.
- It stays plain Flask: ``OpenAPI`` is a ``Flask`` subclass and ``APIBlueprint``
  a ``Blueprint``, so Zappa, the test client, error handlers and hooks work as
  usual, and a view is an ordinary function.
- Its ``validation_error_callback`` is one hook for every validation failure,
  so a bad request gets our own error envelope (code ``invalid_input``, messages
  from the catalogs, a ``details`` list) instead of the library's format;
  all other errors are shaped in the same module (:mod:`functions.errors`).
- spectree would also validate and document; we chose flask-openapi3 for the
  three points above: pydantic v2 first, one model for validation and
  document, one callback for the error body.

The document is built by the library; no documentation UI is served (no
Swagger/Redoc assets to ship or keep up to date). It is built on its first request,
not on every cold start (:class:`PortalAPI`,
:class:`functions.blueprints.DocumentedLater`): a Lambda that never serves it never
pays for it (``bench/cold_start.py``).
"""

from __future__ import annotations

import threading
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from flask import Response, jsonify
from flask.json.provider import DefaultJSONProvider
from flask_openapi3.models.info import Info
from flask_openapi3.openapi import OpenAPI

from functions import auth, context, edge, errors, request_id
from functions.blueprints import DocumentedLater, blueprints
from portal.i18n import translate
from portal.logs import setup_logging
from portal.settings import Settings
from portal.wiring import Services

DOC_PREFIX = "/api"
DOC_URL = "/openapi.json"


class _JSONProvider(DefaultJSONProvider):
    ensure_ascii = False  # Chinese text as UTF-8, not \uXXXX escapes: smaller and readable


class PortalAPI(OpenAPI):
    """``OpenAPI`` whose blueprints describe their routes when the document is first built."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.undocumented: list[DocumentedLater] = []
        self._documenting = threading.Lock()

    def register_api(self, api: Any, **options: Any) -> None:
        super().register_api(api, **options)
        if isinstance(api, DocumentedLater):
            self.undocumented.append(api)

    @property
    def api_doc(self) -> dict[str, Any]:
        with self._documenting:
            for api in self.undocumented:
                api.document()  # as register_api would have merged them, in the same order
                for tag in api.tags:
                    if tag.name not in self.tag_names:
                        self.tags.append(tag)
                        self.tag_names.append(tag.name)
                self.paths.update(api.paths)
                self.components_schemas.update(api.components_schemas)
            self.undocumented = []
            doc: dict[str, Any] = OpenAPI.api_doc.fget(self)  # type: ignore[attr-defined]
            return doc


def _api_version() -> str:
    try:
        return version("owner-portal")
    except PackageNotFoundError:  # on Lambda the project is copied into the zip, not installed
        return "0"


def _default_headers(response: Response) -> Response:
    # API answers are per-owner and change: never let CloudFront or a browser cache them
    # unless a view says otherwise.
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def create_app(settings: Settings | None = None, services: Services | None = None) -> PortalAPI:
    """Build the API; ``settings`` default to :meth:`Settings.from_env`, ``services`` to the
    wiring's for those settings (tests pass their own clients and clock through it)."""
    setup_logging()
    app = PortalAPI(
        __name__,
        info=Info(
            title=translate("api.title", "en"),
            version=_api_version(),
            description=f"{translate('api.description', 'zh-CN')}\n\n"
            f"{translate('api.description', 'en')}",
        ),
        validation_error_status=400,
        validation_error_model=errors.ErrorEnvelope,
        validation_error_callback=errors.validation_error_response,
        security_schemes={},
        doc_ui=False,
        doc_prefix=DOC_PREFIX,
        doc_url=DOC_URL,
    )
    app.json = _JSONProvider(app)
    cfg = settings or (services.settings if services else Settings.from_env())
    context.init_app(app, cfg, services)
    request_id.init_app(app)
    edge.init_app(app)  # before anything reads the body, the session or the CSRF token
    errors.init_app(app)
    auth.init_app(app)
    app.after_request(_default_headers)

    for bp in blueprints(local=cfg.is_local):
        app.register_api(bp)
    if cfg.is_local:  # the stand-in payment provider's page: not routed in dev and prod
        from functions import sandbox_pay

        app.register_blueprint(sandbox_pay.bp)

    def openapi_json() -> Response:
        return jsonify(app.api_doc)

    app.add_url_rule(app.doc_prefix + app.doc_url, "openapi_json", openapi_json, methods=["GET"])
    return app
