"""Fixtures shared by every suite.

Unit tests use moto (in-process); integration tests use DynamoDB Local
(``tests/integration/conftest.py``). Both create tables from the one set of
definitions in ``portal.store.tables``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from portal.settings import Settings
from portal.store.bootstrap import ensure_tables


@pytest.fixture
def settings(tmp_path: Any) -> Settings:
    return Settings(stage="test", table_prefix="portal-test-", build_dir=tmp_path / "site")


@pytest.fixture
def moto_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from moto import mock_aws

    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(k, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-east-1")
    with mock_aws():
        yield


@pytest.fixture
def ddb(moto_aws: None, settings: Settings) -> Any:
    """A moto DynamoDB client with every table created from its definition."""
    from portal.store.client import dynamodb_client

    client = dynamodb_client(settings)
    ensure_tables(client, settings.table_prefix)
    return client
