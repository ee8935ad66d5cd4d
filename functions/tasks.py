"""Lambda entry points for work off the request path (:mod:`portal.tasks`, :mod:`portal.jobs`).

Zappa's handler calls these with ``(event, context)``:

- :func:`run_task` for ``{"command": "functions.tasks.run_task", "task_id": ...}``, the
  asynchronous invoke a request makes after writing a task
  (:class:`portal.tasks.dispatch.LambdaDispatcher`);
- ``functions.tasks.<entry>`` for every scheduled job of :data:`portal.jobs.JOBS`, on the
  schedule of ``infra/zappa_settings.json`` (generated from the same table): today
  ``run_due`` (the task sweep: whatever a failed dispatch or a failed attempt left
  behind) and ``climb_ladder`` (the work orders' escalation ladder over every estate).
  They are made from the table by the module's ``__getattr__``, so a new job needs no
  code here.

All use the services of the WSGI app the handler has already loaded (:func:`functions.wsgi.services`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from functions.wsgi import services
from portal.jobs import Job, by_entry

logger = logging.getLogger(__name__)

Entry = Callable[..., object]


def run_task(event: dict[str, Any], context: Any = None) -> str:
    task_id = event.get("task_id")
    if not isinstance(task_id, str):
        logger.warning("run_task without a task id")
        return "skipped"
    return services().task_runner.run(task_id)


def _entry(job: Job) -> Entry:
    def run(event: dict[str, Any] | None = None, context: Any = None) -> object:
        result = job.run(services())
        if result:
            logger.info("job %s: %s", job.name, result)
        return result

    run.__name__ = run.__qualname__ = job.entry
    run.__doc__ = f"The scheduled job {job.name!r} ({job.schedule})."
    return run


def __getattr__(name: str) -> Entry:
    """``functions.tasks.<entry>`` of a scheduled job (what Zappa imports and calls)."""
    job = by_entry(name)
    if job is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return _entry(job)
