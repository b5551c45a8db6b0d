"""8. documents: a large real document (Twilio's 2010 API, 2 MB of JSON, from npm), wamock and
Stoplight Prism 5 side by side: launch to the first 200 of its `GET /2010-04-01/Accounts.json`,
and the peak resident memory of each (every process under it), medians of --rounds starts."""

import statistics
import sys

from bench.harness import Server, ensure_npm_peers, free_port, running, table, wamock_server

TWILIO = ("@twilio-alpha/mcp", "twilio-oai/spec/json/twilio_api_v2010.json")
FIRST_ANSWER = "/2010-04-01/Accounts.json"  # needs only Basic credentials, which both take


def document() -> str:
    from tests import corpus  # the tests' pinned corpus: the same document, fetched once

    return str(corpus.document(*TWILIO))


def servers(spec: str) -> list[Server]:
    peers = ensure_npm_peers()
    prism_port = free_port()
    prism = Server(
        "prism 5",
        [str(peers / "node_modules" / ".bin" / "prism"), "mock", spec, "-h", "127.0.0.1", "-p", str(prism_port)],
        prism_port,
    )
    wamock = wamock_server("wamock", "--spec", spec, "--no-access-log")
    for server in (wamock, prism):
        server.ready_path = FIRST_ANSWER
    return [wamock, prism]


def run(args) -> None:
    spec = document()
    measured: dict[str, tuple[list[float], list[float], list[float]]] = {}
    for _ in range(args.rounds):
        for server in servers(spec):  # one at a time: neither takes the other's cores
            with running(server):
                peak, now = server.rss_mib("VmHWM"), server.rss_mib()
            times, peaks, after = measured.setdefault(server.name, ([], [], []))
            times.append(server.startup)
            peaks.append(peak)
            after.append(now)
    rows = [
        [
            name,
            f"{statistics.median(times):.2f}",
            f"{min(times):.2f}–{max(times):.2f}",
            f"{statistics.median(peaks):.0f}",
            f"{statistics.median(after):.0f}",
        ]
        for name, (times, peaks, after) in measured.items()
    ]
    print(f"\n8. A large real document: Twilio 2010 ({spec.rsplit('/', 1)[-1]}), medians of {args.rounds} starts")
    print(table(["server", "first 200 s", "range s", "peak RSS MiB", "RSS after MiB"], rows))


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.parts.documents")
    parser.add_argument("--rounds", type=int, default=3)
    run(parser.parse_args(sys.argv[1:]))
