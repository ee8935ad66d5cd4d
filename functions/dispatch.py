"""The Lambda's WSGI application: each part of the API built when a path first needs it.

A Lambda instance serves whatever API Gateway sends it, but each cold start answers one
request, and most instances only ever see a few resources. Building the whole API on
every cold start (every blueprint module, its models, its domain modules, every URL
rule) cost more than the rest of the start together (``bench/cold_start.py``). So
:class:`ApiByResource` looks at the first segment of the path (``/api/orders/...`` →
``orders``), builds a Flask app (:func:`functions.app.create_app`) with only the resources
whose paths start there (:data:`functions.blueprints.RESOURCES`), keeps it, and hands it
the request. All the apps share one :class:`portal.wiring.Services`: one DynamoDB client,
one set of caches.

Every route of a segment is in the app built for it, so a request gets the same answer
as from the whole API (404 and 405 included: a test compares them route by route).
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


def segment_of(path: str) -> str:
    """``orders`` of ``/api/orders/O-1``; ``""`` for a path outside the API."""
    if not path.startswith(API):
        return ""
    return path[len(API):].split("/", 1)[0]  # fmt: skip


class ApiByResource:
    """A WSGI application that builds, per first path segment, the part of the API it needs."""

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
        from functions.blueprints import for_segment

        segment = segment_of(path)
        if segment == DOCUMENT:
            return None
        return for_segment(segment, local=self.settings.is_local)

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
