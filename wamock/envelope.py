"""The response envelope the documentation page gives every answer: code, message, results."""

from wamock.store import Page

LOGGED_OUT_MESSAGE = "you are not loggin"


def success(message: str, page: Page) -> dict:
    return {
        "code": "SUCCESS",
        "message": message,
        "results": {
            "data": page.data,
            "pagination": {"limit": page.limit, "offset": page.offset, "total": page.total},
        },
    }


def error(code: str, message: str) -> dict:
    return {"code": code, "message": message, "results": {}}


def logged_out() -> dict:
    """What upstream answers, with 500, when no WhatsApp session is logged in."""
    return error("INTERNAL_SERVER_ERROR", LOGGED_OUT_MESSAGE)
