"""Routes of the `auth_owner` resource (being built)."""

from __future__ import annotations

from functions.blueprints import api_blueprint

bp = api_blueprint("auth_owner", __name__)
