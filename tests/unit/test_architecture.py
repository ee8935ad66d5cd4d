"""The shape of the code, checked: which package may import what, and how long a module may be.

The rules are the README's design notes and ``../shared/ARCHITECTURE.md``:
``portal`` never imports ``functions`` or Flask; only ``portal.store`` talks to
boto3/botocore; ``functions`` never does; no module grows past about 400 lines.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from portal import ROOT

MAX_LINES = 420
"""About 400 lines: a module that needs more does more than one job."""


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _imports(path: Path) -> Iterator[str]:
    """Every module ``path`` imports, at any depth (lazy imports inside functions included)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _top(name: str) -> str:
    return name.split(".")[0]


def test_portal_imports_neither_functions_nor_flask() -> None:
    offenders = [
        f"{_rel(p)}: {name}"
        for p in _modules("portal")
        for name in _imports(p)
        if _top(name) in {"functions", "flask", "flask_openapi3", "werkzeug"}
    ]
    assert offenders == []


def test_only_the_store_talks_to_boto3_and_botocore() -> None:
    offenders = [
        f"{_rel(p)}: {name}"
        for package in ("portal", "functions")
        for p in _modules(package)
        if not _rel(p).startswith("portal/store/")
        for name in _imports(p)
        if _top(name) in {"boto3", "botocore"}
    ]
    assert offenders == []


def test_the_domain_packages_do_not_import_the_command_line_or_the_local_tools() -> None:
    domains = ("accounts", "estates", "store", "billing")
    offenders = [
        f"{_rel(p)}: {name}"
        for domain in domains
        for p in _modules(f"portal/{domain}")
        for name in _imports(p)
        if name.startswith(("portal.cli", "portal.localdev", "portal.wiring"))
    ]
    assert offenders == []


@pytest.mark.parametrize("package", ["portal", "functions"])
def test_no_module_is_longer_than_about_400_lines(package: str) -> None:
    long = {
        _rel(p): n
        for p in _modules(package)
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_no_module_outside_the_store_builds_dynamodb_attribute_values() -> None:
    """The one codec (``portal.store.items``) is the only writer of ``{"S": ...}``."""
    offenders: list[str] = []
    for package in ("portal", "functions"):
        for p in _modules(package):
            if _rel(p).startswith("portal/store/"):
                continue
            for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Dict) and any(
                    isinstance(k, ast.Constant) and k.value in {"S", "N", "SS", "BOOL", "M", "L"}
                    for k in node.keys
                ):
                    offenders.append(f"{_rel(p)}:{node.lineno}")
    assert offenders == []

def test_no_test_module_imports_another_test_module() -> None:
    offenders = [
        f"{_rel(p)}: {name}"
        for p in _modules("tests")
        for name in _imports(p)
        if name.startswith("tests.") and name.split(".")[-1].startswith("test_")
    ]
    assert offenders == []
