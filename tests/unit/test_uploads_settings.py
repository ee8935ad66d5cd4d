"""Where uploads go: the bucket setting, the local guard, the one wiring."""

from __future__ import annotations

from typing import Any

import pytest

from portal.settings import ConfigurationError, Settings
from portal.store.client import is_loopback_endpoint
from portal.wiring import Clients, Services
from tests.factories import FakeClock

PROD = {"PORTAL_STAGE": "prod", "PORTAL_SITE_URL": "https://owner-portal.example.cn",
        "PORTAL_PHONE_HASH_KEY": "a-real-secret",
        "PORTAL_ORIGIN_SECRET": "an-origin-secret-of-at-least-32-characters-x"}  # fmt: skip


@pytest.mark.parametrize("stage", ["local", "test"])
def test_the_local_and_test_stages_have_an_uploads_bucket_of_their_own(stage: str) -> None:
    assert Settings.from_env({"PORTAL_STAGE": stage}).uploads_bucket == f"portal-{stage}-uploads"


def test_outside_local_and_test_there_is_no_default_bucket_and_no_upload_service() -> None:
    settings = Settings.from_env(PROD)  # the app still starts: only uploads are refused

    assert settings.uploads_bucket == ""
    with pytest.raises(ConfigurationError, match="PORTAL_UPLOADS_BUCKET"):
        _ = Services(settings, Clients(settings, s3=object())).uploads


def test_the_uploads_bucket_is_read_from_the_environment() -> None:
    settings = Settings.from_env({**PROD, "PORTAL_UPLOADS_BUCKET": "acme-portal-photos"})

    services = Services(settings, Clients(settings, s3=object()))

    assert services.uploads.bucket.name == "acme-portal-photos"


@pytest.mark.parametrize("endpoint", [None, "https://s3.ap-east-1.amazonaws.com",
                                      "http://192.168.1.20:8002"])  # fmt: skip
def test_the_local_stage_uploads_only_to_an_s3_stand_in_on_this_machine(
    endpoint: str | None,
) -> None:
    settings = Settings(stage="local", s3_endpoint=endpoint)

    with pytest.raises(ConfigurationError, match="PORTAL_S3_ENDPOINT"):
        _ = Services(settings, Clients(settings, s3=object())).uploads


def test_the_upload_service_comes_from_the_one_wiring_on_its_s3_client(clock: FakeClock) -> None:
    s3: Any = object()
    settings = Settings(stage="test", uploads_bucket="portal-test-photos")
    wired = Services(settings, Clients(settings, s3=s3), clock)

    assert wired.uploads is wired.uploads
    assert wired.uploads.bucket.client is s3
    assert wired.uploads.bucket.name == "portal-test-photos"
    assert wired.uploads.clock is clock


@pytest.mark.parametrize("endpoint, loopback", [
    ("http://127.0.0.1:8002", True), ("http://localhost:8002", True), ("http://[::1]:8002", True),
    ("https://127.0.0.1", True), ("http://127.0.0.1.evil.example:8002", False),
    ("https://s3.amazonaws.com", False), ("127.0.0.1:8002", False), (None, False), ("", False),
])  # fmt: skip
def test_a_loopback_endpoint_is_one_of_this_machines_names(
    endpoint: str | None, loopback: bool
) -> None:
    assert is_loopback_endpoint(endpoint) is loopback
