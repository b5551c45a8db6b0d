"""The store's data semantics, as properties over generated data sets."""

from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import data_sets, page_requests
from wamock.data.store import ChatStore, public_chat


def reference_order(records: list[dict]) -> list[dict]:
    """The contract's order, written out plainly: newest first, then jid ascending."""
    by_jid = sorted(records, key=lambda chat: chat["jid"])
    return sorted(by_jid, key=lambda chat: datetime.fromisoformat(chat["last_message_time"]), reverse=True)


@given(records=data_sets(), request=page_requests())
def test_page_is_the_reference_slice(records, request):
    matching = [chat for chat in reference_order(records) if chat["has_media"] or not request["has_media"]]
    expected = [public_chat(chat) for chat in matching[request["offset"] : request["offset"] + request["limit"]]]

    page = ChatStore(records).page(**request)

    assert page.data == expected
    assert (page.limit, page.offset, page.total) == (request["limit"], request["offset"], len(matching))


@given(records=data_sets(), limit=st.integers(1, 100), has_media=st.booleans())
def test_walking_every_page_yields_each_chat_once_in_order(records, limit, has_media):
    store = ChatStore(records)
    walked, offset = [], 0
    while page := store.page(limit=limit, offset=offset, has_media=has_media).data:
        walked += page
        offset += limit

    matching = [public_chat(chat) for chat in reference_order(records) if chat["has_media"] or not has_media]
    assert walked == matching


@given(records=data_sets(), first=page_requests(), second=page_requests())
def test_total_depends_only_on_the_filter(records, first, second):
    store = ChatStore(records)
    second = {**second, "has_media": first["has_media"]}

    assert store.page(**first).total == store.page(**second).total


@given(records=data_sets())
def test_media_total_never_exceeds_the_unfiltered_total(records):
    store = ChatStore(records)

    assert store.page(limit=1, offset=0, has_media=True).total <= store.page(limit=1, offset=0, has_media=False).total
    assert len(store) == len(records)


def test_lower_case_t_and_z_are_rfc_3339_too():
    records = [
        {"jid": "a@g.us", "last_message_time": "2024-01-01t00:00:00z", "has_media": False},
        {"jid": "b@g.us", "last_message_time": "2024-01-02T00:00:00Z", "has_media": False},
    ]

    page = ChatStore(records).page(limit=2, offset=0, has_media=False).data

    assert [chat["jid"] for chat in page] == ["b@g.us", "a@g.us"]


def test_page_does_not_depend_on_input_order():
    records = [
        {"jid": "b@g.us", "last_message_time": "2024-01-01T00:00:00Z", "has_media": False},
        {"jid": "a@g.us", "last_message_time": "2024-01-01T07:00:00+07:00", "has_media": True},
        {"jid": "c@g.us", "last_message_time": "2024-01-02T00:00:00Z", "has_media": False},
    ]

    forwards = ChatStore(records).page(limit=3, offset=0, has_media=False).data
    backwards = ChatStore(records[::-1]).page(limit=3, offset=0, has_media=False).data

    assert [chat["jid"] for chat in forwards] == ["c@g.us", "a@g.us", "b@g.us"]
    assert backwards == forwards
