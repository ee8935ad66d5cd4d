"""The Lambda package, built as a deployment builds it and served from the zip alone.

1. A Python 3.12 (Lambda's runtime is python3.12) makes a virtualenv of the runtime
   pins only (``requirements.lock``; cached under ``.local/``), and the real
   ``zappa package dev`` packs it with the project (``lambda_build.py``).
2. The zip must fit (at most 20 MiB, 80 MiB unzipped), hold no boto3/botocore (Lambda
   provides them), hold what a publish rebuilds the site from (the content folder,
   templates, static files, translation catalogs) and none of the tests or local folders.
3. The zip is unzipped and Zappa's ``handler.lambda_handler`` is driven in a separate
   3.12 process whose import path is that folder plus a folder holding only what
   Lambda's runtime provides (``lambda_driver.py``), with API Gateway REST (v1 proxy)
   events, against DynamoDB Local seeded from this process with the ``portal`` command
   line: health, staff sign-in, creating a staff account with estates, a roster import.

Without a Python 3.12 (on PATH or under pyenv) the module is skipped and says why.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import IO, Any

import pytest

from portal import ROOT
from portal.codecache import FILE_NAME
from portal.localdev.dynamodb_local import DynamoDBLocal
from tests.integration.conftest import start_dynamodb_local
from tests.package import lambda_build
from tests.package.lambda_build import RuntimeEnv
from tests.support.api_gateway import api_event

pytestmark = [
    pytest.mark.slow,
    pytest.mark.integration,
    pytest.mark.xdist_group("lambda_package"),  # one worker builds and drives it
]

HERE = Path(__file__).resolve().parent
DRIVER = HERE / "lambda_driver.py"
CACHE = ROOT / ".local" / "lambda-package"
STAGE = "dev"
TABLE_PREFIX = "portal-dev-"
"""What Zappa sets on the function (``environment_variables`` of the stage)."""

MiB = 1024 * 1024
MAX_ZIP = 20 * MiB
MAX_UNZIPPED = 80 * MiB

STAGE_SETTINGS = json.loads((ROOT / "infra" / "zappa_settings.json").read_text(encoding="utf-8"))[
    STAGE
]
SITE_URL = STAGE_SETTINGS["environment_variables"]["PORTAL_SITE_URL"]
"""The stage's own site (Zappa sets the stage's environment at start, over anything else)."""
ORIGIN = SITE_URL
COOKIE = "__Host-portal_session"
"""Outside the local and test stages the session cookie has the ``__Host-`` prefix."""
PHONE_HASH_KEY = "package-test-phone-hash-key"
ADMIN = "pkg.admin"
ADMIN_PASSWORD = "Lantern-harbour-47!"
ROSTER = ROOT / "tests" / "fixtures" / "roster" / "good.csv"

NOT_IN_PACKAGE = (
    "tests/", "bench/", ".local/", "build/", "node_modules/", ".venv/",
    "infra/", ".git/", "boto3/", "botocore/",
)


# --------------------------------------------------------------------------- build


def pyenv_roots() -> list[Path]:
    roots = [Path(os.environ["PYENV_ROOT"])] if os.environ.get("PYENV_ROOT") else []
    default = Path.home() / ".pyenv"
    return roots + ([default] if default not in roots else [])


@pytest.fixture(scope="module")
def runtime_env() -> RuntimeEnv:
    python, tried = lambda_build.find_python312(pyenv_roots())
    if python is None:
        places = ", ".join(f"{root}/versions/3.12*" for root in pyenv_roots())
        reason = (
            f"no Python 3.12 found (python3.12 on PATH, or a pyenv build: {places}); "
            f"tried: {'; '.join(tried) or 'nothing that exists'}"
        )
        print(f"\nlambda package: SKIPPED: {reason}")
        pytest.skip(reason)
    env = lambda_build.runtime_env(ROOT, python, CACHE)
    how = "built (cold)" if env.built else "cached (warm)"
    print(f"\nlambda package: runtime virtualenv {how} in {env.seconds:.1f} s with {python}")
    return env


@dataclass(frozen=True)
class Package:
    zip_path: Path
    folder: Path
    """The zip, unzipped."""
    zip_bytes: int
    unzipped_bytes: int
    names: tuple[str, ...]


@pytest.fixture(scope="module")
def package(runtime_env: RuntimeEnv, tmp_path_factory: pytest.TempPathFactory) -> Package:
    work = tmp_path_factory.mktemp("lambda-package")
    zip_path = work / f"owner-portal-{STAGE}.zip"
    start = time.perf_counter()
    lambda_build.zappa_package(runtime_env, ROOT, STAGE, zip_path, work)
    seconds = time.perf_counter() - start
    lambda_build.add_catalogs(zip_path)  # as infra/package.py ships it
    lambda_build.add_codecache(zip_path, runtime_env.python, runtime_env.lambda_runtime)
    folder = work / "task"
    with zipfile.ZipFile(zip_path) as archive:
        infos = archive.infolist()
        archive.extractall(folder)
    pkg = Package(
        zip_path=zip_path,
        folder=folder,
        zip_bytes=zip_path.stat().st_size,
        unzipped_bytes=sum(i.file_size for i in infos),
        names=tuple(i.filename for i in infos),
    )
    print(
        f"lambda package: zappa package {STAGE} in {seconds:.1f} s: "
        f"zip {pkg.zip_bytes / MiB:.1f} MiB, unzipped {pkg.unzipped_bytes / MiB:.1f} MiB, "
        f"{len(pkg.names)} files"
    )
    return pkg


# --------------------------------------------------------------------------- the "Lambda"



@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, list[str]]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)

    def cookie(self, name: str) -> tuple[str, str]:
        """The value and the whole ``Set-Cookie`` line of cookie ``name``."""
        for line in self.headers.get("Set-Cookie", []):
            jar: SimpleCookie = SimpleCookie()
            jar.load(line)
            if name in jar:
                return jar[name].value, line
        raise AssertionError(f"no {name} cookie in {self.headers}")

    def __str__(self) -> str:
        return f"{self.status} {self.body[:2000]}"


class LambdaProcess:
    """Zappa's handler in a Python 3.12 process that sees only the package and the runtime."""

    def __init__(self, python: Path, task: Path, runtime: Path, env: dict[str, str],
                 log: Path) -> None:
        self.log = log
        self._log_file: IO[bytes] = log.open("wb")
        self.proc = subprocess.Popen(
            [str(python), "-S", "-s", "-P", "-B", str(DRIVER)],
            cwd=task,
            env={**env, "PYTHONPATH": f"{task}{os.pathsep}{runtime}", "LAMBDA_TASK_ROOT": str(task)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log_file,
            text=True,
            encoding="utf-8",
        )

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError(f"the Lambda process died:\n{self.log_tail()}")
        answer: dict[str, Any] = json.loads(line)
        if "exception" in answer:
            raise AssertionError(
                f"the handler raised:\n{answer['exception']}\nlog:\n{self.log_tail()}"
            )
        return answer

    def invoke(self, event: dict[str, Any]) -> Answer:
        result = self._ask({"event": event})["result"]
        body = result.get("body") or ""
        if result.get("isBase64Encoded"):
            body = base64.b64decode(body).decode("utf-8")
        return Answer(result["statusCode"], result.get("multiValueHeaders", {}), body)

    def run(self, event: dict[str, Any]) -> Any:
        """What the handler returns for a non-HTTP event (a command, a schedule)."""
        return self._ask({"event": event})["result"]

    def probe(self) -> dict[str, Any]:
        probe: dict[str, Any] = self._ask({"probe": True})["probe"]
        return probe

    def log_tail(self, chars: int = 6000) -> str:
        self._log_file.flush()
        return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
        self._log_file.close()


@pytest.fixture(scope="module")
def dynamodb() -> Iterator[DynamoDBLocal]:
    instance = start_dynamodb_local()
    try:
        yield instance
    finally:
        instance.stop()


def aws_env(endpoint: str) -> dict[str, str]:
    """What the function's environment holds on AWS (plus the local DynamoDB endpoint)."""
    return {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "AWS_REGION": "ap-east-1",
        "AWS_DEFAULT_REGION": "ap-east-1",
        # Outside local/test stages the store uses the default credential chain.
        "AWS_ACCESS_KEY_ID": "packagetest",  # DynamoDB Local: letters and digits only
        "AWS_SECRET_ACCESS_KEY": "packagetest",
        "AWS_LAMBDA_FUNCTION_NAME": "owner-portal-dev",
        "_HANDLER": STAGE_SETTINGS["lambda_handler"],  # what Lambda's runtime imports
        "PORTAL_PHONE_HASH_KEY": PHONE_HASH_KEY,
        "PORTAL_DYNAMODB_ENDPOINT": endpoint,
        "PORTAL_SITE_URL": SITE_URL,
    }


def portal_cli(endpoint: str, *args: str, stdin: str = "") -> str:
    """Run the project's ``portal`` command (as an operator would) against the dev stage."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "AWS_"))
    }
    env.update(aws_env(endpoint))
    env.update(PATH=os.environ.get("PATH", "/usr/bin:/bin"), PORTAL_STAGE=STAGE,
               PORTAL_TABLE_PREFIX=TABLE_PREFIX)
    portal = Path(sys.executable).with_name("portal")
    done = subprocess.run(
        [str(portal), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        start_new_session=True,  # no controlling terminal: hidden prompts read stdin
    )
    assert done.returncode == 0, f"portal {' '.join(args)}: {done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def seeded(dynamodb: DynamoDBLocal) -> str:
    """Tables and the demo estates (``portal seed``) and a first admin, as on a fresh stage."""
    portal_cli(dynamodb.endpoint, "seed")
    password = f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n"
    portal_cli(dynamodb.endpoint, "staff", "create-admin", "--username", ADMIN,
               "--name", "包管理员", stdin=password)
    return dynamodb.endpoint


@pytest.fixture(scope="module")
def lambda_process(
    runtime_env: RuntimeEnv, package: Package, seeded: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LambdaProcess]:
    log = tmp_path_factory.mktemp("lambda-log") / "stderr.log"
    process = LambdaProcess(
        runtime_env.python, package.folder, runtime_env.lambda_runtime, aws_env(seeded), log
    )
    try:
        yield process
    finally:
        process.close()


@dataclass(frozen=True)
class Session:
    cookie: str
    csrf: str

    def headers(self) -> dict[str, str]:
        return {"Cookie": f"{COOKIE}={self.cookie}", "Origin": ORIGIN, "X-CSRF-Token": self.csrf}


def sign_in(process: LambdaProcess, username: str, password: str) -> tuple[Answer, Session]:
    answer = process.invoke(api_event(
        "POST", "/api/auth/login",
        headers={"Content-Type": "application/json", "Origin": ORIGIN},
        body=json.dumps({"username": username, "password": password}),
    ))
    assert answer.status == 200, str(answer)
    token, _ = answer.cookie(COOKIE)
    return answer, Session(token, answer.json()["csrf_token"])


@pytest.fixture(scope="module")
def admin(lambda_process: LambdaProcess) -> Session:
    _, session = sign_in(lambda_process, ADMIN, ADMIN_PASSWORD)
    return session


def multipart(field: str, filename: str, data: bytes, content_type: str) -> tuple[bytes, str]:
    boundary = f"----portal{uuid.uuid4().hex}"
    body = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


# --------------------------------------------------------------------------- the zip


def test_the_package_fits_and_holds_the_runtime_only(package: Package) -> None:
    print(
        f"\nLAMBDA PACKAGE SIZE: zip {package.zip_bytes / MiB:.1f} MiB, "
        f"unzipped {package.unzipped_bytes / MiB:.1f} MiB"
    )
    assert package.zip_bytes <= MAX_ZIP, f"zip is {package.zip_bytes / MiB:.1f} MiB"
    assert package.unzipped_bytes <= MAX_UNZIPPED, (
        f"unzipped {package.unzipped_bytes / MiB:.1f} MiB"
    )
    names = set(package.names)
    assert {"handler.py", "zappa_settings.py", "functions/wsgi.py", "portal/settings.py"} <= names
    assert any(n.startswith("site/translations/zh-CN/") for n in names), "catalogs missing"
    assert any(n.startswith("site/translations/en/") for n in names), "catalogs missing"
    # A publish rebuilds the site on Lambda: the content folder, templates and assets too.
    assert "site/content/company.yaml" in names, "content missing"
    assert any(n.startswith("site/content/notices/") for n in names), "content missing"
    assert any(n.startswith("site/templates/") for n in names), "templates missing"
    assert any(n.startswith("site/static/") for n in names), "static files missing"
    unwanted = sorted(n for n in names if n.startswith(NOT_IN_PACKAGE))
    assert not unwanted, unwanted[:20]
    top = {n.split("/", 1)[0] for n in names}
    provided = sorted(t for t in top if t.split("-", 1)[0] in {"boto3", "botocore", "s3transfer"})
    assert not provided, f"Lambda provides these: {provided}"
    for dev_tool in ("pytest", "moto", "playwright", "mypy", "ruff", "_pytest"):
        assert dev_tool not in top, f"{dev_tool} is a development tool"
    assert not any("__pycache__" in n for n in names)


def test_the_settings_zappa_wrote_into_the_package(package: Package) -> None:
    namespace: dict[str, Any] = {}
    source = (package.folder / "zappa_settings.py").read_text(encoding="utf-8")
    exec(compile(source, "zappa_settings.py", "exec"), namespace)
    assert (namespace["APP_MODULE"], namespace["APP_FUNCTION"]) == ("functions.wsgi", "app")
    assert namespace["ENVIRONMENT_VARIABLES"]["PORTAL_STAGE"] == STAGE
    assert namespace["ENVIRONMENT_VARIABLES"]["PORTAL_TABLE_PREFIX"] == TABLE_PREFIX


def _runs_from_the_package(code: str, runtime_env: RuntimeEnv, package: Package) -> None:
    """``code`` runs on Python 3.12 with only the package and Lambda's runtime on the path, and
    the module file it prints last comes from the package."""
    task, runtime = package.folder, runtime_env.lambda_runtime
    done = subprocess.run(
        [str(runtime_env.python), "-S", "-s", "-P", "-B", "-c", code], cwd=task,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": f"{task}{os.pathsep}{runtime}"},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert Path(done.stdout.strip()).is_relative_to(task)


def test_the_payment_crypto_runs_from_the_package(runtime_env: RuntimeEnv, package: Package) -> None:
    """``cryptography`` (a runtime dependency since the payment providers) loads from the zip
    on Python 3.12 (its compiled part built for Lambda's platform), signs, verifies and
    decrypts as the providers need."""
    code = (
        "import cryptography, portal.billing.providers.crypto as c\n"
        "k = c.new_private_key(); s = c.sign(k, b'm')\n"
        "assert c.verify(k.public_key(), b'm', s) and not c.verify(k.public_key(), b'n', s)\n"
        "key = b'0123456789abcdef0123456789abcdef'\n"
        "ct = c.aes_gcm_encrypt(key, 'nonce0123456', 'transaction', b'paid')\n"
        "assert c.aes_gcm_decrypt(key, 'nonce0123456', 'transaction', ct) == b'paid'\n"
        "print(cryptography.__file__)\n"
    )
    _runs_from_the_package(code, runtime_env, package)


def test_staff_password_hashing_runs_from_the_package(runtime_env: RuntimeEnv,
                                                       package: Package) -> None:  # fmt: skip
    """argon2 (compiled, loaded only by what signs staff in) hashes and verifies from the zip."""
    code = (
        "import argon2, portal.accounts.passwords as p\n"
        "h = p.hash_password('lanting-garden-7')\n"
        "assert p.verify(h, 'lanting-garden-7').ok and not p.verify(h, 'lanting-garden-8').ok\n"
        "print(argon2.__file__)\n"
    )
    _runs_from_the_package(code, runtime_env, package)


def test_images_are_resized_for_phones_from_the_package(runtime_env: RuntimeEnv, package: Package) -> None:
    """Pillow loads from the zip on Python 3.12 without the parts the package leaves out
    (AVIF, fonts, colour management: ``exclude`` in zappa_settings.json) and makes the
    phone copies: a wide photo as JPEG, a transparent image as WebP."""
    code = (
        "import io, PIL; from PIL import Image\n"
        "from portal.publishing.resize import for_phones\n"
        "def png(mode, size, colour):\n"
        "    b = io.BytesIO(); Image.new(mode, size, colour).save(b, 'PNG'); return b.getvalue()\n"
        "a = for_phones(png('RGB', (2000, 1000), (200, 30, 30)))\n"
        "assert (a.content_type, a.width, a.height) == ('image/jpeg', 1080, 540), a\n"
        "t = for_phones(png('RGBA', (300, 300), (0, 0, 0, 0)))\n"
        "assert t.content_type == 'image/webp', t\n"
        "print(PIL.__file__)\n"
    )
    _runs_from_the_package(code, runtime_env, package)
    assert not [n for n in package.names if "libavif" in n or "libfreetype" in n]


# --------------------------------------------------------------------------- served from it


def test_health_from_the_package_alone(
    lambda_process: LambdaProcess, package: Package, runtime_env: RuntimeEnv
) -> None:
    answer = lambda_process.invoke(api_event("GET", "/api/health"))

    assert answer.status == 200, str(answer)
    body = answer.json()
    assert body["ok"] is True and body["stage"] == STAGE
    assert body["tables"] and all(t.startswith(TABLE_PREFIX) for t in body["tables"])
    assert set(body["tables"].values()) == {"ACTIVE"}

    # The document is built by flask-openapi3 on first request only; ask for it, then check
    # that every module came from the package or from what Lambda's runtime provides.
    assert lambda_process.invoke(api_event("GET", "/api/openapi.json")).status == 200
    probe = lambda_process.probe()
    assert probe["python"][:2] == [3, 12]
    task, runtime = str(package.folder), str(runtime_env.lambda_runtime)
    modules: dict[str, str] = probe["modules"]
    for name in ("flask", "flask_openapi3", "pydantic", "pydantic_core", "zappa", "portal",
                 "functions", "handler", "zappa_settings", "yaml"):
        assert modules.get(name, "").startswith(task + os.sep), (name, modules.get(name))
    for name in ("boto3", "botocore", "dateutil"):
        assert modules.get(name, "").startswith(runtime + os.sep), (name, modules.get(name))
    assert not [p for p in probe["sys_path"] if "site-packages" in p], probe["sys_path"]
    assert str(ROOT) not in probe["sys_path"], "the project checkout is on the path"


def test_a_new_instance_compiles_none_of_the_source_its_imports_generate(
    runtime_env: RuntimeEnv, package: Package, seeded: str, tmp_path: Path
) -> None:
    """The function's handler (``functions.lambda_entry``) installs the bytecode the build
    recorded (:mod:`portal.codecache`) before Zappa's handler imports anything: the
    dataclasses, ``TypedDict`` classes and named tuples that a first ``GET /api/orders``
    declares are all served from it."""
    assert f"functions/{FILE_NAME}" in package.names
    process = LambdaProcess(runtime_env.python, package.folder, runtime_env.lambda_runtime,
                            aws_env(seeded), tmp_path / "stderr.log")  # fmt: skip
    try:
        answer = process.invoke(api_event("GET", "/api/orders", query={"estate": "lanting"}))
        counts = process.probe()["codecache"]
    finally:
        process.close()

    assert answer.status == 401, str(answer)  # no session: the resource was built to answer
    assert counts is not None, "portal.codecache was not imported"
    assert counts["misses"] == 0, counts
    assert counts["hits"] > 1000, counts


def test_an_error_message_is_read_from_the_catalogs_json_twin_without_yaml(
    runtime_env: RuntimeEnv, package: Package
) -> None:
    code = (
        "import sys; from portal import i18n\n"
        "assert i18n.translate('errors.not_found', 'zh-CN') != 'errors.not_found'\n"
        "assert i18n.translate('errors.not_found', 'en') != 'errors.not_found'\n"
        "assert 'yaml' not in sys.modules, 'the YAML parser was imported'\n"
        "print(i18n.__file__)"
    )
    _runs_from_the_package(code, runtime_env, package)


def test_errors_carry_messages_from_the_packaged_catalogs(
    lambda_process: LambdaProcess,
) -> None:
    answer = lambda_process.invoke(api_event("GET", "/api/no-such-thing"))

    assert answer.status == 404, str(answer)
    error = answer.json()["error"]
    assert error["code"] == "not_found"
    assert error["message"] and error["message"] != error["code"]
    assert error["message_en"] and error["message_en"] != error["code"]


def test_staff_sign_in(lambda_process: LambdaProcess) -> None:
    answer, session = sign_in(lambda_process, ADMIN, ADMIN_PASSWORD)

    body = answer.json()
    assert body["kind"] == "staff" and body["user_id"] == ADMIN and body["roles"] == ["admin"]
    assert body["must_change_password"] is False and session.csrf
    _, line = answer.cookie(COOKIE)
    assert "Secure" in line and "HttpOnly" in line and "Path=/" in line
    me = lambda_process.invoke(api_event("GET", "/api/me", headers=session.headers()))
    assert me.status == 200 and me.json()["user_id"] == ADMIN, str(me)


def test_admin_creates_a_staff_account_with_estates(
    lambda_process: LambdaProcess, admin: Session
) -> None:
    initial = "Initial-pass-2026"
    new = {
        "username": "pkg.desk",
        "name": "前台小王",
        "roles": ["front_desk"],
        "estates": ["lanting"],
        "password": initial,
    }
    answer = lambda_process.invoke(api_event(
        "POST", "/api/staff",
        headers={**admin.headers(), "Content-Type": "application/json"},
        body=json.dumps(new),
    ))

    assert answer.status == 201, str(answer)
    body = answer.json()
    assert body["username"] == "pkg.desk" and body["roles"] == ["front_desk"]
    assert body["estates"] == ["lanting"] and body["must_change_password"] is True

    # The new account must choose its own password before anything else.
    signed_in, desk = sign_in(lambda_process, "pkg.desk", initial)
    assert signed_in.json()["must_change_password"] is True
    refused = lambda_process.invoke(api_event("GET", "/api/staff", headers=desk.headers()))
    assert refused.status == 403, str(refused)
    assert refused.json()["error"]["code"] == "password_change_required"
    changed = lambda_process.invoke(api_event(
        "POST", "/api/auth/password",
        headers={**desk.headers(), "Content-Type": "application/json"},
        body=json.dumps({"old_password": initial, "new_password": "Own-choice-48!x"}),
    ))
    assert changed.status == 204, str(changed)
    me = lambda_process.invoke(api_event("GET", "/api/me", headers=desk.headers()))
    assert me.status == 200 and me.json()["estates"] == ["lanting"], str(me)


def test_roster_import_from_the_package(lambda_process: LambdaProcess, admin: Session) -> None:
    body, content_type = multipart("file", "roster.csv", ROSTER.read_bytes(), "text/csv")
    answer = lambda_process.invoke(api_event(
        "POST", "/api/owners/import",
        query={"estate": "lanting"},
        headers={**admin.headers(), "Content-Type": content_type},
        body=body,
        base64_body=True,
    ))

    assert answer.status == 200, str(answer)
    report = answer.json()
    assert report["estate"] == "lanting" and report["format"] == "csv"
    assert report["outcome"] == "imported" and report["written"] is True
    assert report["counts"]["owners_created"] == 3 and report["counts"]["bindings_created"] == 4
    assert report["rows"][0]["unit_id"] == "lanting/2/2-1503"
    assert report["rows"][0]["phone"] == "138****8000"
    assert "13800138000" not in answer.body
    assert report["message"] and report["message_en"].isascii()


def test_zappa_routes_a_task_invoke_and_the_schedule_to_the_task_runner(
    lambda_process: LambdaProcess, seeded: str
) -> None:
    # A code request for a number nobody owns leaves a task like this one behind.
    task_id = f"2026-11-22T02:00:00Z#{uuid.uuid4().hex}"
    ddb = local_client(seeded)
    ddb.put_item(TableName=f"{TABLE_PREFIX}main", Item={
        "pk": {"S": "TASK"}, "sk": {"S": task_id}, "kind": {"S": "sign_in_code"},
        "payload": {"M": {"owner_id": {"S": "0" * 32}, "lang": {"S": "zh-CN"}}},
        "state": {"S": "pending"}, "due_at": {"S": "2026-11-22T02:00:00Z"},
        "attempts": {"N": "0"}, "give_up_at": {"S": "2099-01-01T00:00:00Z"},
    })  # fmt: skip
    command = {"command": "functions.tasks.run_task", "task_id": task_id}
    assert lambda_process.run(command) == "done"
    assert lambda_process.run(command) == "skipped"  # a repeated invoke finds it gone
    schedule = {"detail-type": "Scheduled Event", "source": "aws.events",
                "resources": ["arn:aws:events:ap-east-1:1:rule/owner-portal-dev-"
                              "functions.tasks.run_due"]}  # fmt: skip
    assert lambda_process.run(schedule) == {}


def local_client(endpoint: str) -> Any:
    import boto3

    return boto3.client("dynamodb", endpoint_url=endpoint, region_name="ap-east-1",
                        aws_access_key_id="packagetest", aws_secret_access_key="packagetest")  # fmt: skip


def test_the_handler_logged_no_traceback(lambda_process: LambdaProcess) -> None:
    # Runs last in this module: a cold-start or request error would show up here too.
    lambda_process.invoke(api_event("GET", "/api/health"))
    assert "Traceback" not in lambda_process.log_tail(200_000), lambda_process.log_tail()


def test_python312_search_order(tmp_path: Path) -> None:
    # A pyenv root with two 3.12 builds: the newest first (numeric, not lexical, order).
    for version in ("3.12.2", "3.12.10"):
        exe = tmp_path / "versions" / version / "bin" / "python3.12"
        exe.parent.mkdir(parents=True)
        exe.write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
    found = lambda_build.python312_candidates([tmp_path])
    builds = [p for p in found if tmp_path in p.parents]
    assert [p.parents[1].name for p in builds] == ["3.12.10", "3.12.2"]
    assert not lambda_build.runs_as_312(builds[0])


def test_the_package_tests_run_on_one_worker_as_their_group(request: pytest.FixtureRequest) -> None:
    """Under ``--dist loadgroup`` (``make test``) the group reaches xdist, so one worker builds
    the package and starts its DynamoDB Local, not each worker (tests/conftest.py)."""
    if getattr(request.config.option, "loadgroup", False):
        assert request.node.nodeid.endswith("@lambda_package")
