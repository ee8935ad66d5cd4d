"""Routes of the `dev` resource (being built)."""

from __future__ import annotations

from functions.blueprints import api_blueprint

bp = api_blueprint("dev", __name__)
