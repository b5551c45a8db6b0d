"""`python -m bench`: wamock against the mocks users would pick instead, and against its own scale.

One run, on 127.0.0.1, prints these tables (`--only NAME` picks parts):
1. peers: wamock (1 worker, default fixtures), wamock on connexion's path, Stoplight Prism,
   WireMock (one stub), `connexion run --mock=all` and a bare Starlette app returning the same
   bytes (the floor), loaded by `wrk -t1 -c32` with the Basic header, interleaved round by
   round; medians. Random pages first, then the page's own request repeated.
2. scale: wamock alone with 150 to 1,000,000 generated chats: first, middle and last page,
   with and without has_media=true, through the answer cache and past it (--no-cache).
3. workers: `--workers 1` against `--workers 2`, both kinds of traffic.
4. checker: `wamock check` against the mock.
5. search: a random term each request, at 150 and 1,000,000 chats.
6. random-scale: random pages over the whole range at 150 and 1,000,000 chats.
7. startup: launch to first 200, cold and warm, medians of --rounds starts, at every size.
8. documents: Twilio's 2 MB document, wamock and Prism 5: launch to first 200, peak memory.
9. checkers: `wamock check` beside plain `schemathesis run` on real documents, against wamock
   serve and Prism 5: exit status, distinct failures, requests, time.

It installs what it needs: wrk (Debian, as root), Prism and WireMock (npm, into bench/.work).
"""

import argparse
import os
import platform
import sys

from bench import results
from bench.harness import ensure_wrk
from bench.parts import checker, checkers, documents, peers, random_scale, scale, search, startup, workers

PARTS = {
    "peers": peers,
    "scale": scale,
    "search": search,
    "random-scale": random_scale,
    "workers": workers,
    "checker": checker,
    "startup": startup,
    "documents": documents,
    "checkers": checkers,
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="A smoke run: 1 s loads, 1 round, up to 10,000 chats.")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=10, help="Seconds of each wrk load in parts 1 and 3.")
    parser.add_argument("--scale-duration", type=float, default=2, help="Seconds of each wrk load in part 2.")
    parser.add_argument(
        "--only",
        choices=list(PARTS),
        action="append",
    )
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.duration, args.scale_duration = 1, 1, 1
    ensure_wrk()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}, "
        f"{platform.platform()}",
        flush=True,
    )
    for name in args.only or PARTS:
        with results.recorded(name, " ".join(["python -m bench", *sys.argv[1:]])):
            PARTS[name].run(args)
    print(f"\nwritten to {results.RESULTS_FILE}")


if __name__ == "__main__":
    main()
