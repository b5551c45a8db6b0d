"""The data set generator: deterministic, realistic, and led by the documented chat."""

import re
from collections import Counter
from datetime import datetime

import pytest

from wamock.data import collections
from wamock.data.fixtures import validate_chats
from wamock.data.generate import dumps, generate_chats, generate_devices
from wamock.data.paths import DEFAULT_FIXTURES
from wamock.data.store import ChatStore

JID_FORMS = {
    "person": r"\d+@s\.whatsapp\.net",
    "group": r"\d+(-\d+)?@g\.us",
    "channel": r"\d+@newsletter",
    "status": r"status@broadcast",
}


@pytest.fixture(scope="module")
def generated(spec) -> list[dict]:
    return generate_chats(3000, 7, newest=collections.documented_chat(spec))


def test_bundled_fixtures_are_the_generator_output(spec):
    """`wamock fixtures --count 150 --seed 0` rewrites fixtures/chats.json byte for byte."""
    expected = dumps(generate_chats(150, 0, newest=collections.documented_chat(spec)))

    assert DEFAULT_FIXTURES.read_bytes() == expected


def test_same_count_and_seed_give_same_data(spec):
    newest = collections.documented_chat(spec)

    assert generate_chats(200, 3, newest=newest) == generate_chats(200, 3, newest=newest)
    assert generate_chats(200, 3, newest=newest) != generate_chats(200, 4, newest=newest)


def test_generated_data_meets_the_fixture_schema(generated, spec):
    assert validate_chats(generated, spec, source="generated") == generated


def test_documented_chat_is_first_and_most_recent(generated, spec):
    page = ChatStore(generated).page(limit=1, offset=0)

    # The page's example chat, and upstream's `archived`, which every generated chat carries.
    assert page.data == [{**collections.documented_chat(spec), "archived": False}]


def test_every_jid_form_appears(generated):
    forms = Counter(
        next(form for form, pattern in JID_FORMS.items() if re.fullmatch(pattern, chat["jid"])) for chat in generated
    )

    assert set(forms) == set(JID_FORMS)
    assert forms["status"] == 1
    assert forms["person"] > forms["group"] > forms["channel"]


def test_timestamps_are_consistent(generated):
    def moment(text):
        return datetime.fromisoformat(text)

    assert all(moment(c["created_at"]) <= moment(c["last_message_time"]) <= moment(c["updated_at"]) for c in generated)


def test_about_a_third_have_media(generated):
    share = sum(chat["has_media"] for chat in generated) / len(generated)

    assert 0.30 < share < 0.37


def test_ephemeral_values_are_whatsapps(generated):
    values = Counter(chat["ephemeral_expiration"] for chat in generated)

    assert set(values) == {0, 86400, 604800, 7776000}
    assert values[0] > len(generated) / 2


def test_every_generated_chat_says_whether_it_is_archived(generated):
    archived = [chat["archived"] for chat in generated]

    assert set(archived) == {True, False}
    assert archived[0] is False  # the page's example chat
    assert 0.05 < sum(archived) / len(archived) < 0.25


def test_devices_each_get_their_own_chats(spec):
    devices = generate_devices(40, 5, newest=collections.documented_chat(spec), devices=3)["devices"]

    assert list(devices) == ["device-1", "device-2", "device-3"]
    assert all(len(chats) == 40 for chats in devices.values())
    assert devices["device-1"] != devices["device-2"]
