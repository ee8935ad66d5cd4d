"""Small helpers about TCP ports on this machine."""

from __future__ import annotations

import contextlib
import errno
import socket


def port_is_free(port: int, host: str = "0.0.0.0") -> bool:
    """Whether a server could listen on ``host:port`` now.

    The default host (all interfaces) also detects a listener bound to
    127.0.0.1 only, and DynamoDB Local listens on all interfaces. The probe
    uses ``SO_REUSEADDR`` like the servers themselves, so a port whose last
    connections are in TIME_WAIT after a restart counts as free.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def free_port(host: str = "127.0.0.1") -> int:
    """A port that is free now (the kernel's pick when binding port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
        return port


def answers(host: str, port: int, timeout_s: float = 0.2) -> bool:
    """Whether something accepts TCP connections on ``host:port``."""
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=timeout_s):
        return True
    return False
