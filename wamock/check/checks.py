"""The contract's rules that a JSON schema cannot express, judged one response at a time.

Each rule is a function `(exchange, contract)` named as a predicate on the response; it
returns None when it holds or does not apply, and raises `RuleBroken` with a title and
evidence when it is broken. The same rules judge every response the checker sees: those of
Schemathesis' generated cases (`wamock.check.engine` registers each as a check of the same
name) and those of wamock's probes (`wamock.check.probes`). They judge any implementation by
what its responses show, never by wamock's own data; `matches_data_file` is active only when
a run gives it a data file (and `wamock.check.compare` only with a peer).

Where CONTRACT.md leaves a choice open (an offset above the largest int64 may get 400 or an
empty page; any realm; `results` on errors or not; 413/414/431 for what a server cannot
take; extra fields), every choice passes.
"""

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

import httpx

from wamock.check.credentials import Credentials
from wamock.data.collections import CONTAINS, AnsweredPage, Collection, PageRequest, collection
from wamock.data.examples import texts
from wamock.data.operations import CHAT_ARCHIVE, Invalid, Operation, Parameter, operation
from wamock.data.store import ChatStore, Filters
from wamock.data.timestamps import epoch

RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
# What every implementation reads as an integer; "05" or "+5" may be read either way.
CANONICAL_INTEGER = re.compile(r"0|-?[1-9]\d*")
ARRAY_INDEX = re.compile(r"\[\d+\]")
# Above this an offset may be refused with 400 (upstream, in Go, cannot represent it).
LARGEST_INT64 = 2**63 - 1
# Statuses any server (or a proxy in front of it) may answer a request it cannot take.
TRANSPORT_REFUSALS = (413, 414, 431)


class RuleBroken(Exception):
    """The checker's one failure: a title, its evidence and, where a probe saw it, the answer
    whose request reproduces it. Rules, probes and --compare raise it alike."""

    def __init__(self, title: str, *evidence: str, response: httpx.Response | None = None) -> None:
        super().__init__(title)
        self.title = title
        self.evidence = list(evidence)
        self.response = response


@dataclass(frozen=True)
class Exchange:
    """One request and the answer to it, as every rule sees it; header names in lower case."""

    method: str
    url: str
    sent: Mapping[str, str]
    status: int
    headers: Mapping[str, str]
    content: bytes
    body: bytes | None = None  # what the request sent

    @classmethod
    def of_httpx(cls, response: httpx.Response) -> "Exchange":
        request = response.request
        return cls(
            method=request.method,
            url=str(request.url),
            sent={name.lower(): value for name, value in request.headers.items()},
            status=response.status_code,
            headers={name.lower(): value for name, value in response.headers.items()},
            content=response.content,
            body=request.content or None,
        )

    @classmethod
    def of_schemathesis(cls, response) -> "Exchange":
        request = response.request
        return cls(
            method=request.method,
            url=request.url,
            sent={name.lower(): value for name, value in request.headers.items()},
            status=response.status_code,
            headers={name.lower(): values[0] for name, values in response.headers.items() if values},
            content=response.content,
            body=request.body if isinstance(request.body, bytes) else None,
        )

    @property
    def query(self) -> list[tuple[str, str]]:
        return parse_qsl(urlsplit(self.url).query, keep_blank_values=True)

    def json(self):
        try:
            return json.loads(self.content)
        except (ValueError, UnicodeDecodeError, RecursionError):
            # RecursionError: nested too deep to read (wamock.check.transport refuses such answers first).
            return None


@dataclass
class Contract:
    """What a run judges by: the collection the document describes (GET /chats), its documented
    texts, the run's credentials, the oracles."""

    collection: Collection | None  # None: the document has no collection the rules and probes judge
    unauthorized_message: str
    authorization: str | None  # the Authorization header the run sends the collection, if any
    devices: tuple[str, ...] = ()  # the devices the run was told of (--device); () when it was not
    archive: Operation | None = None  # POST /chat/{chat_jid}/archive, where the document has it
    expected: ChatStore | None = None
    peer: httpx.Client | None = None

    @classmethod
    def from_spec(cls, spec: dict, credentials: Credentials, **oracles) -> "Contract":
        chats = collection(spec)
        if chats is None:
            return cls(None, "", None, **oracles)
        authorization = credentials.sent(spec, chats.operation).headers.get("Authorization")
        archive = operation(spec, CHAT_ARCHIVE)
        return cls(chats, texts(spec).unauthorized, authorization, archive=archive, **oracles)

    @property
    def lists_chats(self) -> bool:
        return self.collection is not None

    @property
    def parameters(self) -> dict[str, Parameter]:
        """The query parameters of the collection's operation, by name."""
        return self.collection.operation.query() if self.collection is not None else {}


def verdict(value: str, parameter: Parameter) -> str:
    """'valid', 'invalid' or 'unclear' (implementations may read it either way) for one query value."""
    try:
        parameter.read(value)
    except Invalid:
        return "invalid"
    if parameter.kind == "integer" and not CANONICAL_INTEGER.fullmatch(value):
        return "unclear"
    return "valid"


def verdicts(exchange: Exchange, contract: Contract) -> dict[str, str] | None:
    """Each declared parameter the request gave, with its verdict; None if one was given twice."""
    given: dict[str, str] = {}
    for name, value in exchange.query:
        if name in contract.parameters:
            if name in given:
                return None  # the contract does not say which one counts
            given[name] = value
    return {name: verdict(value, contract.parameters[name]) for name, value in given.items()}


def requested_page(exchange: Exchange, contract: Contract) -> PageRequest | None:
    """The page a request plainly asked for, defaults applied; None if any of it is not plainly valid."""
    judged = verdicts(exchange, contract) if exchange.method == "GET" and contract.collection else None
    if judged is None or any(v != "valid" for v in judged.values()):
        return None
    request = contract.collection.requested(dict(exchange.query))
    if request.size < 1 or request.start < 0:
        # A document without the contract's minimums (upstream's) lets these through, and no
        # slice [offset, offset + limit) is meant by them: upstream reads limit=0 as 25.
        return None
    return request


def answered(exchange: Exchange, contract: Contract) -> AnsweredPage | None:
    """The page a 200 holds, if its shape is right; shape errors are the schema checks' to report."""
    if exchange.status != 200 or contract.collection is None:
        return None
    return contract.collection.answered(exchange.json())


def answered_page(exchange: Exchange, contract: Contract) -> tuple[AnsweredPage, PageRequest] | None:
    """A well-formed 200 and the page its request asked for; None when either is unclear."""
    page = answered(exchange, contract)
    request = requested_page(exchange, contract)
    return None if page is None or request is None else (page, request)


def shown(value, limit: int = 300) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + " ..."


def excerpt(content: bytes, limit: int = 200) -> str:
    """A body as text for a report: never a bytes repr."""
    if not content:
        return "(empty body)"
    text = content[:limit].decode("utf-8", errors="replace")
    return text + (" ..." if len(content) > limit else "")


def received(exchange: Exchange) -> str:
    content_type = exchange.headers.get("content-type", "no content type")
    return f"Received: {exchange.status} ({content_type}) {excerpt(exchange.content)}"


def error_code_is_a_string(exchange: Exchange, contract: Contract) -> None:
    """An error envelope's `code` is a JSON string: the page's schema wins over its examples."""
    body = exchange.json()
    if exchange.status >= 400 and isinstance(body, dict) and "code" in body and not isinstance(body["code"], str):
        raise RuleBroken(
            "Error code is not a string",
            'Documented: code is a JSON string, e.g. "400"',
            f"Received: {exchange.status} with code {shown(body['code'])}",
        )


def unauthorized_is_enveloped(exchange: Exchange, contract: Contract) -> None:
    """A 401 is the JSON envelope with the documented message and a Basic challenge."""
    if exchange.status != 401:
        return
    body = exchange.json()
    if not (isinstance(body, dict) and isinstance(body.get("code"), str) and isinstance(body.get("message"), str)):
        raise RuleBroken(
            "401 is not the documented JSON envelope",
            f'Documented: {{"code": "401", "message": "{contract.unauthorized_message}", "results": {{}}}}',
            received(exchange),
        )
    if body["message"] != contract.unauthorized_message:
        raise RuleBroken(
            "401 does not say the documented message",
            f"Documented: message {shown(contract.unauthorized_message)}",
            f"Received: message {shown(body['message'])}",
        )
    challenge = exchange.headers.get("www-authenticate", "")
    if not challenge.lower().startswith("basic"):
        raise RuleBroken(
            "401 has no Basic challenge",
            'Documented: WWW-Authenticate: Basic realm="..."',
            f"Received: WWW-Authenticate: {challenge or '(missing)'}",
        )


def is_rfc3339(text) -> bool:
    if not isinstance(text, str) or not RFC3339.fullmatch(text):
        return False
    try:
        epoch(text)
    except ValueError:
        return False
    return True


def dates_are_rfc3339(exchange: Exchange, contract: Contract) -> None:
    """Every chat's timestamps are RFC 3339 date-times."""
    page = answered(exchange, contract)
    for index, item in enumerate(page.items if page else []):
        for name in sorted(contract.collection.times):
            if isinstance(item, dict) and name in item and not is_rfc3339(item[name]):
                raise RuleBroken(
                    "Timestamp is not an RFC 3339 date-time",
                    "Documented: e.g. 2024-01-15T10:30:00Z",
                    f"Received: {where(contract, index)}.{name} = {shown(item[name])}",
                )


def where(contract: Contract, index: int) -> str:
    """Where an item of a page is in the answer: `data[3]`."""
    return f"{contract.collection.items[-1]}[{index}]"


def echoed(page: AnsweredPage, contract: Contract) -> str:
    paging = contract.collection.paging
    return shown({paging.size.name: page.size, paging.start.name: page.start, paging.total: page.total})


def pagination_echoes_request(exchange: Exchange, contract: Contract) -> None:
    """`pagination.limit` and `.offset` echo the effective request, defaults applied."""
    answer = answered_page(exchange, contract)
    if answer is None:
        return
    page, request = answer
    if (page.size, page.start) != (request.size, request.start):
        raise RuleBroken(
            "Pagination does not echo the request", f"Requested: {request}", f"Received: {echoed(page, contract)}"
        )


def page_size_matches_total(exchange: Exchange, contract: Contract) -> None:
    """A page holds min(limit, total - offset) chats."""
    answer = answered_page(exchange, contract)
    if answer is None:
        return
    page, request = answer
    if request.start >= page.total:
        return  # offset_past_end_is_empty judges these
    expected = min(request.size, page.total - request.start)
    if len(page.items) != expected:
        noun = contract.collection.noun
        raise RuleBroken(
            "Page size is not min(limit, total - offset)",
            f"Requested: {request}; total {page.total}",
            f"Expected: {expected} {noun}",
            f"Received: {len(page.items)} {noun}",
        )


def offset_past_end_is_empty(exchange: Exchange, contract: Contract) -> None:
    """An offset at or past `total` gives an empty page."""
    answer = answered_page(exchange, contract)
    if answer is None:
        return
    page, request = answer
    if request.start >= page.total and page.items:
        raise RuleBroken(
            "Offset past the end does not give an empty page",
            f"Requested: {request}; total {page.total}",
            f"Received: {len(page.items)} {contract.collection.noun}",
        )


def bad_request_names_the_parameter(exchange: Exchange, contract: Contract) -> None:
    """A 400 for a bad parameter says which parameter in its message."""
    body = exchange.json()
    if exchange.status != 400 or not isinstance(body, dict) or not isinstance(body.get("message"), str):
        return
    invalid = sorted(name for name, v in (verdicts(exchange, contract) or {}).items() if v == "invalid")
    if invalid and not any(name in body["message"] for name in invalid):
        raise RuleBroken(
            "400 does not name the parameter it refuses",
            f"Documented: message names the parameter and the rule, e.g. {invalid[0]}: ...",
            f"Invalid: {', '.join(invalid)}",
            f"Received: message {shown(body['message'])}",
        )


def valid_request_is_accepted(exchange: Exchange, contract: Contract) -> None:
    """A valid request with the run's credentials gets 200.

    Schemathesis' `positive_data_acceptance` cannot know the contract's open choices: an
    offset above the largest int64 may be refused with 400, any request may meet a transport
    refusal (413, 414, 431), and a device the run was not told of may be unknown (404), or
    required (400) when the server has several. This rule accepts those, and nothing else.
    """
    request = requested_page(exchange, contract)
    if request is None or exchange.sent.get("authorization") != contract.authorization:
        return
    if "content-type" in exchange.sent:
        return  # a GET that claims a body (Schemathesis sends some): the contract does not say
    if exchange.status == 200 or exchange.status in TRANSPORT_REFUSALS:
        return
    if exchange.status == 400 and request.start > LARGEST_INT64:
        return
    device, code = named_device(exchange), error_code(exchange)
    if exchange.status == 404 and code == "DEVICE_NOT_FOUND" and device is not None and device not in contract.devices:
        return
    if exchange.status == 400 and code == "DEVICE_ID_REQUIRED" and device is None and len(contract.devices) != 1:
        return
    raise RuleBroken(
        "A valid request is not answered with 200",
        f"Requested: {request}, with the run's credentials",
        received(exchange),
    )


def error_code(exchange: Exchange):
    body = exchange.json()
    return body.get("code") if isinstance(body, dict) else None


def named_device(exchange: Exchange) -> str | None:
    """The device a request names: the X-Device-Id header (URL-decoded), else the device_id parameter."""
    header = exchange.sent.get("x-device-id")
    return unquote(header) if header is not None else dict(exchange.query).get("device_id")


def filtered_items_match(exchange: Exchange, contract: Contract) -> None:
    """Every item of a filtered page is one the filters keep, where the item says (has the field)."""
    answer = answered_page(exchange, contract)
    if answer is None:
        return
    page, request = answer
    for filter_, value in request.applied():
        for index, item in enumerate(page.items):
            if filter_.keeps(item, value) is False:
                rule = "contains" if filter_.match == CONTAINS else "is"
                raise RuleBroken(
                    f"A page filtered by {filter_.name} holds an item whose {filter_.field} does not match it",
                    f"Requested: {request} ({filter_.field} {rule} {shown(value)})",
                    f"Received: {where(contract, index)}.{filter_.field} = {shown(item[filter_.field])}",
                )


def matches_data_file(exchange: Exchange, contract: Contract) -> None:
    """With --data: every page is exactly the one the data file gives."""
    answer = answered_page(exchange, contract) if contract.expected is not None else None
    if answer is None:
        return
    page, request = answer
    filters = Filters.of(request)
    expected = contract.expected.page(limit=request.size, offset=request.start, filters=filters)
    problem = page_difference(expected.data, expected.total, page, contract.collection.identity)
    if problem:
        title, evidence = problem
        raise RuleBroken(title, f"Requested: {request}", *evidence)


def page_difference(
    expected: list[dict], expected_total: int, page: AnsweredPage, identity: str
) -> tuple[str, list[str]] | None:
    received = page.items
    if page.total != expected_total:
        return "Total differs from the data file", [
            f"Expected: total {expected_total}",
            f"Received: total {page.total}",
        ]
    expected_jids = [chat[identity] for chat in expected]
    received_jids = [chat.get(identity) if isinstance(chat, dict) else chat for chat in received]
    if expected_jids != received_jids:
        if sorted(map(str, expected_jids)) == sorted(map(str, received_jids)):
            return "Chats are not in the data file's order", [
                f"Expected: {shown(expected_jids[:10])}",
                f"Received: {shown(received_jids[:10])}",
            ]
        missing = [jid for jid in expected_jids if jid not in received_jids]
        unexpected = [jid for jid in received_jids if jid not in expected_jids]
        return "Page holds other chats than the data file", [
            f"Missing: {shown(missing[:10])}",
            f"Unexpected: {shown(unexpected[:10])}",
        ]
    for want, got in zip(expected, received, strict=True):
        for name, value in want.items():
            if got.get(name) != value:
                return f"Chat field {name} differs from the data file", [
                    f"Chat: {want[identity]}",
                    f"Expected: {name} = {shown(value)}",
                    f"Received: {name} = {shown(got.get(name))}",
                ]
    return None


Rule = Callable[[Exchange, Contract], None]

# Judged on every response: Schemathesis' cases and the probes' requests alike.
RULES: dict[str, Rule] = {
    rule.__name__: rule
    for rule in (
        error_code_is_a_string,
        unauthorized_is_enveloped,
        dates_are_rfc3339,
        pagination_echoes_request,
        page_size_matches_total,
        offset_past_end_is_empty,
        bad_request_names_the_parameter,
        valid_request_is_accepted,
        filtered_items_match,
        matches_data_file,
    )
}


def broken_rules(exchange: Exchange, contract: Contract) -> Iterator[tuple[str, RuleBroken]]:
    for name, rule in RULES.items():
        try:
            rule(exchange, contract)
        except RuleBroken as broken:
            yield name, broken
