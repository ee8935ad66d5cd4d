"""The package's bytecode: added to a zip, loaded by Python 3.12 without compiling."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.package import lambda_build


def _python312() -> Path:
    python, tried = lambda_build.find_python312([Path.home() / ".pyenv"])
    if python is None:
        pytest.skip(f"no Python 3.12: {tried}")
    return python


def test_add_bytecode_puts_unchecked_hash_pycs_that_python312_loads_without_the_source(
    tmp_path: Path,
) -> None:
    python = _python312()
    package = tmp_path / "p.zip"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("pkg/__init__.py", "")
        archive.writestr("pkg/mod.py", "VALUE = 42\n")
    assert lambda_build.add_bytecode(package, python) == 2
    with zipfile.ZipFile(package) as archive:
        names = archive.namelist()
        pyc = archive.read("pkg/__pycache__/mod.cpython-312.pyc")
        archive.extractall(tmp_path / "task")
    assert "pkg/mod.py" in names  # sources stay: tracebacks show lines
    assert int.from_bytes(pyc[4:8], "little") == 0b01  # hash-based, not checked
    # The bytecode is what runs: the source is not even read (a package is replaced whole).
    (tmp_path / "task/pkg/mod.py").write_text("VALUE = 43\n")
    done = subprocess.run(
        [str(python), "-B", "-c", "import pkg.mod as m; print(m.VALUE, m.__spec__.cached)"],
        cwd=tmp_path / "task", capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert done.stdout.startswith("42 ") and "mod.cpython-312.pyc" in done.stdout


def test_the_stand_in_runtime_keeps_checked_hash_pycs(tmp_path: Path) -> None:
    """The floor of ``bench/cold_start.py`` (boto3 from the runtime) is compiled as before."""
    python = _python312()
    (tmp_path / "mod.py").write_text("VALUE = 42\n")
    lambda_build.compile_tree(tmp_path, python)
    pyc = (tmp_path / "__pycache__/mod.cpython-312.pyc").read_bytes()
    assert int.from_bytes(pyc[4:8], "little") == 0b11  # hash-based, checked
