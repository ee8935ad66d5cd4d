"""Routes of the `auth_staff` resource (being built)."""

from __future__ import annotations

from functions.blueprints import api_blueprint

bp = api_blueprint("auth_staff", __name__)
