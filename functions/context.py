"""Per-application state: the settings and the services of the one wiring.

The state lives in ``app.extensions["portal"]`` so that several apps (one per
test) can coexist in one process. Services (and their AWS clients) are built
on first use by :class:`portal.wiring.Services`, not at import time: a Lambda
cold start that only serves ``/api/openapi.json`` never builds a client, and
tests can create the app before moto is active.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from portal.settings import Settings
from portal.wiring import Services

EXTENSION = "portal"


@dataclass
class PortalState:
    settings: Settings
    services: Services


def init_app(app: Flask, settings: Settings, services: Services | None = None) -> PortalState:
    state = PortalState(settings, services or Services(settings))
    app.extensions[EXTENSION] = state
    return state


def portal_state(app: Flask | None = None) -> PortalState:
    state = (app or current_app).extensions[EXTENSION]
    assert isinstance(state, PortalState)
    return state


def settings() -> Settings:
    """The settings of the application serving the current request."""
    return portal_state().settings


def services() -> Services:
    """The services of the application serving the current request."""
    return portal_state().services
