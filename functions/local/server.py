"""``portal dev``: the whole portal on 127.0.0.1, with no AWS account and no Docker.

:func:`run_dev` starts DynamoDB Local (data on disk under ``.local/dynamodb-data``,
so a restart loses nothing), the S3 stand-in for photo uploads (moto's server
mode on ``--s3-port``, in memory, with the ``portal-local-uploads`` bucket whose
CORS rules admit the site: :mod:`functions.local.s3`), creates the tables, loads
the demo estate, builds the site incrementally into ``build/site``, and serves
one WSGI app:

- ``/api`` and ``/api/*``: the Flask app of ``functions.app.create_app(settings)``,
  as API Gateway + Lambda would run it (paths are passed on unchanged);
- ``/sandbox-pay/*``: the same app (the stand-in payment provider's page, which a real
  provider would serve from its own site; :mod:`functions.sandbox_pay`);
- everything else: the built site, as CloudFront + S3 would serve it
  (:class:`functions.local.static.StaticSite`).

This module is the local stand-in for API Gateway and CloudFront, which is why
it (with the rest of :mod:`portal.localdev`) is the one place in ``portal``
that imports ``functions``; the import is lazy and happens only here.

A background thread polls ``site/content``, ``site/templates``, ``site/static``
and ``site/translations`` every second and rebuilds the site when something
changed, printing what was rewritten and any errors. Ctrl-C (SIGINT) or SIGTERM
stops the server, the watcher, the S3 stand-in and DynamoDB Local, and
:func:`run_dev` returns 0. It returns 2, before starting anything, when a port
is taken, and when DynamoDB Local or the S3 stand-in cannot run (no Java,
package not installed).
"""

from __future__ import annotations

import contextlib
import functools
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, TextIO

from werkzeug.serving import BaseWSGIServer, make_server

from functions.local.loopback import only_loopback
from functions.local.s3 import DEFAULT_PORT as DEFAULT_S3_PORT
from functions.local.s3 import S3Local
from functions.local.static import StaticSite
from portal import i18n
from portal.i18n import translate
from portal.localdev.dynamodb_local import DEV_DATA_DIR, DynamoDBLocal
from portal.localdev.errors import LocalDevError, PortInUse
from portal.localdev.ports import port_is_free
from portal.localdev.watch import Watcher
from portal.settings import Settings
from portal.tasks.dispatch import TaskLoop, WakeDispatcher
from portal.wiring import Services

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from portal.site.model import ContentSource

HOST = "127.0.0.1"
LOCAL_TABLE_PREFIX = "portal-local-"
LOCAL_UPLOADS_BUCKET = "portal-local-uploads"
WATCHED = ("content", "templates", "static", "translations")
API_PREFIX = "/api"
SANDBOX_PREFIX = "/sandbox-pay/"
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CANNOT_START = 2


# -- output ---------------------------------------------------------------------------------


def _say(key: str, out: TextIO | None = None, /, **params: Any) -> None:
    """One line, Chinese first then English."""
    zh = translate(f"dev.{key}", "zh-CN", **params)
    en = translate(f"dev.{key}", "en", **params)
    print(f"{zh} / {en}", file=out or sys.stdout, flush=True)


def _labelled(key: str, value: str, out: TextIO | None = None) -> None:
    """``标签 / Label: value`` (the value, often long, only once)."""
    zh, en = translate(f"dev.{key}", "zh-CN"), translate(f"dev.{key}", "en")
    label = zh if zh == en else f"{zh} / {en}"
    print(f"{label}: {value}", file=out or sys.stdout, flush=True)


def _error(err: LocalDevError) -> None:
    print(str(err), file=sys.stderr, flush=True)


def _short_list(items: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" (+{len(items) - limit})" if len(items) > limit else "")


# -- the app --------------------------------------------------------------------------------


def local_settings(port: int, dynamodb_port: int, base: Settings | None = None,
                   *, s3_port: int = DEFAULT_S3_PORT) -> Settings:  # fmt: skip
    """Settings for the local run: stage ``local``, DynamoDB Local, ``portal-local-`` tables,
    the S3 stand-in with the ``portal-local-uploads`` bucket."""
    return (base or Settings.from_env(default_stage="local")).with_(
        stage="local",
        dynamodb_endpoint=f"http://{HOST}:{dynamodb_port}",
        s3_endpoint=f"http://{HOST}:{s3_port}",
        table_prefix=LOCAL_TABLE_PREFIX,
        uploads_bucket=LOCAL_UPLOADS_BUCKET,
        site_url=f"http://{HOST}:{port}",
        origin_secrets=(),  # this server stands in for CloudFront: nothing adds the header
    )


def media_origins(settings: Settings) -> list[str]:
    """The uploads bucket's origin (the S3 stand-in's), which the pages admit for photos."""
    from portal.uploads.bucket import uploads_origin

    return [uploads_origin(settings.uploads_bucket, settings.aws_region, settings.s3_endpoint)]


def site_origins(port: int) -> list[str]:
    """The origins a browser may load the local site from (both loopback names)."""
    return [f"http://{HOST}:{port}", f"http://localhost:{port}"]


def _api_unavailable(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    body = b'{"error": {"code": "unavailable", "message": "API not loaded; see the console"}}'
    start_response("503 Service Unavailable", [
        ("Content-Type", "application/json; charset=utf-8"),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
    ])  # fmt: skip
    return [body]


def compose(api: WSGIApplication | None, static: WSGIApplication) -> WSGIApplication:
    """One origin: ``/api``, ``/api/*`` and ``/sandbox-pay/*`` go to the API app unchanged, the
    rest to the static site; only for requests addressed to a loopback host (``127.0.0.1``,
    ``localhost``, ``[::1]``)."""
    api_app = api or _api_unavailable

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path: str = environ.get("PATH_INFO") or "/"
        if path == API_PREFIX or path.startswith((API_PREFIX + "/", SANDBOX_PREFIX)):
            return api_app(environ, start_response)
        return static(environ, start_response)

    return only_loopback(app)


def load_api(services: Services) -> WSGIApplication | None:
    """The Flask app on ``services`` (imported lazily), or None with a message if it fails."""
    try:
        from functions.app import create_app
    except ImportError as exc:
        _say("api_unavailable", sys.stderr, problem=exc)
        return None
    app: WSGIApplication = create_app(services.settings, services)
    return app


# -- building -------------------------------------------------------------------------------


class SiteBuilder:
    """Runs the incremental build and prints what it did (one build at a time)."""

    def __init__(self, settings: Settings,
                 sources: Callable[[], Sequence[ContentSource]] = tuple) -> None:  # fmt: skip
        from portal.publishing.clockwork import build_lock

        self.settings = settings
        self.sources = sources
        """Content beside the folder: what staff published in the store (both build one site)."""
        self._lock = build_lock(settings.build_dir)  # shared with the publish task and the job

    def build(self, jobs: int | None = None, list_written: bool = True,
              changed: list[str] | None = None) -> bool:  # fmt: skip
        """Build into ``settings.build_dir`` (``changed``: the paths the watcher saw change,
        the only content files read); print what was written; False on errors."""
        from portal.site.build import build_site

        with self._lock:
            started = time.perf_counter()
            try:
                s = self.settings
                result = build_site(
                    content_dir=s.content_dir, out_dir=s.build_dir, site_url=s.site_url,
                    clean=False, jobs=jobs, site_src=s.site_src_dir,
                    media_origins=media_origins(s), extra_sources=self.sources(), changed=changed,
                )
            except Exception as exc:
                _say("build_failed", sys.stderr, problem=repr(exc))
                return False
            for err in result.errors:
                print(str(err), file=sys.stderr, flush=True)
            if result.written and list_written:
                _labelled("rewritten", _short_list(result.written))
            _say("built", None, written=len(result.written), errors=len(result.errors),
                 seconds=f"{time.perf_counter() - started:.2f}")  # fmt: skip
            return not result.errors

    def on_change(self, paths: list[str]) -> None:
        translations = str(self.settings.site_src_dir / "translations")
        if any(p.startswith(translations) for p in paths):
            i18n.reload()  # the catalogs are cached per process
        _say("rebuilding", None, count=len(paths))
        # One process: forking a pool from this thread while the server's threads run is unsafe.
        self.build(jobs=1, changed=paths)

    def watch_dirs(self) -> list[Path]:
        src = self.settings.site_src_dir
        dirs = [self.settings.content_dir] + [src / d for d in WATCHED if d != "content"]
        return list(dict.fromkeys(dirs))


# -- the command ----------------------------------------------------------------------------


def _check_ports(port: int, dynamodb_port: int, s3_port: int) -> PortInUse | None:
    if not port_is_free(port):
        return PortInUse(port, "--port")
    if dynamodb_port == port or not port_is_free(dynamodb_port):
        return PortInUse(dynamodb_port, "--dynamodb-port")
    if s3_port in (port, dynamodb_port) or not port_is_free(s3_port):
        return PortInUse(s3_port, "--s3-port")
    return None


def _start_s3(s3: S3Local, services: Services, port: int) -> None:
    """The S3 stand-in, with the uploads bucket (CORS for the site, lifecycle)."""
    from portal.store.objects import Bucket
    from portal.uploads.bucket import prepare_bucket

    settings = services.settings
    _say("starting_s3", None, port=s3.port)
    s3.start()
    prepare_bucket(Bucket(services.clients.s3, settings.uploads_bucket), settings.aws_region,
                   site_origins(port))  # fmt: skip
    _say("s3_ready", None, endpoint=s3.endpoint, bucket=settings.uploads_bucket)


def _seed(services: Services) -> None:
    from portal.estates.sync import SyncError
    from portal.localdev.demo import seed_demo
    from portal.store.bootstrap import ensure_tables, table_status

    settings, client = services.settings, services.clients.dynamodb
    ensure_tables(client, settings.table_prefix)
    _say("tables_ready", None, tables=", ".join(table_status(client, settings.table_prefix)))
    try:
        report = seed_demo(services, settings.content_dir)
    except SyncError as exc:
        _say("seed_failed", sys.stderr)
        for err in exc.errors:
            print(f"  {err}", file=sys.stderr, flush=True)
        return
    print(report, flush=True)
    if settings.is_local:
        from portal.localdev.demo import DEMO_PASSWORD, DEMO_STAFF, seed_demo_people

        rows, _ = seed_demo_people(services, settings.content_dir)
        _say("demo_people", None, rows=rows, phone="13800138000",
             staff=", ".join(p.username for p in DEMO_STAFF), password=DEMO_PASSWORD)  # fmt: skip


def _store_source(services: Services) -> ContentSource:
    from portal.publishing.source import StoreSource

    return StoreSource(services.site_rebuilder.published)


def _task_loop(services: Services) -> TaskLoop:
    """The thread that runs tasks (sign-in codes to the outbox...) off the request path, and
    every scheduled job of :data:`portal.jobs.JOBS` on its schedule, as EventBridge would."""
    from portal.jobs import JOBS

    dispatcher = services.dispatcher
    wake = dispatcher.wake if isinstance(dispatcher, WakeDispatcher) else threading.Event()
    periodic = [(job.period_s, functools.partial(job.run, services)) for job in JOBS]
    return TaskLoop(services.task_runner, wake, periodic=periodic)


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run_dev(
    port: int = 8000,
    dynamodb_port: int = 8001,
    *,
    s3_port: int = DEFAULT_S3_PORT,
    settings: Settings | None = None,
    data_dir: Path = DEV_DATA_DIR,
    watch_interval_s: float = 1.0,
    stop: threading.Event | None = None,
) -> int:
    """Run DynamoDB Local, tables, demo data, the site and the API until Ctrl-C or SIGTERM.

    ``settings`` (default: from the environment) give the content and build
    folders; stage, endpoint, table prefix and site URL are set for the local
    run. ``stop`` lets a caller in another thread (a test) end the run.
    Returns 0 after a clean stop, 2 if it could not start (port taken, no Java,
    DynamoDB Local not installed), 1 on another failure at start.
    """
    taken = _check_ports(port, dynamodb_port, s3_port)
    if taken is not None:
        _error(taken)
        return EXIT_CANNOT_START

    settings = local_settings(port, dynamodb_port, settings, s3_port=s3_port)
    in_main = threading.current_thread() is threading.main_thread()
    previous_sigterm: Any = None
    previous_sigint: Any = None
    if in_main:
        # SIGTERM stops everything the way Ctrl-C does; SIGINT is handled explicitly too,
        # because a shell script starting us in the background leaves it ignored.
        previous_sigterm = signal.signal(signal.SIGTERM, _raise_interrupt)
        previous_sigint = signal.signal(signal.SIGINT, _raise_interrupt)

    log_path = data_dir.parent / "logs" / "dynamodb-local.log"  # .local/logs/ for `portal dev`
    ddb = DynamoDBLocal(dynamodb_port, data_dir=data_dir, log_path=log_path)
    s3 = S3Local(s3_port, cors_origins=site_origins(port))
    server: BaseWSGIServer | None = None
    serving: threading.Thread | None = None
    watcher: Watcher | None = None
    tasks: TaskLoop | None = None
    code = EXIT_OK
    try:
        _say("starting_dynamodb", None, port=dynamodb_port, data=data_dir)
        try:
            ddb.start()
        except LocalDevError as exc:
            _error(exc)
            return EXIT_CANNOT_START
        _say("dynamodb_ready", None, endpoint=ddb.endpoint)
        services = Services(settings)  # the one wiring, for the seed and the API alike
        try:
            _start_s3(s3, services, port)
        except LocalDevError as exc:
            _error(exc)
            return EXIT_CANNOT_START
        _seed(services)

        builder = SiteBuilder(settings, lambda: [_store_source(services)])
        _say("building")
        builder.build(list_written=False)

        app = compose(load_api(services), StaticSite(settings.build_dir, media_origins(settings)))
        try:
            server = make_server(HOST, port, app, threaded=True)
        except OSError:
            _error(PortInUse(port, "--port"))
            return EXIT_CANNOT_START
        serving = threading.Thread(
            target=server.serve_forever,
            name="portal-dev-http",
            kwargs={"poll_interval": 0.2},
            daemon=True,
        )
        serving.start()
        tasks = _task_loop(services)
        tasks.start()
        watcher = Watcher(
            builder.watch_dirs(),
            builder.on_change,
            interval_s=watch_interval_s,
            on_error=lambda exc: _say("build_failed", sys.stderr, problem=repr(exc)),
        )
        watcher.start()

        base = f"http://{HOST}:{port}"
        _labelled("url_site", f"{base}/")
        _labelled("url_health", f"{base}{API_PREFIX}/health")
        _labelled("url_dynamodb", ddb.endpoint)
        _labelled("url_s3", f"{s3.endpoint}/{settings.uploads_bucket}")
        _say("serving")
        stop = stop or threading.Event()
        while serving.is_alive() and not stop.wait(0.5):
            pass
        code = EXIT_OK if stop.is_set() else EXIT_ERROR  # else the server ended by itself
    except KeyboardInterrupt:
        code = EXIT_OK
    except Exception:
        traceback.print_exc()
        code = EXIT_ERROR
    finally:
        # A second Ctrl-C must not cut the clean-up short and orphan Java.
        old_int = signal.signal(signal.SIGINT, signal.SIG_IGN) if in_main else None
        if in_main:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            _say("stopping")
            if watcher is not None:
                watcher.stop()
            if tasks is not None:
                tasks.stop()
            if server is not None:
                server.shutdown()
                server.server_close()
            if serving is not None:
                serving.join(5)
            s3.stop()
            ddb.stop()
            _say("stopped")
        finally:
            if in_main:
                signal.signal(signal.SIGINT, old_int)
                with contextlib.suppress(TypeError, ValueError):
                    signal.signal(signal.SIGTERM, previous_sigterm)
                    signal.signal(signal.SIGINT, previous_sigint)
    return code
