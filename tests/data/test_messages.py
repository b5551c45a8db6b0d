"""Generated messages agree with their chat; a send's move to the top of the store keeps every view right."""

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.data.test_store import public_chat
from tests.strategies import data_sets, filters
from wamock.data import collections, generate, groups, messages, spec
from wamock.data.store import ChatStore, Filters
from wamock.data.timestamps import epoch

CHATS = generate.generate_chats(150, 0, newest=collections.documented_chat(spec.load()))


def test_a_chats_messages_are_the_same_every_time():
    chat = CHATS[7]
    first = messages.history(chat)
    messages._history.cache_clear()

    assert messages.history(chat) == first


@pytest.mark.parametrize("chat", CHATS, ids=lambda chat: chat["jid"])
def test_messages_agree_with_their_chat(chat):
    history = messages.history(chat)

    assert 1 <= len(history) <= messages.MAX_MESSAGES
    assert history[0]["timestamp"] == chat["last_message_time"]
    assert all(epoch(message["timestamp"]) >= epoch(chat["created_at"]) for message in history)
    assert {message["chat_jid"] for message in history} == {chat["jid"]}
    assert any(message["media_type"] for message in history) is chat["has_media"]
    times = [epoch(message["timestamp"]) for message in history]
    assert times == sorted(times, reverse=True)
    assert len({message["id"] for message in history}) == len(history)


def test_the_accounts_messages_have_upstreams_short_ids_and_others_long_ones():
    history = [message for chat in CHATS[:20] for message in messages.history(chat)]

    assert {len(message["id"]) for message in history if message["is_from_me"]} == {22}
    assert {len(message["id"]) for message in history if not message["is_from_me"]} == {32}


def test_lengths_vary_up_to_the_longest_history():
    lengths = [len(messages.history(chat)) for chat in CHATS]

    assert min(lengths) < 100 and max(lengths) > 600


def test_a_groups_messages_come_from_its_members():
    group = next(chat for chat in CHATS if chat["jid"].endswith("@g.us"))
    members = {(jid, name) for jid, name, _ in groups.members(group)}

    senders = {(message["sender_jid"], message["sender_display_name"]) for message in messages.history(group)}

    assert senders <= members
    assert groups.group_info(group)["ParticipantCount"] == len(members)


def test_a_media_url_takes_the_requests_origin():
    message = {"url": messages.MEDIA_ROOT + "jpg"}

    assert messages.with_origin(message, "https://dash.example:8443")["url"] == (
        "https://dash.example:8443/statics/media/sample.jpg"
    )


def moved_records(records: list[dict], times: dict[str, str]) -> list[dict]:
    return [
        {**chat, "last_message_time": times[chat["jid"]], "updated_at": times[chat["jid"]]}
        if chat["jid"] in times
        else chat
        for chat in records
    ]


@given(records=data_sets(), picks=st.lists(st.integers(min_value=0), max_size=4), request=filters())
def test_moving_chats_to_the_top_serves_what_a_store_of_the_moved_chats_serves(records, picks, request):
    assume(records)
    times = {}
    for second, pick in enumerate(picks):
        times[records[pick % len(records)]["jid"]] = f"2099-01-01T00:00:{second:02d}Z"
    store = ChatStore(records)

    moved = store.with_last_message(times)

    expected = ChatStore(moved_records(records, times))
    for offset in (0, 1, 3):
        assert moved.page(limit=5, offset=offset, filters=request) == expected.page(
            limit=5, offset=offset, filters=request
        )
    assert moved.records() == expected.records()


def test_a_moved_chat_is_first_and_every_other_keeps_its_place():
    store = ChatStore(CHATS)
    before = [chat["jid"] for chat in store.records()]
    jid = before[100]

    after = [chat["jid"] for chat in store.with_last_message({jid: "2099-01-01T00:00:00Z"}).records()]

    assert after == [jid, *(other for other in before if other != jid)]


def test_moves_after_an_archive_keep_the_archive():
    store = ChatStore(CHATS)
    jid = store.records()[42]["jid"]

    moved = store.with_archived({jid: True}).with_last_message({jid: "2099-01-01T00:00:00Z"})

    assert moved.page(limit=1, offset=0, filters=Filters(archived=True)).data[0]["jid"] == jid
    assert moved.records()[0] == {**public_chat(moved.records()[0]), "has_media": moved.records()[0]["has_media"]}
    assert moved.records()[0]["archived"] is True


@pytest.mark.parametrize("count", [3, 40], ids=["a-scan-each", "one-pass"])
def test_positions_are_each_chats_position_however_many_are_looked_for(count):
    store = ChatStore([*CHATS, {**CHATS[5], "jid": 'odd "jid":"62811@s.whatsapp.net" \\\\', "has_media": False}])
    jids = [chat["jid"] for chat in store.records()[::3][:count]] + [
        "nobody@s.whatsapp.net",
        'odd "jid":"62811@s.whatsapp.net" \\\\',
    ]

    assert store.positions(jids) == {jid: store.position(jid) for jid in jids if store.position(jid) is not None}
    assert len(store.positions(jids)) == count + 1
