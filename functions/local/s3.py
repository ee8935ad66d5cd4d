"""The local stand-in for S3: moto's server mode on 127.0.0.1, for ``portal dev`` and the tests.

The browser uploads photos straight to S3 with a presigned POST and shows them
through presigned GETs; locally those go to this server instead of AWS, so the
whole flow runs without an AWS account::

    with S3Local(8002) as s3:          # port 0: any free port (tests)
        settings = settings.with_(s3_endpoint=s3.endpoint)

It is moto's own WSGI application (what ``moto_server`` and
``ThreadedMotoServer`` run), served here by werkzeug in a thread so that a port
already taken is an error at once, with these changes:

- only requests addressed to a loopback host are answered (421 otherwise), as
  for the site server (:mod:`functions.local.loopback`);
- CORS as S3 answers it, not moto's blanket ``Access-Control-Allow-Origin: *``:
  preflights get the bucket's own CORS rules (moto implements those), and an
  actual request from one of ``cors_origins`` (the site's, the same origins the
  bucket's rules name) gets ``Access-Control-Allow-Origin`` for that origin,
  which moto leaves out of a form POST's answer (a browser's ``fetch`` would
  fail although the upload succeeded). A page of any other origin fails here as
  it would on AWS.

What it does not do: enforce presigned-POST policies (size, type, expiry),
``If-Match`` on copies, or keep anything across a restart (photos uploaded
before are gone; their keys then answer 404).

moto and flask-cors are development dependencies (``requirements-dev.lock``,
installed by ``make dev``); without them :meth:`S3Local.start` raises
:class:`~portal.localdev.errors.LocalDevError` saying so.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from werkzeug.serving import BaseWSGIServer, make_server

from functions.local.loopback import only_loopback
from portal.localdev.errors import LocalDevError, PortInUse
from portal.localdev.ports import port_is_free

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

HOST = "127.0.0.1"
DEFAULT_PORT = 8002


def _moto_app() -> tuple[Any, Any]:
    """moto's WSGI application and request handler (imported only when the stand-in starts)."""
    try:
        from moto.moto_server import werkzeug_app
    except ImportError as exc:
        raise LocalDevError("s3_missing", problem=str(exc)) from None
    # Read when moto builds each service's app (on its first request): the bucket's CORS
    # rules, not a blanket "*", answer the browser.
    werkzeug_app.DISABLE_GLOBAL_CORS = True  # type: ignore[attr-defined]  # imported there
    app = werkzeug_app.DomainDispatcherApplication(werkzeug_app.create_backend_app)
    return app, werkzeug_app.MotoRequestHandler


def with_cors_origins(app: WSGIApplication, origins: Sequence[str]) -> WSGIApplication:
    """``Access-Control-Allow-Origin: <origin>`` (and ``Vary: Origin``) on the answer to an
    actual (not preflight) request from one of ``origins`` when ``app`` gave none."""
    allowed = frozenset(origins)

    def app_with_cors(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        origin = environ.get("HTTP_ORIGIN")
        if origin not in allowed or environ.get("REQUEST_METHOD") == "OPTIONS":
            return app(environ, start_response)

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if not any(name.lower() == "access-control-allow-origin" for name, _ in headers):
                headers = [*headers, ("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
            return start_response(status, headers, exc_info)

        return app(environ, start)

    return app_with_cors


class S3Local:
    """moto's S3 on ``127.0.0.1:port`` in a thread of this process; a context manager.

    ``cors_origins``: the site's origins, those the bucket's CORS rules admit.
    """

    def __init__(
        self, port: int = DEFAULT_PORT, host: str = HOST, *, cors_origins: Sequence[str] = ()
    ) -> None:
        self.host, self._port = host, port
        self.cors_origins = tuple(cors_origins)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port listened on (the kernel's pick when started with port 0)."""
        return self._server.server_port if self._server is not None else self._port

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> S3Local:
        """Listen and serve; :class:`PortInUse` or :class:`LocalDevError` (moto missing)."""
        if self.running:
            return self
        if self._port and not port_is_free(self._port):
            raise PortInUse(self._port, "--s3-port")
        moto, handler = _moto_app()
        app = only_loopback(with_cors_origins(moto, self.cors_origins))
        try:
            self._server = make_server(
                self.host, self._port, app, threaded=True, request_handler=handler
            )
        except OSError:
            raise PortInUse(self._port, "--s3-port") from None
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            name="portal-dev-s3",
            kwargs={"poll_interval": 0.2},
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the port. Idempotent."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def __enter__(self) -> S3Local:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
