"""Routes declared once: validated at run time by their pydantic models, documented on demand.

A view declares its inputs as pydantic models in its signature (``path: OrderPath``,
``query: Page``, ``body: RepairRequest``, ``form: PhotoForm``) and its answers in
``responses=``, exactly as with flask-openapi3's ``APIBlueprint``, and the same models
serve both purposes:

- **at run time** :class:`ApiBlueprint` (a plain Flask ``Blueprint``) parses the request
  into those models itself, with flask-openapi3's rules (:mod:`functions.request_parts`),
  and answers a request that fails them with :func:`functions.errors.validation_error_response`;
- **the OpenAPI document** is built by flask-openapi3 from the declarations that each
  blueprint keeps (:class:`Route`), when ``/api/openapi.json`` is first asked for
  (:mod:`functions.openapi`).

Why not flask-openapi3's blueprint at run time: importing it builds its ~80 pydantic models
of the OpenAPI specification and each route's JSON schemas, about a third of a cold
start, on every Lambda instance, for a document that almost no request reads
(``bench/cold_start.py``; issue 13 of the production shape).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, get_type_hints

from flask import Blueprint
from pydantic import BaseModel, ValidationError

from functions import request_parts

PARTS = ("path", "query", "form", "body")
"""The parts of a request a view may declare a model for (flask-openapi3's names)."""

UNSUPPORTED = ("header", "cookie", "raw")
"""flask-openapi3 parts this API does not use: declaring one is an error at import."""

View = TypeVar("View", bound=Callable[..., Any])
Responses = dict[Any, Any] | None
"""``{status: model}`` of an operation's answers, for the document only."""


class Decorator(Protocol):
    """Declares a view: returns it unchanged (the Flask view is a validating wrapper)."""

    def __call__(self, func: View, /) -> View: ...


@dataclass(frozen=True)
class Route:
    """One operation as declared: what the document is built from."""

    method: str
    rule: str
    func: Callable[..., Any]
    responses: Responses


def request_models(func: Callable[..., Any]) -> dict[str, type[BaseModel]]:
    """``{part: model}`` of a view's signature (annotations resolved as flask-openapi3 does)."""
    hints = get_type_hints(func)
    bad = [name for name in UNSUPPORTED if name in hints]
    if bad:
        raise TypeError(f"{func.__qualname__}: request part(s) {bad} are not supported")
    return {part: hints[part] for part in PARTS if part in hints}


def _validating(func: Callable[..., Any]) -> Callable[..., Any]:
    """The Flask view of ``func``: its declared parts parsed into models, then ``func``."""
    models: dict[str, type[BaseModel]] | None = None

    @functools.wraps(func)
    def view(**path_args: Any) -> Any:
        nonlocal models
        if models is None:  # on first use: a cold start resolves only the views it serves
            models = request_models(func)
        from functions.errors import validation_error_response

        kwargs: dict[str, Any] = {}
        try:
            for part, model in models.items():
                kwargs[part] = request_parts.parse(part, model, path_args)
        except ValidationError as exc:
            return validation_error_response(exc)
        kwargs.update(path_args)  # what the path model did not consume, as flask-openapi3 does
        return func(**kwargs)

    return view


class ApiBlueprint(Blueprint):
    """A blueprint whose routes validate their models and are kept for the document."""

    def __init__(self, name: str, import_name: str, *, url_prefix: str) -> None:
        super().__init__(name, import_name, url_prefix=url_prefix)
        self.routes: list[Route] = []

    def _declare(self, method: str, rule: str, responses: Responses) -> Decorator:
        def decorator(func: View) -> View:
            self.routes.append(Route(method, rule, func, responses))
            self.add_url_rule(rule, view_func=_validating(func), methods=[method])
            return func

        return decorator

    # Flask's own get/post/... take route options; these take what the document needs.
    def get(self, rule: str, *, responses: Responses = None) -> Decorator:  # type: ignore[override]
        return self._declare("GET", rule, responses)

    def post(self, rule: str, *, responses: Responses = None) -> Decorator:  # type: ignore[override]
        return self._declare("POST", rule, responses)

    def put(self, rule: str, *, responses: Responses = None) -> Decorator:  # type: ignore[override]
        return self._declare("PUT", rule, responses)

    def patch(self, rule: str, *, responses: Responses = None) -> Decorator:  # type: ignore[override]
        return self._declare("PATCH", rule, responses)

    def delete(self, rule: str, *, responses: Responses = None) -> Decorator:  # type: ignore[override]
        return self._declare("DELETE", rule, responses)
