"""1. peers: wamock, wamock on connexion's path, Stoplight Prism, WireMock (one stub),
`connexion run --mock=all` and a bare Starlette app returning the same bytes (the floor),
loaded by `wrk -t1 -c32`, interleaved round by round; medians. Random pages, then the page's own request."""

import shutil
import sys
from pathlib import Path

import httpx

from bench.harness import (
    AUTH,
    ROOT,
    SPEC,
    TRAFFIC,
    WORK,
    Server,
    ensure_npm_peers,
    free_port,
    interleaved_medians,
    running,
    table,
    wamock_server,
)


def run(args) -> None:
    peers = ensure_npm_peers()
    example = WORK / "example-page.json"
    with running(wamock_server("wamock")) as (wamock,):
        example.write_bytes(httpx.get(f"{wamock.url}/chats", auth=AUTH).content)
    servers = [
        wamock_server("wamock", "--no-access-log"),
        wamock_server("wamock, connexion's path", "--no-access-log", "--no-cache", "--no-fast-path"),
        *peer_servers(peers, example),
    ]
    with running(*servers):
        medians = interleaved_medians(servers, args, label="peers")
        for number, (title, kind) in enumerate(TRAFFIC.items(), start=1):
            ours = medians[("wamock", kind)]
            rows = []
            for server in servers:
                load = medians[(server.name, kind)]
                ratio = f"{ours.rps / load.rps:.2f}x" if server.name != "wamock" else "-"
                rows.append(
                    [
                        server.name,
                        *load.cells(),
                        f"{server.startup:.2f}",
                        f"{server.rss_mib():.0f}",
                        ratio,
                    ]
                )
            print(
                f"\n1.{number} {title.capitalize()}, wrk -t1 -c32 -d{args.duration:g}s, "
                f"medians of {args.rounds} interleaved rounds"
            )
            print(
                table(
                    [
                        "server",
                        "req/s",
                        "p50 ms",
                        "p99 ms",
                        "non-2xx+errors",
                        "start s",
                        "RSS MiB",
                        "wamock/server req/s",
                    ],
                    rows,
                )
            )
        print(
            "Random pages: limit 1..100, offset 0..150, a third with has_media=true, each request another; "
            "WireMock, connexion's mock and the floor answer every page with the same bytes."
        )


def peer_servers(peers: Path, example_body: Path) -> list[Server]:
    prism_port, wiremock_port, connexion_port, floor_port = (free_port() for _ in range(4))
    wiremock_root = WORK / "wiremock"
    (wiremock_root / "mappings").mkdir(parents=True, exist_ok=True)
    (wiremock_root / "mappings" / "chats.json").write_text(
        '{"request": {"method": "GET", "urlPath": "/chats", "basicAuthCredentials": {"username": "username", '
        '"password": "password"}}, "response": {"status": 200, "headers": {"Content-Type": "application/json"}, '
        '"bodyFileName": "chats.json"}}'
    )
    (wiremock_root / "__files").mkdir(exist_ok=True)
    shutil.copy(example_body, wiremock_root / "__files" / "chats.json")
    jar = next(peers.glob("node_modules/wiremock/build/*.jar"))
    return [
        Server(
            "prism",
            [
                str(peers / "node_modules" / ".bin" / "prism"),
                "mock",
                str(SPEC),
                "-h",
                "127.0.0.1",
                "-p",
                str(prism_port),
            ],
            prism_port,
        ),
        Server(
            "wiremock",
            [
                "java",
                "-jar",
                str(jar),
                "--port",
                str(wiremock_port),
                "--bind-address",
                "127.0.0.1",
                "--root-dir",
                str(wiremock_root),
            ],
            wiremock_port,
        ),
        Server(
            "connexion --mock=all",
            [
                sys.executable,
                "-m",
                "connexion",
                "run",
                str(SPEC),
                "--mock=all",
                "--host",
                "127.0.0.1",
                "--port",
                str(connexion_port),
            ],
            connexion_port,
            env={"PYTHONPATH": str(ROOT / "bench"), "BASICINFO_FUNC": "connexion_mock_auth.basic_info"},
        ),
        Server(
            "starlette floor",
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bench.floor:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(floor_port),
                "--no-access-log",
            ],
            floor_port,
            env={"BENCH_FLOOR_BODY": str(example_body)},
            cwd=ROOT,
        ),
    ]
