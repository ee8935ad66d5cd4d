"""Errors of the local run, with their messages in the translation catalogs (``dev.*``)."""

from __future__ import annotations

from typing import Any

from portal.i18n import translate


class LocalDevError(Exception):
    """Something stops the local run; the message says what and what to do, in both languages."""

    code = "local_error"

    def __init__(self, code: str | None = None, /, **params: Any) -> None:
        self.code = code or type(self).code
        self.params = params
        super().__init__(self.code)

    def message(self, lang: str = "zh-CN") -> str:
        return translate(f"dev.{self.code}", lang, **self.params)

    def __str__(self) -> str:
        return f"{self.message('zh-CN')}\n{self.message('en')}"


class PortInUse(LocalDevError):
    code = "port_in_use"

    def __init__(self, port: int, option: str = "--port") -> None:
        super().__init__(port=port, option=option)
        self.port = port


class JavaMissing(LocalDevError):
    code = "java_missing"


class JarMissing(LocalDevError):
    code = "jar_missing"


class StartFailed(LocalDevError):
    code = "dynamodb_start_failed"
