"""Schemathesis' side of the checker: wamock's rules registered as its checks, and its engine run.

Each rule of `wamock.check.checks` is registered as a Schemathesis check under its name, so
that it judges every generated response; the engine's scenarios become `Phase`s with their
failures. What this needs of Schemathesis beyond its public API is `wamock.adapters.schemathesis`.
"""

import copy
import functools
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import schemathesis
from openapi_core import Config as OpenAPIConfig
from openapi_core import OpenAPI
from schemathesis.config import HealthCheck

from wamock.adapters import openapi_core as openapi_core_adapter
from wamock.adapters import schemathesis as adapter
from wamock.adapters.requests import made_mounting
from wamock.check.checks import LARGEST_INT64, RULES, TRANSPORT_REFUSALS, Contract, Exchange, Rule, RuleBroken
from wamock.check.compare import agrees_with_peer, media_type
from wamock.check.credentials import Credentials
from wamock.check.judged import IMPLIED, judged_document
from wamock.check.transport import Bounds, RequestsAdapter
from wamock.data import examples, form_bodies, xml_bodies
from wamock.data import spec as spec_module
from wamock.data.operations import METHODS, Operation, Parameter, PathTable, operation_key, operations
from wamock.data.texts import kind_of

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
    error: Failed | None = None  # a test Schemathesis could not finish
    outage: bool = False  # the error is the server gone: Schemathesis stopped its run
    answered: int = 0  # answers to requests of the operation's own method
    refused: int = 0  # of those, 401 or 403


def run_cases(settings: Settings, contract: Contract) -> Iterator[Phase]:
    """Schemathesis' phases against `settings.target`, each with its requests, checks and failures."""
    schema = schema_for(settings, contract)
    RUNS[id(schema)] = contract
    operations = len(schema)
    implied = judged_spec(settings.spec_file, settings.allow_refs).get(IMPLIED, {})
    # Every request of the engine goes through the run's bounded transport.
    bounds = settings.bounds or Bounds(settings.timeout)
    try:

        def bounded(events):
            return made_mounting(events, lambda: RequestsAdapter(bounds))

        for found in adapter.scenarios(schema, bounded, deadline=settings.deadline):
            if isinstance(found, adapter.Unfinished):
                yield unfinished_phase(found)
            else:
                yield phase_of(found, operations, implied)
    finally:
        del RUNS[id(schema)]


def unfinished_phase(unfinished: adapter.Unfinished) -> Phase:
    """A test Schemathesis could not finish, as a failure of its operation with the request it
    was sending; or the server gone, which ends Schemathesis' run (`outage`)."""
    if unfinished.outage:
        return Phase(
            "error", error=Failed("server_answers", "The server stopped answering", unfinished.text), outage=True
        )
    error = Failed("schemathesis", "Schemathesis could not finish a test", unfinished.text, operation=unfinished.label)
    request = unfinished.request
    if request is not None and getattr(request, "url", None):
        error.method, error.url, error.headers = request.method, request.url, dict(request.headers)
        error.body = body_bytes(request)  # a streamed body is not kept
    return Phase("error", operation=unfinished.label, error=error)


def phase_of(scenario: adapter.Scenario, operations: int, implied: dict[str, list[str]] | None = None) -> Phase:
    phase = Phase(scenario.phase, scenario.requests, scenario.label, operations, scenario.elapsed)
    phase.answered, phase.refused = scenario.answered, scenario.refused
    for judged in scenario.judged:
        phase.checks.add(judged.check)
        if judged.failure is not None:
            phase.failures.append(failed(judged, implied or {}))
    return phase


def failed(judged: adapter.Judged, implied: dict[str, list[str]]) -> Failed:
    failure = judged.failure
    title = failure.title
    # A schema violation's title is generic; where in the schema tells two of them apart.
    schema_path = getattr(failure, "schema_path", None)
    if schema_path:
        title = f"{title} at {'/'.join(map(str, schema_path))}"
    operation = getattr(failure, "operation", None) or None
    result = Failed(judged.check, title, worded(failure, implied.get(operation, [])), operation=operation)
    exchange = getattr(failure, "exchange", None)  # wamock's own rules keep the request that broke them
    if exchange is not None:
        result.method, result.url, result.headers = exchange.method, exchange.url, dict(exchange.sent)
        result.body = exchange.body
    elif judged.url is not None:
        result.method, result.url, result.headers = judged.method, judged.url, judged.headers
        result.body = judged.body
    return result


def documented(statuses, implied: list[str]) -> str:
    """The statuses an operation documents, as a report says them: those the user's document
    lists, then those the checker lets any such operation answer (`IMPLIED`)."""
    listed = [str(status) for status in statuses if str(status) not in implied]
    also = [str(status) for status in statuses if str(status) in implied]
    return (", ".join(listed) or "none") + (f" (and, as any such operation may: {', '.join(also)})" if also else "")


def worded(failure, implied: list[str]) -> str:
    """A failure's message with the status the server gave, and with the statuses the user's
    document lists told apart from those the checker lets any such operation answer (`IMPLIED`)."""
    if isinstance(failure, adapter.UndefinedStatusCode):
        return f"Received: {failure.status_code}\nDocumented: {documented(failure.defined_status_codes, implied)}"
    if isinstance(failure, (adapter.AcceptedNegativeData, adapter.RejectedPositiveData)):
        return f"{failure.message}\nReceived: {failure.status_code}"
    return failure.message


def answer_judge(settings: Settings) -> Callable[[httpx.Response], list[tuple[str, RuleBroken]]]:
    """The document's own checks of an answer, for any exchange (the probes' too), named as
    Schemathesis names them for its cases: `status_code_conformance` (the status is
    documented) and `response_schema_conformance` (the body meets its schema)."""
    document = judged_spec(settings.spec_file, settings.allow_refs)
    schema = schemathesis.openapi.from_dict(copy.deepcopy(document), config=schemathesis.Config())
    table = PathTable.of(document)

    def judge(response: httpx.Response) -> list[tuple[str, RuleBroken]]:
        method, path = response.request.method, relative_path(response.request.url.path, settings.target)
        found = table.route(path)
        if found is None or method.upper() not in found.methods:
            return []
        template = found.template
        responses = operation_of(document, template, method).get("responses") or {}
        status = response.status_code
        if not {str(status), f"{status // 100}XX", "default"} & set(map(str, responses)):
            implied = document.get(IMPLIED, {}).get(operation_key(method, template), [])
            title = f"Undocumented HTTP status code {status}"
            return [("status_code_conformance", RuleBroken(title, f"Documented: {documented(responses, implied)}"))]
        return [
            ("response_schema_conformance", RuleBroken(failure.title, failure.message))
            for failure in adapter.answer_failures(schema[template][method.lower()], response)
        ]

    return judge


def relative_path(path: str, target: str) -> str:
    """A request's path under the run's base URL (`/api/chats` under `http://host/api` is `/chats`)."""
    prefix = urllib.parse.urlsplit(target).path.rstrip("/")
    return path[len(prefix) :] if prefix and path.startswith(prefix) else path


@functools.lru_cache(maxsize=4)
def judged_spec(spec_file: Path | str, allow_refs: tuple[str, ...]) -> dict:
    """The document as the checker reads it, read once a run: Schemathesis' cases and the judge
    of every answer both need it, and on a large document it takes seconds (InfluxDB's Flux
    expressions). Not to be changed: each caller that hands it on copies it."""
    return judged_document(spec_module.load(spec_file, allow_refs))


def schema_for(settings: Settings, contract: Contract):
    document = copy.deepcopy(judged_spec(settings.spec_file, settings.allow_refs))
    # Each operation is sent the credentials its security requirement asks (Schemathesis'
    # OpenAPI-aware auth); a document that names no scheme gets Basic on every request.
    schemes = settings.credentials.schemes(document)
    config = schemathesis.Config.from_dict({"auth": {"openapi": schemes}}) if schemes else schemathesis.Config()
    # Given a time, Schemathesis shares it out: each operation a slice in each phase, a part
    # kept for the phases after, so that one operation's coverage cases cannot starve the rest.
    remaining = None if settings.deadline is None else settings.deadline - time.monotonic()
    engine_time = None if remaining is None else max(1, int(remaining * ENGINE_SHARE))
    # Hypothesis' health checks (cases filtered out, generation too slow on a loaded machine)
    # speak of the generator, not the server: a case it cannot make is one fewer case (none at
    # all still fails, as Unsatisfiable), and --max-time bounds the run.
    config.update(
        seed=settings.seed,
        max_failures=None,
        max_time=engine_time,
        suppress_health_check=[HealthCheck.all],
    )
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
    as sent by the same document, decides: "accepted negative data" stands only where it finds
    the request invalid (not where it cannot read it: an XML or image body); "rejected positive data"
    stands only if it was, and not where the refusal is an open choice of any document (an
    integer past int64, an empty value the document does not allow) or the collection's own rule
    (`valid_request_is_accepted`, which knows the contract's open choices) judges it. A request
    that went to another operation of the document than its case's is judged by none of the
    case's checks: only a server error stands.
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
        if request.body and not judged_media_type(request.headers.get("Content-Type")):
            # An XML body openapi-core cannot read is read by its schema's XML Object: one that
            # does not meet the schema makes the request invalid; one that does leaves it unjudged.
            return False if xml_body_invalid(document, routed(request), request) else None
        verdict = openapi_core_adapter.judged_request(judge, request)
        if verdict.rest_valid is not True or media_type(request.headers.get("Content-Type")) != "multipart/form-data":
            return verdict.rest_valid and verdict.body_valid
        # openapi-core reads a multipart field of no type as bytes, which no enum of text takes
        # (Discourse's POST /uploads.json): the form is judged here, the rest by openapi-core.
        return multipart_body_fits(document, routed(request), request)

    table = PathTable.of(document)

    def path_of(request) -> str:
        return relative_path(urllib.parse.urlsplit(request.url).path, target)

    def routed_elsewhere(request) -> bool:
        """Whether the request's path is also another documented path that has its method:
        `GET /reports/messages` is `GET /reports/{reportId}` where only POST is documented at
        the former, so its 400 for a malformed id is no undeclared method's answer."""
        return any(request.method.upper() in found.methods for found in table.matching(path_of(request)))

    def routed(request) -> str | None:
        """The path of the document a request as sent is for (None: none)."""
        found = table.route(path_of(request))
        return found.template if found else None

    every = operations(document)
    array_fields = functools.cache(lambda key, media_type: form_array_fields(document, key, media_type))

    def filter_failure(context, failure, case, response) -> bool:
        if names_another_path(case) and not isinstance(failure, adapter.ServerError):
            return False
        if isinstance(failure, adapter.UnsupportedMethodResponse):
            return not routed_elsewhere(response.request)
        if isinstance(failure, adapter.UndefinedStatusCode) and response.status_code in TRANSPORT_REFUSALS:
            return False  # a request too large for the server: its limits are its own, no document lists them
        elsewhere = routed(response.request)
        if case is not None and elsewhere not in (None, case.operation.path):
            # Schemathesis joins the URL dropping an empty path segment (`/images//history` goes as
            # `/images/history`, which is `/images/{id}`): an answer of that other operation, judged
            # against this one's. A server error is one whatever the operation.
            return isinstance(failure, adapter.ServerError)
        if isinstance(failure, adapter.AcceptedNegativeData):
            key = operation_key(case.operation.method, case.operation.path) if case is not None else None
            if key is not None and empty_array(every.get(key), response.request):
                return False
            return valid_as_sent(response.request) is False
        if isinstance(failure, adapter.RejectedPositiveData):
            key = operation_key(case.operation.method, case.operation.path)
            if key == collection or answers_only_as_documented(key, response.status_code):
                return False
            if response.status_code == 400 and (
                beyond_int64(response.request) or repeats_a_single_form_field(response.request, key, array_fields)
            ):
                return False
            if empty_where_not_allowed(every.get(key), response.request):
                return False
            return valid_as_sent(response.request) is True
        return True

    return filter_failure


NO_SEGMENT = ("", ".", "..")


def names_another_path(case) -> bool:
    """Whether a path parameter's value leaves its segment out of the URL: empty (`/hooks/{hook_id}`
    with "" is `/hooks`, where the document gives other methods) or a dot segment, which a URL
    resolves away. A document whose string parameter allows it contradicts its own path: the
    answer is another path's, and no operation's rules judge it; only a server error stands."""
    values = getattr(case, "path_parameters", None) or {}
    return any(str(value) in NO_SEGMENT for value in values.values())


# The bodies openapi-core 0.23 reads into values a schema can take: it reads XML into an Element,
# which no object schema takes, and any other media type (an image, octet-stream) as bytes, which
# no `type: string` takes (Getty's image/png upload of base64 text was "not of type 'string'").
JUDGED_MEDIA_TYPES = (
    "application/json",
    "application/vnd.api+json",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "text/plain",
    "text/html",
)


def judged_media_type(content_type: str | None) -> bool:
    """Whether openapi-core can judge a body sent with this Content-Type (none: read as JSON)."""
    return media_type(content_type or "application/json") in JUDGED_MEDIA_TYPES


def given_empty(operation: Operation | None, request) -> list[Parameter]:
    """The operation's query parameters the request gives an empty value (`name=`)."""
    if operation is None:
        return []
    query = operation.query()
    given = urllib.parse.parse_qsl(urllib.parse.urlsplit(request.url).query, keep_blank_values=True)
    return [query[name] for name, value in given if value == "" and name in query]


def empty_array(operation: Operation | None, request) -> bool:
    """Whether the request gives an array query parameter empty (`status=`): RFC 6570's form style
    writes the empty list so, OpenAPI's `allowEmptyValue` forbids it, so taking it as `[]` (as
    the mock does) or refusing it are both the server's choice."""
    return any(parameter.kind == "array" for parameter in given_empty(operation, request))


def empty_where_not_allowed(operation: Operation | None, request) -> bool:
    """Whether the request gives a query parameter of the operation an empty value (`name=`) the
    document does not allow: OpenAPI allows one only with `allowEmptyValue: true`, so a server may
    refuse it (openapi-core reads it as absent, and calls the request valid)."""
    return any(not parameter.allows_empty for parameter in given_empty(operation, request))


def beyond_int64(request) -> bool:
    """Whether a path segment or query value is an integer no 64-bit integer holds: a document
    that bounds none leaves refusing it to the server (most parse into 64 bits)."""
    url = urllib.parse.urlsplit(request.url)
    values = [*url.path.split("/"), *(value for _, value in urllib.parse.parse_qsl(url.query))]
    return any(value.lstrip("-").isdigit() and abs(int(value)) > LARGEST_INT64 for value in values)


def operation_of(document: dict, template: str, method: str) -> dict:
    """The operation at a documented path, its path item's `$ref` followed (3.1's `components/pathItems`)."""
    path_item = spec_module.resolved(document, (document.get("paths") or {}).get(template)) or {}
    operation = path_item.get(method.lower()) if isinstance(path_item, dict) else None
    return operation if isinstance(operation, dict) else {}


def body_bytes(request) -> bytes | None:
    """A prepared request's body as sent (None: none, or streamed)."""
    body = request.body.encode() if isinstance(request.body, str) else request.body
    return body if isinstance(body, bytes) else None


def body_schema(document: dict, template: str | None, method: str, media_type: str) -> dict | None:
    """The schema the document gives a request body of `media_type` at `template`, if any."""
    if template is None:
        return None
    operation = operation_of(document, template, method)
    body = spec_module.resolved(document, operation.get("requestBody")) or {}
    media = (body.get("content") or {}).get(media_type) if isinstance(body, dict) else None
    return (media or {}).get("schema") if isinstance(media, dict) else None


def multipart_body_fits(document: dict, template: str | None, request) -> bool | None:
    """Whether the request's multipart form meets its schema, read field by field
    (`wamock.data.form_bodies`); None where that is not to be told (no schema, a field of one
    value given twice)."""
    schema = body_schema(document, template, request.method, "multipart/form-data")
    raw = body_bytes(request)
    if schema is None or raw is None:
        return None
    try:
        value = form_bodies.read_multipart(
            raw, request.headers.get("Content-Type") or "", spec_module.inlined(document, schema)
        )
    except form_bodies.NotAForm:
        return False
    except form_bodies.Ambiguous:
        return None
    return examples.fits(document, value, schema)


def xml_body_invalid(document: dict, template: str | None, request) -> bool:
    """Whether the request's XML body (by its Content-Type) is no XML, or does not meet the
    schema the document gives that media type at `template`, read by its XML Object
    (`wamock.data.xml_bodies`)."""
    content_type = media_type(request.headers.get("Content-Type"))
    schema = body_schema(document, template, request.method, content_type) if content_type.endswith("xml") else None
    raw = body_bytes(request)
    if schema is None or raw is None:
        return False
    try:
        value = xml_bodies.read(raw, spec_module.inlined(document, schema))
    except xml_bodies.NotXML:
        return True
    return not examples.fits(document, value, schema)


def repeats_a_single_form_field(request, key: str, array_fields: Callable[[str, str], frozenset[str]]) -> bool:
    """Whether a form body gives a field of one value twice: a document whose field is one value
    (Swagger petstore's `additionalMetadata: string`) does not say whether the first, the last or
    a refusal answers that, so refusing it is the server's choice. (An array field given twice
    is no repeat: that is how a form gives an array.)"""
    form_type = media_type(request.headers.get("Content-Type"))
    body = body_bytes(request)
    if body is None:
        return False
    if form_type == "multipart/form-data":
        try:
            names = [name for name, _ in form_bodies.parts(body, request.headers.get("Content-Type") or "")]
        except form_bodies.NotAForm:
            return False
    elif form_type == "application/x-www-form-urlencoded":
        names = [name for name, _ in urllib.parse.parse_qsl(body.decode("latin-1"), keep_blank_values=True)]
    else:
        return False
    repeated = {name for name in names if names.count(name) > 1}
    return bool(repeated - array_fields(key, form_type))


def form_array_fields(document: dict, key: str, media_type: str) -> frozenset[str]:
    """The fields of an operation's form body (of `media_type`) that are arrays."""
    method, path = key.split(" ", 1)
    schema = spec_module.resolved(document, body_schema(document, path, method, media_type)) or {}
    fields = schema.get("properties") or {} if isinstance(schema, dict) else {}
    return frozenset(
        name
        for name, field_schema in fields.items()
        if kind_of(spec_module.resolved(document, field_schema) or {}) == "array"
    )
