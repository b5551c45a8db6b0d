"""What a signal does to wamock, and why no process of it outlives it.

The exit status is the same with one worker or N:

- SIGINT (Ctrl-C): 130, as a shell reports a command it interrupted, while loading or serving.
- SIGTERM: 0. A stop asked for is a clean stop: while serving, once the requests in flight are
  answered; while loading, once the helper has ended and nothing half-written is left.
- SIGHUP while loading: as SIGTERM, 0. While serving it keeps uvicorn's meaning: N workers are
  restarted, one worker ends as killed by it.
- SIGKILL: nothing of wamock runs. The kernel kills its helper and its workers with it
  (PR_SET_PDEATHSIG), and the next start removes the state directory and the half-written cache
  file that were left.
"""

import contextlib
import ctypes
import os
import signal
import sys
from collections.abc import Iterator

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
STOPPED = 0  # the exit status of a start stopped by SIGTERM or SIGHUP
INTERRUPTED = 130


class Stopped(BaseException):
    """SIGTERM or SIGHUP while loading. A BaseException, as KeyboardInterrupt is, so that no
    `except Exception` on the way swallows it: it unwinds the start and wamock exits 0."""


def end_with_parent(parent: int) -> None:
    """Asks the kernel to kill this process when `parent` ends, whatever ends it; ends now if it
    already has. Only Linux can be asked: elsewhere a parent that ends cleanly still ends it."""
    if sys.platform == "linux":
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    # The parent may have ended before the request took hold: this process then has another.
    if os.getppid() != parent:
        os._exit(1)


@contextlib.contextmanager
def stopped_by_signals() -> Iterator[None]:
    """While this lasts, SIGTERM and SIGHUP raise Stopped in the main thread, and SIGINT
    KeyboardInterrupt, so that a load they interrupt ends its helper and removes what it was
    writing on its way out.

    Python ignores an exception raised where it cannot propagate (an at-fork hook such as
    logging's, a finalizer): a signal that lands there would be lost, and wamock would go on to
    serve. So a signal is also remembered, and raised again when the load is done."""
    received: list[int] = []

    def stop(signum, frame) -> None:
        received.append(signum)
        raise KeyboardInterrupt if signum == signal.SIGINT else Stopped(signum)

    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if received:  # the load went on: its exception was lost where Python ignores exceptions
        raise KeyboardInterrupt if received[0] == signal.SIGINT else Stopped(received[0])


def default_signals() -> None:
    """In a forked child: SIGTERM and SIGHUP end it, as they end any process; Ctrl-C reaches the
    whole process group, and the parent, which ends its children, answers it."""
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
