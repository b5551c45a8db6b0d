"""Which function answers each operation of the served document.

wamock's handlers answer the operations it implements, found by method and path (not by
operationId, which each document names its own way): GET /chats and, where the document has
it, POST /chat/{chat_jid}/archive. Every other operation answers what the document gives for
its first success status (`wamock.data.examples`), after connexion has checked the request;
a DELETE removes what lies at its path until it is created again (`documented_answer`).
"""

import functools
import re

from connexion import request
from connexion.resolver import Resolution, Resolver
from connexion.utils import get_function_from_name
from starlette.responses import Response

import wamock.adapters.starlette  # noqa: F401  (paths with newlines route: registered before any route)
from wamock.data.examples import Answer
from wamock.data.facts import DocumentFacts
from wamock.data.operations import CHAT_ARCHIVE, CHAT_LIST, operation_key
from wamock.serve import CONTROL_PREFIX, envelope, state

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
}


class DocumentPaths:
    """The methods the document gives each path: for the `Allow` header of a 405, and to tell
    which operation a request was for where connexion's routing has not said it."""

    def __init__(self, answers: dict[str, dict[int, Answer]]) -> None:
        methods: dict[str, list[str]] = {}
        for key in answers:
            method, path = key.split(" ", 1)
            methods.setdefault(path, []).append(method)
        self._paths = [(path, template_pattern(path), path_methods) for path, path_methods in methods.items()]

    def _methods(self, path: str) -> tuple[str, list[str]] | None:
        for template, pattern, methods in self._paths:
            if pattern.match(path):
                return template, methods
        return None

    def allowed(self, path: str) -> list[str]:
        found = self._methods(path)
        if found is None:
            return []
        methods = found[1]
        return [*methods, "HEAD"] if "GET" in methods else methods

    def operation(self, method: str, path: str) -> str | None:
        """The operation a request is for, as `operation_key` names it; None if there is none."""
        found = self._methods(path)
        return operation_key(method, found[0]) if found and method.upper() in found[1] else None


def template_pattern(path: str) -> re.Pattern:
    """`/devices/{device_id}` as a pattern that the path of a request fully matches."""
    return re.compile("[^/]+".join(map(re.escape, re.split(r"\{[^/}]+\}", path))) + "$")


def usual_answer(answers: dict[int, Answer]) -> Answer | None:
    """The answer of the operation's first success status, else of its first status."""
    statuses = sorted(answers)
    successes = [status for status in statuses if 200 <= status < 300]
    return answers[(successes or statuses)[0]] if statuses else None


class DocumentResolver(Resolver):
    def __init__(self, facts: DocumentFacts) -> None:
        super().__init__()
        self.facts = facts

    def resolve(self, operation) -> Resolution:
        key = operation_key(operation.method, operation.path)
        if key in HANDLED:
            return Resolution(functools.partial(get_function_from_name(HANDLED[key]), self.facts), key)
        answers = self.facts.answers.get(key, {})
        return Resolution(functools.partial(documented_answer, operation.method.upper(), answers), key)


async def documented_answer(method: str, answers: dict[int, Answer], **_request) -> Response:
    """The document's answer, with one state any API has: a DELETE removes what lies at its path.

    Until a PUT to that path or a POST to its collection creates it again (or the mock is
    reset), the path and what lies under it answer the operation's documented 404.
    """
    mock = state.current()
    path = request.url.path
    if 404 in answers and mock.snapshot().is_deleted(path):
        return response_of(answers[404])
    answer = usual_answer(answers)
    if answer is None:
        return Response(status_code=204)
    if 200 <= answer.status < 300:
        if method == "DELETE":
            mock.delete(path)
        elif method in ("PUT", "POST"):
            mock.restore(path)
    return response_of(answer)


def response_of(answer: Answer, headers: dict[str, str] | None = None) -> Response:
    """The answer as sent: JSON encoded as the envelope is, other media types as text or bytes."""
    if answer.media_type is None:
        return Response(status_code=answer.status, headers=headers)
    if answer.media_type.endswith("json"):
        content = envelope.encode(answer.body)
    else:
        content = answer.body if isinstance(answer.body, bytes) else str(answer.body or "").encode()
    return Response(content, status_code=answer.status, headers=headers, media_type=answer.media_type)
