"""Deterministic probes of GET /chats: the rules that need several requests or chosen ones.

Schemathesis' generated cases may or may not hit a given rule on a given seed; these send
the same requests on every run: credentials of every malformed kind, a table of invalid and
boundary values, unknown parameters, offsets past any int64, and walks of every page. Each
probe is named as the rule it checks and raises `RuleBroken` with a title and evidence.
Every response a probe gets is also judged by the per-response rules (`wamock.check.checks`), so a
probe's 401 must be enveloped and its 400 must name the parameter, like any other.
"""

import base64
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from urllib.parse import quote

import httpx

from wamock.check.checks import (
    LARGEST_INT64,
    Contract,
    Exchange,
    RuleBroken,
    broken_rules,
    error_code,
    excerpt,
    is_rfc3339,
    received,
    shown,
    success_results,
)
from wamock.data.operations import Parameter
from wamock.data.store import order_key

MAX_WALK_REQUESTS = 200
# Names a client might send that the contract may not declare; those it declares are left out.
UNKNOWN_PARAMETERS = {"sort": "name", "wamock_probe": "1", "fields": "jid"}


@dataclass
class Walk:
    """The chats that walking the pages of one filter gave, and whether it reached the end."""

    chats: list[dict]
    total: int
    limit: int
    complete: bool


def basic(raw: bytes) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


@dataclass
class Probing:
    client: httpx.Client
    rng: random.Random
    contract: Contract
    user: str
    password: str
    walks: dict[tuple, Walk] = field(default_factory=dict)
    requests: int = 0
    last: httpx.Response | None = None  # reproduces a failure that names no response of its own
    # Per-response rules broken by the probes' responses: (rule name, what broke, the response).
    broken: list[tuple[str, RuleBroken, httpx.Response]] = field(default_factory=list)

    @property
    def credentials(self) -> dict[str, str]:
        return {"Authorization": self.contract.authorization}

    def get(self, query: dict | None = None, *, headers: dict | None = None, device: bool = True) -> httpx.Response:
        """GET /chats, naming the run's device (if it was told one, and `device`); with `headers`,
        exactly those credentials (or none) instead of the run's."""
        self.requests += 1
        sent = {"X-Device-Id": self.contract.devices[0]} if self.contract.devices and device else {}
        if headers is None:
            response = self.client.get("/chats", params=query or {}, headers=sent)
        else:
            response = self.client.get("/chats", params=query or {}, headers={**sent, **headers}, auth=None)
        self.last = response
        exchange = Exchange.of_httpx(response)
        self.broken += [(name, why, response) for name, why in broken_rules(exchange, self.contract)]
        if response.status_code >= 500:
            # Schemathesis' rule of the same name judges its own cases; this one the probes'.
            self.broken.append(("not_a_server_error", RuleBroken("Server error", received(exchange)), response))
        return response

    def results(self, query: dict) -> dict:
        response = self.get(query)
        try:
            results = response.json()["results"]
            assert isinstance(results["data"], list)
            assert all(isinstance(results["pagination"][key], int) for key in ("limit", "offset", "total"))
        except (ValueError, KeyError, TypeError, AssertionError):
            raise RuleBroken(
                "GET /chats does not answer a valid page",
                "Documented: 200 with results.data and results.pagination",
                received(Exchange.of_httpx(response)),
                response=response,
            ) from None
        return results

    def archive(self, jid: str, archived: bool | str, *, expect: int | None = 200) -> httpx.Response:
        """POST /chat/{jid}/archive; with `expect`, a RuleBroken unless it answers a success."""
        self.requests += 1
        sent = {"X-Device-Id": self.contract.devices[0]} if self.contract.devices else {}
        response = self.client.post(f"/chat/{quote(jid, safe='@')}/archive", json={"archived": archived}, headers=sent)
        self.last = response
        if response.status_code >= 500:
            exchange = Exchange.of_httpx(response)
            self.broken.append(("not_a_server_error", RuleBroken("Server error", received(exchange)), response))
        if expect is not None and not 200 <= response.status_code < 300:
            raise RuleBroken(
                "Archiving a listed chat is refused",
                f'Requested: POST /chat/{jid}/archive {{"archived": {str(archived).lower()}}}',
                received(Exchange.of_httpx(response)),
                response=response,
            )
        return response

    def walk(self, *, fresh: bool = False, **filters: str) -> Walk:
        """Every page of these filters (query values), from offset 0 to the first empty page;
        kept for the next probe unless `fresh` (the data changed)."""
        key = tuple(sorted(filters.items()))
        if fresh or key not in self.walks:
            total = self.results({"limit": 1, **filters})["pagination"]["total"]
            # Between a tenth and a half of the total: at least two pages, where paging bugs live.
            limit = self.rng.randint(max(1, min(100, total // 10)), max(1, min(100, total // 2)))
            chats: list[dict] = []
            offset, complete = 0, False
            for _ in range(MAX_WALK_REQUESTS):
                page = self.results({"limit": limit, "offset": offset, **filters})["data"]
                if not page:
                    complete = True
                    break
                chats += page
                offset += limit
            self.walks[key] = Walk(chats, total, limit, complete)
        return self.walks[key]


def defaults_are_applied(probing: Probing) -> None:
    pagination = probing.results({})["pagination"]
    expected = {"limit": probing.contract.default("limit"), "offset": probing.contract.default("offset")}
    if {key: pagination[key] for key in expected} != expected:
        raise RuleBroken(
            "Defaults are not applied",
            f"Requested: no parameters, so limit={expected['limit']} offset={expected['offset']}",
            f"Received: {shown(pagination)}",
        )


def refused_with_401(probing: Probing, cases: list[tuple[str, dict]]) -> None:
    for what, headers in cases:
        response = probing.get(headers=headers)
        if response.status_code != 401:
            raise RuleBroken(
                f"A request with {what} is not refused with 401",
                received(Exchange.of_httpx(response)),
                response=response,
            )


def credentials_are_required(probing: Probing) -> None:
    user, password = probing.user.encode(), probing.password.encode()
    refused_with_401(
        probing,
        [
            ("no credentials", {}),
            ("the right user and a wrong password", basic(user + b":" + password + b"-wrong")),
            ("the right user and an empty password", basic(user + b":")),
            ("an unknown user and the right password", basic(b"wamock-unknown-" + user + b":" + password)),
        ],
    )


def malformed_credentials_get_401(probing: Probing) -> None:
    user, password = probing.user.encode(), probing.password.encode()
    refused_with_401(
        probing,
        [
            ("credentials that are not base64", {"Authorization": "Basic %%%not-base64%%%"}),
            ("credentials without a colon", basic(user + password)),
            ("credentials that are not UTF-8", basic(b"\xff\xfe:\xfd")),
            ("the Basic scheme and nothing else", {"Authorization": "Basic"}),
            ("another scheme", {"Authorization": "Bearer " + base64.b64encode(user + b":" + password).decode()}),
        ],
    )


def examples_of(parameter: Parameter, *, valid: bool) -> list[str]:
    """Query values every implementation must accept (valid) or refuse with 400, from a parameter's schema."""
    if parameter.kind == "boolean":
        return ["true", "false", "TRUE", "False"] if valid else ["1", "0", "yes", "no", "on", "off", "t", "f", ""]
    if parameter.kind == "integer":
        low, high = parameter.minimum, parameter.maximum
        if valid:
            return [str(bound) for bound in (low, high) if bound is not None]
        bounds = [str(low - 1)] if low is not None else []
        bounds += [str(high + 1)] if high is not None else []
        return ["10.5", "abc", "", "1e1", "0x10", *bounds]
    if parameter.enum is not None:
        listed = [str(value) for value in parameter.enum]
        return listed if valid else ["-".join(["not", *listed])]
    return []


def each_value_gets(probing: Probing, *, valid: bool, status: int, title: str) -> None:
    for name, parameter in probing.contract.parameters.items():
        for value in examples_of(parameter, valid=valid):
            response = probing.get({name: value})
            if response.status_code != status:
                raise RuleBroken(
                    title.format(name=name),
                    f"Requested: {name}={value}",
                    received(Exchange.of_httpx(response)),
                    response=response,
                )


def invalid_values_get_400(probing: Probing) -> None:
    each_value_gets(probing, valid=False, status=400, title="An invalid {name} is not refused with 400")


def boundary_values_are_accepted(probing: Probing) -> None:
    each_value_gets(probing, valid=True, status=200, title="A valid {name} is not answered with 200")


def unknown_parameters_are_ignored(probing: Probing) -> None:
    plain = probing.get({"limit": 3})
    unknown = {name: value for name, value in UNKNOWN_PARAMETERS.items() if name not in probing.contract.parameters}
    extended = probing.get({"limit": 3, **unknown})
    if (plain.status_code, plain.content) != (extended.status_code, extended.content):
        raise RuleBroken(
            "Unknown query parameters are not ignored",
            f"Without them: {plain.status_code} {excerpt(plain.content, 120)}",
            f"With them: {extended.status_code} {excerpt(extended.content, 120)}",
            response=extended,
        )


def media_false_is_no_filter(probing: Probing) -> None:
    everything = probing.results({})
    unfiltered = probing.results({"has_media": "false"})
    if unfiltered != everything:
        raise RuleBroken(
            "has_media=false filters the list; it must apply no filter",
            f"Without has_media: total {everything['pagination']['total']}",
            f"With has_media=false: total {unfiltered['pagination']['total']}",
        )


def offsets_past_any_int64_are_past_the_end(probing: Probing) -> None:
    total = probing.results({"limit": 1})["pagination"]["total"]
    for offset in (LARGEST_INT64, LARGEST_INT64 + 1, 10**30):
        response = probing.get({"offset": offset})
        if response.status_code == 400 and offset > LARGEST_INT64:
            continue  # the contract's other choice
        results = success_results(Exchange.of_httpx(response))
        if results is None or results["data"] != [] or results["pagination"]["offset"] != offset:
            allowed = "200 with data [] and the offset echoed" + (", or 400" if offset > LARGEST_INT64 else "")
            raise RuleBroken(
                "A huge offset is not answered as past the end",
                f"Requested: offset={offset}; total {total}",
                f"Documented: {allowed}",
                received(Exchange.of_httpx(response)),
                response=response,
            )


PAGINGS = ({"limit": 1}, {"limit": 2, "offset": 1}, {"limit": 7, "offset": 3}, {"limit": 100})


def total_ignores_paging(probing: Probing) -> None:
    for has_media in ("false", "true"):
        totals = {
            tuple(paging.items()): probing.results({**paging, "has_media": has_media})["pagination"]["total"]
            for paging in PAGINGS
        }
        if len(set(totals.values())) > 1:
            raise RuleBroken(
                "Total depends on limit or offset",
                *(
                    f"Requested: {dict(query)} has_media={has_media} -> total {total}"
                    for query, total in totals.items()
                ),
            )


def offset_past_end_keeps_the_total(probing: Probing) -> None:
    total = probing.results({"limit": 1})["pagination"]["total"]
    for offset in (total, total + 7):
        found = probing.results({"offset": offset})["pagination"]["total"]
        if found != total:
            raise RuleBroken(
                "Offset past the end changes the total",
                f"Requested: offset={offset}; total {total} on the first page",
                f"Received: total {found}",
            )


def jids_of(chats: list) -> list:
    return [chat.get("jid") if isinstance(chat, dict) else chat for chat in chats]


def pages_cover_every_chat_once(probing: Probing) -> None:
    walk = probing.walk()
    jids = jids_of(walk.chats)
    seen: set = set()
    repeated = sorted({str(jid) for jid in jids if jid in seen or seen.add(jid)})
    if repeated:
        raise RuleBroken(
            "Walking the pages yields a chat more than once",
            f"Walked: limit={walk.limit}, {len(jids)} chats of total {walk.total}",
            f"Repeated: {shown(repeated[:10])}",
        )
    if walk.complete and len(jids) != walk.total:
        raise RuleBroken(
            "Walking the pages does not yield total chats",
            f"Walked: limit={walk.limit} from offset 0 to the first empty page",
            f"Expected: {walk.total} chats (pagination.total)",
            f"Received: {len(jids)} chats",
        )


def pages_are_ordered(probing: Probing) -> None:
    walk = probing.walk()
    comparable = [
        chat
        for chat in walk.chats
        if isinstance(chat, dict) and isinstance(chat.get("jid"), str) and is_rfc3339(chat.get("last_message_time"))
    ]
    for index, (before, after) in enumerate(pairwise(comparable)):
        if order_key(before) > order_key(after):
            raise RuleBroken(
                "Chats are not ordered by last_message_time descending, then jid",
                f"Walked: limit={walk.limit}",
                f"Received: position {index}: {before['jid']} at {before['last_message_time']}",
                f"          position {index + 1}: {after['jid']} at {after['last_message_time']}",
            )


def media_filter_is_subset(probing: Probing) -> None:
    everything, with_media = probing.walk(), probing.walk(has_media="true")
    if with_media.total > everything.total:
        raise RuleBroken(
            "has_media=true gives a larger total than no filter",
            f"Received: total {with_media.total} with has_media=true, {everything.total} without",
        )
    if everything.complete:
        known = {shown(chat, limit=10**6) for chat in everything.chats}
        strangers = [chat for chat in with_media.chats if shown(chat, limit=10**6) not in known]
        if strangers:
            raise RuleBroken(
                "has_media=true returns chats the unfiltered list does not have", f"Received: {shown(strangers[0])}"
            )


def search_term(probing: Probing) -> str | None:
    """Two ASCII letters from a chat's name, in the other letter case: the search the probes send."""
    names = [
        chat["name"].lower()
        for chat in probing.walk().chats
        if isinstance(chat, dict) and isinstance(chat.get("name"), str)
    ]
    pairs = sorted({name[i : i + 2] for name in names for i in range(len(name) - 1)})
    pairs = [pair for pair in pairs if pair.isascii() and pair.isalpha()]
    # One that some chats' names hold and some do not: a filter that keeps all or none shows little.
    telling = [pair for pair in pairs if 0 < sum(pair in name for name in names) < len(names)]
    chosen = probing.rng.choice(telling or pairs) if pairs else None
    return chosen.upper() if chosen else None  # in the other letter case than most names have it


def jids_matching(chats: list, term: str) -> list:
    return [
        chat.get("jid")
        for chat in chats
        if isinstance(chat, dict) and isinstance(chat.get("name"), str) and term.lower() in chat["name"].lower()
    ]


def search_total_counts_matches(probing: Probing) -> None:
    everything, term = probing.walk(), search_term(probing)
    if term is None or not everything.complete:
        return
    expected = jids_matching(everything.chats, term)
    searched = probing.walk(search=term)
    found = jids_of(searched.chats)
    if found != expected or searched.total != len(expected):
        raise RuleBroken(
            "search does not keep exactly the chats whose name contains it, in any letter case",
            f"Requested: search={term}",
            f"Expected: {len(expected)} chats (of {everything.total}), e.g. {shown(expected[:5])}",
            f"Received: total {searched.total}, {len(found)} chats walked, e.g. {shown(found[:5])}",
        )


def archived_splits_the_list(probing: Probing) -> None:
    everything = probing.walk()
    archived, kept = probing.walk(archived="true"), probing.walk(archived="false")
    if archived.total + kept.total != everything.total:
        raise RuleBroken(
            "archived=true and archived=false do not split the list",
            f"Received: total {archived.total} archived, {kept.total} not, {everything.total} in all",
        )
    if everything.complete and archived.complete and kept.complete:
        mine = set(map(str, jids_of(archived.chats)))
        expected = [jid for jid in jids_of(everything.chats) if str(jid) in mine]
        if jids_of(archived.chats) + jids_of(kept.chats) != expected + [
            jid for jid in jids_of(everything.chats) if str(jid) not in mine
        ]:
            raise RuleBroken(
                "archived=true and archived=false are not two parts of the list, in its order",
                f"Walked: archived=true {len(archived.chats)} chats, archived=false {len(kept.chats)}",
            )


def filters_combine(probing: Probing) -> None:
    term = search_term(probing)
    walks = [probing.walk(has_media="true"), probing.walk(archived="false")]
    if term is None or not all(walk.complete for walk in walks):
        return
    media, kept = ({str(jid) for jid in jids_of(walk.chats)} for walk in walks)
    expected = [jid for jid in jids_matching(probing.walk().chats, term) if str(jid) in media and str(jid) in kept]
    combined = probing.walk(has_media="true", archived="false", search=term)
    if jids_of(combined.chats) != expected or combined.total != len(expected):
        raise RuleBroken(
            "has_media, archived and search do not combine with AND",
            f"Requested: has_media=true archived=false search={term}",
            f"Expected: {len(expected)} chats, e.g. {shown(expected[:5])}",
            f"Received: total {combined.total}, e.g. {shown(jids_of(combined.chats)[:5])}",
        )


UNKNOWN_DEVICE = "wamock-no-such-device"


def unknown_device_gets_404(probing: Probing) -> None:
    if not probing.contract.devices:
        return  # the run was not told the devices: an unknown id may mean the only one
    response = probing.get({}, headers={**probing.credentials, "X-Device-Id": UNKNOWN_DEVICE})
    exchange = Exchange.of_httpx(response)
    body = exchange.json()
    results = body.get("results") if isinstance(body, dict) else None
    named = results.get("device_id") if isinstance(results, dict) else None
    if response.status_code != 404 or error_code(exchange) != "DEVICE_NOT_FOUND" or named != UNKNOWN_DEVICE:
        raise RuleBroken(
            "An unknown device is not the documented 404",
            f"Requested: X-Device-Id: {UNKNOWN_DEVICE}",
            f'Documented: 404 {{"code": "DEVICE_NOT_FOUND", ..., "results": {{"device_id": "{UNKNOWN_DEVICE}"}}}}',
            received(exchange),
            response=response,
        )


def device_is_required_with_several(probing: Probing) -> None:
    if len(probing.contract.devices) < 2:
        return
    response = probing.get({}, headers=probing.credentials, device=False)
    if response.status_code != 400 or error_code(Exchange.of_httpx(response)) != "DEVICE_ID_REQUIRED":
        raise RuleBroken(
            "Several devices, and a request that names none is not refused",
            f"Devices: {', '.join(probing.contract.devices)}",
            'Documented: 400 {"code": "DEVICE_ID_REQUIRED", ...}',
            received(Exchange.of_httpx(response)),
            response=response,
        )


UNKNOWN_CHAT = "0000000000@wamock.invalid"


def archiving_moves_the_chat(probing: Probing) -> None:
    """POST /chat/{chat_jid}/archive, where the document has it: the chat moves between the
    archived=true and archived=false lists, both ways, and an unknown chat gets 404. The chat is
    left as it was found."""
    if not probing.contract.archives:
        return
    kept = probing.results({"archived": "false", "limit": 1})["data"]
    if not kept or not isinstance(kept[0], dict) or "jid" not in kept[0]:
        return  # no chat to archive
    jid = kept[0]["jid"]
    refused = probing.archive(jid, "yes", expect=None)  # a body the document refuses
    if not 400 <= refused.status_code < 500:
        probing.archive(jid, False, expect=None)
        raise RuleBroken(
            "Archiving with a body the document does not allow is not refused",
            f'Requested: POST /chat/{jid}/archive {{"archived": "yes"}}',
            "Documented: archived is a boolean",
            received(Exchange.of_httpx(refused)),
            response=refused,
        )
    try:
        for archived in (True, False):
            probing.archive(jid, archived)
            shown_in = "true" if archived else "false"
            hidden_in = "false" if archived else "true"
            if jid not in jids_of(probing.walk(fresh=True, archived=shown_in).chats):
                raise RuleBroken(
                    f"A chat {'archived' if archived else 'unarchived'} is not listed under archived={shown_in}",
                    f'Requested: POST /chat/{jid}/archive {{"archived": {shown_in}}}, then GET /chats?archived={shown_in}',
                    response=probing.last,
                )
            if jid in jids_of(probing.walk(fresh=True, archived=hidden_in).chats):
                raise RuleBroken(
                    f"A chat {'archived' if archived else 'unarchived'} is still listed under archived={hidden_in}",
                    f'Requested: POST /chat/{jid}/archive {{"archived": {shown_in}}}, then GET /chats?archived={hidden_in}',
                    response=probing.last,
                )
    finally:
        probing.archive(jid, False, expect=None)
    response = probing.archive(UNKNOWN_CHAT, True, expect=None)
    if response.status_code != 404:
        raise RuleBroken(
            "Archiving an unknown chat is not the documented 404",
            f"Requested: POST /chat/{UNKNOWN_CHAT}/archive",
            received(Exchange.of_httpx(response)),
            response=response,
        )


Probe = Callable[[Probing], None]

PROBES: dict[str, Probe] = {
    probe.__name__: probe
    for probe in (
        defaults_are_applied,
        credentials_are_required,
        malformed_credentials_get_401,
        invalid_values_get_400,
        boundary_values_are_accepted,
        unknown_parameters_are_ignored,
        media_false_is_no_filter,
        offsets_past_any_int64_are_past_the_end,
        total_ignores_paging,
        offset_past_end_keeps_the_total,
        pages_cover_every_chat_once,
        pages_are_ordered,
        media_filter_is_subset,
        search_total_counts_matches,
        archived_splits_the_list,
        filters_combine,
        unknown_device_gets_404,
        device_is_required_with_several,
        archiving_moves_the_chat,
    )
}
