"""A small, independent implementation of GET /chats, correct unless told to break one rule.

`implementation(defect)` builds it as a Starlette app; with `defect=None` it keeps the whole
contract, and each defect breaks exactly one rule, so that a test can show which check of
`wamock check` catches it. It serves its own data set, not wamock's fixtures.
"""

import base64
import re

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from wamock.generate import generate_chats
from wamock.store import ChatStore

NEWEST = {
    "jid": "628111@s.whatsapp.net",
    "name": "Newest",
    "last_message_time": "2024-03-01T00:00:00Z",
    "ephemeral_expiration": 0,
    "created_at": "2024-02-01T00:00:00Z",
    "updated_at": "2024-03-01T00:00:00Z",
}
CHATS = generate_chats(60, 11, newest=NEWEST)
CREDENTIALS = "Basic " + base64.b64encode(b"username:password").decode()
INTEGER = re.compile(r"0|-?[1-9]\d*")

DEFECTS = {
    # defect: the check that must catch it
    "server_error_on_big_offset": "not_a_server_error",
    "undocumented_status": "status_code_conformance",
    "wrong_content_type": "content_type_conformance",
    "missing_field": "response_schema_conformance",
    "accepts_limit_over_100": "negative_data_rejection",
    "rejects_limit_100": "positive_data_acceptance",
    "ignores_auth": "ignored_auth",
    "integer_error_code": "error_code_is_a_string",
    "plain_text_401": "unauthorized_is_enveloped",
    "no_challenge_401": "unauthorized_is_enveloped",
    "space_in_dates": "dates_are_rfc3339",
    "offset_not_echoed": "pagination_echoes_request",
    "short_pages": "page_size_matches_total",
    "last_page_past_the_end": "offset_past_end_is_empty",
    "total_is_page_size": "total_ignores_paging",
    "overlapping_pages": "pages_cover_every_chat_once",
    "oldest_first": "pages_are_ordered",
    "media_filter_invents_chats": "media_filter_is_subset",
    "default_limit_10": "defaults_are_applied",
    "accepts_any_password": "credentials_are_required",
    "answers_post": "unsupported_method",
}
# Defects that no black-box rule can see: only an oracle catches them.
ORACLE_DEFECTS = {
    "media_filter_inverted": "matches_data_file",
    "names_mangled": "matches_data_file",
}
# Not a breach of the contract, but an answer that differs from the correct implementation's.
HARMLESS = "other_error_messages"
# Also no breach: refusing a bad request as too long (414), as a server with a short URL limit does.
REFUSES_WITH_414 = "refuses_bad_limit_with_414"


def error(status: int, message: str, defect: str | None) -> JSONResponse:
    code = status if defect == "integer_error_code" else str(status)
    return JSONResponse({"code": code, "message": message, "results": {}}, status)


def unauthorized(defect: str | None) -> Response:
    if defect == "plain_text_401":
        return PlainTextResponse("Unauthorized", 401)
    headers = {} if defect == "no_challenge_401" else {"WWW-Authenticate": 'Basic realm="broken"'}
    response = error(401, "Unauthorized access", defect)
    response.headers.update(headers)
    return response


def authorized(request: Request, defect: str | None) -> bool:
    header = request.headers.get("authorization", "")
    if defect == "accepts_any_password":
        return header.startswith("Basic ") and len(header) > 6
    return header == CREDENTIALS


def parse(request: Request, defect: str | None) -> tuple[int, int, bool] | str:
    """The page asked for, or the 400 message."""
    query = request.query_params
    limit, offset, has_media = query.get("limit"), query.get("offset", "0"), query.get("has_media", "false")
    default_limit = 10 if defect == "default_limit_10" else 25
    limit = str(default_limit) if limit is None else limit
    if not INTEGER.fullmatch(limit):
        return "limit: must be an integer"
    if not INTEGER.fullmatch(offset):
        return "offset: must be an integer"
    if has_media.lower() not in ("true", "false"):
        return "has_media: must be true or false"
    if defect == HARMLESS and int(limit) > 100:
        return "limit: must be no greater than 100."
    maximum = 10**6 if defect == "accepts_limit_over_100" else (99 if defect == "rejects_limit_100" else 100)
    if not 1 <= int(limit) <= maximum:
        return f"limit: must be from 1 to {maximum}"
    if not 0 <= int(offset) < 2**63:
        return "offset: must be from 0 to 9223372036854775807"
    return int(limit), int(offset), has_media.lower() == "true"


def implementation(defect: str | None = None) -> Starlette:
    store = ChatStore(CHATS)

    async def list_chats(request: Request) -> Response:
        if defect != "ignores_auth" and not authorized(request, defect):
            return unauthorized(defect)
        parsed = parse(request, defect)
        if isinstance(parsed, str):
            return error(414 if defect == REFUSES_WITH_414 else 400, parsed, defect)
        limit, offset, has_media = parsed
        if defect == "server_error_on_big_offset" and offset > 30:
            return error(500, "index out of range", defect)
        if defect == "undocumented_status" and has_media:
            return error(404, "no media index", defect)
        if defect == "media_filter_inverted" and has_media:
            without_media = [chat for chat in CHATS if not chat["has_media"]]
            page = ChatStore([{**chat, "has_media": True} for chat in without_media]).page(
                limit=limit, offset=offset, has_media=True
            )
        else:
            page = store.page(limit=limit, offset=offset, has_media=has_media)
        data, total = list(page.data), page.total
        if defect == "oldest_first":
            reversed_all = store.page(limit=10**6, offset=0, has_media=has_media).data[::-1]
            data = reversed_all[offset : offset + limit]
        if defect == "overlapping_pages" and offset > 0:
            data = store.page(limit=limit, offset=offset - 1, has_media=has_media).data
        if defect == "short_pages" and len(data) > 1:
            data = data[:-1]
        if defect == "last_page_past_the_end" and offset >= total and total:
            data = store.page(limit=limit, offset=max(total - limit, 0), has_media=has_media).data
        if defect == "total_is_page_size":
            total = len(data)
        if defect == "names_mangled":
            data = [{**chat, "name": chat["name"].upper()} for chat in data]
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
            return PlainTextResponse(JSONResponse(body).body.decode(), 200)
        return JSONResponse(body)

    methods = ["GET", "POST"] if defect == "answers_post" else ["GET"]
    return Starlette(routes=[Route("/chats", list_chats, methods=methods)])
