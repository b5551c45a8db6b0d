"""Compiled fixture files: a big data set is served from its compiled file on the next start."""

import os
import subprocess
import sys

import pytest

from wamock.data import spec as spec_module
from wamock.data.generate import dumps, generate_chats
from wamock.data.store import ChatStore, Filters
from wamock.serve.fast import compiled


@pytest.fixture
def big_file(tmp_path, spec, monkeypatch):
    monkeypatch.setenv("WAMOCK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(compiled, "SMALL", 100)
    path = tmp_path / "big.json"
    path.write_bytes(dumps(generate_chats(500, 3, newest=spec_module.documented_chat(spec))))
    return path


def pages(store: ChatStore) -> list:
    return [
        store.page(limit=limit, offset=offset, filters=filters)
        for limit, offset, filters in [
            (25, 0, Filters()),
            (100, 450, Filters()),
            (7, 3, Filters(has_media=True)),
            (50, 10**12, Filters(has_media=True)),
            (9, 2, Filters(archived=True, search="a")),
            (30, 0, Filters(has_media=True, archived=False)),
        ]
    ]


def test_second_load_reads_the_compiled_file_and_serves_the_same_pages(big_file, spec, tmp_path):
    first = compiled.load_devices(big_file, spec).only
    compiled.finish_writing()
    files = list((tmp_path / "cache").glob("*.store"))
    second = compiled.load_devices(big_file, spec).only

    assert len(files) == 1
    assert pages(second) == pages(first)
    assert second.records() == first.records()


def test_a_changed_fixture_file_is_loaded_again(big_file, spec, tmp_path):
    compiled.load_devices(big_file, spec)
    compiled.finish_writing()
    chats = big_file.read_text().replace('"John Doe"', '"Jane Doe"')
    big_file.write_text(chats)
    os.utime(big_file, ns=(1, 1))

    store = compiled.load_devices(big_file, spec).only
    compiled.finish_writing()

    assert store.page(limit=1, offset=0).data[0]["name"] == "Jane Doe"
    assert len(list((tmp_path / "cache").glob("*.store"))) == 2


def test_a_broken_compiled_file_falls_back_to_loading(big_file, spec, tmp_path):
    expected = pages(compiled.load_devices(big_file, spec).only)
    compiled.finish_writing()
    for file in (tmp_path / "cache").glob("*.store"):
        file.write_bytes(file.read_bytes()[:1000])

    assert pages(compiled.load_devices(big_file, spec).only) == expected


def test_an_unwritable_cache_only_costs_time(big_file, spec, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("WAMOCK_CACHE_DIR", str(blocker / "cache"))

    assert len(compiled.load_devices(big_file, spec).only) == 500
    compiled.finish_writing()
    assert not blocker.read_text()


def test_what_a_killed_writer_left_is_removed_and_a_running_one_kept(big_file, spec, tmp_path):
    ended = subprocess.Popen([sys.executable, "-c", ""])
    ended.wait()
    cache = tmp_path / "cache"
    cache.mkdir()
    left = cache / f"0123.{ended.pid}.tmp"
    running = cache / f"4567.{os.getpid()}.tmp"
    for part in (left, running):
        part.write_bytes(b"half")

    compiled.load_devices(big_file, spec)
    compiled.finish_writing()

    assert not left.exists()
    assert running.exists()
