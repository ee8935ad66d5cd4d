"""The `portal` command line: the main group, and one module per command group.

Each command is a thin wrapper: the work lives in the module it imports, and
imports are lazy so that `portal build` starts fast. ``portal dev`` is added
by the console script (:mod:`functions.local.command`), since it serves the
HTTP layer.
"""

from __future__ import annotations

import importlib

import click

_COMMANDS: dict[str, str] = {
    "build": "site", "publish": "site", "seed": "site", "staff": "staff", "owners": "owners",
    "estates": "estates", "kpi": "kpi", "jobs": "jobs", "infra": "infra", "doctor": "doctor",
    "billing": "billing", "finance": "finance", "collection": "collection", "notices": "notices",
    "kpi-publish": "kpi",
}  # fmt: skip
"""Command name → the module of ``portal.cli`` that registers it, imported when it is used."""


class Finished(SystemExit):
    """A command's end after which its process has nothing left to tidy (``portal build``: its
    workers joined, its files written and closed).

    The console script (:func:`functions.local.command.run`) then ends the process at once,
    its output flushed and its logs closed, without the interpreter's teardown, which frees
    what the command made one object at a time (about 40 ms after a one-notice rebuild of
    2,000 notices, ``bench/site_build.py``). Anywhere else (click's test runner, a caller
    of :data:`main`) it is the ordinary exit with its code."""


FINISHING = frozenset({"build"})
"""The commands that end with :class:`Finished`. The console script runs them with the cyclic
garbage collector off from the start (:mod:`portal.collector`): their process ends with
them, and what they make lives until then."""


class _LazyGroup(click.Group):
    """Imports a command's module only when that command runs (or help lists them all), so
    ``portal build`` does not pay for boto3, the payment providers and the rest."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(_COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in _COMMANDS:
            module = importlib.import_module(f"portal.cli.{_COMMANDS[cmd_name]}")
            module.register(self)
        return super().get_command(ctx, cmd_name)


@click.group(cls=_LazyGroup)
def main() -> None:
    """Owner portal: build and publish the site, run it locally, load demo data."""
    from portal.logs import setup_logging

    setup_logging(stream_handler=True)


if __name__ == "__main__":
    main()
