"""Serving an app with uvicorn on a socket wamock binds itself, so a busy port is a clear error."""

import errno
import signal
import socket
from collections.abc import Callable

import uvicorn

from wamock.adapters.uvicorn import GuardedHttpTools, Limits, run_workers
from wamock.serve import envelope


class EnvelopeHttpToolsProtocol(GuardedHttpTools):
    """uvicorn's protocol with wamock's limits, each refusal in the page's envelope."""

    @staticmethod
    def refusal_body(status: int, message: str) -> bytes:
        return envelope.encode(envelope.error(str(status), message))


class ServeError(Exception):
    """The server cannot start: the message names the address and what to do."""


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ServeError(f"{host}:{port} is already in use; stop what listens there or pass --port") from None
        if exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT) or isinstance(exc, socket.gaierror):
            raise ServeError(f"cannot listen on {host}:{port}: {host} is not an address of this machine") from None
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def run(
    app,
    sock: socket.socket,
    *,
    workers: int = 1,
    limits: Limits | None = None,
    shutdown_timeout: float = 10.0,
    ready: Callable[[], None] = lambda: None,
) -> None:
    """Serve until SIGTERM or SIGINT. With workers > 1, `app` is an import string of a factory.
    `ready` (the banner) is called once the signals are wamock's to handle, before serving.

    SIGINT raises KeyboardInterrupt once the server has stopped, with one worker or N
    (wamock/processes.py gives the exit statuses)."""
    EnvelopeHttpToolsProtocol.limits = limits or Limits()
    config = uvicorn.Config(
        app,
        factory=workers > 1,
        workers=workers,
        log_level="info",
        access_log=False,  # wamock logs requests itself (wamock/journal.py)
        lifespan="off",
        timeout_graceful_shutdown=shutdown_timeout,
        http=EnvelopeHttpToolsProtocol,
    )
    if workers > 1:
        if run_workers(config, sock, ready):
            raise KeyboardInterrupt
        return
    server = uvicorn.Server(config)

    def stop_serving(signum, frame) -> None:
        # A SIGTERM before uvicorn takes the signals over (right after the banner, as a supervisor
        # stops a service it has just seen start) stops it as soon as it has started. uvicorn
        # drains in-flight requests on SIGTERM, then raises the signal again to exit "as
        # killed"; for a mock a drained stop is a clean stop, so that lands here too, and
        # wamock exits 0.
        server.should_exit = True

    previous = signal.signal(signal.SIGTERM, stop_serving)
    try:
        ready()
        server.run(sockets=[sock])
    finally:
        signal.signal(signal.SIGTERM, previous)
