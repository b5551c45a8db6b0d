"""`wamock serve --workers 2`: one port, one state; a change holds in every worker at once."""

import os
import signal

import httpx
import pytest

from tests.conftest import AUTH, JSON, start_wamock, stop, wait_for
from tests.data.test_parallel_load import alive, children
from tests.serve.test_control import CHAT

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def two_workers():
    server = start_wamock("--workers", "2")
    yield server
    stop(server)


def names_seen(base_url: str, times: int) -> set[str]:
    # A new connection each time, so that both workers take requests.
    return {
        httpx.get(f"{base_url}/chats?limit=1", auth=AUTH, headers={"Connection": "close"}).json()["results"]["data"][0][
            "name"
        ]
        for _ in range(times)
    }


def test_banner_says_two_workers(two_workers):
    assert "with 2 workers" in two_workers.banner


def test_every_worker_serves_the_replaced_data_from_the_next_request(two_workers):
    assert names_seen(two_workers.base_url, 10) == {"John Doe"}

    httpx.put(f"{two_workers.base_url}/__wamock/chats", json=[CHAT])
    after_replace = names_seen(two_workers.base_url, 20)
    httpx.post(f"{two_workers.base_url}/__wamock/reset", headers=JSON)
    after_reset = names_seen(two_workers.base_url, 20)

    assert after_replace == {"Only Chat"}
    assert after_reset == {"John Doe"}


def test_every_worker_sees_the_session_switch(two_workers):
    httpx.put(f"{two_workers.base_url}/__wamock/session", json={"logged_in": False})
    statuses = {
        httpx.get(f"{two_workers.base_url}/chats", auth=AUTH, headers={"Connection": "close"}).status_code
        for _ in range(20)
    }
    httpx.post(f"{two_workers.base_url}/__wamock/reset", headers=JSON)

    assert statuses == {500}


def test_the_journal_gathers_every_worker(two_workers):
    httpx.delete(f"{two_workers.base_url}/__wamock/journal", headers=JSON)
    for offset in range(12):
        httpx.get(f"{two_workers.base_url}/chats?offset={offset}", auth=AUTH, headers={"Connection": "close"})

    entries = httpx.get(f"{two_workers.base_url}/__wamock/journal").json()["results"]["entries"]

    assert sorted(entry["query"] for entry in entries) == sorted(f"offset={offset}" for offset in range(12))


def test_sigterm_stops_every_worker_cleanly(tmp_path):
    server = start_wamock("--workers", "2", cwd=tmp_path)
    stop(server)

    assert server.process.returncode == 0


@pytest.mark.parametrize(("name", "status"), [("SIGINT", 130), ("SIGTERM", 0)])
@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_signal_ends_wamock_with_one_status_whatever_the_workers(tmp_path, workers, name, status):
    server = start_wamock("--workers", workers, cwd=tmp_path)
    server.process.send_signal(getattr(signal, name))

    assert server.process.wait(timeout=30) == status
    stop(server)


def test_workers_end_with_a_killed_wamock(tmp_path):
    server = start_wamock("--workers", "2", cwd=tmp_path)
    workers = wait_for(lambda: len(children(server.process.pid)) >= 2 and children(server.process.pid))
    server.process.kill()
    server.process.wait(timeout=30)

    try:
        wait_for(lambda: not any(map(alive, workers)), what=f"the workers {workers} to end")
    finally:
        for pid in filter(alive, workers):
            os.kill(pid, signal.SIGKILL)
        stop(server)
