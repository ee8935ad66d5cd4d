"""The Lambda function's handler (``lambda_handler`` in ``infra/zappa_settings.json``):
Zappa's own ``handler.lambda_handler``, imported with two things set up first.

- The package's recorded bytecode of generated source and regular expressions
  (:mod:`portal.codecache`) is installed, so the dataclasses, ``TypedDict`` classes,
  named tuples and patterns that boto3, pydantic and the portal declare while they import
  are not parsed and compiled again on every cold start. Without the file (a package built
  by ``zappa package`` alone) nothing changes.
- The garbage collector is paused while Zappa's handler imports boto3, Werkzeug and the
  settings, and what they made is then kept out of later collections
  (:mod:`portal.collector`): like the API's own build, the imports make objects that live as
  long as the instance and almost no cycles.

``zappa update`` sets the function's handler from the setting; keep-warm and scheduled
events reach Zappa's handler through it as well.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from typing import Any

from portal import codecache, collector

codecache.install(os.path.join(os.path.dirname(__file__), codecache.FILE_NAME))

with collector.paused():
    lambda_handler: Callable[[dict[str, Any], Any], Any] = importlib.import_module(
        "handler"  # Zappa's handler.py, at the package root
    ).lambda_handler
collector.keep()
