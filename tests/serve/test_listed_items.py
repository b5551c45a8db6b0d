"""An item operation whose document answers a list of items (Netlify's `GET /accounts/{account_id}`
answers `[accountMembership]`): the mock answers the list holding that one item, as it is
after every write, and the checker's write-then-read rule reads the item from such a list."""

import random

import httpx
import pytest
from starlette.testclient import TestClient

from tests.conftest import TEST_HOST, start_wamock, stop
from tests.documents import write
from wamock.check.checks import RuleBroken
from wamock.check.collection_rules import CollectionProbing, writes_stick
from wamock.data import spec as spec_module
from wamock.data.inference import served_collections
from wamock.serve.app import create_app

ACCOUNT = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "billing_details": {"type": "string"}},
}


def ok(schema: dict) -> dict:
    return {"description": "OK", "content": {"application/json": {"schema": schema}}}


def document() -> dict:
    account_id = {"in": "path", "name": "account_id", "required": True, "schema": {"type": "string"}}
    body = {"content": {"application/json": {"schema": ACCOUNT}}}
    listed = ok({"type": "array", "items": ACCOUNT})
    return {
        "openapi": "3.0.3",
        "info": {"title": "accounts", "version": "1"},
        "paths": {
            "/accounts": {
                "get": {"responses": {"200": listed}},
                "post": {"requestBody": body, "responses": {"201": ok(ACCOUNT)}},
            },
            "/accounts/{account_id}": {
                "parameters": [account_id],
                "get": {"responses": {"200": listed, "404": {"description": "none"}}},
                "put": {"requestBody": body, "responses": {"200": ok(ACCOUNT)}},
                "delete": {"responses": {"204": {"description": "gone"}, "404": {"description": "none"}}},
            },
        },
    }


@pytest.fixture
def served(tmp_path) -> tuple[TestClient, dict]:
    spec_file = write(tmp_path / "openapi.yaml", document())
    client = create_app(spec_file=spec_file, allowed_hosts=[TEST_HOST]).test_client()
    return client, spec_module.load(spec_file)


def test_a_read_documented_as_a_list_answers_the_list_of_that_item(served):
    client, _ = served
    first = client.get("/accounts").json()[0]

    changed = client.put(f"/accounts/{first['id']}", json={**first, "billing_details": "monthly"})
    read = client.get(f"/accounts/{first['id']}")

    assert changed.status_code == 200, changed.text
    assert read.status_code == 200, read.text
    assert read.json() == [{**first, "billing_details": "monthly"}]


def test_the_write_then_read_rule_reads_the_item_from_such_a_list(tmp_path):
    spec_file = write(tmp_path / "openapi.yaml", document())
    spec = spec_module.load(spec_file)
    server = start_wamock("--spec", str(spec_file))
    try:
        with httpx.Client(base_url=server.base_url) as client:
            probing = CollectionProbing(client, spec, served_collections(spec)["GET /accounts"], random.Random(1))
            try:
                writes_stick(probing)
            except RuleBroken as broken:
                pytest.fail(f"{broken.title}: {broken.evidence}")
    finally:
        stop(server)
    assert probing.requests >= 5  # created, read, updated, read again, deleted, read 404
    assert probing.broken == []
