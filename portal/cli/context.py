"""The services of one command-line invocation: from the one wiring, built once.

A command asks :func:`services` for them. The caller may hand them over as
click's context object (``main(obj=services)``, ``CliRunner().invoke(main, args,
obj=services)`` in the tests); otherwise they are built from the environment,
once per invocation, by :class:`portal.wiring.Services`.
"""

from __future__ import annotations

import click

from portal.i18n import both
from portal.settings import ConfigurationError, Settings
from portal.wiring import Services


def services() -> Services:
    root = click.get_current_context().find_root()
    if not isinstance(root.obj, Services):
        try:
            # The command line answers no HTTP request: it never needs the origin secret.
            settings = Settings.from_env(serves_api=False)
        except ConfigurationError as exc:  # fail closed, with the reason, not a traceback
            click.echo(both("dev.config_refused", problem=str(exc)), err=True)
            raise SystemExit(2) from None
        root.obj = Services(settings)
    return root.obj
