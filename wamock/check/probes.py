"""Deterministic probes of a collection (GET /chats): the rules that need several requests or chosen ones.

What they send and read (the paging parameters, the filters and what each means, where the
answer holds the page, the order, the items' identity) is the collection's description
(`wamock.data.collections`), not typed here; the devices and the archive are GOWA's own.


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
    answered,
    broken_rules,
    error_code,
    excerpt,
    received,
    shown,
)
from wamock.data.collections import CONTAINS, EQUALS, ONLY_TRUE, AnsweredPage, Collection, Filter
from wamock.data.operations import Parameter

MAX_WALK_REQUESTS = 200
# Names a client might send that the contract may not declare; those it declares are left out.
UNKNOWN_PARAMETERS = {"sort": "name", "wamock_probe": "1", "fields": "jid"}


@dataclass
class Walk:
    """The items that walking the pages of one filter gave, and whether it reached the end."""

    items: list[dict]
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
    # The document's own checks of an answer (its status documented, its body meeting its schema).
    documented: Callable[[httpx.Response], list[tuple[str, RuleBroken]]] = lambda response: []

    @property
    def collection(self) -> Collection:
        return self.contract.collection

    @property
    def credentials(self) -> dict[str, str]:
        return {"Authorization": self.contract.authorization}

    def get(self, query: dict | None = None, *, headers: dict | None = None, device: bool = True) -> httpx.Response:
        """GET the collection, naming the run's device (if it was told one, and `device`); with
        `headers`, exactly those credentials (or none) instead of the run's."""
        self.requests += 1
        path = self.collection.operation.path
        sent = {"X-Device-Id": self.contract.devices[0]} if self.contract.devices and device else {}
        if headers is None:
            response = self.client.get(path, params=query or {}, headers=sent)
        else:
            response = self.client.get(path, params=query or {}, headers={**sent, **headers}, auth=None)
        self.judge(response, rules=True)
        return response

    def judge(self, response: httpx.Response, *, rules: bool) -> None:
        """Every check that applies to an answer a probe got: the document's, wamock's rules (of
        the collection's answers), and no server error (Schemathesis' rule of the same name
        judges its own cases; this one the probes')."""
        self.last = response
        exchange = Exchange.of_httpx(response)
        found = self.documented(response)
        if rules:
            found += list(broken_rules(exchange, self.contract))
        if response.status_code >= 500:
            found.append(("not_a_server_error", RuleBroken("Server error", received(exchange))))
        self.broken += [(name, why, response) for name, why in found]

    def page(self, query: dict) -> AnsweredPage:
        """The page a query gets; RuleBroken unless it is a well-formed page."""
        response = self.get(query)
        exchange = Exchange.of_httpx(response)
        page = answered(exchange, self.contract)
        if page is None:
            collection = self.collection
            raise RuleBroken(
                f"{collection.operation.key} does not answer a valid page",
                f"Documented: 200 with {'.'.join(collection.items)} and {'.'.join(collection.paging.echo)}",
                received(exchange),
                response=response,
            )
        return page

    def archive(self, jid: str, archived: bool | str, *, expect: int | None = 200) -> httpx.Response:
        """POST /chat/{chat_jid}/archive; with `expect`, a RuleBroken unless it answers a success."""
        self.requests += 1
        sent = {"X-Device-Id": self.contract.devices[0]} if self.contract.devices else {}
        response = self.client.post(self.archive_path(jid), json={"archived": archived}, headers=sent)
        self.judge(response, rules=False)
        if expect is not None and not 200 <= response.status_code < 300:
            raise RuleBroken(
                "Archiving a listed chat is refused",
                f'Requested: POST {self.archive_path(jid)} {{"archived": {str(archived).lower()}}}',
                received(Exchange.of_httpx(response)),
                response=response,
            )
        return response

    def archive_path(self, jid: str) -> str:
        return self.contract.archive.path.replace("{chat_jid}", quote(jid, safe="@"))

    def walk(self, *, fresh: bool = False, **filters: str) -> Walk:
        """Every page of these filters (query values), from the first to the first empty page;
        kept for the next probe unless `fresh` (the data changed)."""
        key = tuple(sorted(filters.items()))
        paging = self.collection.paging
        if fresh or key not in self.walks:
            total = self.page({**paging.query(1, 0), **filters}).total
            # Between a tenth and a half of the total: at least two pages, where paging bugs live.
            limit = self.rng.randint(max(1, min(100, total // 10)), max(1, min(100, total // 2)))
            items: list[dict] = []
            offset, complete = 0, False
            for _ in range(MAX_WALK_REQUESTS):
                page = self.page({**paging.query(limit, offset), **filters}).items
                if not page:
                    complete = True
                    break
                items += page
                offset += limit
            self.walks[key] = Walk(items, total, limit, complete)
        return self.walks[key]

    def ids_of(self, items: list) -> list:
        identity = self.collection.identity
        return [item.get(identity) if isinstance(item, dict) else item for item in items]


def defaults_are_applied(probing: Probing) -> None:
    page = probing.page({})
    size, start = probing.collection.paging.size, probing.collection.paging.start
    if (page.size, page.start) != (size.default, start.default):
        raise RuleBroken(
            "Defaults are not applied",
            f"Requested: no parameters, so {size.name}={size.default} {start.name}={start.default}",
            f"Received: {size.name}={page.size} {start.name}={page.start}",
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


def sends_basic(probing: Probing) -> bool:
    """Whether the collection is behind HTTP Basic: the credential probes know its malformations."""
    return (probing.contract.authorization or "").startswith("Basic ")


def credentials_are_required(probing: Probing) -> None:
    if not sends_basic(probing):
        return
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
    if not sends_basic(probing):
        return
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
    size = probing.collection.paging.size.name
    plain = probing.get({size: 3})
    unknown = {name: value for name, value in UNKNOWN_PARAMETERS.items() if name not in probing.contract.parameters}
    extended = probing.get({size: 3, **unknown})
    if (plain.status_code, plain.content) != (extended.status_code, extended.content):
        raise RuleBroken(
            "Unknown query parameters are not ignored",
            f"Without them: {plain.status_code} {excerpt(plain.content, 120)}",
            f"With them: {extended.status_code} {excerpt(extended.content, 120)}",
            response=extended,
        )


def no_filter_values_filter_nothing(probing: Probing) -> None:
    """Each value a filter documents as no filter (`has_media=false`, an empty `search`) gives the whole list."""
    everything = probing.page({})
    for filter_ in probing.collection.filters:
        for value in filter_.no_filter:
            unfiltered = probing.page({filter_.name: value})
            if unfiltered != everything:
                raise RuleBroken(
                    f"{filter_.name}={value} filters the list; it must apply no filter",
                    f"Without {filter_.name}: total {everything.total}",
                    f"With {filter_.name}={value}: total {unfiltered.total}",
                )


def offsets_past_any_int64_are_past_the_end(probing: Probing) -> None:
    paging = probing.collection.paging
    total = probing.page(paging.query(1, 0)).total
    for offset in (LARGEST_INT64, LARGEST_INT64 + 1, 10**30):
        response = probing.get({paging.start.name: offset})
        if response.status_code == 400 and offset > LARGEST_INT64:
            continue  # the contract's other choice
        page = answered(Exchange.of_httpx(response), probing.contract)
        if page is None or page.items != [] or page.start != offset:
            allowed = "200 with no items and the offset echoed" + (", or 400" if offset > LARGEST_INT64 else "")
            raise RuleBroken(
                "A huge offset is not answered as past the end",
                f"Requested: {paging.start.name}={offset}; total {total}",
                f"Documented: {allowed}",
                received(Exchange.of_httpx(response)),
                response=response,
            )


PAGINGS = ((1, 0), (2, 1), (7, 3), (100, 0))


def telling(filter_: Filter) -> str | None:
    """The value of a filter that keeps some items and not others, if it has one without a search term."""
    if filter_.match == ONLY_TRUE or (filter_.match == EQUALS and filter_.parameter.kind == "boolean"):
        return "true"
    return None


def total_ignores_paging(probing: Probing) -> None:
    paging = probing.collection.paging
    filtered = [{filter_.name: "true"} for filter_ in probing.collection.filters if filter_.match == ONLY_TRUE]
    for filters in ({}, *filtered):
        totals = {sizes: probing.page({**paging.query(*sizes), **filters}).total for sizes in PAGINGS}
        if len(set(totals.values())) > 1:
            raise RuleBroken(
                "Total depends on limit or offset",
                *(
                    f"Requested: {shown({**paging.query(*sizes), **filters})} -> total {total}"
                    for sizes, total in totals.items()
                ),
            )


def offset_past_end_keeps_the_total(probing: Probing) -> None:
    paging = probing.collection.paging
    total = probing.page(paging.query(1, 0)).total
    for offset in (total, total + 7):
        found = probing.page({paging.start.name: offset}).total
        if found != total:
            raise RuleBroken(
                "Offset past the end changes the total",
                f"Requested: {paging.start.name}={offset}; total {total} on the first page",
                f"Received: total {found}",
            )


def pages_cover_every_chat_once(probing: Probing) -> None:
    walk, noun = probing.walk(), probing.collection.item_noun
    ids = probing.ids_of(walk.items)
    seen: set = set()
    repeated = sorted({str(id_) for id_ in ids if id_ in seen or seen.add(id_)})
    if repeated:
        raise RuleBroken(
            f"Walking the pages yields a {noun} more than once",
            f"Walked: limit={walk.limit}, {len(ids)} {probing.collection.noun} of total {walk.total}",
            f"Repeated: {shown(repeated[:10])}",
        )
    if walk.complete and len(ids) != walk.total:
        raise RuleBroken(
            f"Walking the pages does not yield total {probing.collection.noun}",
            f"Walked: limit={walk.limit} from offset 0 to the first empty page",
            f"Expected: {walk.total} {probing.collection.noun} (the total)",
            f"Received: {len(ids)} {probing.collection.noun}",
        )


def pages_are_ordered(probing: Probing) -> None:
    collection, walk = probing.collection, probing.walk()
    if not collection.order:
        return
    comparable = [item for item in walk.items if collection.sortable(item)]
    for index, (before, after) in enumerate(pairwise(comparable)):
        if collection.sort_key(after) < collection.sort_key(before):
            fields = [name for name, _ in collection.order]
            raise RuleBroken(
                f"{collection.noun.capitalize()} are not ordered by {collection.order_text()}",
                f"Walked: limit={walk.limit}",
                f"Received: position {index}: {shown({name: before[name] for name in fields})}",
                f"          position {index + 1}: {shown({name: after[name] for name in fields})}",
            )


def filtered_walks_are_subsets(probing: Probing) -> None:
    """A filter keeps a part of the list: never more, never items the list does not have."""
    everything = probing.walk()
    for filter_ in probing.collection.filters:
        value = telling(filter_)
        if value is None:
            continue
        filtered = probing.walk(**{filter_.name: value})
        if filtered.total > everything.total:
            raise RuleBroken(
                f"{filter_.name}={value} gives a larger total than no filter",
                f"Received: total {filtered.total} with {filter_.name}={value}, {everything.total} without",
            )
        if everything.complete:
            known = {shown(item, limit=10**6) for item in everything.items}
            strangers = [item for item in filtered.items if shown(item, limit=10**6) not in known]
            if strangers:
                raise RuleBroken(
                    f"{filter_.name}={value} returns {probing.collection.noun} the unfiltered list does not have",
                    f"Received: {shown(strangers[0])}",
                )


def contains_term(probing: Probing, filter_: Filter) -> str | None:
    """Two ASCII letters of an item's field, in the other letter case: the term the probes search for."""
    texts = [
        item[filter_.field].lower()
        for item in probing.walk().items
        if isinstance(item, dict) and isinstance(item.get(filter_.field), str)
    ]
    pairs = sorted({text[i : i + 2] for text in texts for i in range(len(text) - 1)})
    pairs = [pair for pair in pairs if pair.isascii() and pair.isalpha()]
    # One that some items hold and some do not: a filter that keeps all or none shows little.
    telling_pairs = [pair for pair in pairs if 0 < sum(pair in text for text in texts) < len(texts)]
    chosen = probing.rng.choice(telling_pairs or pairs) if pairs else None
    return chosen.upper() if chosen else None  # in the other letter case than most have it


def contains_filters_keep_exactly_the_matches(probing: Probing) -> None:
    everything = probing.walk()
    for filter_ in probing.collection.filters:
        if filter_.match != CONTAINS:
            continue
        term = contains_term(probing, filter_)
        if term is None or not everything.complete:
            continue
        expected = probing.ids_of([item for item in everything.items if filter_.keeps(item, term)])
        searched = probing.walk(**{filter_.name: term})
        found = probing.ids_of(searched.items)
        if found != expected or searched.total != len(expected):
            noun = probing.collection.noun
            raise RuleBroken(
                f"{filter_.name} does not keep exactly the {noun} whose {filter_.field} contains it, in any letter case",
                f"Requested: {filter_.name}={term}",
                f"Expected: {len(expected)} {noun} (of {everything.total}), e.g. {shown(expected[:5])}",
                f"Received: total {searched.total}, {len(found)} {noun} walked, e.g. {shown(found[:5])}",
            )


def boolean_filters_split_the_list(probing: Probing) -> None:
    """`true` and `false` of a boolean filter that compares (`archived`) split the list in two, in its order."""
    everything = probing.walk()
    for filter_ in probing.collection.filters:
        if filter_.match != EQUALS or filter_.parameter.kind != "boolean":
            continue
        name = filter_.name
        kept_true, kept_false = probing.walk(**{name: "true"}), probing.walk(**{name: "false"})
        if kept_true.total + kept_false.total != everything.total:
            raise RuleBroken(
                f"{name}=true and {name}=false do not split the list",
                f"Received: total {kept_true.total} with {name}=true, {kept_false.total} with false, "
                f"{everything.total} in all",
            )
        if everything.complete and kept_true.complete and kept_false.complete:
            ids = probing.ids_of(everything.items)
            mine = set(map(str, probing.ids_of(kept_true.items)))
            in_order = [id_ for id_ in ids if str(id_) in mine] + [id_ for id_ in ids if str(id_) not in mine]
            if probing.ids_of(kept_true.items) + probing.ids_of(kept_false.items) != in_order:
                raise RuleBroken(
                    f"{name}=true and {name}=false are not two parts of the list, in its order",
                    f"Walked: {name}=true {len(kept_true.items)} {probing.collection.noun}, "
                    f"{name}=false {len(kept_false.items)}",
                )


def filters_combine(probing: Probing) -> None:
    """Every filter at once keeps what each keeps alone: they combine with AND."""
    query, kept = {}, None
    for filter_ in probing.collection.filters:
        value = contains_term(probing, filter_) if filter_.match == CONTAINS else telling(filter_)
        if value is None:
            continue
        if filter_.match == EQUALS:
            value = "false"  # the larger part, where the other filters still have something to keep
        query[filter_.name] = value
        walk = probing.walk(**{filter_.name: value})
        if not walk.complete:
            return
        alone = set(map(str, probing.ids_of(walk.items)))
        kept = alone if kept is None else kept & alone
    if len(query) < 2:
        return
    expected = [id_ for id_ in probing.ids_of(probing.walk().items) if str(id_) in kept]
    combined = probing.walk(**query)
    if probing.ids_of(combined.items) != expected or combined.total != len(expected):
        raise RuleBroken(
            f"{', '.join(query)} do not combine with AND",
            f"Requested: {' '.join(f'{name}={value}' for name, value in query.items())}",
            f"Expected: {len(expected)} {probing.collection.noun}, e.g. {shown(expected[:5])}",
            f"Received: total {combined.total}, e.g. {shown(probing.ids_of(combined.items)[:5])}",
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
    if probing.contract.archive is None:
        return
    kept = probing.page({"archived": "false", **probing.collection.paging.query(1, 0)}).items
    identity = probing.collection.identity
    if not kept or not isinstance(kept[0], dict) or identity not in kept[0]:
        return  # no chat to archive
    jid = kept[0][identity]
    listed = probing.collection.operation.path
    refused = probing.archive(jid, "yes", expect=None)  # a body the document refuses
    if not 400 <= refused.status_code < 500:
        probing.archive(jid, False, expect=None)
        raise RuleBroken(
            "Archiving with a body the document does not allow is not refused",
            f'Requested: POST {probing.archive_path(jid)} {{"archived": "yes"}}',
            "Documented: archived is a boolean",
            received(Exchange.of_httpx(refused)),
            response=refused,
        )
    try:
        for archived in (True, False):
            probing.archive(jid, archived)
            shown_in = "true" if archived else "false"
            hidden_in = "false" if archived else "true"
            if jid not in probing.ids_of(probing.walk(fresh=True, archived=shown_in).items):
                raise RuleBroken(
                    f"A chat {'archived' if archived else 'unarchived'} is not listed under archived={shown_in}",
                    f'Requested: POST {probing.archive_path(jid)} {{"archived": {shown_in}}}, then GET {listed}?archived={shown_in}',
                    response=probing.last,
                )
            if jid in probing.ids_of(probing.walk(fresh=True, archived=hidden_in).items):
                raise RuleBroken(
                    f"A chat {'archived' if archived else 'unarchived'} is still listed under archived={hidden_in}",
                    f'Requested: POST {probing.archive_path(jid)} {{"archived": {shown_in}}}, then GET {listed}?archived={hidden_in}',
                    response=probing.last,
                )
    finally:
        probing.archive(jid, False, expect=None)
    response = probing.archive(UNKNOWN_CHAT, True, expect=None)
    if response.status_code != 404:
        raise RuleBroken(
            "Archiving an unknown chat is not the documented 404",
            f"Requested: POST {probing.archive_path(UNKNOWN_CHAT)}",
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
        no_filter_values_filter_nothing,
        offsets_past_any_int64_are_past_the_end,
        total_ignores_paging,
        offset_past_end_keeps_the_total,
        pages_cover_every_chat_once,
        pages_are_ordered,
        filtered_walks_are_subsets,
        contains_filters_keep_exactly_the_matches,
        boolean_filters_split_the_list,
        filters_combine,
        unknown_device_gets_404,
        device_is_required_with_several,
        archiving_moves_the_chat,
    )
}
