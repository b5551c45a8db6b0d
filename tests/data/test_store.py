"""The store's data semantics, as properties over generated data sets."""

from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import data_sets, filters, page_requests
from wamock.data.store import ChatStore, Filters


def reference_order(records: list[dict]) -> list[dict]:
    """The contract's order, written out plainly: newest first, then jid ascending."""
    by_jid = sorted(records, key=lambda chat: chat["jid"])
    return sorted(by_jid, key=lambda chat: datetime.fromisoformat(chat["last_message_time"]), reverse=True)


def public_chat(record: dict) -> dict:
    """A fixture record as a response shows it: without has_media, which only the mock uses."""
    return {name: value for name, value in record.items() if name != "has_media"}


def passes(chat: dict, filters: Filters) -> bool:
    """The contract's filters, written out plainly."""
    return (
        (chat["has_media"] or not filters.has_media)
        and (filters.archived is None or chat.get("archived", False) is filters.archived)
        and filters.search.lower() in chat["name"].lower()
    )


@given(records=data_sets(), request=page_requests())
def test_page_is_the_reference_slice(records, request):
    matching = [chat for chat in reference_order(records) if passes(chat, request["filters"])]
    expected = [public_chat(chat) for chat in matching[request["offset"] : request["offset"] + request["limit"]]]

    page = ChatStore(records).page(**request)

    assert page.data == expected
    assert (page.limit, page.offset, page.total) == (request["limit"], request["offset"], len(matching))


@given(records=data_sets(), limit=st.integers(1, 100), chosen=filters())
def test_walking_every_page_yields_each_chat_once_in_order(records, limit, chosen):
    store = ChatStore(records)
    walked, offset = [], 0
    while page := store.page(limit=limit, offset=offset, filters=chosen).data:
        walked += page
        offset += limit

    matching = [public_chat(chat) for chat in reference_order(records) if passes(chat, chosen)]
    assert walked == matching


@given(records=data_sets(), first=page_requests(), second=page_requests())
def test_total_depends_only_on_the_filter(records, first, second):
    store = ChatStore(records)
    second = {**second, "filters": first["filters"]}

    assert store.page(**first).total == store.page(**second).total


@given(records=data_sets())
def test_media_total_never_exceeds_the_unfiltered_total(records):
    store = ChatStore(records)

    assert store.page(limit=1, offset=0, filters=Filters(has_media=True)).total <= store.page(limit=1, offset=0).total
    assert len(store) == len(records)


def test_lower_case_t_and_z_are_rfc_3339_too():
    records = [
        {"jid": "a@g.us", "last_message_time": "2024-01-01t00:00:00z", "has_media": False},
        {"jid": "b@g.us", "last_message_time": "2024-01-02T00:00:00Z", "has_media": False},
    ]

    page = ChatStore(records).page(limit=2, offset=0).data

    assert [chat["jid"] for chat in page] == ["b@g.us", "a@g.us"]


def test_page_does_not_depend_on_input_order():
    records = [
        {"jid": "b@g.us", "last_message_time": "2024-01-01T00:00:00Z", "has_media": False},
        {"jid": "a@g.us", "last_message_time": "2024-01-01T07:00:00+07:00", "has_media": True},
        {"jid": "c@g.us", "last_message_time": "2024-01-02T00:00:00Z", "has_media": False},
    ]

    forwards = ChatStore(records).page(limit=3, offset=0).data
    backwards = ChatStore(records[::-1]).page(limit=3, offset=0).data

    assert [chat["jid"] for chat in forwards] == ["c@g.us", "a@g.us", "b@g.us"]
    assert backwards == forwards


@given(records=data_sets(), chosen=filters())
def test_archived_true_and_false_split_the_list(records, chosen):
    store = ChatStore(records)
    total = {
        archived: store.page(limit=1, offset=0, filters=Filters(chosen.has_media, archived, chosen.search)).total
        for archived in (None, True, False)
    }

    assert total[True] + total[False] == total[None]


def test_search_ignores_letter_case_and_matches_inside_names():
    records = [
        {"jid": f"{i}@s.whatsapp.net", "name": name, "last_message_time": "2024-01-01T00:00:00Z", "has_media": False}
        for i, name in enumerate(["John Doe", "Bojohnny", "JOHN", "Jane", "Émile", "émile"])
    ]
    store = ChatStore(records)

    assert store.page(limit=10, offset=0, filters=Filters(search="jOhN")).total == 3
    assert store.page(limit=10, offset=0, filters=Filters(search="ÉMI")).total == 2
    assert store.page(limit=10, offset=0, filters=Filters(search="zz")).data == []


@given(records=data_sets(), data=st.data(), request=page_requests())
def test_a_store_with_chats_archived_serves_what_a_store_built_with_them_serves(records, data, request):
    jids = [chat["jid"] for chat in records]
    changes = data.draw(st.dictionaries(st.sampled_from(jids), st.booleans()) if jids else st.just({}))
    changed = [{**chat, "archived": changes[chat["jid"]]} if chat["jid"] in changes else chat for chat in records]

    patched = ChatStore(records).with_archived(changes)
    built = ChatStore(changed)

    assert patched.page(**request) == built.page(**request)
    assert patched.records() == built.records()
    assert described(patched) == described(built)  # as a compiled file would hold it


def described(store: ChatStore) -> tuple:
    has_media, all_chats, with_media, archived, names = store.parts()
    return has_media, archived, [(bytes(part.blob), part.starts) for part in (all_chats, with_media, names)]


def test_a_jid_the_store_does_not_hold_has_no_position_and_archives_nothing():
    chat = {"jid": "1@s.whatsapp.net", "name": '"jid":"2@s.whatsapp.net"', "last_message_time": "2024-01-01T00:00:00Z"}
    store = ChatStore([{**chat, "has_media": False, "archived": False}])

    assert (store.position("1@s.whatsapp.net"), store.position("2@s.whatsapp.net")) == (0, None)
    assert store.with_archived({"2@s.whatsapp.net": True}).records() == store.records()
