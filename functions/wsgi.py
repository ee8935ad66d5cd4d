"""The module-level WSGI application Zappa serves (``app_function: functions.wsgi.app``).

It builds each part of the API when a request first needs it
(:class:`functions.dispatch.ApiByResource`); the local server builds the whole API at once.
"""

from __future__ import annotations

from functions.dispatch import ApiByResource
from portal.settings import Settings
from portal.wiring import Services

_settings = Settings.from_env()
app = ApiByResource(_settings, keep_built=True)


def services() -> Services:
    """The services every part of the served API shares (what scheduled jobs and tasks use)."""
    return app.services
