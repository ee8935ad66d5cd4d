"""The ``portal`` console script: the core's command line plus ``portal dev``.

``portal dev`` runs the Flask app of :mod:`functions` beside the built site,
so it cannot live in :mod:`portal.cli` (``portal`` imports neither
``functions`` nor Flask). This module is the composition: it takes the core's
command group and adds the one command that needs the HTTP layer.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import sys
import threading

from portal import ROOT, codecache

CACHED_COMMANDS = frozenset({"build"})
"""The commands run with :mod:`portal.codecache` installed from and saved to
:func:`codecache_path`, from before this module imports click (one of :data:`FINISHING`: the
cache is saved where such a command ends)."""


def codecache_path() -> str:
    """Where those commands keep the code they compiled from generated source (the checkout's
    git-ignored ``.local/cache``; ``PORTAL_CODECACHE`` names another file)."""
    path = os.environ.get("PORTAL_CODECACHE")
    if path:
        return path
    folder = ROOT / ".local" / "cache"
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
    return str(folder / "codecache-cli.marshal")


CACHED = sys.argv[0].endswith("portal") and sys.argv[1:2] != [] and sys.argv[1] in CACHED_COMMANDS
if CACHED:
    codecache.install(codecache_path(), keep_new=True)

import click  # noqa: E402

from portal.cli import FINISHING, Finished  # noqa: E402
from portal.cli import main as core  # noqa: E402


@click.command()
@click.option("--port", default=8000, show_default=True, help="Port for the site and API.")
@click.option("--dynamodb-port", default=8001, show_default=True,
              help="Port for DynamoDB Local.")
@click.option("--s3-port", default=8002, show_default=True,
              help="Port for the S3 stand-in (photo uploads).")
def dev(port: int, dynamodb_port: int, s3_port: int) -> None:
    """Run everything locally: DynamoDB Local, S3 stand-in, tables, demo data, site and API."""
    from functions.local.server import run_dev

    sys.exit(run_dev(port=port, dynamodb_port=dynamodb_port, s3_port=s3_port))


core.add_command(dev)
main = core


def run() -> None:
    """The console script: :data:`main`, and a command that ends :class:`~portal.cli.Finished`
    ends the process there (its output flushed, its logs closed, no other thread running).
    Such a command (:data:`~portal.cli.FINISHING`) runs with the garbage collector off; one
    of :data:`CACHED_COMMANDS` saves what it compiled: what it imports declares the same
    dataclasses and patterns every time (a clean ``portal build`` of 2,000 notices compiled
    them for about 0.05 s before its workers start, and 0.08 s in the worker that renders the
    account pages), as the Lambda package's cache does for a cold start."""
    if sys.argv[1:2] and sys.argv[1] in FINISHING:
        gc.disable()
    try:
        main(prog_name="portal")
    except Finished as done:
        if threading.active_count() > 1:
            raise
        if CACHED:
            codecache.save(codecache_path())
        code = done.code if isinstance(done.code, int) else 1
        logging.shutdown()
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except OSError:  # a closed pipe: nothing more can be said
            code = code or 1
        os._exit(code)


if __name__ == "__main__":
    run()
