"""Pausing Python's cyclic garbage collector while a process builds what it keeps.

A build (the site's, or the API's on a Lambda cold start) makes many objects that live as
long as the process, or the build, and few reference cycles. Each collection it triggers
walks them and frees almost nothing. Counted with :data:`gc.callbacks`:

- a one-notice ``portal build`` of ``bench/site_build.py``'s 2,000 notices ran 152
  collections, 40–50 ms; now 16, 3–4 ms (the console script's own imports);
- a Lambda cold start answering ``GET /api/orders`` (``bench/cold_start.py``'s package) ran
  142, 58–80 ms; now 87, 20–29 ms, all in Zappa's handler and boto3 before our code runs.

:func:`paused` turns the collector off for such a block and back on after (if it was on),
so cycles made later are still freed; :func:`keep` then moves what the block made out of
the collector's sight for good (:func:`gc.freeze`), for a process that keeps it until it
ends (a Lambda instance): otherwise the first collection after the block walks it all.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """The collector off for the block, and on again after if it was on."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def keep() -> None:
    """Every object alive now is kept out of later collections (they no longer walk it)."""
    gc.freeze()
