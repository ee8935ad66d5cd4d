"""A stand-in for the Lambda python3.12 runtime, run by ``test_lambda_package.py``.

Started as ``python3.12 -S -s -P -B lambda_driver.py`` with the unzipped package as
the working directory and ``PYTHONPATH`` = the package + a folder holding only what
Lambda's runtime provides (boto3, botocore, ...): no site-packages, no project checkout.
It imports the function's handler (``_HANDLER``, as Lambda's runtime does: the
``lambda_handler`` setting, else Zappa's ``handler.lambda_handler``), then reads one JSON
request per line on stdin and writes one JSON answer per line: ``{"event": ...}`` is passed
to the handler (one warm container, as on Lambda), ``{"probe": true}`` answers where the
loaded modules came from and how the generated-code cache served
(:mod:`portal.codecache`). Anything the app prints goes to stderr.

Standard library only: it must not import anything from the test suite.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import traceback
import uuid
from typing import Any

DEFAULT_HANDLER = "handler.lambda_handler"
"""Zappa's, when its ``lambda_handler`` setting names no other."""


class LambdaContext:
    """The attributes of Lambda's context object that Zappa and the app may read."""

    function_name = "owner-portal-dev"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:ap-east-1:123456789012:function:owner-portal-dev"
    memory_limit_in_mb = 512
    log_group_name = "/aws/lambda/owner-portal-dev"
    log_stream_name = "2026/01/01/[$LATEST]0123456789abcdef"

    def __init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        return 28_000


def get_event(path: str, query: dict[str, str] | None = None,
              request_id: str = "r") -> dict[str, Any]:  # fmt: skip
    """An API Gateway (REST, v1 proxy) event for ``GET path`` from outside (what the
    package's build and the cold-start benchmark ask; the tests build theirs with
    :func:`tests.support.api_gateway.api_event`)."""
    return {
        "resource": "/{proxy+}", "path": path, "httpMethod": "GET",
        "headers": {"Host": "x.execute-api.ap-east-1.amazonaws.com"},
        "multiValueHeaders": {"Host": ["x.execute-api.ap-east-1.amazonaws.com"]},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": {"proxy": path[1:]}, "stageVariables": None,
        "requestContext": {"httpMethod": "GET", "path": "/dev" + path, "stage": "dev",
                           "requestId": request_id, "identity": {"sourceIp": "203.0.113.7"},
                           "resourcePath": "/{proxy+}", "accountId": "1", "apiId": "x"},
        "body": None, "isBase64Encoded": False,
    }  # fmt: skip


def probe() -> dict[str, Any]:
    cache = sys.modules.get("portal.codecache")
    names = sorted(
        name
        for name in sys.modules
        if "." not in name and getattr(sys.modules[name], "__file__", None)
    )
    return {
        "python": list(sys.version_info[:3]),
        "sys_path": list(sys.path),
        "modules": {name: sys.modules[name].__file__ for name in names},
        "codecache": {**cache.counts, "missed": cache.missed} if cache else None,
    }


def main() -> None:
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)  # prints of the app land in stderr, never in the answers
    handler: Any = None
    for line in sys.stdin:
        request = json.loads(line)
        try:
            if request.get("probe"):
                answer: dict[str, Any] = {"probe": probe()}
            else:
                if handler is None:  # the cold start: the function's handler, found as
                    # Lambda's runtime finds it (``_HANDLER``: module.function)
                    module, _, name = os.environ.get("_HANDLER", DEFAULT_HANDLER).rpartition(".")
                    handler = getattr(importlib.import_module(module), name)
                answer = {"result": handler(request["event"], LambdaContext())}
        except BaseException:  # reported to the test, which fails with the traceback
            answer = {"exception": traceback.format_exc()}
        answers.write(json.dumps(answer, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
