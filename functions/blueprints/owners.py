"""Routes of the `owners` resource (being built)."""

from __future__ import annotations

from functions.blueprints import api_blueprint

bp = api_blueprint("owners", __name__)
