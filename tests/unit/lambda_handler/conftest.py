"""Fixtures of the deployed path: a process as a Zappa cold start leaves it, the generated
settings module, and Zappa's handler class (helpers in :mod:`tests.support.zappa_handler`)."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from portal.settings import Settings
from tests.support.zappa_handler import (
    STAGES,
    ZAPPA_JSON,
    function_secrets,
    generate_zappa_settings,
    settings_namespace,
)


@pytest.fixture
def isolated_process(monkeypatch: pytest.MonkeyPatch, stage: str) -> Iterator[None]:
    """Undo what a Zappa cold start does to the process: env vars, modules, singleton, logging."""
    from zappa.handler import LambdaHandler

    for key in [k for k in os.environ if k.startswith("PORTAL_")]:
        monkeypatch.delenv(key)
    # Secrets are not in zappa_settings.json: on AWS they are set on the function itself.
    for key, value in function_secrets(stage).items():
        monkeypatch.setenv(key, value)
    for module in ("zappa_settings", "functions.wsgi"):
        monkeypatch.delitem(sys.modules, module, raising=False)
    monkeypatch.setattr(LambdaHandler, "_LambdaHandler__instance", None)
    environ = dict(os.environ)
    root_level = logging.getLogger().level
    yield
    os.environ.clear()
    os.environ.update(environ)
    logging.getLogger().setLevel(root_level)
    sys.modules.pop("zappa_settings", None)
    sys.modules.pop("functions.wsgi", None)


@pytest.fixture(params=STAGES)
def stage(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


@pytest.fixture
def zappa_settings_source(stage: str, tmp_path: Path) -> str:
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    return generate_zappa_settings(stage, ZAPPA_JSON, workdir)


@pytest.fixture
def settings(zappa_settings_source: str, tmp_path: Path) -> Settings:
    """What the Lambda's app will read from its environment (overrides tests/conftest.py)."""
    ns = settings_namespace(zappa_settings_source)
    return Settings.from_env({**ns["ENVIRONMENT_VARIABLES"], **function_secrets(ns["API_STAGE"])})


@pytest.fixture
def lambda_handler(
    isolated_process: None,
    zappa_settings_source: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Any:
    """Zappa's handler class, with the generated settings module importable."""
    from zappa.handler import LambdaHandler

    package = tmp_path / "package"
    package.mkdir()
    (package / "zappa_settings.py").write_text(zappa_settings_source, encoding="utf-8")
    monkeypatch.syspath_prepend(str(package))
    return LambdaHandler
