"""Schemathesis against the API, in-process: every operation of ``/api/openapi.json``, as
each identity of ``conftest.py``.

The schema is read from the app's own document, so a route added later is fuzzed
without a line here. Each operation is tried in every generating phase (its examples,
the coverage phase's boundary and invalid values, random fuzzing) with a bounded number
of cases, and every answer must pass:

- ``not_a_server_error``: no 5xx;
- ``status_code_conformance``, ``content_type_conformance``,
  ``response_schema_conformance``, ``response_headers_conformance``: the status is
  documented for the operation, with the documented media type and body;
- ``positive_data_acceptance``: a request the document calls valid is not refused as
  invalid (400/422): a refusal may only be about who asks (401/403), what exists
  (404/409) or a limit (429);
- ``negative_data_rejection``: a request the document calls invalid is refused;
- the other checks schemathesis runs by default (unsupported methods answer 405 with
  ``Allow``, a missing required header is refused...).

Each operation runs every phase as one identity that may make the call; the other
identities it serves get its examples and random cases, and an identity that may not make
it gets the same checks on fewer cases (:mod:`tests.fuzz.depth`). Each depth is a test of
its own, and ``conftest.py`` leaves each (operation, identity) pair to exactly one of them.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.fuzz.conftest import IDENTITIES, Callers
from tests.fuzz.schema import APP, LIGHT_SCHEMA, SCHEMA, SERVED_SCHEMA


def _send_and_check(case: schemathesis.Case, who: str, callers: Callers, bind_app: Any) -> None:
    """Send ``case`` as ``who`` (signed in afresh) and check the answer against the document."""
    bind_app(APP)
    sent = callers.request_for(who)
    response = case.call(headers=sent.headers, cookies=sent.cookies)
    case.validate_response(response, headers=sent.headers)


@pytest.mark.slow
@pytest.mark.parametrize("who", IDENTITIES)
@SCHEMA.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # see conftest.py
def test_every_operation_keeps_its_contract(
    case: schemathesis.Case, who: str, callers: Callers, bind_app: Any, count_cases: None
) -> None:
    _send_and_check(case, who, callers, bind_app)


@pytest.mark.slow
@pytest.mark.parametrize("who", IDENTITIES)
@SERVED_SCHEMA.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_operation_keeps_its_contract_for_each_other_caller_it_serves(
    case: schemathesis.Case, who: str, callers: Callers, bind_app: Any, count_cases: None
) -> None:
    _send_and_check(case, who, callers, bind_app)


@pytest.mark.slow
@pytest.mark.parametrize("who", IDENTITIES)
@LIGHT_SCHEMA.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_operation_refuses_a_caller_it_does_not_serve_within_its_contract(
    case: schemathesis.Case, who: str, callers: Callers, bind_app: Any, count_cases: None
) -> None:
    _send_and_check(case, who, callers, bind_app)
