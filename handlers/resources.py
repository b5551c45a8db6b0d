"""The operations of a document's collections (`wamock.serve.resources`): list, create, read,
update, delete. The resolver (`wamock.serve.routes`) gives each its collection as its first
argument; connexion has checked the request."""

from urllib.parse import unquote

from connexion import request
from connexion.exceptions import ProblemException
from starlette.responses import Response

from wamock.data.operations import names_a_resource
from wamock.serve import envelope, state
from wamock.serve.resources import NothingToList, Served
from wamock.serve.routes import documented_statuses


def item_key() -> str:
    """The id a request names: the last segment of its path (`/pets/{petId}`)."""
    return unquote(request.url.path.rstrip("/").rsplit("/", 1)[-1])


def success(served: Served, key: str) -> int:
    statuses = [status for status in served.answers[key] if 200 <= status < 300]
    return min(statuses, default=200)


def answered(served: Served, key: str, item: dict | None) -> Response:
    """The operation's answer holding `item`; the document's own where its answer holds no item."""
    status = success(served, key)
    body = served.answer_with(key, item) if item is not None else None
    if body is None:
        documented = served.answers[key].get(status)
        if documented is None or documented.media_type is None:
            return Response(status_code=status)
        body = documented.body
    return Response(envelope.encode(body), status_code=status, media_type="application/json")


def not_found(served: Served, key: str) -> Response:
    """The operation's 404; where it documents none (nor a `4XX` or `default`) and its path names
    no resource (a list's), its documented success, as for any path a DELETE removed
    (`wamock.serve.routes.documented_answer`)."""
    documented = served.answers[key].get(404)
    if documented is not None:
        content = envelope.encode(documented.body) if documented.media_type else b""
        return Response(content, status_code=404, media_type=documented.media_type)
    path = key.split(" ", 1)[1]
    if not names_a_resource(path) and not documented_statuses(served.spec, key) & {"4XX", "DEFAULT"}:
        return answered(served, key, None)
    raise ProblemException(status=404, title="Not Found", detail=f"{request.url.path}: no such item")


async def list_items(served: Served, **_parameters) -> Response:
    query = {name: request.query_params[name] for name in request.query_params}
    url = str(request.url).split("?", 1)[0]
    try:
        body, headers = served.page(state.current(), query, url)
    except NothingToList:
        return not_found(served, served.key)
    return Response(envelope.encode(body), status_code=200, headers=headers, media_type="application/json")


async def create_item(served: Served, body=None, **_parameters) -> Response:
    key = f"POST {served.collection.operation.path}"
    return answered(served, key, served.create(state.current(), body))


async def read_item(served: Served, **_parameters) -> Response:
    key = f"GET {served.collection.item}"
    item = served.find(state.current(), item_key())
    return not_found(served, key) if item is None else answered(served, key, item)


async def update_item(served: Served, body=None, **_parameters) -> Response:
    key = f"{request.method.upper()} {served.collection.item}"
    item = served.update(state.current(), item_key(), body)
    return not_found(served, key) if item is None else answered(served, key, item)


async def delete_item(served: Served, **_parameters) -> Response:
    key = f"DELETE {served.collection.item}"
    if not served.delete(state.current(), item_key()):
        return not_found(served, key)
    return answered(served, key, None)
