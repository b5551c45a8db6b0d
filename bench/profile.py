"""`python -m bench.profile`: where the time goes, in wamock's own code.

- `startup FILE`: each phase of a cold load of a fixture file (nothing compiled yet), timed on
  one core; then the same load as `wamock serve` does it, on both cores.
- `request [N]`: cProfile of N random-page requests (limit 1..100, offset 0..150, a third
  with has_media=true) sent to the app as uvicorn would (ASGI), with no network in between;
  the functions that take the most time, cumulative and own.
"""

import argparse
import asyncio
import cProfile
import pstats
import random
import sys
import time
from pathlib import Path


def startup(path: Path) -> None:
    from wamock.data import fixtures
    from wamock.data import parallel_load as parallel
    from wamock.data import spec as spec_module
    from wamock.data.store import ChatStore

    spec = spec_module.load()
    phases = []
    started = time.perf_counter()

    def phase(name: str) -> None:
        nonlocal started
        now = time.perf_counter()
        phases.append((name, now - started))
        started = now

    raw = fixtures.read(path)
    phase("read the file")
    data = fixtures.parse(raw, source=str(path))
    phase("parse JSON")
    fixtures.validate_chats(data, spec, source=str(path))
    phase("check every chat")
    ChatStore(data, owned=True)
    phase("order, encode, index")
    del data
    phase("free the records")
    parallel.load_devices(raw, spec, source=str(path))
    phase("all but reading, on both cores")
    print(f"{len(raw) / 2**20:,.0f} MiB from {path}")
    one_core = sum(seconds for name, seconds in phases[:-1])
    for name, seconds in phases:
        print(f"  {name:<32} {seconds:6.2f} s")
        if name == "free the records":
            print(f"  {'total on one core':<32} {one_core:6.2f} s")


async def send_requests(app, count: int) -> None:
    rng = random.Random(7)
    headers = [(b"host", b"127.0.0.1"), (b"authorization", b"Basic dXNlcm5hbWU6cGFzc3dvcmQ=")]

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        pass

    for _ in range(count):
        query = f"limit={rng.randint(1, 100)}&offset={rng.randint(0, 150)}"
        if rng.random() < 1 / 3:
            query += "&has_media=true"
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": "/chats",
            "raw_path": b"/chats",
            "query_string": query.encode(),
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 3000),
        }
        await app(scope, receive, send)


def request(count: int, fast_path: bool) -> None:
    from wamock.serve.app import create_app

    app = create_app(cache=False, fast_path=fast_path)
    asyncio.run(send_requests(app, 200))  # warm: the first requests build what later ones reuse
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    asyncio.run(send_requests(app, count))
    profiler.disable()
    elapsed = time.perf_counter() - started
    path = "the fast path" if fast_path else "connexion's path (--no-fast-path)"
    print(f"{count:,} random-page requests through {path}: {elapsed / count * 1e6:.0f} µs each, profiled")
    stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs()
    stats.sort_stats("cumulative").print_stats(18)
    stats.sort_stats("tottime").print_stats(12)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser("startup", help="Time each phase of a cold load of a fixture file.")
    load.add_argument("file", type=Path)
    requests = commands.add_parser("request", help="Profile random-page requests.")
    requests.add_argument("count", type=int, nargs="?", default=20_000)
    requests.add_argument("--no-fast-path", action="store_true")
    args = parser.parse_args()
    if args.command == "startup":
        startup(args.file)
    else:
        request(args.count, fast_path=not args.no_fast_path)


if __name__ == "__main__":
    main()
