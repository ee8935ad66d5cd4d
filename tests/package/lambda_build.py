"""Build the Lambda package the way a deployment does: a Python 3.12 virtualenv holding
the runtime dependencies only (``requirements.lock``), then ``zappa package`` from it.

The virtualenv is cached under ``.local/lambda-package/<key>/``, the key a hash of
``requirements.lock``, ``pyproject.toml``, the interpreter's version and this builder's
recipe, so only the first run (or a changed pin) pays for it. The wheels are those for
Lambda's platform (manylinux up to glibc 2.34, Amazon Linux 2023, x86_64, CPython
3.12), whatever this machine is: pip is told the target platform, and a package that
only exists as a source distribution (placebo) is first built into a pure-Python wheel.
Zappa's own download of "precompiled" wheels is off (``use_precompiled_packages``),
so the zip holds exactly the pinned wheels.

The project itself is not installed into the virtualenv: Zappa packs the working
directory (minus ``exclude``/``exclude_glob`` of ``infra/zappa_settings.json``) next to
the virtualenv's site-packages, which is how ``portal`` and ``functions`` get into the zip.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

RECIPE_VERSION = "1"
"""Bump when the build steps below change, so cached virtualenvs are rebuilt."""

LAMBDA_PLATFORMS = (
    "manylinux_2_34_x86_64",
    "manylinux_2_28_x86_64",
    "manylinux_2_26_x86_64",
    "manylinux_2_17_x86_64",
    "manylinux2014_x86_64",
)
"""Wheel platforms that load on Lambda's python3.12 runtime (Amazon Linux 2023, glibc 2.34)."""

LAMBDA_RUNTIME_PACKAGES = (
    "boto3",
    "botocore",
    "s3transfer",
    "jmespath",
    "python-dateutil",
    "six",
    "urllib3",
)
"""What Lambda's python3.12 runtime itself provides (its ``/var/runtime``)."""

PIP_QUIET = ("--disable-pip-version-check", "-q")


class BuildError(Exception):
    """A build step failed; the message has the command and its output."""


@dataclass(frozen=True)
class RuntimeEnv:
    """A cached build: the runtime virtualenv and the stand-in for Lambda's runtime folder."""

    python: Path
    """The Python 3.12 the virtualenv was made from."""
    venv: Path
    lambda_runtime: Path
    """Only the packages of :data:`LAMBDA_RUNTIME_PACKAGES`, at the pinned versions."""
    built: bool
    """Built by this call (``False``: taken from the cache)."""
    seconds: float


# --------------------------------------------------------------------------- Python 3.12


def _version_key(path: Path) -> tuple[int, ...]:
    # .../versions/3.12.10/bin/python3.12 -> (3, 12, 10); non-numeric parts sort first
    name = path.parents[1].name
    return tuple(int(p) if p.isdigit() else -1 for p in re.split(r"[.-]", name))


def python312_candidates(pyenv_roots: Sequence[Path]) -> list[Path]:
    """``python3.12`` on PATH, then the pyenv builds (newest first) under each root."""
    found: list[Path] = []
    on_path = shutil.which("python3.12")
    if on_path:
        found.append(Path(on_path))
    for root in pyenv_roots:
        builds = (root / "versions").glob("3.12*/bin/python3.12")
        found.extend(sorted(builds, key=_version_key, reverse=True))
    return found


def runs_as_312(python: Path) -> bool:
    """Whether ``python`` starts and is a 3.12 (a pyenv shim may exist and still fail)."""
    try:
        done = subprocess.run(
            [str(python), "-c", "import sys; print(sys.version_info[:2] == (3, 12))"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and done.stdout.strip() == "True"


def find_python312(pyenv_roots: Sequence[Path]) -> tuple[Path | None, list[str]]:
    """The first working Python 3.12, and what was tried (for the skip reason)."""
    tried: list[str] = []
    for candidate in python312_candidates(pyenv_roots):
        if runs_as_312(candidate):
            return candidate, tried
        tried.append(f"{candidate} (does not run as Python 3.12)")
    return None, tried


# --------------------------------------------------------------------------- the build


def _run(cmd: Sequence[str | Path], *, cwd: Path | None = None,
         env: dict[str, str] | None = None, timeout: float = 600) -> str:
    done = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise BuildError(
            f"exit {done.returncode}: {' '.join(str(c) for c in cmd)}\n"
            f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
        )
    return done.stdout


def read_pins(lock: Path) -> dict[str, str]:
    """``{canonical name: "name==version"}`` of a lock file (comments and options skipped)."""
    pins: dict[str, str] = {}
    for raw in lock.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        name = line.split("==", 1)[0].strip()
        pins[re.sub(r"[-_.]+", "-", name).lower()] = line
    return pins


def cache_key(root: Path, python: Path) -> str:
    version = _run([python, "-c", "import sys; print(sys.version)"]).strip()
    digest = hashlib.sha256()
    for part in (
        (root / "requirements.lock").read_bytes(),
        (root / "pyproject.toml").read_bytes(),
        version.encode(),
        RECIPE_VERSION.encode(),
    ):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()[:16]


def _pip_for_lambda(target: Path, wheelhouse: Path, requirements: Sequence[str]) -> None:
    """Install exactly ``requirements`` (no dependencies) as wheels for Lambda's platform."""
    platforms = [arg for p in LAMBDA_PLATFORMS for arg in ("--platform", p)]
    _run([
        sys.executable, "-m", "pip", "install", *PIP_QUIET,
        "--no-deps", "--no-compile", "--upgrade", "--only-binary=:all:",
        *platforms, "--python-version", "3.12", "--implementation", "cp",
        "--abi", "cp312", "--abi", "abi3", "--abi", "none",
        "--find-links", wheelhouse, "--target", target, *requirements,
    ])
    # Console scripts land in <target>/bin with this interpreter's shebang: not wanted.
    shutil.rmtree(target / "bin", ignore_errors=True)


def _build(root: Path, python: Path, into: Path) -> None:
    lock = root / "requirements.lock"
    venv = into / "venv"
    _run([python, "-m", "venv", "--without-pip", venv])
    site_packages = venv / "lib" / "python3.12" / "site-packages"
    # Source-only distributions become (pure-Python) wheels first; pip then takes every
    # package as a wheel for Lambda's platform, from PyPI or from this wheelhouse.
    wheelhouse = into / "wheelhouse"
    _run([sys.executable, "-m", "pip", "wheel", *PIP_QUIET, "--no-deps",
          "--wheel-dir", wheelhouse, "-r", lock])
    pins = read_pins(lock)
    _pip_for_lambda(site_packages, wheelhouse, sorted(pins.values()))
    # The lock must be complete: every requirement of every pinned package is pinned too.
    _run([venv / "bin" / "python", "-m", "pip", "check"])
    runtime = [pins[name] for name in LAMBDA_RUNTIME_PACKAGES]
    _pip_for_lambda(into / "lambda-runtime", wheelhouse, runtime)
    shutil.rmtree(wheelhouse)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # another pytest worker may be building it
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def runtime_env(root: Path, python: Path, cache: Path) -> RuntimeEnv:
    """The cached runtime virtualenv for ``requirements.lock`` (built if missing)."""
    start = time.perf_counter()
    key = cache_key(root, python)
    final = cache / key
    built = False
    with _locked(cache / ".lock"):
        if not (final / ".complete").exists():
            partial = cache / f"{key}.partial"
            shutil.rmtree(partial, ignore_errors=True)
            partial.mkdir(parents=True)
            _build(root, python, partial)
            (partial / ".complete").write_text(key, encoding="utf-8")
            shutil.rmtree(final, ignore_errors=True)
            partial.rename(final)
            built = True
            for old in cache.iterdir():  # earlier pins: no longer needed
                if old.is_dir() and old != final:
                    shutil.rmtree(old, ignore_errors=True)
    return RuntimeEnv(
        python=python,
        venv=final / "venv",
        lambda_runtime=final / "lambda-runtime",
        built=built,
        seconds=time.perf_counter() - start,
    )


def zappa_package(env: RuntimeEnv, root: Path, stage: str, output: Path, tmp: Path) -> str:
    """Run the real ``zappa package <stage> -o <output>`` from the runtime virtualenv.

    The working directory is the project (Zappa packs it); ``VIRTUAL_ENV`` tells Zappa
    which site-packages to pack. Returns Zappa's output.
    """
    bin_dir = env.venv / "bin"
    zappa_env = {
        "PATH": f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "VIRTUAL_ENV": str(env.venv),
        "HOME": str(tmp),
        "TMPDIR": str(tmp),  # Zappa's scratch copies of the project, cleaned with tmp
        "LANG": "C.UTF-8",
    }
    return _run(
        [
            bin_dir / "python", "-c",
            "import sys; from zappa.cli import handle; sys.argv[0] = 'zappa'; sys.exit(handle())",
            "package", stage, "-s", root / "infra" / "zappa_settings.json", "-o", output,
        ],
        cwd=root,
        env=zappa_env,
    )


# --------------------------------------------------------------------------- bytecode


def compile_tree(folder: Path, python: Path, mode: str = "checked-hash") -> None:
    """Write ``__pycache__`` bytecode for every module under ``folder`` with ``python`` (the
    Lambda runtime's version), as hash-based pycs: valid whatever the files' times (a zip
    keeps them only to two seconds). ``checked-hash`` (the default) re-checks each against
    its source's hash on import; ``unchecked-hash`` trusts it, for a tree built in one piece
    and never edited (a Lambda package: :func:`add_bytecode`)."""
    _run([python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", mode,
          folder])  # fmt: skip


def add_catalogs(zip_path: Path) -> int:
    """Add the JSON twin of every translation catalog to a package (:func:`portal.i18n.
    compile_catalog`: an error answered on a cold start then imports no YAML parser).
    Returns how many were added."""
    import zipfile

    from portal.i18n import compile_catalog

    with zipfile.ZipFile(zip_path) as archive:
        sources = {n: archive.read(n) for n in archive.namelist()
                   if n.startswith("site/translations/") and n.endswith(".yaml")}  # fmt: skip
    with zipfile.ZipFile(zip_path, "a", zipfile.ZIP_DEFLATED) as archive:
        for name, source in sorted(sources.items()):
            info = zipfile.ZipInfo(name[: -len(".yaml")] + ".json", date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            archive.writestr(info, compile_catalog(Path(name).stem, source), zipfile.ZIP_DEFLATED)
    return len(sources)


def add_bytecode(zip_path: Path, python: Path) -> int:
    """Add the bytecode of every module to a ``zappa package`` zip (Zappa leaves
    ``__pycache__`` out, and ``/var/task`` is read-only, so without it every cold start
    compiles everything it imports). Returns how many ``.pyc`` files were added.
    Deploy the result with ``zappa update <stage> --zip <zip>``.

    The pycs are ``unchecked-hash``: a cold start loads each without reading its source
    and hashing it. The package is built in one piece and replaced in one piece (Lambda
    lets nobody edit a 30 MB package's files in place), so a module's source and bytecode
    cannot drift apart; ``bench/cold_start.py`` counted 22 million fewer instructions for a
    first ``GET /api/orders``."""
    import tempfile
    import zipfile

    with tempfile.TemporaryDirectory(prefix="bytecode-") as tmp:
        tree = Path(tmp)
        with zipfile.ZipFile(zip_path) as archive:
            archive.extractall(tree)
        compile_tree(tree, python, "unchecked-hash")
        added = 0
        with zipfile.ZipFile(zip_path, "a", zipfile.ZIP_DEFLATED) as archive:
            names = set(archive.namelist())
            for pyc in sorted(tree.rglob("__pycache__/*.pyc")):
                name = pyc.relative_to(tree).as_posix()
                if name not in names:
                    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
                    info.external_attr = 0o644 << 16
                    archive.writestr(info, pyc.read_bytes(), zipfile.ZIP_DEFLATED)
                    added += 1
    return added


# --------------------------------------------------------------------------- generated code

RECORDER = Path(__file__).with_name("codecache_record.py")


def function_handler(root: Path, stage: str) -> tuple[str, str]:
    """``(module, function)`` Lambda calls on the stage's function: Zappa's ``lambda_handler``
    setting (``functions.lambda_entry``), else its own ``handler.lambda_handler``."""
    import json

    settings = json.loads((root / "infra" / "zappa_settings.json").read_text(encoding="utf-8"))
    module, _, function = settings[stage].get("lambda_handler", "handler.lambda_handler").rpartition(".")
    return module, function


def add_codecache(zip_path: Path, python: Path, runtime: Path) -> int:
    """Add the bytecode of the source generated, and the patterns compiled, on a cold start
    to a package (:mod:`portal.codecache`): ``codecache_record.py`` drives a cold start of the whole
    API from the unzipped package with ``python`` (the Lambda runtime's version) and the
    runtime's modules, offline (nothing it does reaches AWS), and records what is compiled.
    Returns how many sources and patterns were recorded."""
    import tempfile
    import zipfile

    from portal.codecache import FILE_NAME

    with tempfile.TemporaryDirectory(prefix="codecache-") as tmp:
        tree, out = Path(tmp) / "task", Path(tmp) / FILE_NAME
        with zipfile.ZipFile(zip_path) as archive:
            archive.extractall(tree)
        env = {
            "PATH": os.environ.get("PATH", ""), "HOME": tmp, "LANG": "C.UTF-8",
            "PYTHONPATH": f"{tree}{os.pathsep}{runtime}", "LAMBDA_TASK_ROOT": str(tree),
            "PYTHONHASHSEED": "0",  # the same package from the same sources
            "AWS_REGION": "ap-east-1", "AWS_ACCESS_KEY_ID": "record",
            "AWS_SECRET_ACCESS_KEY": "record", "AWS_EC2_METADATA_DISABLED": "true",
            "PORTAL_PHONE_HASH_KEY": "record-phone-hash-key-record-phone-hash-key",
        }  # fmt: skip
        recorded = int(_run([python, "-S", "-s", "-B", RECORDER, out], cwd=tree, env=env)
                       .strip().splitlines()[-1])  # fmt: skip
        with zipfile.ZipFile(zip_path, "a", zipfile.ZIP_DEFLATED) as archive:
            info = zipfile.ZipInfo(f"functions/{FILE_NAME}", date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            archive.writestr(info, out.read_bytes(), zipfile.ZIP_DEFLATED)
    return recorded
