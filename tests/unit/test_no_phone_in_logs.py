"""The log capture of the test run (tests/conftest.py) and the app's log masking (portal.logs).

Every test of the suite fails when a raw mobile number is logged while it runs;
these tests prove that the check would notice one (they call the checker on
records that never reach the session capture) and that the app masks numbers at
its handlers all the same.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from functions.app import create_app
from portal.logs import SDK_LOGGERS, setup_logging
from portal.phones import MaskPhonesFilter
from portal.settings import Settings
from tests.conftest import (
    LOG_LEVELS,
    CapturedLog,
    RawLogCapture,
    fail_on_phone_leaks,
    find_phone_leaks,
    log_capture,
)

RAW = "13812345678"


class ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def isolated() -> Iterator[tuple[logging.Logger, RawLogCapture]]:
    """A logger of its own (not propagating to the root) with its own capture."""
    logger = logging.getLogger("portal.test_no_phone_in_logs")
    capture = RawLogCapture()
    logger.addHandler(capture)
    logger.propagate = False
    try:
        yield logger, capture
    finally:
        logger.removeHandler(capture)
        logger.propagate = True


def test_a_logger_emitting_a_raw_number_is_reported_with_its_name_and_the_message_masked(
    isolated: tuple[logging.Logger, RawLogCapture],
) -> None:
    logger, capture = isolated
    logger.debug("code sent to %s", RAW)
    (leak,) = find_phone_leaks(capture.take())
    assert leak.logger == "portal.test_no_phone_in_logs" and leak.level == "DEBUG"
    assert leak.masked == "code sent to 138****5678"
    assert RAW not in str(leak)


def test_the_check_reads_the_message_as_written_even_after_a_masking_filter_rewrote_it(
    isolated: tuple[logging.Logger, RawLogCapture],
) -> None:
    logger, capture = isolated
    masking = ListHandler()
    masking.addFilter(MaskPhonesFilter())
    logger.handlers.insert(0, masking)  # runs first and rewrites the record in place
    try:
        logger.info("owner %s at %s", "王芳", RAW)
    finally:
        logger.removeHandler(masking)
    assert masking.lines == ["owner 王芳 at 138****5678"]
    assert [leak.masked for leak in find_phone_leaks(capture.take())] == [
        "owner 王芳 at 138****5678"
    ]


def test_a_raw_number_in_an_exception_message_is_a_leak(
    isolated: tuple[logging.Logger, RawLogCapture],
) -> None:
    logger, capture = isolated
    try:
        raise ValueError(f"no owner for {RAW}")
    except ValueError:
        logger.exception("import failed")
    (leak,) = find_phone_leaks(capture.take())
    assert "ValueError: no owner for 138****5678" in leak.masked


@pytest.mark.parametrize(
    "text",
    [
        "code sent to 138****5678",
        "hotline 0731-8816-3311",
        "order 213812345678 and 1381234567 and 12345678901",
        "owner id a13812345678b",
        "unit lanting/2/1-1503",
    ],
)
def test_masked_numbers_and_other_digit_runs_are_not_leaks(text: str) -> None:
    assert find_phone_leaks([CapturedLog("portal", "INFO", text)]) == []


@pytest.mark.parametrize(
    "text",
    [RAW, f"to:{RAW}.", f"phone={RAW}&x=1", f"手机{RAW}，谢谢", f"+86{RAW}", f"0086{RAW}"],
)
def test_a_raw_number_alone_between_punctuation_or_chinese_or_after_86_is_a_leak(
    text: str,
) -> None:
    (leak,) = find_phone_leaks([CapturedLog("portal", "INFO", text)])
    assert "138****5678" in leak.masked and RAW not in leak.masked


def test_a_test_whose_code_logged_a_raw_number_fails_without_printing_the_number() -> None:
    record = logging.LogRecord("portal.otp", logging.INFO, __file__, 1, "to %s", (RAW,), None)
    log_capture().handle(record)  # as if logged through the root logger during this test
    with pytest.raises(pytest.fail.Exception) as failed:
        fail_on_phone_leaks("during this test")
    assert "INFO portal.otp: to 138****5678" in str(failed.value)
    assert RAW not in str(failed.value)
    assert find_phone_leaks(log_capture().take()) == []  # consumed: this test passes


def test_the_capture_is_on_the_root_logger_of_this_process_at_production_levels() -> None:
    # Under pytest-xdist this runs in a worker: each worker installs its own capture.
    assert log_capture() in logging.getLogger().handlers
    for name, level in LOG_LEVELS.items():
        assert logging.getLogger(name or None).level == level, name
    assert logging.getLogger("botocore.endpoint").getEffectiveLevel() == logging.INFO
    assert logging.getLogger("portal.accounts.signin.owner").isEnabledFor(logging.DEBUG)


@pytest.fixture
def root_handler() -> Iterator[ListHandler]:
    handler = ListHandler()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


def test_the_app_masks_numbers_at_every_root_handler(
    settings: Settings, root_handler: ListHandler
) -> None:
    create_app(settings)
    assert any(isinstance(f, MaskPhonesFilter) for f in root_handler.filters)
    # Handed straight to the handler, as the root logger would: the session capture never
    # sees this record, so the raw number in it does not fail this test.
    record = logging.LogRecord("functions.x", logging.WARNING, __file__, 1, "for %s", (RAW,), None)
    root_handler.handle(record)
    assert root_handler.lines == ["for 138****5678"]


def test_the_app_masks_numbers_at_the_last_resort_handler() -> None:
    setup_logging()
    assert logging.lastResort is not None
    assert any(isinstance(f, MaskPhonesFilter) for f in logging.lastResort.filters)


def test_the_app_keeps_the_aws_sdk_at_info_when_the_root_logger_is_at_debug(
    settings: Settings,
) -> None:
    saved = {name: logging.getLogger(name).level for name in SDK_LOGGERS}
    root_level = logging.getLogger().level
    try:
        logging.getLogger().setLevel(logging.DEBUG)
        for name in SDK_LOGGERS:
            logging.getLogger(name).setLevel(logging.NOTSET)
        create_app(settings)
        for name in SDK_LOGGERS:
            assert logging.getLogger(name).getEffectiveLevel() == logging.INFO, name
    finally:
        logging.getLogger().setLevel(root_level)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def test_the_command_line_logs_to_a_masking_stderr_handler_when_nothing_is_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = logging.getLogger()
    saved: list[Any] = list(root.handlers)
    monkeypatch.setattr(root, "handlers", [])
    try:
        setup_logging(stream_handler=True)
        (handler,) = root.handlers
        assert isinstance(handler, logging.StreamHandler)
        assert any(isinstance(f, MaskPhonesFilter) for f in handler.filters)
    finally:
        monkeypatch.undo()
    assert root.handlers == saved
