"""The Lambda's WSGI application: each part of the API built when a path first needs it.

A Lambda instance serves whatever API Gateway sends it, but each cold start answers one
request, and most instances only ever see a few resources. Building the whole API on
every cold start (every blueprint module, its models, its domain modules, every URL
rule) cost more than the rest of the start together (``bench/cold_start.py``). So
:class:`ApiByResource` looks at the path (``/api/orders/...``: the work orders; an order's
``.../callback``: its callback too), builds a Flask app (:func:`functions.app.create_app`)
with only the resources that serve it (:data:`functions.blueprints.RESOURCES`), keeps it,
and hands it the request. All the apps share one :class:`portal.wiring.Services`: one
DynamoDB client, one set of caches.

Every route that could match a path is in the app built for it (repeated slashes merged,
as the router merges them), so a request gets the same answer as from the whole API (404,
405 and redirects included: a test compares them route by route).
``/api/openapi.json`` gets the whole API. The local server and the tests use the whole
API directly.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

from portal import collector
from portal.settings import Settings
from portal.wiring import Services

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from functions.app import PortalAPI

API = "/api/"
DOCUMENT = "openapi.json"


def under_api(path: str) -> str | None:
    """``orders/O-1`` of ``/api/orders/O-1``; None for a path outside the API."""
    return path[len(API):] if path.startswith(API) else None  # fmt: skip


class ApiByResource:
    """A WSGI application that builds, per group of resources a path needs, that part of the API."""

    def __init__(self, settings: Settings, services: Services | None = None, *,
                 keep_built: bool = False) -> None:  # fmt: skip
        """``keep_built``: this process serves until it ends (a Lambda instance), so what a
        build makes is moved out of the garbage collector's sight (:func:`portal.collector.keep`)."""
        self.settings = settings
        self.keep_built = keep_built
        self.services = services or Services(settings)
        self._apps: dict[tuple[str, ...] | None, PortalAPI] = {}
        self._building = threading.Lock()

    def modules_for(self, path: str) -> tuple[str, ...] | None:
        """The resource modules the path's app holds (``None``: all of them)."""
        from functions.blueprints import for_path, segments_of

        rest = under_api(path)
        if rest is None:
            return ()
        if segments_of(rest) == [DOCUMENT]:
            return None
        return for_path(rest, local=self.settings.is_local)

    def app_for(self, path: str) -> PortalAPI:
        """The app that answers ``path`` (built on first use, then kept)."""
        modules = self.modules_for(path)
        app = self._apps.get(modules)
        if app is None:
            with self._building:
                app = self._apps.get(modules)
                if app is None:
                    # The resources' modules, models and routes live as long as the
                    # instance: collecting while they are made only walks them.
                    with collector.paused():
                        from functions.app import create_app

                        app = create_app(self.settings, self.services, only=modules)
                        self._apps[modules] = app
                        if self.keep_built:
                            collector.keep()
        return app

    @property
    def built(self) -> list[tuple[str, ...] | None]:
        """The module groups built so far (what a cold start paid for)."""
        return list(self._apps)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return self.app_for(environ.get("PATH_INFO", ""))(environ, start_response)
