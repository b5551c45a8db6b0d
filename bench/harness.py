"""What every part of the bench shares: the tools it installs, the servers it starts, wrk's
loads and their medians, and tables."""

import contextlib
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


WORK = ROOT / "bench" / ".work"


SPEC = ROOT / "spec" / "openapi.yaml"


AUTH = ("username", "password")


AUTH_HEADER = "Authorization: Basic dXNlcm5hbWU6cGFzc3dvcmQ="


SIZES = [150, 10_000, 100_000, 1_000_000]


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
    ready_path: str = "/chats"  # the request whose first 200 says it is up

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
                    if client.get(f"{self.url}{self.ready_path}").status_code == 200:
                        self.startup = time.monotonic() - started
                        return self
                except httpx.HTTPError:
                    pass
                time.sleep(0.01)
        self.stop()
        sys.exit(f"error: {self.name} did not answer 200 within {timeout} s")

    def rss_mib(self, measure: str = "VmRSS") -> float:
        """Resident memory of the server and of every process under it (`VmHWM`: the peak of each)."""
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
                match = re.search(rf"{measure}:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
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


@contextlib.contextmanager
def running(*servers: Server) -> Iterator[tuple[Server, ...]]:
    """The servers started, and stopped again whatever happens."""
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()


@dataclass
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    errors: int

    COLUMNS = ("req/s", "p50 ms", "p99 ms", "non-2xx+errors")

    def cells(self) -> list:
        """The load's row cells, under `COLUMNS`."""
        return [f"{self.rps:,.0f}", f"{self.p50_ms:.2f}", f"{self.p99_ms:.2f}", self.non_2xx + self.errors]


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


def fixture_file(size: int) -> Path:
    path = WORK / f"chats-{size}.json"
    if not path.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "wamock", "fixtures", "--count", str(size), "--seed", "0", "-o", str(path)],
            check=True,
        )
    return path
