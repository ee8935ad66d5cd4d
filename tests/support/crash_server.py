"""The API as a process of its own, for the crash-safety test of the payment path.

``python -m tests.support.crash_server --port P [--crash-at STEP]`` serves the API
(settings from the environment: the test's DynamoDB Local, table prefix and payment
accounts) on a loopback port, and, given a step, kills itself with SIGKILL the first
time a notification reaches it (no ``finally``, no flush: what a Lambda instance's
sudden death leaves behind):

=======================  ====================================================================
step                     where the process dies
=======================  ====================================================================
``before_transaction``   the ledger has read and built the recording, not yet sent it
``after_transaction``    DynamoDB committed the recording; nothing answered yet
``before_answer``        the ledger returned its answer; the HTTP response is never written
=======================  ====================================================================

Only the test uses it; nothing in the portal knows these steps.
"""

from __future__ import annotations

import argparse
import os
import signal
from collections.abc import Sequence
from typing import Any

from werkzeug.serving import make_server

from functions.app import create_app
from portal.billing.ledger import Ledger
from portal.settings import Settings
from portal.store.table import Table
from portal.wiring import Services

STEPS = ("before_transaction", "after_transaction", "before_answer")


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _records_a_payment(ops: Sequence[Any]) -> bool:
    """A transaction of the ledger's recording (it puts the transaction's de-duplication item)."""
    for op in ops:
        item = getattr(op, "item", None) or {}
        if str(item.get("pk", "")).startswith("PAYTX#"):
            return True
    return False


def arm(step: str, table: Table, ledger: Ledger) -> None:
    """Make the process die at ``step`` (see the module's table)."""
    if step in ("before_transaction", "after_transaction"):
        transact = table.transact

        def dying_transact(ops: Sequence[Any], *args: Any, **kwargs: Any) -> Any:
            recording = _records_a_payment(ops)
            if recording and step == "before_transaction":
                _die()
            result = transact(ops, *args, **kwargs)
            if recording and step == "after_transaction":
                _die()
            return result

        table.transact = dying_transact  # type: ignore[method-assign]
    elif step == "before_answer":
        notify = ledger.notify

        def dying_notify(*args: Any, **kwargs: Any) -> tuple[int, dict[str, str], bytes]:
            notify(*args, **kwargs)
            _die()
            raise AssertionError("unreachable")

        ledger.notify = dying_notify  # type: ignore[method-assign]
    else:
        raise SystemExit(f"unknown step {step!r}: one of {STEPS}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--crash-at", choices=STEPS)
    args = parser.parse_args()
    settings = Settings.from_env()
    services = Services(settings)
    app = create_app(settings, services)
    if args.crash_at:
        arm(args.crash_at, services.table, services.ledger)
    server = make_server("127.0.0.1", args.port, app, threaded=True)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
