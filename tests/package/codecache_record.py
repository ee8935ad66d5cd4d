"""Record the generated source a cold start of the whole API compiles (:mod:`functions.codecache`).

Run by :func:`tests.package.lambda_build.add_codecache` as
``python3.12 -S -s -B codecache_record.py OUT`` with the unzipped package as the working
directory and ``PYTHONPATH`` = the package + Lambda's runtime, as ``lambda_driver.py`` is.
Inside :func:`functions.codecache.recording` it imports the function's handler
(``functions.lambda_entry``), asks for the OpenAPI document (which builds every resource of
the API and the schema of every model) and imports the scheduled jobs' module, then
writes what was compiled to ``OUT``.

Standard library and the package only: it must not import anything from the test suite.
"""

from __future__ import annotations

import importlib
import sys

from lambda_driver import LambdaContext

PATH = "/api/openapi.json"
EVENT = {
    "resource": "/{proxy+}", "path": PATH, "httpMethod": "GET",
    "headers": {"Host": "x.execute-api.ap-east-1.amazonaws.com"},
    "multiValueHeaders": {"Host": ["x.execute-api.ap-east-1.amazonaws.com"]},
    "queryStringParameters": None, "multiValueQueryStringParameters": None,
    "pathParameters": {"proxy": PATH[1:]}, "stageVariables": None,
    "requestContext": {"httpMethod": "GET", "path": "/dev" + PATH, "stage": "dev",
                       "requestId": "record", "identity": {"sourceIp": "203.0.113.7"},
                       "resourcePath": "/{proxy+}", "accountId": "1", "apiId": "x"},
    "body": None, "isBase64Encoded": False,
}  # fmt: skip


def main(out: str) -> int:
    from functions import codecache

    with codecache.recording() as recorded:
        entry = importlib.import_module("functions.lambda_entry")
        answer = entry.lambda_handler(EVENT, LambdaContext())
        importlib.import_module("functions.tasks")
    if answer.get("statusCode") != 200:
        print(f"GET {PATH} answered {answer.get('statusCode')}: {answer.get('body')}",
              file=sys.stderr)  # fmt: skip
        return 1
    with open(out, "wb") as handle:
        handle.write(codecache.dump(recorded))
    print(len(recorded))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
