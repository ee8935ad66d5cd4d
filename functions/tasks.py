"""Lambda entry points for work off the request path (:mod:`portal.tasks`).

Zappa's handler calls these with ``(event, context)``:

- :func:`run_task` for ``{"command": "functions.tasks.run_task", "task_id": ...}``, the
  asynchronous invoke a request makes after writing a task
  (:class:`portal.tasks.dispatch.LambdaDispatcher`);
- :func:`run_due` on the schedule in ``infra/zappa_settings.json`` (every minute): the
  sweep that runs whatever a failed dispatch or a failed attempt left behind;
- :func:`climb_ladder` on the schedule too (every minute): the work orders' escalation
  ladder over every estate (:mod:`portal.workorders.ladder`);
- :func:`sweep_payments` on the schedule (every 5 minutes): asks the payment providers
  about payments still pending after 5 minutes, records the paid ones and closes the
  expired ones (:meth:`portal.billing.ledger.Ledger.sweep`).

Both use the services of the one WSGI app the handler has already loaded.
"""

from __future__ import annotations

import logging
from typing import Any

from functions.context import portal_state
from functions.wsgi import app

logger = logging.getLogger(__name__)


def run_task(event: dict[str, Any], context: Any = None) -> str:
    task_id = event.get("task_id")
    if not isinstance(task_id, str):
        logger.warning("run_task without a task id")
        return "skipped"
    return portal_state(app).services.task_runner.run(task_id)


def run_due(event: dict[str, Any] | None = None, context: Any = None) -> dict[str, int]:
    counts = portal_state(app).services.task_runner.run_due()
    if counts:
        logger.info("task sweep: %s", counts)
    return counts


def climb_ladder(event: dict[str, Any] | None = None, context: Any = None) -> int:
    return portal_state(app).services.climb_ladder()


def sweep_payments(event: dict[str, Any] | None = None, context: Any = None) -> dict[str, int]:
    report = portal_state(app).services.sweep_payments()
    if report.checked:
        logger.info("payment sweep: %s", report)
    return {"checked": report.checked, "recorded": report.recorded, "closed": report.closed}
