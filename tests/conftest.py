"""Fixtures shared by every suite.

Unit tests use moto (in-process); integration tests use DynamoDB Local
(``tests/integration/conftest.py``). Both create tables from the one set of
definitions in ``portal.store.tables``.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pytest
from _pytest.nodeid import NodeId

from portal import ROOT
from portal.estates.directory import EstateDirectory
from portal.estates.model import Company
from portal.estates.records import company_items
from portal.estates.sync import read_company
from portal.settings import Settings
from portal.store.table import Table
from portal.store.tables import TABLES
from portal.wiring import Clients, Services
from tests.factories import FakeClock
from tests.support import moto_speed
from tests.support.auth import FAST_HASHING, SITE_URL

moto_speed.install()

_test_number = itertools.count(1)


@pytest.fixture
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Test settings with a table prefix of this test's own (``portal-test-<n>-``).

    ``build_dir`` is a folder of this test's own too, created only if something builds
    there (most tests never do, and a ``tmp_path`` for each would cost a folder per test).
    The site origin (``settings.site_origin``) is the only one allowed to change state.
    """
    n = next(_test_number)
    return Settings(
        stage="test",
        table_prefix=f"portal-test-{n}-",
        site_url=SITE_URL,
        build_dir=tmp_path_factory.getbasetemp() / "site-builds" / str(n),
    )


@pytest.fixture(scope="session")
def _moto_session() -> Iterator[None]:
    """One moto mock for the whole session (per xdist worker), started on first use.

    Starting moto and building a boto3 client cost more than most unit tests, so they
    are paid once; tests are kept apart by their own table prefix and by
    :func:`moto_aws` forgetting every test's AWS state at its teardown.
    """
    from moto import mock_aws

    with pytest.MonkeyPatch.context() as mp:
        for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            mp.setenv(k, "testing")
        mp.setenv("AWS_DEFAULT_REGION", "ap-east-1")
        with mock_aws():
            yield


@pytest.fixture
def moto_aws(_moto_session: None) -> Iterator[None]:
    """AWS (DynamoDB, S3, SNS ...) in moto, empty at the start of the test.

    At teardown every moto backend is reset: the tables, buckets and SMS messages of
    this test are gone, so the mock's state never grows over the session (a reset is
    cheaper than deleting what the test made, and also covers SNS, which has no names
    to keep tests apart).
    """
    from moto.core.base_backend import BackendDict

    yield
    BackendDict.reset()


@pytest.fixture(scope="session")
def _dynamodb_client(_moto_session: None) -> Any:
    """The one moto DynamoDB client of the session (clients cost ~0.1 s to build)."""
    from portal.store.client import dynamodb_client

    return dynamodb_client(Settings(stage="test"))


@pytest.fixture
def ddb(moto_aws: None, _dynamodb_client: Any, settings: Settings) -> Any:
    """A moto DynamoDB client with every table created from its definition (this test's prefix).

    Created directly from the definitions (``portal.store.tables``): moto's tables are
    ACTIVE at once, so :func:`ensure_tables`' waiting and TTL look-ups would only cost
    requests (``test_store_tables`` covers ``ensure_tables`` itself).
    """
    for t in TABLES:
        name = settings.table_name(t.suffix)
        _dynamodb_client.create_table(**t.create_table_kwargs(name))
        if t.ttl_attribute:
            _dynamodb_client.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"AttributeName": t.ttl_attribute, "Enabled": True},
            )
    return _dynamodb_client


@pytest.fixture
def clock() -> FakeClock:
    """Time under the test's control (``clock.now += timedelta(...)``)."""
    return FakeClock()


@pytest.fixture(scope="session")
def demo_company() -> Company:
    """The demo company of ``site/content/company.yaml`` (read once)."""
    return read_company(ROOT / "site" / "content")


def put_estates(table: Table, company: Company) -> None:
    """The company, its estates and buildings in the store (what the estate directory reads);
    units are left out: nothing on the API's path reads them, and they are 1,264 items."""
    table.batch_put([i for i in company_items(company) if i.get("type") != "unit"])


class _TestServices(Services):
    """The one wiring, whose store gets the demo estates when something first reads them.

    Most tests never look at an estate; those that do (staff scope, the roster) find the
    company, estates and buildings in the store, as after ``portal estates sync``.
    """

    def __init__(self, *args: Any, company: Company, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._company = company

    @cached_property
    def estates(self) -> EstateDirectory:
        put_estates(self.table, self._company)
        return EstateDirectory(self.table, self.clock)


@pytest.fixture
def services(ddb: Any, settings: Settings, clock: FakeClock, demo_company: Company) -> Services:
    """Every service from the one wiring, on the test's tables (with the demo estates) and clock."""
    return _TestServices(settings, Clients(settings, dynamodb=ddb), clock,
                         password_hashing=FAST_HASHING, company=demo_company)  # fmt: skip


# --------------------------------------------------------------------------- log capture
#
# Every log record of the test run is captured, in each process (under pytest-xdist each
# worker captures its own), and a test fails when a raw mainland mobile number was logged
# while it ran. The check reads the message as the code wrote it, before any masking
# filter (portal.phones.MaskPhonesFilter, installed by portal.logs) rewrote it: the
# filter is the last line of defence, so the code itself must never log a readable number.
# Levels are those of production (INFO, the AWS SDK at INFO at most), except our own
# loggers at DEBUG: a number logged at DEBUG is one switch away from the production logs.

RAW_MOBILE = re.compile(
    r"(?<![0-9A-Za-z])(?P<cc>(?:\+|00)?86)?(?P<n>1[3-9][0-9]{9})(?![0-9A-Za-z])"
)
"""A mainland mobile number standing alone (not inside a longer run of digits or letters),
with or without its country code (``+86``/``0086``/``86`` glued to it)."""

LOG_LEVELS: dict[str, int] = {
    "": logging.INFO,  # the root logger, as Zappa's "log_level": "INFO" sets it on Lambda
    "portal": logging.DEBUG,
    "functions": logging.DEBUG,
    "werkzeug": logging.DEBUG,
    "botocore": logging.INFO,
    "boto3": logging.INFO,
    "urllib3": logging.INFO,
    "s3transfer": logging.INFO,
}

_RAW = "_raw_msg_and_args"
"""Attribute a record gets at creation: its ``(msg, args)`` before any filter ran."""


@dataclass(frozen=True)
class CapturedLog:
    logger: str
    level: str
    text: str
    """The message as written (``msg % args``), then any exception and stack text."""


@dataclass(frozen=True)
class PhoneLeak:
    logger: str
    level: str
    masked: str
    """The offending text with each raw number masked: safe to print in a test report."""

    def __str__(self) -> str:
        return f"{self.level} {self.logger}: {self.masked}"


def raw_text(record: logging.LogRecord, formatter: logging.Formatter | None = None) -> str:
    """The text of ``record`` as the code wrote it, even if a filter has masked it since."""
    msg, args = getattr(record, _RAW, (record.msg, record.args))
    try:
        text = str(msg) % args if args else str(msg)
    except (TypeError, ValueError, KeyError):
        text = f"{msg!s} {args!r}"
    if record.exc_info:
        text += "\n" + (formatter or logging.Formatter()).formatException(record.exc_info)
    elif record.exc_text:
        text += "\n" + record.exc_text
    if record.stack_info:
        text += "\n" + record.stack_info
    return text


def mask_raw_mobiles(text: str) -> str:
    return RAW_MOBILE.sub(lambda m: f"{m['cc'] or ''}{m['n'][:3]}****{m['n'][-4:]}", text)


def find_phone_leaks(logs: Iterable[CapturedLog]) -> list[PhoneLeak]:
    """The captured messages that carry a raw mobile number."""
    return [
        PhoneLeak(log.logger, log.level, mask_raw_mobiles(log.text))
        for log in logs
        if RAW_MOBILE.search(log.text)
    ]


class RawLogCapture(logging.Handler):
    """A handler that keeps the raw text of every record it is given."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.logs: list[CapturedLog] = []
        self._formatter = logging.Formatter()

    def handle(self, record: logging.LogRecord) -> bool:
        # Recorded before this handler's own filters, so a masking filter added to every
        # root handler (portal.logs) cannot hide anything from it.
        captured = CapturedLog(record.name, record.levelname, raw_text(record, self._formatter))
        with self.lock:  # type: ignore[union-attr]
            self.logs.append(captured)
        return True

    def emit(self, record: logging.LogRecord) -> None:
        self.handle(record)

    def take(self) -> list[CapturedLog]:
        """The logs captured since the last call (and forget them)."""
        with self.lock:  # type: ignore[union-attr]
            taken, self.logs = self.logs, []
        return taken


_capture = RawLogCapture()
_base_factory = logging.getLogRecordFactory()


def _record_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    setattr(record, _RAW, (record.msg, record.args))
    return record


def log_capture() -> RawLogCapture:
    """The capturing handler of this process."""
    return _capture


def install_log_capture() -> None:
    """Capture every record of this process at the levels of :data:`LOG_LEVELS` (idempotent)."""
    if logging.getLogRecordFactory() is not _record_factory:
        logging.setLogRecordFactory(_record_factory)
    root = logging.getLogger()
    if _capture not in root.handlers:
        root.handlers.insert(0, _capture)
    for name, level in LOG_LEVELS.items():
        logger = logging.getLogger(name or None)
        if logger.level != level:
            logger.setLevel(level)


def pytest_configure(config: pytest.Config) -> None:
    install_log_capture()


def pytest_unconfigure(config: pytest.Config) -> None:
    logging.getLogger().removeHandler(_capture)
    if logging.getLogRecordFactory() is _record_factory:
        logging.setLogRecordFactory(_base_factory)


def fail_on_phone_leaks(when: str) -> None:
    """``pytest.fail`` naming each logger and masked message if a raw number was captured."""
    leaks = find_phone_leaks(_capture.take())
    if leaks:
        lines = "\n".join(f"  {leak}" for leak in leaks[:20])
        more = f"\n  ... and {len(leaks) - 20} more" if len(leaks) > 20 else ""
        pytest.fail(
            f"a raw mobile number was logged {when} (shown masked here); "
            f"log it masked (portal.phones.mask):\n{lines}{more}",
            pytrace=False,
        )


@pytest.fixture(scope="session", autouse=True)
def _no_raw_mobile_in_session_logs() -> Iterator[None]:
    yield
    fail_on_phone_leaks("after the last test (by a module or session fixture)")


@pytest.fixture(autouse=True)
def _no_raw_mobile_in_logs() -> Iterator[None]:
    """Fail the test if a raw mobile number was logged since the previous test's check.

    That includes the set-up of module and session fixtures that ran just before it.
    """
    install_log_capture()  # again: a test may have reset the logging configuration
    yield
    fail_on_phone_leaks("during this test or the fixtures set up for it")


FIRST = (
    "tests/package/",
    "tests/browser/test_lighthouse.py",
    "tests/integration/test_ledger_stateful_local.py",
    "tests/integration/test_payments_local.py",
    "tests/browser/test_page_kind_styles.py",
    "tests/fuzz/test_api_stateful.py",
)
"""Started before everything else, longest first, so that no long test is left to the end
while the other workers sit idle (``make test`` runs pytest-xdist with ``--dist loadgroup``:
a worker takes the next test in this order whenever it is nearly done).

Building the Lambda package (a Python 3.12 runtime from PyPI on a fresh machine, then
``zappa package``) waits on the network and on pip more than on the CPU, so it runs while
the other workers work through the rest. The rest of the list is the single tests that take
the longest (a minute or more on a busy CI machine)."""


def _start_rank(item: pytest.Item) -> int:
    for rank, prefix in enumerate(FIRST):
        if item.nodeid.startswith(prefix):
            return rank
    return len(FIRST)


def _name_xdist_groups(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Give each test marked ``xdist_group`` the ``@group`` suffix ``--dist loadgroup`` sends
    by. pytest-xdist 3.8 appends it to ``item._nodeid``, which pytest 9 no longer reads (the
    id is ``item._id``), so every group was spread over the workers: each of three built
    the Lambda package and started its own DynamoDB Local. A no-op once xdist's own works."""
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        names = {str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                 for m in item.iter_markers("xdist_group")}  # fmt: skip
        suffix = "@" + "_".join(sorted(names))
        if names and not item.nodeid.endswith(suffix):
            item._id = NodeId.parse(item.nodeid + suffix)  # type: ignore[attr-defined]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _name_xdist_groups(config, items)
    # Every xdist worker collects alike and sorts alike (a stable sort), so they agree.
    items.sort(key=_start_rank)
