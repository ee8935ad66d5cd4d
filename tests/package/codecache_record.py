"""Record the generated source a cold start of the whole API compiles (:mod:`portal.codecache`).

Run by :func:`tests.package.lambda_build.add_codecache` as
``python3.12 -S -s -B codecache_record.py OUT`` with the unzipped package as the working
directory and ``PYTHONPATH`` = the package + Lambda's runtime, as ``lambda_driver.py`` is.
Inside :func:`portal.codecache.recording` it imports the function's handler
(``functions.lambda_entry``), asks for the OpenAPI document (which builds every resource of
the API and the schema of every model), a resource's list without a session and an unknown
path, and imports the scheduled jobs' module, then writes what was compiled to ``OUT``.
Anything a cold start compiles that this did not is compiled as before, only slower.

Standard library and the package only: it must not import anything from the test suite.
"""

from __future__ import annotations

import importlib
import sys

from lambda_driver import LambdaContext, get_event

ASKED = (
    ("/api/openapi.json", None, 200),  # every resource of the API, every model's schema
    ("/api/orders", {"estate": "lanting"}, 401),  # a request validated, then refused
    ("/api/cold-start-probe", None, 404),  # an error answered from the catalogs
)
"""What the recording asks: ``(path, query, the status it must answer)``."""


def main(out: str) -> int:
    from portal import codecache

    with codecache.recording() as recorded:
        entry = importlib.import_module("functions.lambda_entry")
        answers = [entry.lambda_handler(get_event(path, query, "record"), LambdaContext())
                   for path, query, _ in ASKED]  # fmt: skip
        importlib.import_module("functions.tasks")
    for (path, _, status), answer in zip(ASKED, answers, strict=True):
        if answer.get("statusCode") != status:
            print(f"GET {path} answered {answer.get('statusCode')}, not {status}: "
                  f"{answer.get('body')}", file=sys.stderr)  # fmt: skip
            return 1
    with open(out, "wb") as handle:
        handle.write(codecache.dump(recorded))
    print(len(recorded))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
