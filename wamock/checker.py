"""`wamock check`: fuzz an implementation of GET /chats with Schemathesis, probe it, report.

A run has two parts. Schemathesis' engine generates requests from the spec (examples,
coverage, fuzzing; valid and invalid data) and applies its own checks and wamock's
(`wamock.checks`). Then `wamock.probes` tests what needs several requests. Every failure
becomes a `Finding`; findings of the same check and kind are merged, so each distinct way
an implementation breaks the contract is listed once, with one request that reproduces it.
"""

import base64
import random
import shlex
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx
import schemathesis
from schemathesis.engine import events, from_schema

from wamock import checks as wamock_checks
from wamock import fixtures, probes
from wamock import spec as spec_module
from wamock.auth import DEFAULT_ACCOUNT
from wamock.paths import SPEC_FILE
from wamock.store import ChatStore

DEFAULT_MAX_EXAMPLES = 100


class CheckerError(Exception):
    """The run cannot start or cannot finish: the server is unreachable, a file is unusable."""


@dataclass
class Options:
    url: str
    auth: tuple[str, str] = ("username", "password")
    spec_file: Path | None = None
    seed: int | None = None
    max_examples: int = DEFAULT_MAX_EXAMPLES
    data_file: Path | None = None
    compare: str | None = None
    timeout: float = 10.0


@dataclass
class Finding:
    check: str
    title: str
    evidence: str
    reproduce: str | None
    target: str
    occurrences: int = 1

    def key(self) -> tuple:
        return (self.target, self.check, self.title)


@dataclass
class Outcome:
    target: str
    seed: int
    checks: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    requests: int = 0
    elapsed: float = 0.0

    @property
    def failed_checks(self) -> list[str]:
        return sorted({finding.check for finding in self.findings})


Progress = Callable[[str], None]


def run(options: Options, progress: Progress = lambda line: None) -> list[Outcome]:
    """Check `options.url` (and, with `compare`, the other URL too). One outcome per target."""
    seed = options.seed if options.seed is not None else random.randrange(2**31)
    spec_file = options.spec_file or SPEC_FILE
    spec = spec_module.load(spec_file)
    expected = ChatStore(fixtures.load_chats(options.data_file, spec)) if options.data_file else None
    targets = [options.url] + ([options.compare] if options.compare else [])
    for target in targets:
        ensure_reachable(target, options)
    outcomes = []
    # The peer gets each request exactly as sent, credentials included (or left out): no auth of its own.
    peer = httpx.Client(base_url=options.compare.rstrip("/"), timeout=options.timeout) if options.compare else None
    try:
        for target in targets:
            other = peer if target == options.url else None
            outcomes.append(check_target(target, seed, spec_file, spec, options, expected, other, progress))
    finally:
        if peer is not None:
            peer.close()
    return outcomes


def client_for(url: str, options: Options) -> httpx.Client:
    return httpx.Client(base_url=url.rstrip("/"), auth=options.auth, timeout=options.timeout)


def ensure_reachable(url: str, options: Options) -> None:
    if not url.startswith(("http://", "https://")):
        raise CheckerError(f"{url}: not an http:// or https:// URL")
    try:
        with client_for(url, options) as client:
            client.get("/chats")
    except httpx.InvalidURL as exc:
        raise CheckerError(f"{url}: not a usable URL: {exc}") from None
    except httpx.TransportError as exc:
        raise CheckerError(f"cannot reach {url.rstrip('/')}/chats: {exc or type(exc).__name__}") from None


def defaults(spec: dict) -> tuple[int, int]:
    parameters = {p["name"]: p for p in spec["paths"]["/chats"]["get"].get("parameters", [])}
    limit = parameters.get("limit", {}).get("schema", {}).get("default", 25)
    offset = parameters.get("offset", {}).get("schema", {}).get("default", 0)
    return limit, offset


def check_target(
    target: str,
    seed: int,
    spec_file: Path,
    spec: dict,
    options: Options,
    expected: ChatStore | None,
    peer: httpx.Client | None,
    progress: Progress,
) -> Outcome:
    started = time.monotonic()
    outcome = Outcome(target=target, seed=seed)
    default_limit, default_offset = defaults(spec)
    progress(f"checking {target} (seed {seed}, up to {options.max_examples} examples a phase)")

    schema = schemathesis_schema(target, seed, spec_file, options, expected, peer)
    wamock_checks.RUNS[id(schema)] = wamock_checks.RunContext(
        default_limit=default_limit,
        default_offset=default_offset,
        expected=expected,
        peer=peer,
    )
    findings: dict[tuple, Finding] = {}
    checks_seen: set[str] = set()
    try:
        for event in from_schema(schema).execute():
            record_event(event, target, options, outcome, findings, checks_seen, progress)
    finally:
        del wamock_checks.RUNS[id(schema)]
    outcome.checks = sorted(checks_seen)

    with client_for(target, options) as client:
        probing = probes.Probing(client, random.Random(seed), default_limit, default_offset, expected=expected)
        active = {**probes.PROBES, **(probes.ORACLE_PROBES if expected is not None else {})}
        for name, probe in active.items():
            try:
                probe(probing)
            except probes.ProbeFailure as failure:
                merge(findings, finding_from_probe(target, name, failure, options))
            except httpx.HTTPError as exc:
                merge(findings, Finding(name, "The server did not answer a probe", str(exc), None, target))
        outcome.requests += probing.requests
        progress(f"  probes: {len(active)} properties, {probing.requests} requests")
    outcome.checks = sorted(set(outcome.checks) | set(active))
    outcome.findings = list(findings.values())
    outcome.elapsed = time.monotonic() - started
    return outcome


def record_event(event, target, options, outcome, findings, checks_seen, progress) -> None:
    if isinstance(event, events.ScenarioFinished):
        recorder = event.recorder
        outcome.requests += len(recorder.interactions)
        for case_id, nodes in recorder.checks.items():
            for node in nodes:
                checks_seen.add(node.name)
                if node.failure_info is not None:
                    merge(
                        findings, finding_from_schemathesis(target, node, recorder.interactions.get(case_id), options)
                    )
        progress(f"  schemathesis {event.phase.value}: {len(recorder.interactions)} requests")
    elif isinstance(event, events.NonFatalError):
        merge(findings, Finding("schemathesis", "Schemathesis could not finish a test", str(event.value), None, target))
    elif isinstance(event, events.FatalError):
        raise CheckerError(f"Schemathesis stopped: {event.exception}")


def schemathesis_schema(target, seed, spec_file, options, expected, peer):
    config = schemathesis.Config()
    config.update(seed=seed, max_failures=None)
    project = config.projects.override
    project.update(
        base_url=target.rstrip("/"),
        basic_auth=options.auth,
        request_timeout=options.timeout,
        # Keep testing after a failure, so that every distinct failure is found, not the first.
        continue_on_failure=True,
    )
    project.generation.update(
        max_examples=options.max_examples,
        modes=list(schemathesis.GenerationMode),
        # The contract ignores unknown query parameters (as upstream does); Schemathesis would
        # send them as invalid data and expect a rejection. The contract wins.
        allow_extra_parameters=False,
    )
    # A request too long for the server is refused too: 414 and 431 count as rejections.
    rejection = project.checks.negative_data_rejection
    rejection.expected_statuses = [*rejection.expected_statuses, "413", "414", "431"]
    inactive = [name for name, on in (("matches_data_file", expected), ("agrees_with_peer", peer)) if on is None]
    project.checks.update(excluded_check_names=inactive or None)
    return schemathesis.openapi.from_path(spec_file, config=config)


def merge(findings: dict[tuple, Finding], finding: Finding) -> None:
    known = findings.get(finding.key())
    if known is None:
        findings[finding.key()] = finding
    else:
        known.occurrences += 1


def finding_from_schemathesis(target: str, node, interaction, options: Options) -> Finding:
    failure = node.failure_info.failure
    title = failure.title
    # A schema violation's title is generic; where in the schema tells two of them apart.
    schema_path = getattr(failure, "schema_path", None)
    if schema_path:
        title = f"{title} at {'/'.join(map(str, schema_path))}"
    reproduce = None
    if interaction is not None:
        headers = {name: values[0] for name, values in interaction.request.headers.items() if values}
        reproduce = curl(interaction.request.method, interaction.request.uri, headers, options)
    return Finding(node.name, title, failure.message, reproduce, target)


def finding_from_probe(target: str, name: str, failure: probes.ProbeFailure, options: Options) -> Finding:
    url = f"{target.rstrip('/')}/chats"
    if failure.query:
        url += "?" + urlencode(failure.query)
    headers = {"Authorization": basic_header(options.auth)} if failure.headers is None else failure.headers
    return Finding(name, failure.title, "\n".join(failure.evidence), curl("GET", url, headers, options), target)


def basic_header(auth: tuple[str, str]) -> str:
    return "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()


def curl(method: str, url: str, headers: dict[str, str], options: Options) -> str:
    """A curl command for the request; the password is shown only if it is the documented one."""
    words = ["curl"]
    if method != "GET":
        words += ["-X", method]
    authorization = next((value for name, value in headers.items() if name.lower() == "authorization"), None)
    if authorization == basic_header(options.auth):
        shown = ":".join(options.auth) if ":".join(options.auth) == DEFAULT_ACCOUNT else f"{options.auth[0]}:<password>"
        words += ["--user", shown]
    elif authorization is not None:
        words += ["-H", f"Authorization: {authorization}"]
    words.append(url)
    return " ".join(shlex.quote(word) for word in words)
