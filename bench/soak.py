"""`python -m bench.soak`: wamock under 256 connections, with and without the data changing.

Two bounded runs of wrk against a wamock on 127.0.0.1 (60 s each by default):
1. steady: the documented request; every answer must be 200, no socket errors;
2. replacing: the same load while a client replaces the data set through the control API
   and resets it, twice a second; every page must be wholly old or wholly new data.
It exits 1 if anything went wrong, and prints the figures either way.
"""

import argparse
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import httpx

from bench.harness import AUTH_HEADER, ensure_wrk, running, wamock_server

LUA = Path(__file__).with_name("soak.lua")
NEW_CHATS = [
    {
        "jid": f"62800{index:07d}@s.whatsapp.net",
        "name": f"NEW {index}",
        "last_message_time": f"2024-06-01T10:{index // 60:02d}:{index % 60:02d}Z",
        "ephemeral_expiration": 0,
        "created_at": "2024-01-01T00:00:00Z",
        "updated_at": "2024-06-02T00:00:00Z",
        "has_media": index % 3 == 0,
    }
    for index in range(40)
]


def soak(url: str, duration: int, connections: int) -> dict:
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "10s",
            "-s",
            str(LUA),
            "-H",
            AUTH_HEADER,
            f"{url}/chats?limit=25&offset=10",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=duration + 60,
        env={**os.environ, "SOAK_NEW_TOTAL": str(len(NEW_CHATS)), "SOAK_OLD_TOTAL": "150"},
    ).stdout
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    counts = dict(re.findall(r"(\w+)=(\d+)", re.search(r"SOAK (.*)", output).group(1)))
    return {
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "socket_errors": sum(map(int, errors.groups())) if errors else 0,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        **{name: int(value) for name, value in counts.items()},
    }


def keep_replacing(url: str, stop: threading.Event, changes: list[int]) -> None:
    with httpx.Client(base_url=url, timeout=10) as client:
        while not stop.is_set():
            assert client.put("/__wamock/chats", json=NEW_CHATS).status_code == 200
            stop.wait(0.25)
            assert client.post("/__wamock/reset", headers={"Content-Type": "application/json"}).status_code == 200
            changes.append(2)
            stop.wait(0.25)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=60, help="Seconds of each run (default: %(default)s).")
    parser.add_argument("--connections", type=int, default=256)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    ensure_wrk()
    server = wamock_server("wamock", "--no-access-log", "--workers", str(args.workers))
    with running(server):
        steady = soak(server.url, args.duration, args.connections)
        stop, changes = threading.Event(), []
        replacer = threading.Thread(target=keep_replacing, args=(server.url, stop, changes))
        replacer.start()
        replacing = soak(server.url, args.duration, args.connections)
        stop.set()
        replacer.join()
    bad = False
    for name, run in (("steady", steady), ("replacing", replacing)):
        print(
            f"{name}: {run['requests']:,} requests in {args.duration} s over {args.connections} connections "
            f"({run['rps']:,.0f}/s); socket errors {run['socket_errors']}, non-2xx {run['non_2xx']}, "
            f"undocumented statuses {run['undocumented']}, mixed pages {run['mixed']}"
        )
        bad |= bool(run["socket_errors"] or run["non_2xx"] or run["undocumented"] or run["mixed"])
    print(f"data set changes during the replacing run: {sum(changes)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
