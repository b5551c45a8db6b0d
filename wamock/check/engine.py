"""Schemathesis' side of the checker: wamock's rules registered as its checks, and its engine run.

Each rule of `wamock.check.checks` is registered as a Schemathesis check under its name, so
that it judges every generated response; the engine's scenarios become `Phase`s with their
failures. What this needs of Schemathesis beyond its public API is `wamock.adapters.schemathesis`.
"""

import copy
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import schemathesis
from openapi_core import Config as OpenAPIConfig
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest
from openapi_core.exceptions import OpenAPIError

from wamock.adapters import schemathesis as adapter
from wamock.adapters.requests import made_mounting
from wamock.check.checks import LARGEST_INT64, RULES, TRANSPORT_REFUSALS, Contract, Exchange, Rule, RuleBroken
from wamock.check.compare import agrees_with_peer
from wamock.check.credentials import Credentials
from wamock.check.transport import Bounds, RequestsAdapter
from wamock.data import dialect
from wamock.data import spec as spec_module
from wamock.data.operations import METHODS, operation_key, routing_order, template_pattern

ENGINE_SHARE = 0.9  # of a run's --max-time, Schemathesis' cases; the rest for the probes

RUNS: dict[int, Contract] = {}
"""The contract of each running Schemathesis schema, by the schema's id (schemas are not hashable)."""


def contract_of(case) -> Contract | None:
    """The run's contract, if `case` is of the collection wamock's rules judge (GET /chats)."""
    contract = RUNS.get(id(case.operation.schema))
    if contract is None or contract.collection is None:
        return None
    return (
        contract
        if operation_key(case.operation.method, case.operation.path) == contract.collection.operation.key
        else None
    )


def violation(case, exchange: Exchange, title: str, evidence: list[str]) -> adapter.ContractViolation:
    failure = adapter.violation(case, title, "\n".join(evidence))
    # The exact request that broke the rule: Schemathesis may file other requests (TRACE, say) under the same case.
    failure.exchange = exchange
    return failure


def registered(name: str, rule: Rule) -> None:
    def check(ctx, response, case):
        contract = contract_of(case)
        if contract is None:
            return adapter.SKIPPED
        exchange = Exchange.of_schemathesis(response)
        try:
            rule(exchange, contract)
        except RuleBroken as broken:
            raise violation(case, exchange, broken.title, broken.evidence) from None
        return None

    adapter.register_check(name, check, rule.__doc__)


for _name, _rule in {**RULES, "agrees_with_peer": agrees_with_peer}.items():
    registered(_name, _rule)


@dataclass(frozen=True)
class Settings:
    target: str
    seed: int
    spec_file: Path | str  # or an http(s) URL
    credentials: Credentials
    max_examples: int
    timeout: float
    device: tuple[str, ...] = ()  # the device every case names, if the run was told of devices
    allow_refs: tuple[str, ...] = ()  # files and URL prefixes the document's $refs may reach
    bounds: Bounds | None = None  # the run's bounds on each exchange; by default, `timeout` for each
    deadline: float | None = None  # a time.monotonic() past which no more cases are sent (--max-time)


@dataclass
class Failed:
    """One failed check of a generated case, and the request that shows it."""

    check: str
    title: str
    message: str
    method: str = "GET"
    url: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None  # as sent
    operation: str | None = None  # "GET /things", as Schemathesis labels it


@dataclass
class Phase:
    """One scenario of a Schemathesis phase: most often the cases of one operation."""

    name: str
    requests: int = 0
    operation: str | None = None  # "GET /chats"; none for a stateful scenario, which spans several
    operations: int = 0  # how many operations the run tests, for how far along it is
    elapsed: float = 0.0
    checks: set[str] = field(default_factory=set)
    failures: list[Failed] = field(default_factory=list)
    error: str | None = None
    answered: int = 0  # answers to requests of the operation's own method
    refused: int = 0  # of those, 401 or 403


def run_cases(settings: Settings, contract: Contract) -> Iterator[Phase]:
    """Schemathesis' phases against `settings.target`, each with its requests, checks and failures."""
    schema = schema_for(settings, contract)
    RUNS[id(schema)] = contract
    operations = len(schema)
    # Every request of the engine goes through the run's bounded transport.
    bounds = settings.bounds or Bounds(settings.timeout)
    try:

        def bounded(events):
            return made_mounting(events, lambda: RequestsAdapter(bounds))

        for found in adapter.scenarios(schema, bounded, deadline=settings.deadline):
            yield Phase("error", error=found) if isinstance(found, str) else phase_of(found, operations)
    finally:
        del RUNS[id(schema)]


def phase_of(scenario: adapter.Scenario, operations: int) -> Phase:
    phase = Phase(scenario.phase, scenario.requests, scenario.label, operations, scenario.elapsed)
    phase.answered, phase.refused = scenario.answered, scenario.refused
    for judged in scenario.judged:
        phase.checks.add(judged.check)
        if judged.failure is not None:
            phase.failures.append(failed(judged))
    return phase


def failed(judged: adapter.Judged) -> Failed:
    failure = judged.failure
    title = failure.title
    # A schema violation's title is generic; where in the schema tells two of them apart.
    schema_path = getattr(failure, "schema_path", None)
    if schema_path:
        title = f"{title} at {'/'.join(map(str, schema_path))}"
    result = Failed(judged.check, title, failure.message, operation=getattr(failure, "operation", None) or None)
    exchange = getattr(failure, "exchange", None)  # wamock's own rules keep the request that broke them
    if exchange is not None:
        result.method, result.url, result.headers = exchange.method, exchange.url, dict(exchange.sent)
        result.body = exchange.body
    elif judged.url is not None:
        result.method, result.url, result.headers = judged.method, judged.url, judged.headers
        result.body = judged.body
    return result


def answer_judge(settings: Settings) -> Callable[[httpx.Response], list[tuple[str, RuleBroken]]]:
    """The document's own checks of an answer, for any exchange (the probes' too), named as
    Schemathesis names them for its cases: `status_code_conformance` (the status is
    documented) and `response_schema_conformance` (the body meets its schema)."""
    document = judged_document(spec_module.load(settings.spec_file, settings.allow_refs))
    schema = schemathesis.openapi.from_dict(document, config=schemathesis.Config())
    paths = sorted(document.get("paths") or {}, key=lambda path: routing_order(str(path)))
    templates = [(template_pattern(path), path) for path in paths]

    def judge(response: httpx.Response) -> list[tuple[str, RuleBroken]]:
        method, path = response.request.method, relative_path(response.request.url.path, settings.target)
        template = next((template for pattern, template in templates if pattern.fullmatch(path)), None)
        if template is None or method.lower() not in (document["paths"][template] or {}):
            return []
        responses = document["paths"][template][method.lower()].get("responses") or {}
        status = response.status_code
        if not {str(status), f"{status // 100}XX", "default"} & set(map(str, responses)):
            documented = ", ".join(map(str, responses))
            title = f"Undocumented HTTP status code {status}"
            return [("status_code_conformance", RuleBroken(title, f"Documented: {documented}"))]
        return [
            ("response_schema_conformance", RuleBroken(failure.title, failure.message))
            for failure in adapter.answer_failures(schema[template][method.lower()], response)
            if not adapter.meets_several_branches(failure)  # as `judged_as_sent` drops it from Schemathesis' cases
        ]

    return judge


def relative_path(path: str, target: str) -> str:
    """A request's path under the run's base URL (`/api/chats` under `http://host/api` is `/chats`)."""
    prefix = urllib.parse.urlsplit(target).path.rstrip("/")
    return path[len(prefix) :] if prefix and path.startswith(prefix) else path


def schema_for(settings: Settings, contract: Contract):
    document = judged_document(spec_module.load(settings.spec_file, settings.allow_refs))
    # Each operation is sent the credentials its security requirement asks (Schemathesis'
    # OpenAPI-aware auth); a document that names no scheme gets Basic on every request.
    schemes = settings.credentials.schemes(document)
    config = schemathesis.Config.from_dict({"auth": {"openapi": schemes}}) if schemes else schemathesis.Config()
    # Given a time, Schemathesis shares it out: each operation a slice in each phase, a part
    # kept for the phases after, so that one operation's coverage cases cannot starve the rest.
    remaining = None if settings.deadline is None else settings.deadline - time.monotonic()
    engine_time = None if remaining is None else max(1, int(remaining * ENGINE_SHARE))
    config.update(seed=settings.seed, max_failures=None, max_time=engine_time)
    project = adapter.project_of(config)
    project.update(
        base_url=settings.target.rstrip("/"),
        basic_auth=None if schemes else settings.credentials.basic,
        request_timeout=settings.timeout,
        headers={
            **dict(settings.credentials.headers),
            **({"X-Device-Id": settings.device[0]} if settings.device else {}),
        }
        or None,
        # Keep testing after a failure, so that every distinct failure is found, not the first.
        continue_on_failure=True,
    )
    project.generation.update(
        max_examples=settings.max_examples,
        modes=list(schemathesis.GenerationMode),
        # The contract ignores unknown query parameters (as upstream does); Schemathesis would
        # send them as invalid data and expect a rejection. The contract wins.
        allow_extra_parameters=False,
        # Hypothesis' example database (.hypothesis/ in the working directory) would replay
        # earlier runs' failing cases: the same seed must send the same cases wherever it runs.
        database="none",
    )
    # A request too long for the server is refused too: 413, 414 and 431 count as rejections.
    rejection = project.checks.negative_data_rejection
    rejection.expected_statuses = [*rejection.expected_statuses, *map(str, TRANSPORT_REFUSALS)]
    # A valid request may meet a transport refusal too (the server's limits are its own).
    acceptance = project.checks.positive_data_acceptance
    acceptance.expected_statuses = [*acceptance.expected_statuses, *map(str, TRANSPORT_REFUSALS)]
    excluded = [
        name
        for name, on in (("matches_data_file", contract.expected), ("agrees_with_peer", contract.peer))
        if on is None
    ]
    project.checks.update(excluded_check_names=excluded)
    schema = schemathesis.openapi.from_dict(document, config=config)
    collection = contract.collection.operation.key if contract.collection is not None else None
    schema.hook(judged_as_sent(document, settings.target, collection))
    return schema


def judged_as_sent(document: dict, target: str, collection: str | None):
    """A `filter_failure` hook: Schemathesis' verdict on whether a request was valid, checked
    against the request as it went on the wire.

    Schemathesis 4.32 calls some requests invalid that were valid as sent (a missing
    Authorization header the run's credentials then supply, "random bytes" that were no bytes
    where no body is required), and some valid that were not (a form whose required field it
    left out, a multipart part with an empty name). openapi-core, judging the request exactly
    as sent by the same document, decides: "accepted negative data" stands unless the request
    was valid; "rejected positive data" stands only if it was, and not where the refusal is an
    open choice of any document (an integer past int64) or the collection's own rule
    (`valid_request_is_accepted`, which knows the contract's open choices) judges it.
    """
    # Not openapi-core's own validation of the document: it refuses real documents Schemathesis
    # reads (OpenAI's, whose `required` lists a name twice), and the document is the user's to keep.
    judge = OpenAPI.from_dict(
        {**document, "servers": [{"url": target.rstrip("/")}]}, config=OpenAPIConfig(spec_validator_cls=None)
    )

    statuses = {
        operation_key(method, path): {str(status).upper() for status in (operation.get("responses") or {})}
        for path, path_item in (document.get("paths") or {}).items()
        for method, operation in (path_item or {}).items()
        if method in METHODS and isinstance(operation, dict)
    }

    def answers_only_as_documented(key: str, status: int) -> bool:
        """An operation whose document gives no success (Swagger's petstore: `405 Invalid input`
        alone) refuses as documented: a documented status is all it may answer."""
        documented = statuses.get(key, set())
        no_success = not any(status.startswith("2") or status == "2XX" for status in documented)
        return no_success and bool({str(status), f"{status // 100}XX"} & documented)

    def valid_as_sent(request) -> bool | None:
        """Whether the request as sent meets the document; None where openapi-core cannot read it."""
        if not isinstance(request.body, (bytes, str, type(None))):
            return None  # streamed
        try:
            judge.validate_request(RequestsOpenAPIRequest(request))
        except OpenAPIError:
            return False
        except AssertionError:
            return None  # openapi-core 0.23 asserts on a multipart part it cannot read
        return True

    def filter_failure(context, failure, case, response) -> bool:
        if adapter.meets_several_branches(failure):
            # A value of a oneOf's branch that meets another too is what the document describes;
            # where branches overlap (InfluxDB's Dashboard and DashboardWithViewProperties, a
            # superset; its AST's statements, all optional fields), no answer but a contrived one
            # meets exactly one, so "only one" is the document's claim, not the server's to keep.
            return False
        if isinstance(failure, adapter.AcceptedNegativeData):
            return valid_as_sent(response.request) is not True
        if isinstance(failure, adapter.RejectedPositiveData):
            key = operation_key(case.operation.method, case.operation.path)
            if key == collection or answers_only_as_documented(key, response.status_code):
                return False
            if response.status_code == 400 and beyond_int64(response.request):
                return False
            return valid_as_sent(response.request) is True
        return True

    return filter_failure


def beyond_int64(request) -> bool:
    """Whether a path segment or query value is an integer no 64-bit integer holds: a document
    that bounds none leaves refusing it to the server (most parse into 64 bits)."""
    url = urllib.parse.urlsplit(request.url)
    values = [*url.path.split("/"), *(value for _, value in urllib.parse.parse_qsl(url.query))]
    return any(value.lstrip("-").isdigit() and abs(int(value)) > LARGEST_INT64 for value in values)


def judged_document(spec: dict) -> dict:
    """The document as the checker reads it: what its own rules imply may be answered.

    An operation behind a security scheme may answer 401 (refusing credentials is what the
    scheme says; upstream's document lists 401 for 6 of 89 operations), and one that takes
    parameters or a body may answer 400 to a request the document does not allow (which is
    what Schemathesis' negative_data_rejection asks for) though its responses omit them; one
    whose path names a resource may answer 404 (its parameters name none). Its header parameters
    named Accept, Content-Type or Authorization are left out, as OpenAPI says to ignore them
    (InfluxDB's `Accept: enum [application/json]`: a request sending another is not invalid).
    """
    judged = copy.deepcopy(dialect.without_ignored_headers(spec))
    default_security = judged.get("security") or []
    for path, path_item in (judged.get("paths") or {}).items():
        for method, operation in (path_item or {}).items():
            if method not in METHODS or not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            if operation.get("security", default_security) and "401" not in responses:
                responses["401"] = {"description": "Credentials missing or refused (the operation's security scheme)"}
            takes_input = operation.get("parameters") or path_item.get("parameters") or operation.get("requestBody")
            if takes_input and "400" not in responses:
                responses["400"] = {"description": "A request the document does not allow"}
            if "{" in str(path) and "404" not in responses:
                responses["404"] = {"description": "Nothing at this path (its parameters name no resource)"}
            for media_type, media in (
                (spec_module.resolved(judged, operation.get("requestBody")) or {}).get("content", {}).items()
            ):
                if media_type in FORM_MEDIA_TYPES and isinstance(media, dict):
                    media["schema"] = text_fields(judged, media.get("schema") or {})
    return judged


FORM_MEDIA_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
FILE_FORMATS = ("binary", "base64")


def text_fields(spec: dict, schema: dict) -> dict:
    """A form body's schema with its string fields untyped: in a form every value is text, so a
    server cannot tell the string "true" from the boolean Schemathesis meant as invalid."""
    schema = copy.deepcopy(spec_module.resolved(spec, schema))
    for name, field_schema in (schema.get("properties") or {}).items():
        field_schema = spec_module.resolved(spec, field_schema)
        if field_schema.get("type") == "string" and field_schema.get("format") not in FILE_FORMATS:
            schema["properties"][name] = {key: value for key, value in field_schema.items() if key != "type"}
    return schema
