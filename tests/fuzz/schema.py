"""The app under fuzzing and its document as schemathesis reads it (one per process)."""

from __future__ import annotations

import os

import schemathesis

from functions.app import create_app
from functions.openapi import DOC_PATH
from portal.settings import Settings
from tests.fuzz import lazy_coverage, strategies
from tests.support.auth import SITE_URL

MAX_EXAMPLES = int(os.environ.get("PORTAL_FUZZ_EXAMPLES", "8"))
"""Random cases per operation and identity in the fuzzing phase (the examples and coverage
phases add their own, bounded by the document). 8 keeps the whole run (about 100
operations × 4 identities) inside the suite's time; ``PORTAL_FUZZ_EXAMPLES=100`` digs
deeper when there is time (the seed is fixed either way)."""

SEED = 20261122
"""The same cases on every run: CI is reproducible, not a lottery."""


def _config(max_examples: int, coverage: bool) -> schemathesis.Config:
    """Every phase but coverage always (the document's examples, random fuzzing)."""
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {"max-examples": max_examples, "database": "none"},
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": coverage},
                "fuzzing": {"enabled": True},
            },
        }
    )


strategies.register()
lazy_coverage.install()

APP = create_app(Settings(stage="test", site_url=SITE_URL))
"""The app whose document is fuzzed; each test serves it from its own services."""

SCHEMA = schemathesis.openapi.from_wsgi(DOC_PATH, APP, config=_config(MAX_EXAMPLES, True))
"""The document, for the one identity per operation that runs every phase."""

SERVED_SCHEMA = schemathesis.openapi.from_wsgi(DOC_PATH, APP, config=_config(MAX_EXAMPLES, False))
"""The same document, for the other callers an operation serves: the examples and the random
cases (the coverage phase runs once per operation, :mod:`tests.fuzz.depth`)."""

REFUSED_EXAMPLES = 3
"""Random cases per operation for an identity that may not call it (:mod:`tests.fuzz.depth`)."""

LIGHT_SCHEMA = schemathesis.openapi.from_wsgi(
    DOC_PATH, APP, config=_config(REFUSED_EXAMPLES, False)
)
"""The same document, for the callers that may not make a call: examples and a few cases."""
