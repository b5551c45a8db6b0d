"""The contract's rules that a JSON schema cannot express, as Schemathesis checks.

Each check is a function `(ctx, response, case)` registered with Schemathesis and named as a
predicate on the response. They judge any implementation by what its responses show, never
by wamock's own data; the two oracles (`matches_data_file`, `agrees_with_peer`) are active
only when a run gives them something to compare with (see `wamock.checker`).
"""

import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import httpx
import schemathesis
from schemathesis.core.failures import Failure

from wamock.store import ChatStore, epoch

DATE_FIELDS = ("last_message_time", "created_at", "updated_at")
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
CANONICAL_INTEGER = re.compile(r"0|-?[1-9]\d*")
ARRAY_INDEX = re.compile(r"\[\d+\]")


class ContractViolation(Failure):
    """A response breaks a rule of CONTRACT.md that the spec's schemas cannot state."""

    code = "WM001"
    kind_title = "Contract violated"


@dataclass(frozen=True)
class PageRequest:
    limit: int
    offset: int
    has_media: bool


@dataclass
class RunContext:
    """What one checker run knows beyond the spec: defaults, and the optional oracles."""

    default_limit: int = 25
    default_offset: int = 0
    expected: ChatStore | None = None
    peer: httpx.Client | None = None


# Keyed by the id of a run's Schemathesis schema (schemas are not hashable), so that two runs
# in one process never see each other's context. The checker removes its entry when done.
RUNS: dict[int, RunContext] = {}


def context_of(case) -> RunContext:
    return RUNS.get(id(case.operation.schema)) or RunContext()


def violation(case, title: str, *lines: str) -> ContractViolation:
    return ContractViolation(operation=case.operation.label, title=title, message="\n".join(lines), case_id=case.id)


def sent_query(response) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(response.request.url).query, keep_blank_values=True)


def requested_page(response, context: RunContext) -> PageRequest | None:
    """The page a request asked for, defaults applied; None if its query is not plainly valid."""
    query = sent_query(response)
    names = [name for name, _ in query]
    values = dict(query)
    if any(names.count(name) > 1 for name in ("limit", "offset", "has_media")):
        return None
    limit, offset = values.get("limit"), values.get("offset")
    has_media = values.get("has_media", "false").lower()
    if (limit is not None and not CANONICAL_INTEGER.fullmatch(limit)) or (
        offset is not None and not CANONICAL_INTEGER.fullmatch(offset)
    ):
        return None
    if has_media not in ("true", "false"):
        return None
    return PageRequest(
        limit=int(limit) if limit is not None else context.default_limit,
        offset=int(offset) if offset is not None else context.default_offset,
        has_media=has_media == "true",
    )


def json_body(response):
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None


def success_results(response) -> dict | None:
    """`results` of a 200 whose shape is right; shape errors are the schema checks' to report."""
    if response.status_code != 200:
        return None
    body = json_body(response)
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


def answered_page(response, case) -> tuple[dict, PageRequest] | None:
    """A well-formed 200 and the page its request asked for; None when either is unclear."""
    results = success_results(response)
    request = requested_page(response, context_of(case))
    return None if results is None or request is None else (results, request)


def shown(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def describe(request: PageRequest) -> str:
    return f"limit={request.limit} offset={request.offset} has_media={str(request.has_media).lower()}"


@schemathesis.check
def error_code_is_a_string(ctx, response, case):
    """An error envelope's `code` is a JSON string: the page's schema wins over its examples."""
    if response.status_code < 400:
        return None
    body = json_body(response)
    if isinstance(body, dict) and "code" in body and not isinstance(body["code"], str):
        raise violation(
            case,
            "Error code is not a string",
            'Documented: code is a JSON string, e.g. "400"',
            f"Received: {response.status_code} with code {shown(body['code'])}",
        )
    return True


@schemathesis.check
def unauthorized_is_enveloped(ctx, response, case):
    """A 401 is the JSON envelope with a Basic challenge in WWW-Authenticate."""
    if response.status_code != 401:
        return None
    body = json_body(response)
    if not (isinstance(body, dict) and isinstance(body.get("code"), str) and isinstance(body.get("message"), str)):
        raise violation(
            case,
            "401 is not the documented JSON envelope",
            'Documented: {"code": "401", "message": "...", "results": {}}',
            f"Received: {response.headers.get('content-type', ['(no content type)'])[0]}: {response.content[:200]!r}",
        )
    challenge = response.headers.get("www-authenticate", [""])[0]
    if not challenge.lower().startswith("basic"):
        raise violation(
            case,
            "401 has no Basic challenge",
            'Documented: WWW-Authenticate: Basic realm="..."',
            f"Received: WWW-Authenticate: {challenge or '(missing)'}",
        )
    return True


def is_rfc3339(text) -> bool:
    if not isinstance(text, str) or not RFC3339.fullmatch(text):
        return False
    try:
        epoch(text)
    except ValueError:
        return False
    return True


@schemathesis.check
def dates_are_rfc3339(ctx, response, case):
    """Every chat's timestamps are RFC 3339 date-times."""
    results = success_results(response)
    if results is None:
        return None
    for index, chat in enumerate(results["data"]):
        for name in DATE_FIELDS:
            if isinstance(chat, dict) and name in chat and not is_rfc3339(chat[name]):
                raise violation(
                    case,
                    "Timestamp is not an RFC 3339 date-time",
                    "Documented: e.g. 2024-01-15T10:30:00Z",
                    f"Received: data[{index}].{name} = {shown(chat[name])}",
                )
    return True


@schemathesis.check
def pagination_echoes_request(ctx, response, case):
    """`pagination.limit` and `.offset` echo the effective request, defaults applied."""
    answer = answered_page(response, case)
    if answer is None:
        return None
    results, request = answer
    pagination = results["pagination"]
    if (pagination["limit"], pagination["offset"]) != (request.limit, request.offset):
        raise violation(
            case,
            "Pagination does not echo the request",
            f"Requested: {describe(request)}",
            f"Received: {shown(pagination)}",
        )
    return True


@schemathesis.check
def page_size_matches_total(ctx, response, case):
    """A page holds min(limit, total - offset) chats."""
    answer = answered_page(response, case)
    if answer is None:
        return None
    results, request = answer
    total = results["pagination"]["total"]
    if request.offset >= total:
        return None  # offset_past_end_is_empty judges these
    expected = min(request.limit, total - request.offset)
    if len(results["data"]) != expected:
        raise violation(
            case,
            "Page size is not min(limit, total - offset)",
            f"Requested: {describe(request)}; total {total}",
            f"Expected: {expected} chats",
            f"Received: {len(results['data'])} chats",
        )
    return True


@schemathesis.check
def offset_past_end_is_empty(ctx, response, case):
    """An offset at or past `total` gives an empty page."""
    answer = answered_page(response, case)
    if answer is None or answer[1].offset < answer[0]["pagination"]["total"]:
        return None
    results, request = answer
    if results["data"]:
        raise violation(
            case,
            "Offset past the end does not give an empty page",
            f"Requested: {describe(request)}; total {results['pagination']['total']}",
            f"Received: {len(results['data'])} chats",
        )
    return True


@schemathesis.check
def matches_data_file(ctx, response, case):
    """With --data: every page is exactly the one the data file gives."""
    expected_data = context_of(case).expected
    answer = answered_page(response, case)
    if expected_data is None or answer is None:
        return None
    results, request = answer
    expected = expected_data.page(limit=request.limit, offset=request.offset, has_media=request.has_media)
    problem = page_difference(expected.data, expected.total, results)
    if problem:
        title, evidence = problem
        raise violation(case, title, f"Requested: {describe(request)}", *evidence)
    return True


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
            f"Missing: {shown(missing[:10])}{' ...' if len(missing) > 10 else ''}",
            f"Unexpected: {shown(unexpected[:10])}{' ...' if len(unexpected) > 10 else ''}",
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


@schemathesis.check
def agrees_with_peer(ctx, response, case):
    """With --compare: the other implementation answers the same request the same way."""
    context = context_of(case)
    if context.peer is None:
        return None
    request = response.request
    target = urlsplit(request.url)
    url = f"{target.path}?{target.query}" if target.query else target.path
    headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
    try:
        other = context.peer.request(request.method, url, headers=headers)
    except httpx.HTTPError as exc:
        raise violation(case, "The other implementation did not answer", f"Received: {exc}") from None
    difference = response_difference(response, other)
    if difference:
        title, evidence = difference
        raise violation(case, title, *evidence)
    return True


def media_type(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


def response_difference(response, other: httpx.Response) -> tuple[str, list[str]] | None:
    if response.status_code != other.status_code:
        return f"Status differs: {response.status_code} here, {other.status_code} there", [
            f"Here: {response.status_code} {response.content[:200]!r}",
            f"There: {other.status_code} {other.content[:200]!r}",
        ]
    here_type = media_type(response.headers.get("content-type", [""])[0])
    there_type = media_type(other.headers.get("content-type", ""))
    if here_type != there_type:
        return f"Content type differs on {response.status_code}", [f"Here: {here_type}", f"There: {there_type}"]
    here, there = json_body(response), json_body(other)
    if here is None or there is None:
        if response.content != other.content:
            return f"Body differs on {response.status_code}", [
                f"Here: {response.content[:200]!r}",
                f"There: {other.content[:200]!r}",
            ]
        return None
    path = first_difference(here, there, "")
    if path is not None:
        where, mine, theirs = path
        pattern = ARRAY_INDEX.sub("[*]", where) or "(root)"
        return f"Body differs on {response.status_code} at {pattern}", [
            f"Here: {where} = {shown(mine)}",
            f"There: {where} = {shown(theirs)}",
        ]
    return None


def first_difference(here, there, where: str):
    if isinstance(here, dict) and isinstance(there, dict):
        for key in sorted(set(here) | set(there)):
            found = first_difference(here.get(key, ...), there.get(key, ...), f"{where}.{key}" if where else key)
            if found:
                return found
        return None
    if isinstance(here, list) and isinstance(there, list) and len(here) == len(there):
        for index, (mine, theirs) in enumerate(zip(here, there, strict=True)):
            found = first_difference(mine, theirs, f"{where}[{index}]")
            if found:
                return found
        return None
    if here != there or type(here) is not type(there):
        return where, None if here is ... else here, None if there is ... else there
    return None


WAMOCK_CHECKS = (
    "error_code_is_a_string",
    "unauthorized_is_enveloped",
    "dates_are_rfc3339",
    "pagination_echoes_request",
    "page_size_matches_total",
    "offset_past_end_is_empty",
)
ORACLE_CHECKS = ("matches_data_file", "agrees_with_peer")
