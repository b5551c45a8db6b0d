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

It installs what it needs: wrk (Debian, as root), Prism and WireMock (npm, into bench/.work).
"""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench import results

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work"
SPEC = ROOT / "spec" / "openapi.yaml"
AUTH = ("username", "password")
AUTH_HEADER = "Authorization: Basic dXNlcm5hbWU6cGFzc3dvcmQ="
SIZES = [150, 10_000, 100_000, 1_000_000]


# Installing the tools.


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    if os.geteuid() != 0:
        sys.exit("error: wrk is missing; install Debian's wrk package (apt-get install wrk) as root")
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "wrk"], check=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    )


def ensure_npm_peers() -> Path:
    peers = WORK / "peers"
    if not (peers / "node_modules" / ".bin" / "prism").exists() or not list(
        peers.glob("node_modules/wiremock/build/*.jar")
    ):
        if not shutil.which("npm"):
            sys.exit("error: npm is missing; Prism and WireMock are installed from the npm registry")
        peers.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(peers),
                "--no-audit",
                "--no-fund",
                "--silent",
                "@stoplight/prism-cli@5",
                "wiremock@3",
            ],
            check=True,
        )
    return peers


# Servers.


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    name: str
    command: list[str]
    port: int
    env: dict = field(default_factory=dict)
    cwd: Path | None = None
    process: subprocess.Popen | None = None
    startup: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120) -> "Server":
        started = time.monotonic()
        self.process = subprocess.Popen(
            self.command,
            cwd=self.cwd,
            env={**os.environ, **self.env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        # One client for every poll: a new one each time costs milliseconds of CPU (its TLS
        # context), taken from the server starting on the same two cores.
        with httpx.Client(auth=AUTH, timeout=1) as client:
            while time.monotonic() - started < timeout:
                if self.process.poll() is not None:
                    sys.exit(
                        f"error: {self.name} exited with status {self.process.returncode}: {' '.join(self.command)}"
                    )
                try:
                    if client.get(f"{self.url}/chats").status_code == 200:
                        self.startup = time.monotonic() - started
                        return self
                except httpx.HTTPError:
                    pass
                time.sleep(0.01)
        self.stop()
        sys.exit(f"error: {self.name} did not answer 200 within {timeout} s")

    def rss_mib(self) -> float:
        """Resident memory of the server and of every process under it."""
        parents: dict[int, int] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
        tree, grew = {self.process.pid}, True
        while grew:
            children = {pid for pid, parent in parents.items() if parent in tree} - tree
            tree |= children
            grew = bool(children)
        total_kib = 0
        for pid in tree:
            try:
                match = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
            except OSError:
                continue
            total_kib += int(match.group(1)) if match else 0
        return total_kib / 1024

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def wamock_server(name: str, *args: str) -> Server:
    port = free_port()
    return Server(name, [sys.executable, "-m", "wamock", "serve", "--port", str(port), *args], port)


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


# Load.


@dataclass
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    errors: int


def to_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, duration: float, connections: int = 32, script: Path | None = None) -> Load:
    scripted = ["-s", str(script)] if script else []
    run = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration:g}s", "--latency", *scripted, "-H", AUTH_HEADER, url],
        capture_output=True,
        text=True,
        timeout=duration + 60,
    )
    if run.returncode != 0:
        sys.exit(f"error: wrk against {url} failed ({run.returncode}): {run.stderr.strip() or run.stdout.strip()}")
    output = run.stdout
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return Load(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        p50_ms=to_ms(re.search(r"\s50%\s+(\S+)", output).group(1)),
        p99_ms=to_ms(re.search(r"\s99%\s+(\S+)", output).group(1)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        errors=sum(map(int, errors.groups())) if errors else 0,
    )


def median_load(loads: list[Load]) -> Load:
    return Load(
        rps=statistics.median(load.rps for load in loads),
        p50_ms=statistics.median(load.p50_ms for load in loads),
        p99_ms=statistics.median(load.p99_ms for load in loads),
        non_2xx=sum(load.non_2xx for load in loads),
        errors=sum(load.errors for load in loads),
    )


def random_pages_script(total: int, name: str = "random-pages.lua") -> Path:
    """A wrk script whose every request asks another page: limit 1..100, offset 0..total, a third with has_media=true."""
    script = WORK / name
    WORK.mkdir(parents=True, exist_ok=True)
    script.write_text(
        "math.randomseed(7)\n"
        "request = function()\n"
        '  local path = "/chats?limit=" .. math.random(1, 100) .. "&offset=" .. math.random(0, ' + str(total) + ")\n"
        '  if math.random(3) == 1 then path = path .. "&has_media=true" end\n'
        '  return wrk.format("GET", path)\n'
        "end\n"
    )
    return script


TRAFFIC = {"random pages": "random", "the page's own request, repeated": "single"}


def interleaved_medians(servers: list[Server], args, *, label: str) -> dict[tuple[str, str], Load]:
    """Each server loaded in turn with each kind of traffic, round after round (A B C, A B C, ...);
    the median of each (server, traffic)."""
    script = random_pages_script(150)
    loads: dict[tuple[str, str], list[Load]] = {}
    for round_number in range(args.rounds):
        for server in servers:
            for kind in TRAFFIC.values():
                load = wrk(f"{server.url}/chats", args.duration, script=script if kind == "random" else None)
                loads.setdefault((server.name, kind), []).append(load)
        print(f"  {label}: round {round_number + 1} of {args.rounds} done", flush=True)
    return {key: median_load(runs) for key, runs in loads.items()}


def table(headers: list[str], rows: list[list]) -> str:
    """A Markdown table, its columns aligned so that it reads as well in a terminal."""
    cells = [headers, *[[str(cell) for cell in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + " |" for row in cells
    ]
    lines.insert(1, "| " + " | ".join("-" * width for width in widths) + " |")
    return "\n".join(lines)


# The four parts.


def bench_peers(args) -> None:
    peers = ensure_npm_peers()
    example = WORK / "example-page.json"
    wamock = wamock_server("wamock").start()
    example.write_bytes(httpx.get(f"{wamock.url}/chats", auth=AUTH).content)
    wamock.stop()
    servers = [
        wamock_server("wamock", "--no-access-log"),
        wamock_server("wamock, connexion's path", "--no-access-log", "--no-cache", "--no-fast-path"),
        *peer_servers(peers, example),
    ]
    try:
        for server in servers:
            server.start()
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
                        f"{load.rps:,.0f}",
                        f"{load.p50_ms:.2f}",
                        f"{load.p99_ms:.2f}",
                        load.non_2xx + load.errors,
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
    finally:
        for server in servers:
            server.stop()


def fixture_file(size: int) -> Path:
    path = WORK / f"chats-{size}.json"
    if not path.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "wamock", "fixtures", "--count", str(size), "--seed", "0", "-o", str(path)],
            check=True,
        )
    return path


def bench_scale(args) -> None:
    sizes = SIZES[:2] if args.quick else SIZES
    cache = WORK / "compiled"
    rows, results = [], {}
    for size in sizes:
        fixtures = fixture_file(size)
        shutil.rmtree(cache, ignore_errors=True)
        # The first start loads and compiles the file (cold); the second reads the compiled file (warm).
        for mode, extra in (("cached", []), ("uncached", ["--no-cache"])):
            server = wamock_server(f"wamock {size}", "--fixtures", str(fixtures), "--no-access-log", *extra)
            server.env = {"WAMOCK_CACHE_DIR": str(cache)}
            server.start()
            try:
                for has_media in (False, True):
                    query = "has_media=true&" if has_media else ""
                    total = httpx.get(f"{server.url}/chats?{query}limit=1", auth=AUTH).json()["results"]["pagination"][
                        "total"
                    ]
                    for page, offset in (("first", 0), ("middle", total // 2), ("end", max(total - 25, 0))):
                        url = f"{server.url}/chats?{query}offset={offset}"
                        load = median_load([wrk(url, args.scale_duration) for _ in range(args.rounds)])
                        results[(size, mode, has_media, page)] = load
                        rows.append(
                            [
                                f"{size:,}",
                                mode,
                                str(has_media).lower(),
                                page,
                                f"{load.rps:,.0f}",
                                f"{load.p50_ms:.2f}",
                                f"{load.p99_ms:.2f}",
                                load.non_2xx + load.errors,
                            ]
                        )
            finally:
                server.stop()
        print(f"  scale: {size:,} chats done", flush=True)
    print(f"\n2. Scale: wamock, 1 worker, wrk -t1 -c32 -d{args.scale_duration}s a page, medians of {args.rounds}")
    print(table(["chats", "cache", "has_media", "page", "req/s", "p50 ms", "p99 ms", "non-2xx+errors"], rows))
    largest, smallest = sizes[-1], sizes[0]
    ratios = []
    for (size, mode, has_media, page), load in results.items():
        if size == largest:
            base = results[(smallest, mode, has_media, page)]
            ratios.append(
                [mode, str(has_media).lower(), page, f"{load.p50_ms / base.p50_ms:.2f}", f"{load.rps / base.rps:.2f}"]
            )
    print(f"\nRatio {largest:,} / {smallest:,} chats")
    print(table(["cache", "has_media", "page", "p50 ratio", "req/s ratio"], ratios))


def bench_random_scale(args) -> None:
    """Random pages over the whole range, at 150 chats and at the largest size, each store built
    from its fixture file (nothing compiled); start-up is part 7's."""
    rows, p50 = [], {}
    cache = WORK / "compiled"
    for size in [150, 10_000] if args.quick else [150, SIZES[-1]]:
        fixtures = fixture_file(size)
        shutil.rmtree(cache, ignore_errors=True)  # nothing compiled: the store is built in memory
        server = wamock_server(f"wamock {size}", "--fixtures", str(fixtures), "--no-access-log")
        server.env = {"WAMOCK_CACHE_DIR": str(cache)}
        server.start()
        try:
            script = random_pages_script(size, name=f"random-pages-{size}.lua")
            load = median_load([wrk(f"{server.url}/chats", args.duration, script=script) for _ in range(args.rounds)])
        finally:
            server.stop()
        p50[size] = load.p50_ms
        rows.append(
            [
                f"{size:,}",
                f"{load.rps:,.0f}",
                f"{load.p50_ms:.2f}",
                f"{load.p99_ms:.2f}",
                load.non_2xx + load.errors,
            ]
        )
        print(f"  random pages: {size:,} chats done", flush=True)
    print(
        f"\n6. Random pages over the whole range (limit 1..100, offset 0..total, a third has_media=true), "
        f"wrk -t1 -c32 -d{args.duration:g}s, medians of {args.rounds}"
    )
    print(table(["chats", "req/s", "p50 ms", "p99 ms", "non-2xx+errors"], rows))
    small, large = min(p50), max(p50)
    print(f"p50, {large:,} / {small:,} chats: {p50[large] / p50[small]:.2f}x")


def bench_startup(args) -> None:
    """Launch to first 200, cold (nothing compiled: read, parse, check, order, encode) and warm
    (the compiled file read back), medians of --rounds starts each; resident memory after."""
    rows = []
    cache = WORK / "compiled"
    for size in SIZES[:2] if args.quick else SIZES:
        fixtures = fixture_file(size)
        for start in ("cold", "warm"):
            times, memory = [], []
            for _ in range(args.rounds):
                if start == "cold":
                    shutil.rmtree(cache, ignore_errors=True)
                server = wamock_server(f"wamock {size}", "--fixtures", str(fixtures), "--no-access-log")
                server.env = {"WAMOCK_CACHE_DIR": str(cache)}
                server.start()
                memory.append(server.rss_mib())
                server.stop()  # waits for the compiled file, written while the server started
                times.append(server.startup)
            rows.append(
                [
                    f"{size:,}",
                    start,
                    f"{statistics.median(times):.2f}",
                    f"{min(times):.2f}–{max(times):.2f}",
                    f"{statistics.median(memory):.0f}",
                ]
            )
        print(f"  start-up: {size:,} chats done", flush=True)
    print(f"\n7. Start-up: launch to the first 200 of GET /chats, medians of {args.rounds} starts")
    print(table(["chats", "start", "median s", "range s", "RSS MiB"], rows))


def search_script(fixtures: Path, count: int = 300) -> Path:
    """A wrk script whose every request searches another term: pieces of the data's own names."""
    names = sorted({chat["name"] for chat in json.loads(fixtures.read_text())[:5000]})
    pieces = sorted({name[i : i + 3].lower() for name in names for i in range(0, max(len(name) - 2, 1), 2)})
    terms = [piece for piece in pieces if piece.isalpha()][:count]
    script = WORK / "search.lua"
    quoted = ", ".join(f'"{urllib.parse.quote(term)}"' for term in terms)
    script.write_text(
        f"local terms = {{{quoted}}}\n"
        "request = function()\n"
        '  return wrk.format("GET", "/chats?limit=25&search=" .. terms[math.random(#terms)])\n'
        "end\n"
    )
    return script


def bench_search(args) -> None:
    """Searches of varied terms, past the answer cache (--no-cache), at one connection and at 32."""
    rows, p50 = [], {}
    for size in [150, 10_000] if args.quick else [150, 1_000_000]:
        fixtures = fixture_file(size)
        script = search_script(fixtures)
        server = wamock_server(f"wamock {size}", "--fixtures", str(fixtures), "--no-access-log", "--no-cache")
        server.env = {"WAMOCK_CACHE_DIR": str(WORK / "compiled")}
        server.start()
        try:
            for connections in (1, 32):
                load = median_load(
                    [wrk(f"{server.url}/chats", args.scale_duration, connections, script) for _ in range(args.rounds)]
                )
                p50[(size, connections)] = load.p50_ms
                rows.append(
                    [
                        f"{size:,}",
                        connections,
                        f"{load.rps:,.0f}",
                        f"{load.p50_ms:.2f}",
                        f"{load.p99_ms:.2f}",
                        load.non_2xx + load.errors,
                    ]
                )
        finally:
            server.stop()
        print(f"  search: {size:,} chats done", flush=True)
    print(
        f"\n5. Search, a random term of 300 each request, --no-cache, wrk -t1 -d{args.scale_duration}s, medians of {args.rounds}"
    )
    print(table(["chats", "connections", "req/s", "p50 ms", "p99 ms", "non-2xx+errors"], rows))
    small, large = min(size for size, _ in p50), max(size for size, _ in p50)
    print(f"p50 at one connection, {large:,} / {small:,} chats: {p50[(large, 1)] / p50[(small, 1)]:.1f}x")


def bench_workers(args) -> None:
    servers = [
        wamock_server("1 worker", "--no-access-log"),
        wamock_server("2 workers", "--workers", "2", "--no-access-log"),
    ]
    try:
        for server in servers:
            server.start()
        medians = interleaved_medians(servers, args, label="workers")
        rows = [
            [name, kind, f"{load.rps:,.0f}", f"{load.p50_ms:.2f}", f"{load.p99_ms:.2f}"]
            for (name, kind), load in medians.items()
        ]
        print(f"\n3. Workers, wrk -t1 -c32 -d{args.duration}s, medians of {args.rounds} rounds")
        print(table(["wamock", "traffic", "req/s", "p50 ms", "p99 ms"], rows))
        for kind in TRAFFIC.values():
            ratio = medians[("2 workers", kind)].rps / medians[("1 worker", kind)].rps
            print(f"2 workers / 1 worker, {kind}: {ratio:.2f}x")
    finally:
        for server in servers:
            server.stop()


def bench_checker(args) -> None:
    server = wamock_server("wamock", "--no-access-log").start()
    try:
        times, requests = [], []
        for seed in range(args.rounds):
            started = time.monotonic()
            result = subprocess.run(
                [sys.executable, "-m", "wamock", "check", server.url, "--seed", str(seed)],
                capture_output=True,
                text=True,
                timeout=600,
            )
            times.append(time.monotonic() - started)
            requests.append(int(re.search(r"(\d+) requests,", result.stdout).group(1)))
        median_time = statistics.median(times)
        print(f"\n4. wamock check against the mock, default settings, {args.rounds} seeds")
        print(
            table(
                ["median wall time s", "median requests", "requests/s"],
                [
                    [
                        f"{median_time:.1f}",
                        statistics.median(requests),
                        f"{statistics.median(requests) / median_time:.0f}",
                    ]
                ],
            )
        )
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="A smoke run: 1 s loads, 1 round, up to 10,000 chats.")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=10, help="Seconds of each wrk load in parts 1 and 3.")
    parser.add_argument("--scale-duration", type=float, default=2, help="Seconds of each wrk load in part 2.")
    parser.add_argument(
        "--only",
        choices=["peers", "scale", "workers", "checker", "search", "random-scale", "startup"],
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
    parts = {
        "peers": bench_peers,
        "scale": bench_scale,
        "search": bench_search,
        "random-scale": bench_random_scale,
        "workers": bench_workers,
        "checker": bench_checker,
        "startup": bench_startup,
    }
    for name in args.only or parts:
        with results.recorded(name, " ".join(["python -m bench", *sys.argv[1:]])):
            parts[name](args)
    print(f"\nwritten to {results.RESULTS_FILE}")


if __name__ == "__main__":
    main()
