"""`wamock check`: fuzz an implementation of GET /chats with Schemathesis, probe it, report.

A run has two parts. Schemathesis' engine (`wamock.check.engine`) generates requests from the
spec (examples, coverage, fuzzing; valid and invalid data) and applies its own checks and
wamock's rules (`wamock.check.checks`). Then `wamock.check.probes` sends its chosen requests. Every failure
becomes a `Finding`; findings of the same check and kind are merged, so each distinct way
an implementation breaks the contract is listed once, with one request that reproduces it.
"""

import random
import shlex
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from wamock.adapters.schemathesis import EngineStopped
from wamock.check import checks as wamock_checks
from wamock.check import collection_rules, engine, probes, transport
from wamock.check.credentials import REFUSAL_HINT, Credentials, SentAuth
from wamock.data import collections, fixtures, inference
from wamock.data import spec as spec_module
from wamock.data.accounts import DEFAULT_ACCOUNT
from wamock.data.operations import CHAT_LIST, template_pattern
from wamock.data.paths import SPEC_FILE
from wamock.data.store import ChatStore
from wamock.words import counted

DEFAULT_MAX_EXAMPLES = 100
DEFAULT_TIMEOUT = 10.0
# Headers any HTTP client sends (or curl sets itself): a reproduction need not show them.
ROUTINE_HEADERS = frozenset(
    {"authorization", "host", "user-agent", "accept", "accept-encoding", "connection", "content-length"}
    | {"x-schemathesis-testcaseid"}  # Schemathesis' own bookkeeping
)


class CheckerError(Exception):
    """The run cannot start or cannot finish: the server is unreachable, a file is unusable."""


@dataclass
class Options:
    url: str
    auth: tuple[str, str] = ("username", "password")
    spec_file: Path | str | None = None  # or an http(s) URL
    allow_refs: tuple[str, ...] = ()  # files and URL prefixes the document's $refs may reach
    seed: int | None = None
    max_examples: int = DEFAULT_MAX_EXAMPLES
    data_file: Path | None = None
    compare: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    devices: tuple[str, ...] = ()  # the devices the implementation serves; the first is named in every request
    token: str | None = None  # a bearer token, for bearer, OAuth2 and OpenID Connect schemes
    api_keys: tuple[tuple[str | None, str], ...] = ()  # (scheme or parameter name, or None: any; value)
    headers: tuple[tuple[str, str], ...] = ()  # sent with every request
    refusals_expected: bool = False  # most answers 401/403 is what the run means to test
    max_time: float | None = None  # seconds for the whole run (each target), after which it stops sending

    @property
    def credentials(self) -> Credentials:
        return Credentials(self.auth, self.token, self.api_keys, self.headers)


@dataclass
class Finding:
    check: str
    title: str
    evidence: str
    reproduce: str | None
    target: str
    occurrences: int = 1
    operation: str | None = None  # where Schemathesis saw it: the same failure of two operations is two
    failed_exchange: int | None = None  # a request that got no answer: the run's count of requests then

    def key(self) -> tuple:
        return (self.target, self.check, self.title, self.operation)


@dataclass
class Outcome:
    target: str
    seed: int
    checks: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    requests: int = 0
    elapsed: float = 0.0
    cut_short: bool = False  # --max-time ran out: not every case or probe was sent
    server_gone: bool = False  # the server stopped answering, and the run with it

    @property
    def failed_checks(self) -> list[str]:
        return sorted({finding.check for finding in self.findings})


class Progress:
    """Where a run is, for a person: `line` is kept; `step` says what is under way now (a
    terminal shows it in place, overwritten by the next; a log does without it)."""

    def line(self, text: str) -> None:
        pass

    def step(self, text: str) -> None:
        pass

    def done(self) -> None:
        """The run is over: nothing under way is left on show."""


class PhaseProgress:
    """Schemathesis' scenarios as progress: one step a scenario, one line a phase when it ends."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.name: str | None = None
        self.done = self.requests = 0
        self.elapsed = 0.0

    def scenario(self, phase: "engine.Phase") -> None:
        if phase.name != self.name:
            self.end()
            self.name, self.done, self.requests, self.elapsed = phase.name, 0, 0, 0.0
        self.requests += phase.requests
        self.elapsed += phase.elapsed
        if phase.operation is None:  # a stateful scenario spans operations: only requests count
            self.progress.step(f"  schemathesis {self.name}: {counted(self.requests, 'request')}")
            return
        self.done += 1
        bar = progress_bar(self.done, phase.operations)
        self.progress.step(
            f"  schemathesis {self.name} {bar} {self.done}/{phase.operations} {phase.operation} "
            f"({counted(self.requests, 'request')})"
        )

    def end(self) -> None:
        if self.name is not None and self.requests:
            operations = f"{counted(self.done, 'operation')}, " if self.done else ""
            self.progress.line(
                f"  schemathesis {self.name}: {operations}{counted(self.requests, 'request')}, {self.elapsed:.1f} s"
            )
        self.name = None


def progress_bar(done: int, total: int, width: int = 20) -> str:
    filled = width * done // total if total else width
    return "[" + "#" * filled + "." * (width - filled) + "]"


SILENT = Progress()


def run(options: Options, progress: Progress = SILENT) -> list[Outcome]:
    """Check `options.url` (and, with `compare`, the other URL too). One outcome per target."""
    seed = options.seed if options.seed is not None else random.randrange(2**31)
    spec_file = options.spec_file or SPEC_FILE
    spec = spec_module.load(spec_file, options.allow_refs)
    expected = ChatStore(fixtures.load_chats(options.data_file, spec)) if options.data_file else None
    targets = [options.url] + ([options.compare] if options.compare else [])
    for target in targets:
        ensure_base_url(target, spec)
        ensure_reachable(target, options, spec)
    outcomes = []
    # The peer gets each request exactly as sent, credentials included (or left out): no auth of its own.
    peer = (
        transport.httpx_client(options.compare.rstrip("/"), transport.Bounds(options.timeout))
        if options.compare
        else None
    )
    try:
        for target in targets:
            contract = wamock_checks.Contract.from_spec(
                spec,
                options.credentials,
                devices=tuple(options.devices),
                expected=expected,
                peer=peer if target == options.url else None,
            )
            try:
                outcomes.append(check_target(target, seed, spec_file, contract, options, progress))
            except EngineStopped as exc:
                raise CheckerError(str(exc)) from None
    finally:
        if peer is not None:
            peer.close()
    return outcomes


def client_for(url: str, options: Options, spec: dict, bounds: transport.Bounds | None = None) -> httpx.Client:
    """A client for the collection wamock judges, bounded in time and size (`wamock.check.transport`:
    by `bounds`, else a fresh `--timeout`), sending the credentials its security requirement asks."""
    chats = collections.collection(spec)
    sent = options.credentials.sent(spec, chats.operation) if chats else None
    return transport.httpx_client(
        url.rstrip("/"),
        bounds or transport.Bounds(options.timeout),
        auth=SentAuth(sent) if sent else None,
        headers=dict(options.headers),
    )


def ensure_base_url(url: str, spec: dict) -> None:
    """`url` is where the document's paths start, not one of them (`.../chats`, a natural mistake)."""
    if not url.startswith(("http://", "https://")):
        raise CheckerError(f"{url}: not an http:// or https:// URL")
    url = url.rstrip("/")
    path = urllib.parse.urlsplit(url).path
    for documented in spec.get("paths") or {}:
        template = str(documented).rstrip("/")
        # /chat/{chat_jid}/messages ends /base/chat/123/messages
        found = template_pattern(template).search(path) if template else None
        if found:
            base = url.removesuffix(path) + path[: found.start()]
            raise CheckerError(
                f"{url} ends in the documented path {documented}; pass the server's base URL: wamock check {base}"
            )


def ensure_reachable(url: str, options: Options, spec: dict) -> None:
    """The server answers, and takes the run's credentials: without them nothing can be checked.
    Asked of the collection wamock judges (GET /chats); a document without one, of its base URL,
    where only whether anything answers tells."""
    headers = {"X-Device-Id": options.devices[0]} if options.devices else {}
    collection = collections.collection(spec)
    path = collection.operation.path if collection else ""
    asked = url.rstrip("/") + path
    try:
        with client_for(url, options, spec) as client:
            response = client.get(path or "/", headers=headers)
    except httpx.InvalidURL as exc:
        raise CheckerError(f"{url}: not a usable URL: {exc}") from None
    except httpx.ConnectError as exc:
        raise CheckerError(
            f"nothing answers at {url.rstrip('/')} ({exc or 'cannot connect'}); start the server "
            "(the mock: wamock serve), or fix the host and port"
        ) from None
    except httpx.TimeoutException:
        raise CheckerError(
            f"{asked} did not answer within {options.timeout:g} s; is it the server's base URL? "
            "(a slow server: raise --timeout)"
        ) from None
    except transport.HTTPXError as exc:
        raise CheckerError(f"could not check {url}: GET {asked}: {exc}") from None
    except httpx.TransportError as exc:
        raise CheckerError(f"cannot reach {asked}: {exc or type(exc).__name__}") from None
    if collection is None:
        return
    if response.status_code in (401, 403):
        raise CheckerError(f"{asked} refuses the run's credentials ({response.status_code}); {REFUSAL_HINT}")
    code = wamock_checks.error_code(wamock_checks.Exchange.of_httpx(response))
    if response.status_code in (400, 404) and str(code).startswith("DEVICE"):
        raise CheckerError(
            f"{asked} answers {response.status_code} {code}: name the devices it serves with --device ID (repeatable)"
        )
    if response.status_code == 404:
        raise CheckerError(f"{asked} answers 404: pass the server's base URL, where the document's paths start")


def check_target(
    target: str,
    seed: int,
    spec_file: Path | str,
    contract: wamock_checks.Contract,
    options: Options,
    progress: Progress,
) -> Outcome:
    started = time.monotonic()
    outcome = Outcome(target=target, seed=seed)
    progress.line(f"checking {target} (seed {seed}, up to {counted(options.max_examples, 'example')} a phase)")

    findings: dict[tuple, Finding] = {}
    checks_seen: set[str] = set()
    bounds = transport.Bounds(options.timeout)  # shared by Schemathesis' cases and the probes
    settings = engine.Settings(
        target,
        seed,
        spec_file,
        options.credentials,
        options.max_examples,
        options.timeout,
        options.devices[:1],
        allow_refs=options.allow_refs,
        bounds=bounds,
        deadline=started + options.max_time if options.max_time else None,
    )
    phases = PhaseProgress(progress)
    answered = refused = 0  # answers to the cases of each operation's own method, and of those 401 or 403
    for phase in engine.run_cases(settings, contract):
        phases.scenario(phase)
        outcome.requests += phase.requests
        answered, refused = answered + phase.answered, refused + phase.refused
        checks_seen |= phase.checks
        for failed in phase.failures:
            merge(findings, finding_from_schemathesis(target, failed, options))
        if phase.error and phase.outage:
            # Schemathesis found the server gone and ended its run: one finding, nothing sent after.
            outcome.server_gone = True
            gone = finding_from_schemathesis(target, phase.error, options)
            gone.title = f"The server is unreachable since request {bounds.failing_since or bounds.exchanges}"
            if bounds.last_failure:
                gone.evidence = f"The last request that failed: {bounds.last_failure}\n{gone.evidence}"
            merge(findings, gone)
        elif phase.error:
            unfinished = finding_from_schemathesis(target, phase.error, options)
            unfinished.failed_exchange = bounds.exchanges
            merge(findings, unfinished)

    phases.end()
    outcome.cut_short = bool(options.max_time) and time.monotonic() > started + options.max_time
    if refused * 2 > answered and not options.refusals_expected:
        merge(findings, testing_the_door(refused, answered, target, options))

    if not bounds.gave_up and not outcome.server_gone:
        checks_seen |= probe_target(settings, contract, options, progress, findings, outcome)
    if bounds.gave_up:
        fold_failures(findings, bounds)
        if not outcome.server_gone:
            merge(findings, stopped_answering(bounds, target))
    outcome.checks = sorted(checks_seen | (set(probes.PROBES) if contract.lists_chats else set()))
    outcome.findings = list(findings.values())
    outcome.elapsed = time.monotonic() - started
    return outcome


def probe_target(settings: engine.Settings, contract, options: Options, progress, findings, outcome) -> set[str]:
    """wamock's probes of GET /chats and its collection rules of the document's other lists;
    the names of the rules applied."""
    spec = spec_module.load(settings.spec_file, options.allow_refs)
    documented = engine.answer_judge(settings)  # the document's checks of any answer a probe gets
    applied: set[str] = set()
    with client_for(settings.target, options, spec, settings.bounds) as client:
        probing = probes.Probing(client, random.Random(settings.seed), contract, *options.auth)
        probing.documented = documented
        chosen = probes.PROBES if contract.lists_chats else {}
        run_probes(chosen, probing, None, settings, options, progress, findings, outcome)
        for key, collection in other_collections(spec, settings.spec_file).items():
            judged = collection_rules.CollectionProbing(
                client,
                spec,
                collection,
                random.Random(settings.seed),
                authorized=lambda operation: SentAuth(options.credentials.sent(spec, operation)),
                judge=documented,
            )
            run_probes(collection_rules.RULES, judged, key, settings, options, progress, findings, outcome)
            applied |= set(collection_rules.RULES)
    return applied


def other_collections(spec: dict, spec_file) -> dict:
    """The document's collections other than GET /chats (whose own probes know more), each
    under a path without templates: what the checker's collection rules ask."""
    try:
        found = inference.served_collections(spec, spec_file)
    except spec_module.SpecError:
        return {}  # a description that does not hold: the mock refuses to serve it, the checker skips it
    return {key: found[key] for key in found if key != CHAT_LIST and "{" not in found[key].operation.path}


def run_probes(chosen, probing, operation, settings, options, progress, findings, outcome) -> None:
    """Each probe of `chosen` (name: function of `probing`), each failure a finding of
    `operation` (None: the chat list's), until the deadline or the run gives up on the server."""
    probing_started = time.monotonic()
    target, deadline = settings.target, settings.deadline
    where = f" {operation}" if operation else ""
    for number, (name, probe) in enumerate(chosen.items(), start=1):
        if deadline is not None and time.monotonic() > deadline:
            outcome.cut_short = True
            break
        if settings.bounds.gave_up:
            break
        progress.step(f"  probes{where} {progress_bar(number - 1, len(chosen))} {number}/{len(chosen)} {name}")
        try:
            probe(probing)
        except wamock_checks.RuleBroken as failure:
            response = failure.response or probing.last
            evidence = "\n".join(failure.evidence)
            merge(
                findings,
                Finding(name, failure.title, evidence, reproduce(response, options), target, operation=operation),
            )
        except httpx.HTTPError as exc:
            command = reproduce_request(exc.request, options) if exc_has_request(exc) else None
            unanswered = Finding(
                name, "The server did not answer a probe", str(exc), command, target, operation=operation
            )
            unanswered.failed_exchange = settings.bounds.exchanges
            merge(findings, unanswered)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            # An answer of a shape no probe expects: a finding about the server, not a crash of the checker.
            evidence = f"{type(exc).__name__}: {exc}"
            merge(
                findings,
                Finding(
                    name, "An answer has a shape the probe cannot read", evidence, None, target, operation=operation
                ),
            )
    for name, broken, response in probing.broken:
        evidence = "\n".join(broken.evidence)
        merge(
            findings, Finding(name, broken.title, evidence, reproduce(response, options), target, operation=operation)
        )
    probing.broken.clear()
    outcome.requests += probing.requests
    if chosen:
        progress.line(
            f"  probes{where}: {counted(len(chosen), 'property', 'properties')}, "
            f"{counted(probing.requests, 'request')}, {time.monotonic() - probing_started:.1f} s"
        )


def testing_the_door(refused: int, requests: int, target: str, options: Options) -> Finding:
    """Most answers refuse the run's credentials: it tested the door, not the API."""
    return Finding(
        "credentials",
        "Most answers refuse the run's credentials: the run tested the door, not the API",
        f"{refused} of {requests} answers were 401 or 403.\n"
        f"To test the API, {REFUSAL_HINT}; if the refusals are what you mean to "
        "test, pass --refusals-expected.",
        None,
        target,
    )


def fold_failures(findings: dict[tuple, Finding], bounds: transport.Bounds) -> None:
    """Requests that got no answer once the server had stopped answering are one finding
    (`stopped_answering`), not one for each probe or operation that met it."""
    if bounds.failing_since is None:
        return
    for key, finding in list(findings.items()):
        if finding.failed_exchange is not None and finding.failed_exchange >= bounds.failing_since:
            del findings[key]


def stopped_answering(bounds: transport.Bounds, target: str) -> Finding:
    """Too many answers failed (`wamock.check.transport`) after the server had answered: one
    finding, however many requests met it, beside what the run found before."""
    if bounds.failing_since is not None and bounds.failures_in_a_row >= transport.FAILURES_IN_A_ROW:
        title = f"The server is unreachable since request {bounds.failing_since}"
    else:
        title = "The server failed too many requests to be checked further"
    evidence = f"{bounds.why_given_up()}\nThe run sent no more requests after {bounds.exchanges}."
    return Finding("server_answers", title, evidence, None, target)


def merge(findings: dict[tuple, Finding], finding: Finding) -> None:
    known = findings.get(finding.key())
    if known is None:
        findings[finding.key()] = finding
    else:
        known.occurrences += 1


def finding_from_schemathesis(target: str, failed: "engine.Failed", options: Options) -> Finding:
    command = curl(failed.method, failed.url, failed.headers, options, failed.body) if failed.url else None
    return Finding(failed.check, failed.title, failed.message, command, target, operation=failed.operation)


def reproduce(response: httpx.Response | None, options: Options) -> str | None:
    return None if response is None else reproduce_request(response.request, options)


def reproduce_request(request: httpx.Request, options: Options) -> str:
    return curl(request.method, str(request.url), dict(request.headers), options, request.content or None)


def exc_has_request(exc: httpx.HTTPError) -> bool:
    """Whether httpx knows the request an error broke off (its `request` raises where it does not)."""
    try:
        return exc.request is not None
    except RuntimeError:
        return False


def shown_account(auth: tuple[str, str]) -> str:
    """USER:PASSWORD for a report: the password only if it is the documented one."""
    return ":".join(auth) if ":".join(auth) == DEFAULT_ACCOUNT else f"{auth[0]}:<password>"


def curl(method: str, url: str, headers: dict[str, str], options: Options, body: bytes | None = None) -> str:
    """A curl command for the request, its body as sent; the password is shown only if it is the documented one."""
    words = ["curl"]
    if method != "GET":
        words += ["-X", method]
    authorization = next((value for name, value in headers.items() if name.lower() == "authorization"), None)
    if authorization == options.credentials.basic_header:
        words += ["--user", shown_account(options.auth)]
    elif authorization is not None:
        words += ["-H", f"Authorization: {authorization}"]
    for name, value in headers.items():
        if name.lower() not in ROUTINE_HEADERS:
            # curl drops a header given as `Name:`; `Name;` sends it empty, as the run did
            words += ["-H", f"{name}: {value}" if value else f"{name};"]
    words.append(url)
    command = " ".join(shlex.quote(word) for word in words)
    if not body:
        return command
    # Bytes as sent, whatever they are: printf's octal escapes, piped to curl's standard input.
    escaped = "".join(chr(byte) if 32 <= byte < 127 and byte not in b"\\%'" else f"\\{byte:03o}" for byte in body)
    return f"printf -- '{escaped}' | {command} --data-binary @-"
