"""A cold start loads what every request needs, and nothing that only some requests need.

Building the app (what Zappa's handler does on a cold start) in a fresh interpreter must
leave the spreadsheet reader, the payment crypto and the billing ledger unloaded: they are
imported when a request first needs them (bench/cold_start.py measures the time; this
test keeps the property from slipping back in unnoticed, as a merge once did).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
LAZY = ("openpyxl", "cryptography", "portal.xlsx", "portal.billing.ledger",
        "portal.billing.readings", "portal.billing.run", "portal.accounts.roster.importer",
        "argon2", "flask_openapi3")  # fmt: skip
"""Modules only some requests need (imports of a spreadsheet, payments, billing runs,
password hashing, the API document's builder)."""

PROBE = """
import json, sys
from functions.app import create_app
create_app()
print(json.dumps(sorted(sys.modules)))
"""


def _last_json_line(code: str) -> Any:
    """What ``code`` prints last, run in a fresh interpreter as a deployed stage (``dev``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    # a deployed stage: the sandbox provider's page (local and test only) is not even routed
    env.update(PORTAL_STAGE="dev", PORTAL_SITE_URL="https://portal.example.cn",
               PORTAL_PHONE_HASH_KEY="cold-start-probe-phone-hash-key-0123456789")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    return json.loads(out.strip().splitlines()[-1])


def test_building_the_app_loads_no_module_that_only_some_requests_need() -> None:
    loaded = set(_last_json_line(PROBE))
    assert "flask" in loaded and "functions.blueprints.orders" in loaded  # the probe worked
    assert sorted(m for m in LAZY if m in loaded) == []


SERVE_ORDERS = """
import json, sys
from werkzeug.test import Client
from functions.wsgi import app
status = Client(app).get("/api/orders?estate=x").status_code
print(json.dumps({"status": status, "modules": sorted(sys.modules)}))
"""

OTHER_RESOURCES = ("functions.blueprints.callbacks", "functions.blueprints.callbacks_models",
                   "functions.blueprints.publishing", "functions.blueprints.reconcile",
                   "functions.blueprints.collection", "functions.blueprints.bills",
                   "portal.publishing", "portal.finance", "portal.greetings.job",
                   "portal.commitments.service", "flask_openapi3", "argon2", "portal.sourcefile")  # fmt: skip
"""What a request for work orders has no use for: other resources (an order's callback
included: only its own path builds it), the document's builder, password hashing, the
site's sources."""


def test_a_cold_start_builds_only_the_resources_its_request_needs() -> None:
    answer = _last_json_line(SERVE_ORDERS)
    loaded = set(answer["modules"])
    assert answer["status"] == 401  # the probe reached the orders resource's sign-in check
    assert "functions.blueprints.orders" in loaded
    assert sorted(m for m in OTHER_RESOURCES if m in loaded) == []


SERVE_UNKNOWN = """
import json, sys
from werkzeug.test import Client
from functions.wsgi import app
answer = Client(app).get("/api/no-such-resource")
print(json.dumps({"status": answer.status_code, "body": answer.get_json(),
                  "modules": sorted(sys.modules)}))
"""


def test_an_error_before_any_resource_is_built_loads_no_pydantic() -> None:
    answer = _last_json_line(SERVE_UNKNOWN)
    assert answer["status"] == 404 and answer["body"]["error"]["code"] == "not_found"
    assert sorted(m for m in answer["modules"] if m.split(".")[0] == "pydantic") == []


SERVE_ORDERS_COLLECTOR = """
import gc, json
from werkzeug.test import Client
from functions.wsgi import app
status = Client(app).get("/api/orders?estate=x").status_code
print(json.dumps({"status": status, "frozen": gc.get_freeze_count(), "on": gc.isenabled()}))
"""


def test_a_cold_start_keeps_what_it_built_out_of_the_collectors_sight() -> None:
    """What the first request built lives as long as the instance: later collections skip
    it (:func:`portal.collector.keep`), and the collector is on for what requests make."""
    answer = _last_json_line(SERVE_ORDERS_COLLECTOR)
    assert answer["status"] == 401
    assert answer["frozen"] > 10_000 and answer["on"] is True
