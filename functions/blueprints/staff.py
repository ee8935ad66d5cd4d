"""Routes of the `staff` resource (being built)."""

from __future__ import annotations

from functions.blueprints import api_blueprint

bp = api_blueprint("staff", __name__)
