"""Schemathesis's stateful phase: sequences of calls that feed one answer into the next
(a staff account created, then read, changed, its password reset), as each identity.

The links between operations are inferred by schemathesis from the document itself
(``username`` in an answer → ``{username}`` in a path), so new resources join as their
routes appear. The same checks as :mod:`tests.fuzz.test_api_fuzz` apply to every step.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.fuzz.conftest import IDENTITIES, Callers
from tests.fuzz.schema import APP, SCHEMA

SCENARIOS = 10
"""Sequences per identity, each of at most :data:`STEPS` calls."""
STEPS = 6


@pytest.mark.slow
@pytest.mark.parametrize("who", IDENTITIES)
def test_sequences_of_calls_keep_the_contract(
    who: str, callers: Callers, bind_app: Any, count_cases: None
) -> None:
    bind_app(APP)

    class Workflow(SCHEMA.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            sent = callers.request_for(who)
            return {"headers": sent.headers, "cookies": sent.cookies}

    Workflow.run(
        settings=settings(
            max_examples=SCENARIOS,
            stateful_step_count=STEPS,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
    )
