"""Data for a document's collections: deterministic, realistic, checked when read back; and the
writes kept apart from it, bounded."""

import json
import re
import uuid
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from tests.conftest import start_wamock, stop
from tests.documents import run_wamock, write
from wamock.data import resources
from wamock.data.inference import served_collections

BOOKS = Path(__file__).parents[1] / "check" / "library" / "books.yaml"
PEOPLE = {
    "openapi": "3.0.3",
    "info": {"title": "people", "version": "1"},
    "paths": {
        "/people": {
            "get": {
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                    {"name": "role", "in": "query", "schema": {"type": "string", "enum": ["admin", "guest"]}},
                ],
                "responses": {
                    "200": {
                        "description": "OK",
                        "content": {
                            "application/json": {
                                "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Person"}}
                            }
                        },
                    }
                },
            }
        },
        "/people/{personId}": {
            "parameters": [
                {
                    "name": "personId",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "format": "uuid"},
                    "example": "3f2b8c1e-5d4a-4b6e-9c7d-1a2b3c4d5e6f",
                }
            ],
            "get": {
                "responses": {
                    "200": {
                        "description": "OK",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Person"}}},
                    }
                }
            },
        },
    },
    "components": {
        "schemas": {
            "Person": {
                "type": "object",
                "required": ["id", "email"],
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "name": {"type": "string"},
                    "email": {"type": "string", "format": "email"},
                    "website": {"type": "string"},
                    "joined_at": {"type": "string", "format": "date-time"},
                    "role": {"type": "string"},
                    "age": {"type": "integer", "minimum": 18, "maximum": 99},
                    "password": {"type": "string", "writeOnly": True},
                },
            }
        }
    },
}


def people(count: int = 20, seed: int = 0) -> list[dict]:
    return resources.generate(PEOPLE, served_collections(PEOPLE), count, seed)["GET /people"]


def test_the_same_count_and_seed_give_the_same_items_and_another_seed_others():
    assert people(seed=1) == people(seed=1)
    assert people(seed=1) != people(seed=2)
    assert people(5, seed=1) == people(20, seed=1)[:5]


def test_values_are_realistic_by_format_and_field_name():
    found = people()

    assert len({person["id"] for person in found}) == len(found)
    assert all(uuid.UUID(person["id"]).version == 4 for person in found[1:])
    assert all(re.fullmatch(r"[a-z.]+\d+@example\.com", person["email"]) for person in found)
    assert all(person["website"].startswith("https://") for person in found)
    assert all(datetime.fromisoformat(person["joined_at"]) for person in found)
    assert all(18 <= person["age"] <= 99 for person in found)
    assert all(len(person["name"].split()) == 2 for person in found)
    assert not any("password" in person for person in found)  # writeOnly: never answered


def test_the_first_item_has_the_id_the_documents_item_path_shows_and_filters_find_their_values():
    found = people()

    assert found[0]["id"] == "3f2b8c1e-5d4a-4b6e-9c7d-1a2b3c4d5e6f"
    assert {person["role"] for person in found} == {"admin", "guest"}  # the filter's enum, not random words


def test_writes_are_bounded_the_latest_kept():
    changes = None
    for number in range(resources.MAX_CHANGES + 5):
        changes = resources.changed(changes, str(number), {"id": number})

    assert len(changes) == resources.MAX_CHANGES
    assert changes[-1] == [str(resources.MAX_CHANGES + 4), {"id": resources.MAX_CHANGES + 4}]


def test_fixtures_written_for_a_document_are_served_back(tmp_path):
    written = run_wamock(
        "fixtures", "--spec", str(BOOKS), "--count", "7", "--seed", "3", "-o", str(tmp_path / "books.json")
    )
    data = json.loads((tmp_path / "books.json").read_text())
    data["collections"]["GET /books"][2]["title"] = "Edited by hand"
    (tmp_path / "books.json").write_text(json.dumps(data))

    server = start_wamock("--spec", str(BOOKS), "--fixtures", str(tmp_path / "books.json"))
    try:
        page = httpx.get(f"{server.base_url}/books?limit=50", auth=("username", "password"), timeout=30).json()
        chats = httpx.get(f"{server.base_url}/__wamock/chats", timeout=30)
    finally:
        stop(server)

    assert written.returncode == 0, written.stderr
    assert written.stderr == "wrote 7 items for each of GET /books to " + str(tmp_path / "books.json") + "\n"
    assert page == {"data": data["collections"]["GET /books"], "total": 7}
    assert chats.status_code == 200  # the chats are the default ones


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"collections": {"GET /books": [{"id": 1, "title": 5, "author": "A"}]}}',
            "collections.GET /books[0]: does not meet the item schema of GET /books",
        ),
        (
            '{"collections": {"GET /books": [{"id": 1, "title": "T", "author": "A"}, {"id": 1, "title": "U", "author": "B"}]}}',
            "collections.GET /books[1]: id 1 is given twice",
        ),
        (
            '{"collections": {"GET /films": []}}',
            "collections.GET /films: the document has no such list (it has GET /books)",
        ),
        ('{"collections": [1', "not JSON"),
    ],
)
def test_a_bad_collections_file_is_one_line_and_exit_2(tmp_path, content, message):
    (tmp_path / "bad.json").write_text(content)

    attempt = run_wamock("serve", "--port", "0", "--spec", str(BOOKS), "--fixtures", str(tmp_path / "bad.json"))

    assert attempt.returncode == 2
    assert attempt.stderr.startswith(f"error: {tmp_path / 'bad.json'}: ")
    assert message in attempt.stderr and len(attempt.stderr.splitlines()) == 1, attempt.stderr


def test_a_document_without_collections_is_refused_in_one_line(tmp_path):
    document = write(tmp_path / "api.yaml", {**PEOPLE, "paths": {}})

    attempt = run_wamock("fixtures", "--spec", str(document))

    assert (attempt.returncode, attempt.stderr) == (
        2,
        f"error: {document}: has no collection (a GET answering a list of objects) to write data for\n",
    )
