"""Logging of the API and of the command line: mobile numbers masked at every handler.

:func:`setup_logging` is called by :func:`functions.app.create_app` (on Lambda after
the runtime and Zappa have put their handler on the root logger) and by the
``portal`` command group.

- Every handler of the root logger, and Python's last-resort handler (used when
  there is none), gets :class:`portal.phones.MaskPhonesFilter`: a number that
  slips into a message is redacted before it is written. It is the last line of
  defence only: the code logs masked numbers, and the test suite fails when a
  log record carries a raw one (``tests/conftest.py``).
- The AWS SDK and its HTTP library log at INFO at most, even when the root
  logger is at DEBUG: at DEBUG botocore writes request and response bodies,
  DynamoDB items with names and phone numbers among them.
- The command line (``stream_handler=True``) logs to standard error when nothing
  else is configured, so the local server's request log (werkzeug) passes
  through a masking handler too instead of werkzeug's own.
"""

from __future__ import annotations

import logging

from portal.phones import MaskPhonesFilter, install_log_masking

SDK_LOGGERS: tuple[str, ...] = ("botocore", "boto3", "urllib3", "s3transfer")
"""Loggers kept at INFO or quieter."""


def setup_logging(*, stream_handler: bool = False) -> None:
    """Mask numbers on every root handler and keep the SDK out of DEBUG (idempotent)."""
    root = logging.getLogger()
    if stream_handler and not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        root.addHandler(handler)
    for name in SDK_LOGGERS:
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.INFO:
            logger.setLevel(logging.INFO)
    install_log_masking(root)
    last = logging.lastResort
    if last is not None and not any(isinstance(f, MaskPhonesFilter) for f in last.filters):
        last.addFilter(MaskPhonesFilter())
