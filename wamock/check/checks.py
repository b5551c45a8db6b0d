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

from wamock.data.examples import texts
from wamock.data.operations import CHAT_LIST, Invalid, Parameter, operation, operation_key
from wamock.data.store import ChatStore, Filters
from wamock.data.timestamps import epoch

DATE_FIELDS = ("last_message_time", "created_at", "updated_at")
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
# What every implementation reads as an integer; "05" or "+5" may be read either way.
CANONICAL_INTEGER = re.compile(r"0|-?[1-9]\d*")
ARRAY_INDEX = re.compile(r"\[\d+\]")
# Above this an offset may be refused with 400 (upstream, in Go, cannot represent it).
LARGEST_INT64 = 2**63 - 1
# Statuses any server (or a proxy in front of it) may answer a request it cannot take.
TRANSPORT_REFUSALS = (413, 414, 431)
ARCHIVE_PATH = "/chat/{chat_jid}/archive"


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
    """What a run judges by: the spec's query parameters and documented texts, the run's credentials, the oracles."""

    parameters: dict[str, Parameter]  # the query parameters of GET /chats, by name
    unauthorized_message: str
    authorization: str  # the Authorization header of the run's credentials
    devices: tuple[str, ...] = ()  # the devices the run was told of (--device); () when it was not
    archives: bool = False  # the document has POST /chat/{chat_jid}/archive
    lists_chats: bool = True  # the document has GET /chats, which the rules and probes judge
    expected: ChatStore | None = None
    peer: httpx.Client | None = None

    @classmethod
    def from_spec(cls, spec: dict, authorization: str, **oracles) -> "Contract":
        chat_list = operation(spec, CHAT_LIST)
        if chat_list is None:
            return cls({}, "", authorization, lists_chats=False, **oracles)
        archives = operation(spec, operation_key("post", ARCHIVE_PATH)) is not None
        return cls(chat_list.query(), texts(spec).unauthorized, authorization, archives=archives, **oracles)

    def default(self, name: str):
        parameter = self.parameters.get(name)
        return parameter.default if parameter is not None else None


@dataclass(frozen=True)
class PageRequest:
    limit: int
    offset: int
    has_media: bool
    search: str = ""
    archived: bool | None = None

    def __str__(self) -> str:
        shown = f"limit={self.limit} offset={self.offset} has_media={str(self.has_media).lower()}"
        shown += f" search={self.search}" if self.search else ""
        return shown + (f" archived={str(self.archived).lower()}" if self.archived is not None else "")

    @property
    def filters(self) -> Filters:
        return Filters(has_media=self.has_media, archived=self.archived, search=self.search)


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
    judged = verdicts(exchange, contract) if exchange.method == "GET" else None
    if judged is None or any(v != "valid" for v in judged.values()):
        return None
    values = dict(exchange.query)
    value = {name: values.get(name, str(contract.default(name)).lower()) for name in ("limit", "offset", "has_media")}
    archived = values.get("archived")
    limit, offset = int(value["limit"]), int(value["offset"])
    if limit < 1 or offset < 0:
        # A document without the contract's minimums (upstream's) lets these through, and no
        # slice [offset, offset + limit) is meant by them: upstream reads limit=0 as 25.
        return None
    return PageRequest(
        limit,
        offset,
        value["has_media"].lower() == "true",
        values.get("search", ""),
        None if archived is None else archived.lower() == "true",
    )


def success_results(exchange: Exchange) -> dict | None:
    """`results` of a 200 whose shape is right; shape errors are the schema checks' to report."""
    if exchange.status != 200:
        return None
    body = exchange.json()
    try:
        results = body["results"]
        pagination = results["pagination"]
        if isinstance(results["data"], list) and all(
            isinstance(pagination[key], int) for key in ("limit", "offset", "total")
        ):
            return results
    except (KeyError, TypeError):
        pass
    return None


def answered_page(exchange: Exchange, contract: Contract) -> tuple[dict, PageRequest] | None:
    """A well-formed 200 and the page its request asked for; None when either is unclear."""
    results = success_results(exchange)
    request = requested_page(exchange, contract)
    return None if results is None or request is None else (results, request)


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
    results = success_results(exchange)
    for index, chat in enumerate(results["data"] if results else []):
        for name in DATE_FIELDS:
            if isinstance(chat, dict) and name in chat and not is_rfc3339(chat[name]):
                raise RuleBroken(
                    "Timestamp is not an RFC 3339 date-time",
                    "Documented: e.g. 2024-01-15T10:30:00Z",
                    f"Received: data[{index}].{name} = {shown(chat[name])}",
                )


def pagination_echoes_request(exchange: Exchange, contract: Contract) -> None:
    """`pagination.limit` and `.offset` echo the effective request, defaults applied."""
    answer = answered_page(exchange, contract)
    if answer is None:
        return
    results, request = answer
    pagination = results["pagination"]
    if (pagination["limit"], pagination["offset"]) != (request.limit, request.offset):
        raise RuleBroken(
            "Pagination does not echo the request", f"Requested: {request}", f"Received: {shown(pagination)}"
        )


def page_size_matches_total(exchange: Exchange, contract: Contract) -> None:
    """A page holds min(limit, total - offset) chats."""
    answer = answered_page(exchange, contract)
    if answer is None:
        return
    results, request = answer
    total = results["pagination"]["total"]
    if request.offset >= total:
        return  # offset_past_end_is_empty judges these
    expected = min(request.limit, total - request.offset)
    if len(results["data"]) != expected:
        raise RuleBroken(
            "Page size is not min(limit, total - offset)",
            f"Requested: {request}; total {total}",
            f"Expected: {expected} chats",
            f"Received: {len(results['data'])} chats",
        )


def offset_past_end_is_empty(exchange: Exchange, contract: Contract) -> None:
    """An offset at or past `total` gives an empty page."""
    answer = answered_page(exchange, contract)
    if answer is None:
        return
    results, request = answer
    if request.offset >= results["pagination"]["total"] and results["data"]:
        raise RuleBroken(
            "Offset past the end does not give an empty page",
            f"Requested: {request}; total {results['pagination']['total']}",
            f"Received: {len(results['data'])} chats",
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
    if exchange.status == 400 and request.offset > LARGEST_INT64:
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


def search_results_contain_it(exchange: Exchange, contract: Contract) -> None:
    """With `search`, every chat's name contains it, in any letter case."""
    answer = answered_page(exchange, contract)
    if answer is None or not answer[1].search:
        return
    results, request = answer
    needle = request.search.lower()
    found = first_chat_breaking(results, "name", lambda name: not isinstance(name, str) or needle in name.lower())
    if found:
        raise RuleBroken(
            "A searched page holds a chat whose name does not contain the search", f"Requested: {request}", found
        )


def archived_filter_holds(exchange: Exchange, contract: Contract) -> None:
    """With `archived`, every chat that says whether it is archived says so as asked."""
    answer = answered_page(exchange, contract)
    if answer is None or answer[1].archived is None:
        return
    results, request = answer
    found = first_chat_breaking(results, "archived", lambda archived: archived is request.archived)
    if found:
        raise RuleBroken("An archived-filtered page holds a chat of the other kind", f"Requested: {request}", found)


def first_chat_breaking(results: dict, field: str, holds) -> str | None:
    """Evidence of the first chat of a page whose `field` is present and does not hold, if any."""
    for index, chat in enumerate(results["data"]):
        if isinstance(chat, dict) and field in chat and not holds(chat[field]):
            return f"Received: data[{index}].{field} = {shown(chat[field])}"
    return None


def matches_data_file(exchange: Exchange, contract: Contract) -> None:
    """With --data: every page is exactly the one the data file gives."""
    answer = answered_page(exchange, contract) if contract.expected is not None else None
    if answer is None:
        return
    results, request = answer
    expected = contract.expected.page(limit=request.limit, offset=request.offset, filters=request.filters)
    problem = page_difference(expected.data, expected.total, results)
    if problem:
        title, evidence = problem
        raise RuleBroken(title, f"Requested: {request}", *evidence)


def page_difference(expected: list[dict], expected_total: int, results: dict) -> tuple[str, list[str]] | None:
    received = results["data"]
    if results["pagination"]["total"] != expected_total:
        return "Total differs from the data file", [
            f"Expected: total {expected_total}",
            f"Received: total {results['pagination']['total']}",
        ]
    expected_jids = [chat["jid"] for chat in expected]
    received_jids = [chat.get("jid") if isinstance(chat, dict) else chat for chat in received]
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
                    f"Chat: {want['jid']}",
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
        search_results_contain_it,
        archived_filter_holds,
        matches_data_file,
    )
}


def broken_rules(exchange: Exchange, contract: Contract) -> Iterator[tuple[str, RuleBroken]]:
    for name, rule in RULES.items():
        try:
            rule(exchange, contract)
        except RuleBroken as broken:
            yield name, broken
