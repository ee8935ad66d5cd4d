"""Fixtures of the unit tests: the API on moto with a clock the test controls."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from functions.app import create_app
from functions.context import portal_state
from portal.settings import Settings
from tests.factories import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(ddb: Any, settings: Settings, clock: FakeClock) -> Iterator[Any]:
    """The API with its tables in moto and time under the test's control."""
    app = create_app(settings)
    state = portal_state(app)
    state.client_factory = lambda _s: ddb
    state.clock = clock
    yield app
