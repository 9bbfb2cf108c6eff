"""Running gunicorn: the one code path that both ``onewindow serve`` and ``onewindow demo`` use."""

import os
import signal
import subprocess
import sys

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

WSGI_APPLICATION = "onewindow.wsgi:application"
# Each worker holds its own database connection; past a handful, a centre's traffic gains nothing.
MAX_DEFAULT_WORKERS = 8


def default_workers() -> int:
    """Gunicorn's rule of thumb, (2 × CPU cores) + 1, capped."""
    return min(2 * (os.cpu_count() or 1) + 1, MAX_DEFAULT_WORKERS)


def check_port(port: int) -> int:
    if not 1 <= port <= 65535:
        raise CommandError(_("The port must be a number from 1 to 65535, not %(port)s.") % {"port": port})
    return port


def check_workers(workers: int) -> int:
    if workers < 1:
        raise CommandError(_("Run at least one worker."))
    return workers


def bind_address(host: str, port: int) -> str:
    """``host:port`` for gunicorn's ``--bind``; an IPv6 address goes in brackets."""
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{host}:{port}"


def browser_address(host: str, port: int) -> str:
    """The address to open: a wildcard bind is reached through localhost."""
    shown = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "": "127.0.0.1"}.get(host, host)  # noqa: S104
    return f"http://{bind_address(shown, port)}/"


def gunicorn_argv(*, host: str, port: int, workers: int) -> list[str]:
    """The gunicorn command line, run with this interpreter so that it uses the same installation."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        WSGI_APPLICATION,
        "--bind",
        bind_address(host, port),
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
    ]


def exec_gunicorn(argv: list[str]) -> None:
    """Replace this process with gunicorn, so that Ctrl-C and service managers' signals reach it directly.

    The environment (settings module, ``ONEWINDOW_DEMO``, ``DATABASE_URL``) carries over unchanged.
    """
    from django.db import connections

    connections.close_all()
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(argv[0], argv)  # noqa: S606


def run_gunicorn_beside(argv: list[str], loop) -> int:
    """Run gunicorn as a child process while ``loop`` (a ``notifications.worker.BackgroundLoop``: the
    job worker and the periodic tick) runs in a thread of this process; return gunicorn's exit code.

    The thread lives here, not in gunicorn's master, so that gunicorn never forks a process holding a
    running thread. Ctrl-C and SIGTERM are passed on to gunicorn; once it has stopped, the loop is told
    to stop and is waited for, so a tick is never cut off half-way.
    """
    from django.db import connections

    connections.close_all()
    thread = loop.start_thread()
    child = subprocess.Popen(argv)  # noqa: S603 (our own interpreter and arguments)

    def forward(signum, frame):
        child.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        return child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        loop.stop.set()
        thread.join()
