"""Serve the built site (``build/site``) as CloudFront + S3 would, for ``portal dev``.

- ``/x/`` serves ``x/index.html``; ``/x`` redirects to ``/x/`` when ``x`` is a folder;
- unknown paths get ``404.html`` (when the build has one) with status 404;
- text types carry ``charset=utf-8``; every response carries the site's
  security headers (:data:`portal.site.security.SECURITY_HEADERS`);
- HTML is never cached; other files are revalidated (ETag / Last-Modified);
- nothing outside the site folder can be reached: ``..`` segments, backslashes,
  NUL bytes, hidden files and symbolic links that leave the folder all give 404.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from portal.site.mediatypes import content_type
from portal.site.security import SECURITY_HEADERS, policy

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

_ALLOWED_HIDDEN = {".well-known"}
_NOT_FOUND_TEXT = "404 未找到 / Not Found\n"


class StaticSite:
    """A WSGI app serving the files under ``root`` (which may not exist yet)."""

    def __init__(self, root: Path, media_origins: Sequence[str] = ()) -> None:
        """``media_origins``: the uploads bucket's, admitted by the policy as the CDN's is."""
        self.root = root
        self.headers = {**SECURITY_HEADERS, "Content-Security-Policy": policy(
            header=True, media_origins=media_origins)} if media_origins else SECURITY_HEADERS

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        response = self.respond(request)
        response.headers.update(self.headers)
        result: Iterable[bytes] = response(environ, start_response)
        return result

    def respond(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return Response(
                "405 Method Not Allowed\n",
                status=405,
                headers={"Allow": "GET, HEAD"},
                content_type="text/plain; charset=utf-8",
            )
        target = self.resolve(request.path)
        if target is None:
            return self.not_found()
        if target.is_dir():
            if not request.path.endswith("/"):
                query = request.query_string.decode("latin-1")
                location = request.path + "/" + (f"?{query}" if query else "")
                return redirect(location, code=301)
            target = target / "index.html"
            if not target.is_file():
                return self.not_found()
        return self.file_response(target, request=request)

    def resolve(self, url_path: str) -> Path | None:
        """The file or folder a URL path names inside the site, or None if it may not be served."""
        if "\\" in url_path or "\x00" in url_path:
            return None
        parts = [p for p in url_path.split("/") if p not in ("", ".")]
        for part in parts:
            if part == ".." or (part.startswith(".") and part not in _ALLOWED_HIDDEN):
                return None
        try:
            root = self.root.resolve()
            candidate = root.joinpath(*parts).resolve()
        except (OSError, RuntimeError, ValueError):
            return None
        if candidate != root and root not in candidate.parents:
            return None  # a symbolic link leading out of the site
        if not candidate.exists():
            return None
        return candidate

    def file_response(
        self, path: Path, status: int = 200, request: Request | None = None
    ) -> Response:
        try:
            data = path.read_bytes()
            stat = path.stat()
        except OSError:
            return self.not_found() if status == 200 else _plain_404()
        with path.open("rb") as fh:
            ctype = content_type(path, fh.read(512))
        response = Response(data, status=status, content_type=ctype)
        if ctype.startswith("text/html"):
            response.headers["Cache-Control"] = "no-store"
            return response
        response.headers["Cache-Control"] = "no-cache"
        response.last_modified = _mtime(stat.st_mtime)
        response.add_etag()
        if request is not None:
            response.make_conditional(request)
        return response

    def not_found(self) -> Response:
        page = self.root / "404.html"
        if page.is_file():
            return self.file_response(page, status=404)
        return _plain_404()


def _plain_404() -> Response:
    response = Response(_NOT_FOUND_TEXT, status=404, content_type="text/plain; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    return response


def _mtime(ts: float) -> datetime:
    return datetime.fromtimestamp(int(ts), UTC)
