"""Fixtures of the unit tests: the API on moto with a clock the test controls, signing in,
and the upload service on moto's S3."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from functions import context
from functions.app import create_app
from portal.settings import Settings
from portal.store.objects import Bucket
from portal.uploads.service import UploadService
from portal.wiring import Clients, Services
from tests.factories import FakeClock
from tests.support.auth import FAST_HASHING, SITE_URL, AuthActions


@pytest.fixture(scope="session")
def _shared_app() -> Any:
    """One API for the session's tests: building one (routes, OpenAPI models) costs ~10 ms.

    Each test gives it fresh per-app state (:func:`functions.context.init_app`): its own
    settings and services (tables, clock). Tests that add routes or need a second
    instance use ``make_app``.
    """
    return create_app(Settings(stage="test", site_url=SITE_URL))


@pytest.fixture
def app(_shared_app: Any, services: Services) -> Iterator[Any]:
    """The API on the test's services: tables in moto, time under the test's control."""
    context.init_app(_shared_app, services.settings, services)
    yield _shared_app
    _shared_app.extensions.pop(context.EXTENSION, None)  # nothing of this test's reaches the next


@pytest.fixture
def make_app(services: Services, ddb: Any, clock: FakeClock) -> Callable[..., Any]:
    """Build another API on this test's tables and clock (``make_app(stage="dev")`` changes
    settings). Several apps share the store as several Lambda instances do."""

    def make(**changes: Any) -> Any:
        cfg = services.settings.with_(**changes)
        return create_app(
            cfg, Services(cfg, Clients(cfg, dynamodb=ddb), clock, password_hashing=FAST_HASHING)
        )

    return make


@pytest.fixture
def auth(app: Any, services: Services) -> AuthActions:
    """Sign clients of ``app`` in: ``auth.owner(phone)``, ``auth.staff(username, *roles)``,
    ``auth.login(username, password)`` (see :mod:`tests.support.auth`)."""
    return AuthActions(app, services)


@pytest.fixture(scope="session")
def _moto_s3_client(_moto_session: None) -> Any:
    """One moto S3 client for the session (an S3 client costs ~0.15 s to build)."""
    from portal.store.client import s3_client

    return s3_client(Settings(stage="test"))


@pytest.fixture
def uploads_bucket(moto_aws: None, _moto_s3_client: Any, settings: Settings) -> Bucket:
    """The uploads bucket in moto (forgotten after the test)."""
    _moto_s3_client.create_bucket(
        Bucket=settings.uploads_bucket,
        CreateBucketConfiguration={"LocationConstraint": settings.aws_region},
    )
    return Bucket(_moto_s3_client, settings.uploads_bucket)


@pytest.fixture
def uploads(uploads_bucket: Bucket, clock: FakeClock) -> UploadService:
    """The upload service on moto's S3, keys dated by the test's clock."""
    return UploadService(uploads_bucket, clock)
