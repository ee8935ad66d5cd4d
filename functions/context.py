"""Per-application state: the settings and a lazily-created DynamoDB client.

The state lives in ``app.extensions["portal"]`` so that several apps (one per
test) can coexist in one process. The client is created on first use, not at
import time: a Lambda cold start that only serves ``/api/openapi.json`` never
builds one, and tests can create the app before moto is active.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from portal.clock import Clock, system_clock
from portal.settings import Settings
from portal.store.client import dynamodb_client

EXTENSION = "portal"


@dataclass
class PortalState:
    settings: Settings
    client_factory: Callable[[Settings], Any] = dynamodb_client
    clock: Clock = system_clock  # tests replace it to move time without sleeping
    _dynamodb: Any = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def dynamodb(self) -> Any:
        """The DynamoDB client, created once (thread-safe) on first use."""
        if self._dynamodb is None:
            with self._lock:
                if self._dynamodb is None:
                    self._dynamodb = self.client_factory(self.settings)
        return self._dynamodb


def init_app(app: Flask, settings: Settings) -> PortalState:
    state = PortalState(settings)
    app.extensions[EXTENSION] = state
    return state


def portal_state(app: Flask | None = None) -> PortalState:
    state = (app or current_app).extensions[EXTENSION]
    assert isinstance(state, PortalState)
    return state


def settings() -> Settings:
    """The settings of the application serving the current request."""
    return portal_state().settings


def dynamodb() -> Any:
    """The DynamoDB client of the application serving the current request."""
    return portal_state().dynamodb
