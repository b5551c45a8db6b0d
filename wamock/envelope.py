"""The response envelope the documentation page gives every answer: code, message, results."""

import orjson

from wamock.store import EncodedPage

LOGGED_OUT_MESSAGE = "you are not loggin"


def success(message: str, page: EncodedPage) -> bytes:
    """The 200 body for a page of encoded chats, assembled without encoding them again."""
    head = orjson.dumps({"code": "SUCCESS", "message": message})[:-1]
    pagination = orjson.dumps({"limit": page.limit, "offset": page.offset, "total": page.total})
    return b"".join((head, b',"results":{"data":[', page.chats, b'],"pagination":', pagination, b"}}"))


def results(message: str, results: dict) -> dict:
    """A success envelope around any results, as the control API answers."""
    return {"code": "SUCCESS", "message": message, "results": results}


def error(code: str, message: str) -> dict:
    return {"code": code, "message": message, "results": {}}


def logged_out() -> dict:
    """What upstream answers, with 500, when no WhatsApp session is logged in."""
    return error("INTERNAL_SERVER_ERROR", LOGGED_OUT_MESSAGE)
