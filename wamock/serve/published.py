"""The served document at /openapi.json and /openapi.yaml (the Swagger UI reads the first).

connexion renders its copy on every request, from the document with every `$ref` inlined: a
cycle (a tree schema) then fails with "Circular reference detected", and a large document
holds the event loop for seconds per request. wamock publishes the document as read
(`wamock.data.document`: bundled, so every `$ref` is local and may stay one), each form
rendered once, in a worker thread, the first time it is asked for.
"""

import json
import urllib.parse
from datetime import date, datetime

import anyio
import yaml
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

MEDIA_TYPES = {"json": "application/json", "yaml": "text/yaml; charset=utf-8"}


def base_path(document: dict) -> str:
    """Where connexion mounts the document's API: the path of its first server's URL ("" for none)."""
    try:
        server = document["servers"][0]
        variables = {name: value.get("default", "") for name, value in (server.get("variables") or {}).items()}
        url = str(server["url"]).format(**variables)
    except (LookupError, TypeError, AttributeError, ValueError):
        return ""
    return "/" + urllib.parse.urlsplit(url).path.strip("/") if urllib.parse.urlsplit(url).path.strip("/") else ""


def published_paths(base_path: str) -> dict[str, str]:
    """The path of each form of the document, as connexion would serve them: `/openapi.json` -> "json"."""
    return {f"{base_path}/openapi.{form}": form for form in MEDIA_TYPES}


def render(document: dict, form: str) -> bytes:
    if form == "json":
        return json.dumps(document, ensure_ascii=False, default=_plain).encode()
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(document, Dumper=dumper, allow_unicode=True, sort_keys=False).encode()


def _plain(value):
    """YAML's timestamps, as connexion's JSON encoder writes them."""
    if isinstance(value, datetime):
        return value.isoformat("T") if value.tzinfo else value.isoformat("T") + "Z"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("latin-1")
    raise TypeError(f"{type(value).__name__} is not JSON")


class PublishedDocument:
    def __init__(self, app: ASGIApp, *, document: dict, base_path: str) -> None:
        self.app = app
        # As connexion serves it: its servers are where the API is mounted on this mock.
        self.document = {**document, "servers": [{"url": base_path}]}
        self.paths = published_paths(base_path)
        self.rendered: dict[str, bytes] = {}
        self.lock = anyio.Lock()

    async def body(self, form: str) -> bytes:
        if form not in self.rendered:
            async with self.lock:
                if form not in self.rendered:
                    self.rendered[form] = await anyio.to_thread.run_sync(render, self.document, form)
        return self.rendered[form]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        form = self.paths.get(scope["path"]) if scope["type"] == "http" else None
        if form is None or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        response = Response(await self.body(form), media_type=MEDIA_TYPES[form])
        await response(scope, receive, send)
