"""Whole-collection properties of GET /chats, probed over live requests once per run.

Schemathesis judges one response at a time; these rules need several: walking every page,
comparing totals, comparing the filtered list with the unfiltered one. Each probe is named
as the rule it checks and raises `ProbeFailure` with a title and evidence. Like the
per-response checks, they assume nothing about the data but what the responses show.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from urllib.parse import urlencode

import httpx

from wamock.checks import is_rfc3339, page_difference, shown
from wamock.store import ChatStore, order_key

MAX_WALK_REQUESTS = 200


class ProbeFailure(Exception):
    def __init__(self, title: str, *evidence: str, query: dict | None = None, headers: dict | None = None) -> None:
        """`query` and `headers` reproduce the failure; headers None means the run's credentials."""
        super().__init__(title)
        self.title = title
        self.evidence = list(evidence)
        self.query = query
        self.headers = headers


@dataclass
class Walk:
    """The chats that walking the pages of one filter gave, and whether it reached the end."""

    chats: list[dict]
    total: int
    limit: int
    complete: bool


@dataclass
class Probing:
    client: httpx.Client
    rng: random.Random
    default_limit: int
    default_offset: int
    expected: ChatStore | None = None
    walks: dict[bool, Walk] = field(default_factory=dict)
    requests: int = 0

    def get(self, query: dict | None = None, *, headers: dict | None = None) -> httpx.Response:
        """GET /chats; with `headers`, exactly those credentials (or none) instead of the run's."""
        self.requests += 1
        if headers is None:
            return self.client.get("/chats", params=query or {})
        return self.client.get("/chats", params=query or {}, headers=headers, auth=None)

    def results(self, query: dict) -> dict:
        response = self.get(query)
        try:
            results = response.json()["results"]
            assert isinstance(results["data"], list)
            assert all(isinstance(results["pagination"][key], int) for key in ("limit", "offset", "total"))
        except (ValueError, KeyError, TypeError, AssertionError):
            raise ProbeFailure(
                "GET /chats does not answer a valid page",
                "Documented: 200 with results.data and results.pagination",
                f"Received: {response.status_code} {response.content[:200]!r}",
                query=query,
            ) from None
        return results

    def walk(self, has_media: bool) -> Walk:
        if has_media not in self.walks:
            total = self.results({"limit": 1, "has_media": str(has_media).lower()})["pagination"]["total"]
            # Between a tenth and a half of the total: at least two pages, where paging bugs live.
            limit = self.rng.randint(max(1, min(100, total // 10)), max(1, min(100, total // 2)))
            chats: list[dict] = []
            offset, complete = 0, False
            for _ in range(MAX_WALK_REQUESTS):
                page = self.results({"limit": limit, "offset": offset, "has_media": str(has_media).lower()})["data"]
                if not page:
                    complete = True
                    break
                chats += page
                offset += limit
            self.walks[has_media] = Walk(chats, total, limit, complete)
        return self.walks[has_media]


def defaults_are_applied(probing: Probing) -> None:
    pagination = probing.results({})["pagination"]
    if (pagination["limit"], pagination["offset"]) != (probing.default_limit, probing.default_offset):
        raise ProbeFailure(
            "Defaults are not applied",
            f"Requested: no parameters, so limit={probing.default_limit} offset={probing.default_offset}",
            f"Received: {shown(pagination)}",
            query={},
        )


def credentials_are_required(probing: Probing) -> None:
    cases = [("no credentials", {}), ("a wrong password", {"Authorization": "Basic d2Ftb2NrOm5vdC10aGUtcGFzc3dvcmQ="})]
    for what, headers in cases:
        response = probing.get(headers=headers)
        if response.status_code != 401:
            raise ProbeFailure(
                f"A request with {what} is not refused with 401",
                f"Received: {response.status_code} {response.content[:120]!r}",
                query={},
                headers=headers,
            )


def total_ignores_paging(probing: Probing) -> None:
    for has_media in (False, True):
        totals = {}
        for _ in range(4):
            query = {
                "limit": probing.rng.randint(1, 100),
                "offset": probing.rng.randint(0, 200),
                "has_media": str(has_media).lower(),
            }
            totals[tuple(query.items())] = probing.results(query)["pagination"]["total"]
        if len(set(totals.values())) > 1:
            raise ProbeFailure(
                "Total depends on limit or offset",
                *(f"Requested: {urlencode(dict(query))} -> total {total}" for query, total in totals.items()),
                query=dict(next(iter(totals))),
            )


def offset_past_end_is_empty(probing: Probing) -> None:
    total = probing.results({"limit": 1})["pagination"]["total"]
    for offset in (total, total + 7):
        query = {"offset": offset}
        results = probing.results(query)
        if results["data"] or results["pagination"]["total"] != total:
            raise ProbeFailure(
                "Offset past the end does not give an empty page with the same total",
                f"Requested: offset={offset}; total {total}",
                f"Received: {len(results['data'])} chats, total {results['pagination']['total']}",
                query=query,
            )


def jids_of(chats: list) -> list:
    return [chat.get("jid") if isinstance(chat, dict) else chat for chat in chats]


def pages_cover_every_chat_once(probing: Probing) -> None:
    walk = probing.walk(False)
    jids = jids_of(walk.chats)
    repeated = sorted({str(jid) for jid in jids if jids.count(jid) > 1}) if len(jids) < 20_000 else []
    if repeated:
        raise ProbeFailure(
            "Walking the pages yields a chat more than once",
            f"Walked: limit={walk.limit}, {len(jids)} chats of total {walk.total}",
            f"Repeated: {shown(repeated[:10])}",
            query={"limit": walk.limit},
        )
    if walk.complete and len(jids) != walk.total:
        raise ProbeFailure(
            "Walking the pages does not yield total chats",
            f"Walked: limit={walk.limit} from offset 0 to the first empty page",
            f"Expected: {walk.total} chats (pagination.total)",
            f"Received: {len(jids)} chats",
            query={"limit": walk.limit},
        )


def pages_are_ordered(probing: Probing) -> None:
    walk = probing.walk(False)
    comparable = [
        chat
        for chat in walk.chats
        if isinstance(chat, dict) and isinstance(chat.get("jid"), str) and is_rfc3339(chat.get("last_message_time"))
    ]
    for index, (before, after) in enumerate(pairwise(comparable)):
        if order_key(before) > order_key(after):
            raise ProbeFailure(
                "Chats are not ordered by last_message_time descending, then jid",
                f"Walked: limit={walk.limit}",
                f"Received: position {index}: {before['jid']} at {before['last_message_time']}",
                f"          position {index + 1}: {after['jid']} at {after['last_message_time']}",
                query={"limit": walk.limit, "offset": index // walk.limit * walk.limit},
            )


def media_filter_is_subset(probing: Probing) -> None:
    everything, with_media = probing.walk(False), probing.walk(True)
    if with_media.total > everything.total:
        raise ProbeFailure(
            "has_media=true gives a larger total than no filter",
            f"Received: total {with_media.total} with has_media=true, {everything.total} without",
            query={"has_media": "true"},
        )
    if everything.complete:
        known = {shown(chat) for chat in everything.chats}
        strangers = [chat for chat in with_media.chats if shown(chat) not in known]
        if strangers:
            raise ProbeFailure(
                "has_media=true returns chats the unfiltered list does not have",
                f"Received: {shown(strangers[0])[:300]}",
                query={"has_media": "true", "limit": with_media.limit},
            )


def matches_data_file(probing: Probing) -> None:
    for has_media in (False, True):
        walk = probing.walk(has_media)
        expected = probing.expected.page(limit=len(walk.chats), offset=0, has_media=has_media)
        results = {"data": walk.chats, "pagination": {"total": walk.total}}
        problem = page_difference(expected.data, expected.total, results)
        if problem:
            title, evidence = problem
            raise ProbeFailure(
                f"{title} (walking every page)",
                f"Walked: has_media={str(has_media).lower()} limit={walk.limit}",
                *evidence,
                query={"has_media": str(has_media).lower(), "limit": walk.limit},
            )


Probe = Callable[[Probing], None]

PROBES: dict[str, Probe] = {
    "defaults_are_applied": defaults_are_applied,
    "credentials_are_required": credentials_are_required,
    "total_ignores_paging": total_ignores_paging,
    "offset_past_end_is_empty": offset_past_end_is_empty,
    "pages_cover_every_chat_once": pages_cover_every_chat_once,
    "pages_are_ordered": pages_are_ordered,
    "media_filter_is_subset": media_filter_is_subset,
}
ORACLE_PROBES: dict[str, Probe] = {"matches_data_file": matches_data_file}
