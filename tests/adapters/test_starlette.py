"""What wamock.adapters.starlette relies on: Starlette compiles `{path:path}` with the convertor
registered under "path", so that a route mounted as connexion mounts an API matches a newline."""

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route, Router
from starlette.testclient import TestClient

import wamock.adapters.starlette  # noqa: F401


def test_a_mounted_path_matches_a_newline():
    async def echo(request):
        return PlainTextResponse(request.path_params["rest"])

    app = Starlette(routes=[Mount("/api", routes=[Route("/{rest:path}", echo)])])
    with TestClient(app) as client:
        response = client.get("/api/a%0Ab")

    assert (response.status_code, response.text) == (200, "a\nb")


def test_a_trailing_slash_is_not_redirected():
    """A router connexion builds takes Starlette's default: the adapter makes it answer
    `/items/` as a path it does not have, not with a 307 to `/items`."""

    async def listed(request):
        return PlainTextResponse("the list")

    app = Starlette(routes=[Mount("/api", routes=[Route("/items", listed)])])
    with TestClient(app, follow_redirects=False) as client:
        assert client.get("/api/items").status_code == 200
        assert client.get("/api/items/").status_code == 404


def test_a_router_that_asks_for_slash_redirects_still_gets_them():
    async def listed(request):
        return PlainTextResponse("the list")

    router = Router(routes=[Route("/items", listed)], redirect_slashes=True)
    with TestClient(router, follow_redirects=False) as client:
        assert client.get("/items/").status_code == 307
