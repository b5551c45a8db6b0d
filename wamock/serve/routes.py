"""Which function answers each operation of the served document.

wamock's handlers answer the operations it implements, found by method and path (not by
operationId, which each document names its own way): GET /chats and, where the document has
it, POST /chat/{chat_jid}/archive and GOWA's devices (`handlers/devices.py`). Every other operation answers what the document gives for
its first success status (`wamock.data.examples`), after connexion has checked the request;
a DELETE removes what lies at its path until it is created again (`documented_answer`).
"""

import functools

from connexion import request
from connexion.exceptions import ProblemException
from connexion.resolver import Resolution, Resolver
from connexion.utils import get_function_from_name
from starlette.responses import Response

import wamock.adapters.starlette  # noqa: F401  (paths with newlines route: registered before any route)
from wamock.data.examples import Answer
from wamock.data.facts import DocumentFacts
from wamock.data.operations import (
    CHAT_ARCHIVE,
    CHAT_LIST,
    MESSAGE_LIST,
    PathTable,
    names_a_resource,
    operation_key,
    routing_order,
)
from wamock.data.spec import resolved
from wamock.serve import CONTROL_PREFIX, envelope, state

# The sends and message actions wamock implements (handlers/messages.py): path's last part, and the function's verb.
SENDS = ("message", "link", "contact", "location", "poll", "image", "video", "audio", "file", "sticker")
ACTIONS = {
    "revoke": "revoke",
    "delete": "delete",
    "update": "update",
    "reaction": "react",
    "read": "read",
    "star": "star",
    "unstar": "unstar",
}

# What wamock serves itself at the root of any document: the control API, Swagger UI, the document.
WAMOCK_OWN = (CONTROL_PREFIX, "/ui", "/openapi.json", "/openapi.yaml")


def shadowed(spec: dict) -> list[str]:
    """The document's paths that wamock's own answer instead, so that no one is left to wonder why."""
    return [
        path
        for path in spec.get("paths") or {}
        if any(path == own or path.startswith(own.rstrip("/") + "/") for own in WAMOCK_OWN)
    ]


HANDLED = {
    CHAT_LIST: "handlers.chats.list_chats",
    CHAT_ARCHIVE: "handlers.chats.archive_chat",
    MESSAGE_LIST: "handlers.messages.list_messages",
    **{f"POST /send/{kind}": f"handlers.messages.send_{kind}" for kind in SENDS},
    **{f"POST /message/{{message_id}}/{name}": f"handlers.messages.{verb}_message" for name, verb in ACTIONS.items()},
    "GET /user/my/groups": "handlers.groups.my_groups",
    "GET /group/info": "handlers.groups.group_info",
    "GET /group/participants": "handlers.groups.group_participants",
    "GET /user/info": "handlers.users.user_info",
    "GET /user/check": "handlers.users.user_check",
    "GET /user/avatar": "handlers.users.user_avatar",
    "GET /user/my/contacts": "handlers.users.my_contacts",
    "GET /devices": "handlers.devices.list_devices",
    "POST /devices": "handlers.devices.add_device",
    "GET /devices/{device_id}": "handlers.devices.get_device",
    "DELETE /devices/{device_id}": "handlers.devices.remove_device",
    "GET /devices/{device_id}/login": "handlers.devices.login_device",
    "POST /devices/{device_id}/logout": "handlers.devices.logout_device",
    "POST /devices/{device_id}/reconnect": "handlers.devices.reconnect_device",
    "GET /devices/{device_id}/status": "handlers.devices.device_status",
    "GET /app/devices": "handlers.devices.app_devices",
    "GET /app/status": "handlers.devices.app_status",
    "GET /app/login": "handlers.devices.app_login",
    "GET /app/logout": "handlers.devices.app_logout",
}


def in_routing_order(spec: dict) -> dict:
    """The document with its paths in `routing_order`, as connexion is to route them: it routes
    in the document's order, first match wins (Starlette's), so `{Sid}.json` took `Local.json`."""
    paths = spec.get("paths") or {}
    return {**spec, "paths": dict(sorted(paths.items(), key=lambda item: routing_order(str(item[0]))))}


class DocumentPaths:
    """The methods the document gives each path: for the `Allow` header of a 405, and to tell
    which operation a request was for where connexion's routing has not said it. Requests are
    under `base_path`, the path of the document's server URL (`/v2`), as connexion mounts it."""

    def __init__(self, answers: dict[str, dict[int, Answer]], base_path: str = "") -> None:
        methods: dict[str, list[str]] = {}
        for key in answers:
            method, path = key.split(" ", 1)
            methods.setdefault(path, []).append(method)
        self._table = PathTable(methods)
        self.base_path = base_path.rstrip("/")
        self.keys = frozenset(answers)

    def _methods(self, path: str) -> tuple[str, tuple[str, ...]] | None:
        if self.base_path:
            if not path.startswith(self.base_path + "/"):
                return None
            path = path.removeprefix(self.base_path)
        found = self._table.route(path)
        return (found.template, found.methods) if found else None

    def allowed(self, path: str) -> list[str]:
        found = self._methods(path)
        if found is None:
            return []
        methods = found[1]
        return [*methods, "HEAD"] if "GET" in methods else list(methods)

    def operations_at(self, path: str) -> list[str]:
        """The operations of the document's path that `path` is, as `operation_key` names them."""
        found = self._methods(path)
        return [operation_key(method, found[0]) for method in found[1]] if found else []

    def template(self, path: str) -> str | None:
        """The document's path that `path` is (`/posts/{id}.json` for `/posts/abc.json`)."""
        found = self._methods(path)
        return found[0] if found else None

    def operation(self, method: str, path: str) -> str | None:
        """The operation a request is for, as `operation_key` names it; None if there is none."""
        found = self._methods(path)
        return operation_key(method, found[0]) if found and method.upper() in found[1] else None


def usual_answer(answers: dict[int, Answer]) -> Answer | None:
    """The answer of the operation's first success status, else of its first status."""
    statuses = sorted(answers)
    successes = [status for status in statuses if 200 <= status < 300]
    return answers[(successes or statuses)[0]] if statuses else None


def documented_statuses(spec: dict, key: str) -> set[str]:
    """The statuses the operation's responses name, upper case (`404`, `4XX`, `DEFAULT`)."""
    method, path = key.split(" ", 1)
    path_item = resolved(spec, (spec.get("paths") or {}).get(path))
    documented = path_item.get(method.lower()) if isinstance(path_item, dict) else None
    responses = documented.get("responses") if isinstance(documented, dict) else None
    return {str(status).upper() for status in responses or {}}


# The operations of a document's collections (`wamock.serve.resources`), by method and where they are.
COLLECTION_HANDLERS = {
    ("GET", "list"): "handlers.resources.list_items",
    ("POST", "list"): "handlers.resources.create_item",
    ("GET", "item"): "handlers.resources.read_item",
    ("PUT", "item"): "handlers.resources.update_item",
    ("PATCH", "item"): "handlers.resources.update_item",
    ("DELETE", "item"): "handlers.resources.delete_item",
}


class DocumentResolver(Resolver):
    def __init__(self, facts: DocumentFacts, collections: dict | None = None) -> None:
        super().__init__()
        self.facts = facts
        self.collections = collections or {}  # `wamock.serve.resources.Served`, by each operation it answers

    def resolve(self, operation) -> Resolution:
        key = operation_key(operation.method, operation.path)
        if key in HANDLED:
            return Resolution(functools.partial(get_function_from_name(HANDLED[key]), self.facts), key)
        served = self.collections.get(key)
        if served is not None:
            where = "list" if operation.path == served.collection.operation.path else "item"
            handler = get_function_from_name(COLLECTION_HANDLERS[(operation.method.upper(), where)])
            return Resolution(functools.partial(handler, served), key)
        answers = self.facts.answers.get(key, {})
        may_be_gone = names_a_resource(operation.path) or bool(
            documented_statuses(self.facts.spec, key) & {"404", "4XX", "DEFAULT"}
        )
        return Resolution(functools.partial(documented_answer, operation.method.upper(), answers, may_be_gone), key)


async def documented_answer(method: str, answers: dict[int, Answer], may_be_gone: bool, **_request) -> Response:
    """The document's answer, with one state any API has: a DELETE removes what lies at its path.
    A deleted path answers 404 where the operation documents one or its path names a resource
    (`may_be_gone`: Discourse's GET /admin/users/{id}.json documents only 200).

    Until a PUT to that path or a POST to its collection creates it again (or the mock is
    reset), the path and what lies under it answer 404: the operation's documented 404, else a
    refusal in the shape of its `4XX` or `default` answer (`wamock.serve.errors`); an operation
    on a path without parameters that documents none of them answers as documented.
    """
    mock = state.current()
    path = request.url.path  # in full, server URL's path included: the state's paths are the requests'
    answer = usual_answer(answers)
    succeeds = answer is None or 200 <= answer.status < 300
    if not succeeds and may_be_gone and 404 in answers:
        # An operation that documents only refusals (Swagger petstore's DELETE /pet/{petId}: 400
        # "Invalid ID supplied", 404 "Pet not found"): a request valid enough to reach here names
        # nothing there, so its 404, not the first refusal the document lists.
        answer = answers[404]
    if method in ("PUT", "POST"):
        if succeeds:
            mock.restore(path)
    elif may_be_gone and mock.snapshot().is_deleted(path):
        if 404 in answers:
            return response_of(answers[404])
        raise ProblemException(status=404, title="Not Found", detail=f"{path}: deleted")
    elif method == "DELETE" and succeeds:
        mock.delete(path)
    if answer is None:
        return Response(status_code=204)
    return response_of(answer)


def response_of(answer: Answer, headers: dict[str, str] | None = None) -> Response:
    """The answer as sent: JSON encoded as the envelope is, other media types as text or bytes."""
    if answer.media_type is None:
        return Response(status_code=answer.status, headers=headers)
    media_type = answer.media_type
    if media_type.endswith("json") or not isinstance(answer.body, (str, bytes, type(None))):
        content = envelope.encode(answer.body)
        if "*" in media_type:  # `*/*`, `application/*`: a range, not a Content-Type; the body is JSON
            media_type = "application/json"
    else:
        content = answer.body if isinstance(answer.body, bytes) else str(answer.body or "").encode()
    return Response(content, status_code=answer.status, headers=headers, media_type=media_type)
