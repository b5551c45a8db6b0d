"""The response envelope the documentation page gives every answer: code, message, results."""

from wamock.data import json_bytes


def results(message: str, results: dict) -> dict:
    """A success envelope around any results, as the control API answers."""
    return {"code": "SUCCESS", "message": message, "results": results}


def error(code: str, message: str) -> dict:
    return {"code": code, "message": message, "results": {}}


MESSAGE_FIELDS = ("message", "detail", "error", "error_description", "title")
CODE_FIELDS = ("code", "status", "statusCode", "status_code")


def shaped_error(documented, status: int, message: str, types: dict | None = None, *, for_status: bool = True) -> dict:
    """An error wamock makes (400, 401, 404, 405, 415, ...), in the shape the document gives that
    status of the operation (`documented`, its answer's body; `types`, the JSON type its schema
    gives each field, where it gives one): its fields, with the first message field saying what
    was wrong and the status code field the status, each of its schema's type (`"400"` for a
    string, `400` for an integer). The document's own example for this very status keeps its
    own code (`for_status`); any other is given this status. Where the document gives no
    object, the envelope."""
    if not isinstance(documented, dict):
        return error(str(status), message)
    types = types or {}
    shaped = dict(documented)
    field = next((name for name in MESSAGE_FIELDS if _textual(name, documented, types)), None)
    if field is not None:
        shaped[field] = message
    code = next((name for name in CODE_FIELDS if name in documented or name in types), None)
    if code is not None:
        given = documented.get(code) if for_status else None
        shaped[code] = _typed_code(given if given is not None else status, types.get(code))
    return shaped


def _textual(name: str, documented: dict, types: dict) -> bool:
    """Whether the field `name` of the shape holds text: by its schema's type, else by the value given."""
    if name in types:
        return types[name] in ("string", None)
    return isinstance(documented.get(name), str)


def _typed_code(value, kind: str | None):
    return str(value) if kind == "string" else value


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
    return json_bytes.dumps(body)


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
