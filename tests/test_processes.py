"""What a signal does to wamock while it loads (the real signals, to real processes, are in
tests/data/test_parallel_load.py and tests/serve/test_workers.py)."""

import signal

import pytest

from wamock import processes


class SignalsAsItEnds:
    """Raises `signum` from a finalizer: where Python ignores the exception its handler raises."""

    def __init__(self, signum: int) -> None:
        self.signum = signum

    def __del__(self) -> None:
        signal.raise_signal(self.signum)


@pytest.mark.parametrize(
    ("signum", "raised"),
    [
        pytest.param(signal.SIGTERM, processes.Stopped, id="SIGTERM"),
        pytest.param(signal.SIGHUP, processes.Stopped, id="SIGHUP"),
        pytest.param(signal.SIGINT, KeyboardInterrupt, id="SIGINT"),
    ],
)
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the lost exception, reported
def test_a_signal_whose_exception_python_ignored_still_stops_the_load(signum, raised):
    loaded = []
    with pytest.raises(raised), processes.stopped_by_signals():
        SignalsAsItEnds(signum)  # dropped at once: its __del__ runs here
        loaded.append("the rest of the load")

    assert loaded == ["the rest of the load"]


def test_the_handlers_before_the_load_are_back_after_it():
    before = [signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)]
    with processes.stopped_by_signals():
        pass

    assert [signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)] == before
