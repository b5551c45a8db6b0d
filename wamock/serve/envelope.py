"""The response envelope the documentation page gives every answer: code, message, results."""

import orjson


def results(message: str, results: dict) -> dict:
    """A success envelope around any results, as the control API answers."""
    return {"code": "SUCCESS", "message": message, "results": results}


def error(code: str, message: str) -> dict:
    return {"code": code, "message": message, "results": {}}


MESSAGE_FIELDS = ("message", "detail", "error")


def shaped_error(documented, status: int, message: str) -> dict:
    """An error wamock makes (400, 401), in the shape the document gives that status of the
    operation (`documented`, its answer's body): its fields, with `message` saying what was
    wrong. Where the document gives no object with a message field, the envelope."""
    field = next((name for name in MESSAGE_FIELDS if isinstance(documented, dict) and name in documented), None)
    if field is None:
        return error(str(status), message)
    return {**documented, field: message}


def device_required() -> dict:
    """Upstream's answer, with 400, when several devices are registered and the request names none."""
    return {
        "code": "DEVICE_ID_REQUIRED",
        "message": "several devices are registered: name one with the X-Device-Id header or device_id",
        "results": {},
    }


def device_not_found(documented: dict, device_id: str) -> dict:
    """The spec's 404 example, naming this device."""
    return {**documented, "results": {"device_id": device_id}}


def encode(body: dict) -> bytes:
    return orjson.dumps(body)


async def send_error(send, status: int, code: str, message: str, headers: list[tuple[bytes, bytes]] = ()) -> None:
    """Answer an ASGI request with an error envelope, from a middleware outside connexion."""
    await send_json(send, status, error(code, message), headers)


async def send_json(send, status: int, body: dict, headers: list[tuple[bytes, bytes]] = ()) -> None:
    content = encode(body)
    head = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(content)), *headers]
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": content})


def archived(documented: dict, chat_jid: str, archived: bool) -> dict:
    """The document's 200 answer to an archive request, telling what was done to which chat."""
    message = f"Chat {'archived' if archived else 'unarchived'} successfully"
    results = documented.get("results") if isinstance(documented.get("results"), dict) else {}
    results = {**results, "message": message, "chat_jid": chat_jid, "archived": archived}
    return {**documented, "message": message, "results": results}


def chat_not_found(documented, chat_jid: str) -> dict:
    """The document's 404 answer to an archive request (an `Answer`), or wamock's words if it has none."""
    if documented is not None and isinstance(documented.body, dict):
        return documented.body
    return error("404", f"no chat {chat_jid} on this device")
