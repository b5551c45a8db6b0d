"""A small implementation of GET /chats written from CONTRACT.md alone, correct unless told to break one rule.

`implementation(defect)` builds it as a Starlette app; with `defect=None` it keeps the whole
contract, and each defect breaks exactly one rule, so that a test can show which check of
`wamock check` catches it. It shares no code with wamock: its own data, ordering, slicing,
credentials and parsing, so that a bug in wamock's store or auth cannot hide in both.
Where the contract leaves a choice, it takes upstream's: an offset above the largest int64
is refused with 400.
"""

import base64
import binascii
import hmac
import json
import os
import random
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

ACCOUNTS = {"username": "password"}
INTEGER = re.compile(r"[+-]?[0-9]+")
LARGEST_INT64 = 2**63 - 1


def make_chats(count: int, seed: int) -> list[dict]:
    """Chats with every JID form, media in some, and some sharing a last_message_time (ties break by jid)."""
    rng = random.Random(seed)
    start = datetime(2024, 3, 1, tzinfo=UTC)
    suffixes = ["@s.whatsapp.net", "@g.us", "@newsletter"]
    chats = []
    for index in range(count):
        last = start - timedelta(minutes=rng.choice([0, 7, 7, 30, 90]) * (index // 2))
        chats.append(
            {
                "jid": "status@broadcast" if index == 5 else f"62{rng.randrange(10**9, 10**10)}{suffixes[index % 3]}",
                "name": f"Chat {index} {rng.choice(['Ana', 'Budi', 'Citra', 'Dewi', 'Éva'])}",
                "last_message_time": last.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "ephemeral_expiration": rng.choice([0, 0, 86400, 604800]),
                "created_at": (last - timedelta(days=40)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "updated_at": last.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "archived": index % 5 == 2,
                "has_media": rng.random() < 0.4,
            }
        )
    return chats


CHATS = make_chats(60, 11)
# For the device defects: two named devices, each its own chats.
DEVICES = {"phone-1": CHATS[:40], "phone-2": CHATS[40:]}


def newest_first(chats: list[dict]) -> list[dict]:
    by_jid = sorted(chats, key=lambda chat: chat["jid"])
    return sorted(by_jid, key=lambda chat: chat["last_message_time"], reverse=True)  # stable: ties keep jid order


DEFECTS = {
    # defect: the check that must catch it
    "server_error_on_big_offset": "not_a_server_error",
    "undocumented_status": "status_code_conformance",
    "wrong_content_type": "content_type_conformance",
    "missing_field": "response_schema_conformance",
    "accepts_limit_over_100": "negative_data_rejection",
    "ignores_auth": "ignored_auth",
    "answers_post": "unsupported_method",
    "integer_error_code": "error_code_is_a_string",
    "plain_text_401": "unauthorized_is_enveloped",
    "no_challenge_401": "unauthorized_is_enveloped",
    "other_401_message": "unauthorized_is_enveloped",
    "space_in_dates": "dates_are_rfc3339",
    "offset_not_echoed": "pagination_echoes_request",
    "short_pages": "page_size_matches_total",
    "last_page_past_the_end": "offset_past_end_is_empty",
    "vague_400_message": "bad_request_names_the_parameter",
    "refuses_offset_over_1000": "valid_request_is_accepted",
    "default_limit_10": "defaults_are_applied",
    "any_password_of_a_known_user": "credentials_are_required",
    "malformed_credentials_crash": "malformed_credentials_get_401",
    "truncates_fractional_limit": "invalid_values_get_400",
    "lenient_booleans": "invalid_values_get_400",
    "rejects_limit_100": "boundary_values_are_accepted",
    "case_sensitive_booleans": "boundary_values_are_accepted",
    "refuses_unknown_parameters": "unknown_parameters_are_ignored",
    "media_false_means_without_media": "no_filter_values_filter_nothing",
    "huge_offset_wraps_around": "offsets_past_any_int64_are_past_the_end",
    "total_is_page_size": "total_ignores_paging",
    "total_zero_past_the_end": "offset_past_end_keeps_the_total",
    "overlapping_pages": "pages_cover_every_chat_once",
    "oldest_first": "pages_are_ordered",
    "media_filter_invents_chats": "filtered_walks_are_subsets",
    "search_is_case_sensitive": "contains_filters_keep_exactly_the_matches",
    "search_is_ignored": "filtered_items_match",
    "search_total_is_unfiltered": "contains_filters_keep_exactly_the_matches",
    "archived_is_ignored": "filtered_items_match",
    "archived_false_means_no_filter": "boolean_filters_split_the_list",
    "filters_or_instead_of_and": "filters_combine",
    # Seen by the probes' walks (which Schemathesis' random pages may miss): every answer is judged.
    "one_chat_deep_lacks_updated_at": "response_schema_conformance",
    "empty_search_keeps_nothing": "no_filter_values_filter_nothing",
}
# Defects of a server with several named devices (DEVICES), caught when the checker is told them.
DEVICE_DEFECTS = {
    "unknown_device_gets_the_first": "unknown_device_gets_404",
    "device_404_without_its_id": "unknown_device_gets_404",
    "no_device_gets_the_first": "device_is_required_with_several",
}
# Defects of POST /chat/{chat_jid}/archive, served when the checked document has it.
ARCHIVE_DEFECTS = {
    "archive_is_ignored": "archiving_moves_the_chat",
    "unknown_chat_archived": "archiving_moves_the_chat",
    "archive_accepts_any_body": "archiving_moves_the_chat",
    "archive_undocumented_status": "status_code_conformance",
}
# Defects that no black-box rule can see: only an oracle catches them.
ORACLE_DEFECTS = {
    "media_filter_inverted": "matches_data_file",
    "names_mangled": "matches_data_file",
}
# Not a breach of the contract, but an answer that differs from the correct implementation's.
HARMLESS = "other_error_messages"


def error(status: int, message: str, defect: str | None) -> JSONResponse:
    code = status if defect == "integer_error_code" else str(status)
    return JSONResponse({"code": code, "message": message, "results": {}}, status)


def unauthorized(defect: str | None) -> Response:
    if defect == "plain_text_401":
        return PlainTextResponse("Unauthorized", 401)
    response = error(401, "Unauthorized" if defect == "other_401_message" else "Unauthorized access", defect)
    if defect != "no_challenge_401":
        response.headers["WWW-Authenticate"] = 'Basic realm="broken"'
    return response


def authorized(header: str, defect: str | None) -> bool:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    if defect == "malformed_credentials_crash":
        user, password = base64.b64decode(encoded, validate=True).decode().split(":", 1)  # raises on bad input
    else:
        try:
            user, colon, password = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        if not colon:
            return False
    if defect == "any_password_of_a_known_user":
        return user in ACCOUNTS
    return hmac.compare_digest(ACCOUNTS.get(user, "\0").encode(), password.encode())


def parse(request: Request, defect: str | None) -> tuple[int, int, bool, str, bool | None] | str:
    """The page asked for (limit, offset, has_media, search, archived), or the 400 message."""
    query = request.query_params
    for name in ("limit", "offset", "has_media", "search", "archived"):
        if len(query.getlist(name)) > 1:
            return f"{name}: give it once"
    limit = query.get("limit", "10" if defect == "default_limit_10" else "25")
    offset, has_media = query.get("offset", "0"), query.get("has_media", "false")
    if defect == "truncates_fractional_limit" and re.fullmatch(r"\d+\.\d+", limit):
        limit = limit.split(".")[0]
    if not INTEGER.fullmatch(limit):
        return "limit: not an integer"
    if not INTEGER.fullmatch(offset):
        return "offset: not an integer"
    booleans = {"true": True, "false": False}
    if defect == "lenient_booleans":
        booleans |= dict.fromkeys(["1", "yes", "on", "t"], True) | dict.fromkeys(["0", "no", "off", "f"], False)
    key = has_media if defect == "case_sensitive_booleans" else has_media.lower()
    if key not in booleans:
        return "has_media: must be true or false"
    archived = query.get("archived")
    if archived is not None and archived.lower() not in ("true", "false"):
        return "archived: must be true or false"
    high = 10**6 if defect == "accepts_limit_over_100" else (99 if defect == "rejects_limit_100" else 100)
    if not 1 <= int(limit) <= high:
        return f"limit: must be between 1 and {high}" + ("." if defect == HARMLESS else "")
    if int(offset) < 0:
        return "offset: must not be negative"
    if int(offset) > LARGEST_INT64 and defect != "huge_offset_wraps_around":
        return "offset: larger than this server can count"
    if defect == "refuses_offset_over_1000" and int(offset) > 1000:
        return "offset: must be at most 1000"
    archived = None if archived is None else archived.lower() == "true"
    return int(limit), int(offset) % 2**63, booleans[key], query.get("search", ""), archived


def passes(chat: dict, has_media: bool, search: str, archived: bool | None, defect: str | None) -> bool:
    """The contract's filters, each written out, combined with AND."""
    media_ok = chat["has_media"] or not has_media
    if defect == "search_is_ignored":
        search_ok = True
    elif defect == "search_is_case_sensitive":
        search_ok = search in chat["name"]
    else:
        search_ok = search.casefold() in chat["name"].casefold()
    if defect == "archived_is_ignored" or (defect == "archived_false_means_no_filter" and archived is False):
        archived_ok = True
    else:
        archived_ok = archived is None or chat["archived"] is archived
    if defect == "filters_or_instead_of_and":
        given = [
            ok
            for ok, on in ((media_ok, has_media), (search_ok, bool(search)), (archived_ok, archived is not None))
            if on
        ]
        return any(given) if given else True
    return media_ok and search_ok and archived_ok


def implementation(defect: str | None = None, devices: dict[str, list[dict]] | None = None) -> Starlette:
    """With `devices`, several named devices; without, one that any device id means."""
    chats_of = {name: newest_first(chats) for name, chats in (devices or {"": CHATS}).items()}
    archived_now: dict[str, bool] = {}  # what POST /chat/{chat_jid}/archive changed, by jid

    def public(chat: dict) -> dict:
        return {name: value for name, value in chat.items() if name != "has_media"}

    def device_of(request: Request) -> list[dict] | Response:
        named = request.headers.get("x-device-id")
        named = unquote(named) if named is not None else request.query_params.get("device_id")
        if devices is None or (named is None and defect == "no_device_gets_the_first"):
            return next(iter(chats_of.values()))
        if named is None:
            return JSONResponse({"code": "DEVICE_ID_REQUIRED", "message": "name a device", "results": {}}, 400)
        if named not in chats_of:
            if defect == "unknown_device_gets_the_first":
                return next(iter(chats_of.values()))
            results = {} if defect == "device_404_without_its_id" else {"device_id": named}
            return JSONResponse({"code": "DEVICE_NOT_FOUND", "message": "no such device", "results": results}, 404)
        return chats_of[named]

    async def list_chats(request: Request) -> Response:
        if defect != "ignores_auth" and not authorized(request.headers.get("authorization", ""), defect):
            return unauthorized(defect)
        known = {"limit", "offset", "has_media", "search", "archived", "device_id"}
        if defect == "refuses_unknown_parameters" and set(request.query_params) - known:
            return error(400, "unknown parameter", defect)
        parsed = parse(request, defect)
        if isinstance(parsed, str):
            return error(400, "bad request" if defect == "vague_400_message" else parsed, defect)
        limit, offset, has_media, search, archived = parsed
        ordered = device_of(request)
        if isinstance(ordered, Response):
            return ordered
        ordered = [{**chat, "archived": archived_now.get(chat["jid"], chat["archived"])} for chat in ordered]
        if defect == "server_error_on_big_offset" and offset > 30:
            return error(500, "index out of range", defect)
        if defect == "undocumented_status" and has_media:
            return error(409, "no media index", defect)
        matching = [chat for chat in ordered if passes(chat, has_media, search, archived, defect)]
        if defect == "media_filter_inverted" and has_media:
            matching = [
                chat for chat in ordered if not chat["has_media"] and passes(chat, False, search, archived, defect)
            ]
        if defect == "media_false_means_without_media" and request.query_params.get("has_media", "").lower() == "false":
            matching = [
                chat for chat in ordered if not chat["has_media"] and passes(chat, False, search, archived, defect)
            ]
        if defect == "empty_search_keeps_nothing" and request.query_params.get("search") == "":
            matching = []
        if defect == "oldest_first":
            matching = matching[::-1]
        total = len(ordered) if defect == "search_total_is_unfiltered" and search else len(matching)
        start = offset - 1 if defect == "overlapping_pages" and offset > 0 else offset
        if defect == "last_page_past_the_end" and offset >= total:
            start = max(total - limit, 0)
        data = [public(chat) for chat in matching[start : start + limit]]
        if defect == "short_pages" and len(data) > 1:
            data = data[:-1]
        if defect == "total_is_page_size":
            total = len(data)
        if defect == "total_zero_past_the_end" and offset >= total:
            total = 0
        if defect == "names_mangled":
            data = [{**chat, "name": chat["name"].upper()} for chat in data]
        if defect == "one_chat_deep_lacks_updated_at":
            deep = ordered[len(ordered) * 5 // 6]["jid"]  # past the pages a default request reaches
            data = [{k: v for k, v in chat.items() if k != "updated_at" or chat["jid"] != deep} for chat in data]
        if defect == "missing_field":
            data = [{k: v for k, v in chat.items() if k != "name"} for chat in data]
        if defect == "space_in_dates":
            data = [{**chat, "updated_at": chat["updated_at"].replace("T", " ")} for chat in data]
        if defect == "media_filter_invents_chats" and has_media:
            data = [{**chat, "name": chat["name"] + " (media)"} for chat in data]
        pagination = {"limit": limit, "offset": 0 if defect == "offset_not_echoed" else offset, "total": total}
        body = {
            "code": "SUCCESS",
            "message": "Success get chat list",
            "results": {"data": data, "pagination": pagination},
        }
        if defect == "wrong_content_type":
            return PlainTextResponse(json.dumps(body), 200)
        return JSONResponse(body)

    async def archive_chat(request: Request) -> Response:
        if not authorized(request.headers.get("authorization", ""), defect):
            return unauthorized(defect)
        ordered = device_of(request)
        if isinstance(ordered, Response):
            return ordered
        raw = await request.body()
        try:
            # The document leaves the body optional: none is bound as Go binds it, to zero values.
            body = json.loads(raw) if raw else {"archived": False}
        except (ValueError, UnicodeDecodeError):
            body = None
        archived = body.get("archived") if isinstance(body, dict) else None
        if not isinstance(archived, bool):
            if defect != "archive_accepts_any_body":
                return error(409 if defect == "archive_undocumented_status" else 400, "archived: true or false", defect)
            archived = bool(archived)
        jid = request.path_params["chat_jid"]
        if jid not in {chat["jid"] for chat in ordered} and defect != "unknown_chat_archived":
            return error(404, "Chat not found", defect)
        if defect != "archive_is_ignored":
            archived_now[jid] = archived
        return JSONResponse({"code": "SUCCESS", "message": "done", "results": {"chat_jid": jid, "archived": archived}})

    methods = ["GET", "POST"] if defect == "answers_post" else ["GET"]
    return Starlette(
        routes=[
            Route("/chats", list_chats, methods=methods),
            Route("/chat/{chat_jid}/archive", archive_chat, methods=["POST"]),
        ]
    )


def implementation_named_by_environment() -> Starlette:
    """`implementation($WAMOCK_TEST_DEFECT)`, for uvicorn's `--factory` in a process of its own."""
    return implementation(os.environ.get("WAMOCK_TEST_DEFECT") or None)
