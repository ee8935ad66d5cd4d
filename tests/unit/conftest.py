"""Fixtures of the unit tests: the API on moto with a clock the test controls."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from functions.app import create_app
from portal.wiring import Services


@pytest.fixture
def app(services: Services) -> Iterator[Any]:
    """The API on the test's services: tables in moto, time under the test's control."""
    yield create_app(services.settings, services)
