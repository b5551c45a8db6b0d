"""Fixture files: what loads, and the one-line error for each way a file can be wrong."""

import json
import os

import pytest

from wamock.data.fixtures import MAX_FILE_BYTES, FixtureError, load_chats
from wamock.data.paths import DEFAULT_FIXTURES

GOOD = {
    "jid": "1@s.whatsapp.net",
    "name": "A",
    "last_message_time": "2024-01-15T10:30:00Z",
    "ephemeral_expiration": 0,
    "created_at": "2024-01-10T08:00:00Z",
    "updated_at": "2024-01-15T10:30:00Z",
    "has_media": True,
}


def test_default_fixtures_load(spec):
    chats = load_chats(DEFAULT_FIXTURES, spec)

    assert len(chats) == 150


def test_extra_fields_are_kept(tmp_path, spec):
    path = tmp_path / "chats.json"
    path.write_text(json.dumps([{**GOOD, "archived": False}]))

    assert load_chats(path, spec) == [{**GOOD, "archived": False}]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param("", "empty file; expected a JSON list of chats", id="empty"),
        pytest.param("  \n", "empty file; expected a JSON list of chats", id="blank"),
        pytest.param('[{"jid": ', "not valid JSON: ", id="truncated"),
        pytest.param("chats", "not valid JSON: ", id="not-json"),
        pytest.param(
            '{"chats": []}',
            'expected a JSON list of chats, or {"devices": {"ID": [chats], ...}}, '
            "got a JSON object without a non-empty devices object",
            id="object",
        ),
        pytest.param('{"devices": {"": []}}', "devices: a device id must not be empty", id="empty-device-id"),
        pytest.param("[1]", "record 0: must be a JSON object", id="record-not-object"),
        pytest.param(
            json.dumps([GOOD, {**GOOD, "jid": "2@g.us", "updated_at": "yesterday"}]),
            "record 1: updated_at: not an RFC 3339 date-time",
            id="bad-timestamp",
        ),
        pytest.param(
            json.dumps([{key: value for key, value in GOOD.items() if key != "name"}]),
            "record 0: name: missing",
            id="missing-field",
        ),
        pytest.param(
            json.dumps([{**GOOD, "has_media": "yes"}]),
            "record 0: has_media: must be a JSON boolean",
            id="has-media-not-a-boolean",
        ),
        pytest.param(
            json.dumps([{**GOOD, "ephemeral_expiration": "0"}]),
            "record 0: ephemeral_expiration: must be a JSON integer",
            id="wrong-type",
        ),
        pytest.param(
            json.dumps([{**GOOD, "ephemeral_expiration": -1}]),
            "record 0: ephemeral_expiration: -1 is less than the minimum of 0",
            id="negative-ephemeral",
        ),
        pytest.param(
            json.dumps([{**GOOD, "jid": "John"}]),
            "record 0: jid: ",
            id="bad-jid",
        ),
        pytest.param(
            json.dumps([GOOD, {**GOOD, "name": "B"}]),
            "record 1: jid: '1@s.whatsapp.net' repeats record 0",
            id="duplicate-jid",
        ),
    ],
)
def test_bad_fixture_file_names_file_record_and_field(tmp_path, spec, content, message):
    path = tmp_path / "chats.json"
    path.write_text(content)

    with pytest.raises(FixtureError) as caught:
        load_chats(path, spec)

    assert str(caught.value).startswith(f"{path}: {message}")
    assert "\n" not in str(caught.value)


def test_missing_file_is_named(tmp_path, spec):
    with pytest.raises(FixtureError, match=r"nowhere\.json: no such fixture file$"):
        load_chats(tmp_path / "nowhere.json", spec)


def make_fifo(tmp_path):
    os.mkfifo(tmp_path / "chats.json")  # nobody ever writes to it: opening it must not hang
    return tmp_path / "chats.json"


def make_link_to_dev_zero(tmp_path):
    (tmp_path / "chats.json").symlink_to("/dev/zero")  # endless: reading it would fill the memory
    return tmp_path / "chats.json"


@pytest.mark.parametrize(
    "make", [pytest.param(lambda tmp_path: tmp_path, id="directory"), make_fifo, make_link_to_dev_zero]
)
def test_only_a_regular_file_is_a_fixture_file(tmp_path, spec, make):
    path = make(tmp_path)

    with pytest.raises(FixtureError) as caught:
        load_chats(path, spec)

    assert str(caught.value) == f"{path}: not a regular file; expected a JSON list of chats"


def test_fixture_file_over_the_size_limit_is_refused_unread(tmp_path, spec):
    path = tmp_path / "huge.json"
    with open(path, "wb") as sparse:
        sparse.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk space, and never read

    with pytest.raises(FixtureError) as caught:
        load_chats(path, spec)

    assert (
        str(caught.value)
        == f"{path}: {MAX_FILE_BYTES + 1} bytes; fixture files may have at most {MAX_FILE_BYTES} (1 GiB)"
    )
