"""The Lambda package: its size, and its cold start beside a bare boto3 start.

    .venv/bin/python bench/lambda_package.py [--runs 5]

Builds the package as the test does (``tests/package/lambda_build.py``: a
Python 3.12 runtime-only virtualenv from ``requirements.lock``, then
``zappa package dev``), prints the zipped and unzipped size against the limits
the foundations issue set (20 MiB zipped, 80 MiB unzipped; Lambda's own limit
is 250 MB unzipped), then measures cold starts in fresh Python 3.12 processes
that see only the unzipped package and Lambda's runtime packages:

- ours: import the function's handler (``functions.lambda_entry``, which imports Zappa's
  ``handler``) and answer ``GET /api/openapi.json``
  (imports Flask, flask-openapi3 and the app, builds the app, no DynamoDB call);
- peer: ``import boto3`` and create a DynamoDB client, the least any Python
  Lambda function that uses DynamoDB does.

Ends with one JSON line of figures. Needs a Python 3.12 (``python3.12`` or a
pyenv build) and the PyPI registry for the first build.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.package import lambda_build  # noqa: E402

MiB = 1024 * 1024
LIMIT_ZIP_MIB = 20
LIMIT_UNZIPPED_MIB = 80
CACHE = ROOT / ".local" / "lambda-package"

OURS = """
import importlib, json, time, uuid
t = time.perf_counter()
handler = getattr(importlib.import_module("{module}"), "{function}")
class Context:
    function_name = "owner-portal-dev"; function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:ap-east-1:123456789012:function:owner-portal-dev"
    memory_limit_in_mb = 512; aws_request_id = str(uuid.uuid4())
    log_group_name = "g"; log_stream_name = "s"
    def get_remaining_time_in_millis(self): return 28000
event = {"resource": "/{proxy+}", "path": "/api/openapi.json", "httpMethod": "GET",
         "headers": {"Host": "x.execute-api.ap-east-1.amazonaws.com"},
         "multiValueHeaders": {"Host": ["x.execute-api.ap-east-1.amazonaws.com"]},
         "queryStringParameters": None, "multiValueQueryStringParameters": None,
         "pathParameters": {"proxy": "api/openapi.json"}, "stageVariables": None,
         "requestContext": {"httpMethod": "GET", "path": "/dev/api/openapi.json", "stage": "dev",
                            "requestId": "r", "identity": {"sourceIp": "203.0.113.7"},
                            "resourcePath": "/{proxy+}", "accountId": "1", "apiId": "x"},
         "body": None, "isBase64Encoded": False}
answer = handler(event, Context())
assert answer["statusCode"] == 200, answer
print(json.dumps({"seconds": time.perf_counter() - t}))
"""

PEER = """
import json, time
t = time.perf_counter()
import boto3
boto3.session.Session(region_name="ap-east-1").client("dynamodb")
print(json.dumps({"seconds": time.perf_counter() - t}))
"""


def _cold(python: Path, task: Path, runtime: Path, code: str) -> float:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": f"{task}{os.pathsep}{runtime}",
        "LAMBDA_TASK_ROOT": str(task),
        "AWS_REGION": "ap-east-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "PORTAL_PHONE_HASH_KEY": "bench-phone-hash-key",
    }
    out = subprocess.run(
        [str(python), "-S", "-s", "-P", "-B", "-c", code],
        cwd=task, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if out.returncode != 0:
        raise SystemExit(f"cold start failed:\n{out.stderr[-3000:]}")
    seconds: float = json.loads(out.stdout.strip().splitlines()[-1])["seconds"]
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="cold starts of each (default 5)")
    args = parser.parse_args()

    roots = [Path(os.environ["PYENV_ROOT"])] if os.environ.get("PYENV_ROOT") else []
    roots.append(Path.home() / ".pyenv")
    python, tried = lambda_build.find_python312(roots)
    if python is None:
        raise SystemExit(f"no Python 3.12 found; tried: {'; '.join(tried)}")
    env = lambda_build.runtime_env(ROOT, python, CACHE)
    print(f"runtime virtualenv: {'built' if env.built else 'cached'} in {env.seconds:.1f} s")

    with tempfile.TemporaryDirectory(prefix="lambda-bench-") as tmp:
        work = Path(tmp)
        zip_path = work / "owner-portal-dev.zip"
        start = time.perf_counter()
        lambda_build.zappa_package(env, ROOT, "dev", zip_path, work)
        package_s = time.perf_counter() - start
        task = work / "task"
        with zipfile.ZipFile(zip_path) as archive:
            infos = archive.infolist()
            archive.extractall(task)
        zip_mib = zip_path.stat().st_size / MiB
        unzipped_mib = sum(i.file_size for i in infos) / MiB
        boto_inside = [i.filename for i in infos if i.filename.startswith(("boto3/", "botocore/"))]
        print(f"zappa package dev: {package_s:.1f} s, {len(infos)} files")
        print(f"zipped:   {zip_mib:6.1f} MiB (limit {LIMIT_ZIP_MIB} MiB)")
        print(f"unzipped: {unzipped_mib:6.1f} MiB (limit {LIMIT_UNZIPPED_MIB} MiB; Lambda's 250 MB)")
        print(f"boto3/botocore inside: {len(boto_inside)} files (Lambda provides them)")

        module, function = lambda_build.function_handler(ROOT, "dev")
        code = OURS.replace("{module}", module).replace("{function}", function)
        ours = [_cold(python, task, env.lambda_runtime, code) for _ in range(args.runs)]
        peer = [_cold(python, task, env.lambda_runtime, PEER) for _ in range(args.runs)]
    ours_ms, peer_ms = statistics.median(ours) * 1000, statistics.median(peer) * 1000
    print(f"cold start, median of {args.runs}: ours (handler import + app + first answer) "
          f"{ours_ms:.0f} ms; peer (import boto3 + DynamoDB client) {peer_ms:.0f} ms; "
          f"ratio {ours_ms / peer_ms:.2f}x")  # fmt: skip
    print(json.dumps({
        "zip_mib": round(zip_mib, 2),
        "unzipped_mib": round(unzipped_mib, 2),
        "zip_limit_mib": LIMIT_ZIP_MIB,
        "unzipped_limit_mib": LIMIT_UNZIPPED_MIB,
        "met": zip_mib <= LIMIT_ZIP_MIB and unzipped_mib <= LIMIT_UNZIPPED_MIB and not boto_inside,
        "files": len(infos),
        "cold_start_ms": round(ours_ms),
        "peer_boto3_client_ms": round(peer_ms),
        "cold_start_ratio": round(ours_ms / peer_ms, 2),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
