"""A browser's form upload to S3, over real HTTP: what a page does with a presigned POST."""

from __future__ import annotations

import secrets
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping


def multipart(fields: Mapping[str, str], data: bytes, filename: str,
              content_type: str) -> tuple[bytes, str]:  # fmt: skip
    """The body and Content-Type of a ``multipart/form-data`` form: ``fields`` in order,
    then the file (S3 ignores every field after the file)."""
    boundary = f"----portal{secrets.token_hex(12)}"
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def post_form(url: str, fields: Mapping[str, str], data: bytes, *, filename: str = "photo",
              content_type: str = "application/octet-stream",
              origin: str | None = None) -> tuple[int, dict[str, str], bytes]:  # fmt: skip
    """POST the form like a browser; what :func:`send` returns."""
    body, form_type = multipart(fields, data, filename, content_type)
    headers = {"Content-Type": form_type}
    if origin:
        headers["Origin"] = origin
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    return send(request)


def send(request: urllib.request.Request) -> tuple[int, dict[str, str], bytes]:
    """``(status, headers with lower-case names, body)``, errors included."""
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, _lower(response.headers.items()), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, _lower(exc.headers.items()), exc.read()


def _lower(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers}
