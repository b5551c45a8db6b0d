"""GOWA's messages through HTTP (in process, upstream's document): a chat's history paged and
filtered, sends and actions changing it, the chat list following, reset restoring, and groups
and users answering from the same chats."""

import httpx
import pytest
import yaml

from tests.conftest import AUTH, JSON, TEST_HOST, UPSTREAM, needs_upstream
from wamock.data import examples, spec
from wamock.data.timestamps import epoch
from wamock.serve.app import create_app

pytestmark = needs_upstream


@pytest.fixture(scope="module")
def app():
    return create_app(spec_file=UPSTREAM, allowed_hosts=[TEST_HOST, "dash.example"])


@pytest.fixture
def gowa(app):
    with app.test_client() as client:
        client.auth = AUTH
        yield client
        client.post("/__wamock/reset", headers=JSON, json={})


def chats(client: httpx.Client, **query) -> list[dict]:
    return client.get("/chats", params={"limit": 100, **query}).json()["results"]["data"]


def messages(client: httpx.Client, jid: str, **query) -> dict:
    answer = client.get(f"/chat/{jid}/messages", params=query)
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]


def whole_history(client: httpx.Client, jid: str, **query) -> list[dict]:
    """Every message of the chat, paged back with offset as a dashboard's "Older" does."""
    found, offset = [], 0
    while True:
        page = messages(client, jid, limit=100, offset=offset, **query)
        found += page["data"]
        offset += 100
        if offset >= page["pagination"]["total"]:
            assert len(found) == page["pagination"]["total"]
            return found


def media_chat(client) -> dict:
    return chats(client, has_media="true")[0]


def test_paging_back_reaches_every_message_once_newest_first(gowa):
    chat = max(chats(gowa)[:40], key=lambda chat: messages(gowa, chat["jid"], limit=1)["pagination"]["total"])

    history = whole_history(gowa, chat["jid"])

    assert len(history) > 100
    assert len({message["id"] for message in history}) == len(history)
    times = [epoch(message["timestamp"]) for message in history]
    assert times == sorted(times, reverse=True)
    assert history[0]["timestamp"] == chat["last_message_time"]


def test_the_answer_carries_the_chat_as_the_chat_list_shows_it(gowa):
    chat = chats(gowa)[3]

    assert messages(gowa, chat["jid"], limit=1)["chat_info"] == chat


def test_the_limit_defaults_to_the_documents(gowa):
    page = messages(gowa, media_chat(gowa)["jid"])

    assert page["pagination"]["limit"] == 50


@pytest.mark.parametrize(
    ("query", "keeps"),
    [
        pytest.param({"media_only": "true"}, lambda message: message["media_type"] is not None, id="media_only"),
        pytest.param({"is_from_me": "true"}, lambda message: message["is_from_me"] is True, id="from-me"),
        pytest.param({"is_from_me": "false"}, lambda message: message["is_from_me"] is False, id="from-others"),
        pytest.param({"search": "TERIMA"}, lambda message: "terima" in message["content"].lower(), id="search"),
        pytest.param(
            {"media_only": "true", "is_from_me": "true"},
            lambda message: message["media_type"] is not None and message["is_from_me"],
            id="my-media",
        ),
        pytest.param(
            {"media_only": "true", "is_from_me": "false"},
            lambda message: message["media_type"] is not None,
            id="media-takes-precedence",
        ),
    ],
)
def test_filters_keep_exactly_the_messages_that_pass(gowa, query, keeps):
    chat = max(
        chats(gowa, has_media="true")[:15], key=lambda chat: messages(gowa, chat["jid"], limit=1)["pagination"]["total"]
    )
    everything = whole_history(gowa, chat["jid"])

    kept = whole_history(gowa, chat["jid"], **query)

    assert kept == [message for message in everything if keeps(message)]
    assert 0 < len(kept) < len(everything)


def test_a_time_range_keeps_the_messages_within_it_bounds_included(gowa):
    everything = whole_history(gowa, media_chat(gowa)["jid"])
    start, end = everything[-1 - len(everything) // 3]["timestamp"], everything[len(everything) // 3]["timestamp"]

    kept = whole_history(gowa, media_chat(gowa)["jid"], start_time=start, end_time=end)

    assert kept == [m for m in everything if epoch(start) <= epoch(m["timestamp"]) <= epoch(end)]
    assert kept[0]["timestamp"] == end and kept[-1]["timestamp"] == start


def test_a_chat_with_media_has_media_messages_and_one_without_has_none(gowa):
    with_media = media_chat(gowa)
    without = next(chat for chat in chats(gowa) if chat["jid"] not in {c["jid"] for c in chats(gowa, has_media="true")})

    assert messages(gowa, with_media["jid"], media_only="true")["pagination"]["total"] > 0
    assert messages(gowa, without["jid"], media_only="true")["pagination"]["total"] == 0


def test_a_media_url_is_built_from_the_requests_own_origin(gowa):
    jid = media_chat(gowa)["jid"]

    page = gowa.get(f"/chat/{jid}/messages", params={"media_only": "true"}, headers={"Host": "dash.example"})

    urls = {message["url"] for message in page.json()["results"]["data"]}
    assert urls and all(url.startswith("http://dash.example/statics/media/sample.") for url in urls)


def test_an_unknown_chat_is_the_documented_404(gowa):
    assert gowa.get("/chat/620000000001@s.whatsapp.net/messages").status_code == 404


def test_a_sent_text_comes_first_in_its_chat_and_its_chat_moves_to_the_top(gowa):
    chat = chats(gowa)[60]
    before = messages(gowa, chat["jid"], limit=5)
    total = before["pagination"]["total"]

    answer = gowa.post("/send/message", json={"phone": chat["jid"], "message": "Halo dari wamock"})

    assert answer.status_code == 200
    assert messages(gowa, chat["jid"], limit=4, offset=1)["data"] == before["data"][:4]
    first = messages(gowa, chat["jid"], limit=1)
    assert first["pagination"]["total"] == total + 1
    sent = first["data"][0]
    assert (sent["id"], sent["content"], sent["is_from_me"]) == (
        answer.json()["results"]["message_id"],
        "Halo dari wamock",
        True,
    )
    top = gowa.get("/chats", params={"limit": 1}).json()["results"]["data"][0]
    assert top["jid"] == chat["jid"]
    assert top["last_message_time"] == sent["timestamp"] == first["chat_info"]["last_message_time"]


# connexion 3.3's form validator (validators/form_data.py) parses the upload once more to judge it
# and never closes that copy: its temporary file is left to the garbage collector.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_sent_image_is_a_media_message_with_its_file_name(gowa):
    chat = chats(gowa)[70]

    answer = gowa.post(
        "/send/image",
        data={"phone": chat["jid"], "caption": "the cat"},
        files={"image": ("cat.png", b"\x89PNG\r\n\x1a\n", "image/png")},
    )

    assert answer.status_code == 200, answer.text
    sent = messages(gowa, chat["jid"], limit=1)["data"][0]
    assert (sent["media_type"], sent["filename"], sent["content"]) == ("image", "cat.png", "the cat")
    assert sent["url"] == "http://testserver/statics/media/sample.png"
    assert messages(gowa, chat["jid"], limit=1, media_only="true")["data"][0]["id"] == sent["id"]


def test_a_send_to_a_number_without_a_chat_succeeds_and_makes_no_chat(gowa):
    """As upstream, which sends to any number; the mock makes no chat for it (yet)."""
    before = chats(gowa)

    answer = gowa.post("/send/message", json={"phone": "620000000001", "message": "hi"})

    assert answer.status_code == 200
    assert chats(gowa) == before
    assert gowa.get("/chat/620000000001@s.whatsapp.net/messages").status_code == 404


def test_reset_restores_the_history_and_the_chat_list(gowa):
    before = chats(gowa)
    jid = before[90]["jid"]
    history = messages(gowa, jid, limit=5)
    gowa.post("/send/message", json={"phone": jid, "message": "gone after reset"})
    gowa.post(f"/message/{history['data'][0]['id']}/revoke", json={"phone": jid})

    gowa.post("/__wamock/reset", headers=JSON, json={})

    assert chats(gowa) == before
    assert messages(gowa, jid, limit=5) == history


def action(client, name: str, jid: str, message_id: str, **body) -> None:
    answer = client.post(f"/message/{message_id}/{name}", json={"phone": jid, **body})
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"]["message_id"] == message_id


@pytest.mark.parametrize("name", ["revoke", "delete"])
def test_a_revoked_or_deleted_message_is_gone(gowa, name):
    jid = chats(gowa)[10]["jid"]
    before = messages(gowa, jid, limit=3)
    gone = before["data"][1]

    action(gowa, name, jid, gone["id"])

    after = messages(gowa, jid, limit=3)
    assert gone["id"] not in [message["id"] for message in after["data"]]
    assert after["pagination"]["total"] == before["pagination"]["total"] - 1


def test_an_edited_message_shows_its_new_text(gowa):
    jid = chats(gowa)[11]["jid"]
    message = messages(gowa, jid, limit=2)["data"][1]

    action(gowa, "update", jid, message["id"], message="edited text")

    edited = messages(gowa, jid, limit=2)["data"][1]
    assert (edited["id"], edited["content"]) == (message["id"], "edited text")


def test_a_reaction_is_added_beside_others_and_taken_back_with_an_empty_one(gowa):
    jid, offset, message = next(
        (chat["jid"], offset, message)
        for chat in chats(gowa)
        for offset, message in enumerate(messages(gowa, chat["jid"], limit=100)["data"])
        if message["reactions"]
    )

    action(gowa, "reaction", jid, message["id"], emoji="🙏")
    action(gowa, "reaction", jid, message["id"], emoji="👍")
    reacted = messages(gowa, jid, limit=1, offset=offset)["data"][0]
    action(gowa, "reaction", jid, message["id"], emoji="")

    assert reacted["reactions"] == [
        *message["reactions"],
        {**reacted["reactions"][-1], "emoji": "👍", "is_from_me": True},
    ]
    assert messages(gowa, jid, limit=1, offset=offset)["data"][0] == message


def test_groups_are_the_group_chats_with_their_names(gowa):
    group_chats = {
        chat["jid"]: chat["name"] for chat in chats(gowa) + chats(gowa, offset=100) if chat["jid"].endswith("@g.us")
    }

    groups = gowa.get("/user/my/groups").json()["results"]["data"]

    assert {group["JID"]: group["Name"] for group in groups} == group_chats


def test_a_groups_info_and_participants_agree_with_its_messages(gowa):
    group = next(chat for chat in chats(gowa) if chat["jid"].endswith("@g.us"))

    info = gowa.get("/group/info", params={"group_id": group["jid"]}).json()["results"]
    listed = gowa.get("/group/participants", params={"group_id": group["jid"]}).json()["results"]

    assert (info["Name"], listed["name"]) == (group["name"], group["name"])
    members = {participant["jid"] for participant in listed["participants"]}
    assert {participant["JID"] for participant in info["Participants"]} == members
    assert info["ParticipantCount"] == len(members)
    assert {message["sender_jid"] for message in whole_history(gowa, group["jid"])} <= members


def test_a_group_or_user_the_data_does_not_hold_gets_the_documents_answer(gowa):
    """Such a request is one the document allows: a refusal would be refusing a valid request
    (wamock check's positive_data_acceptance), so it is answered as the document answers it."""
    documented = gowa.get("/group/info").json()  # naming no group: the document's own answer

    group = gowa.get("/group/info", params={"group_id": "1203630000@g.us"})
    user = gowa.get("/user/info", params={"phone": "620000000001"})
    sent = gowa.post("/send/message", json={"message": "to no one"})

    assert (group.status_code, group.json()) == (200, documented)
    assert (user.status_code, user.json()) == (200, gowa.get("/user/info").json())
    assert sent.status_code == 200, sent.text


def test_users_are_the_persons_the_device_has_chats_with(gowa):
    person = next(chat for chat in chats(gowa) if chat["jid"].endswith("@s.whatsapp.net"))
    number = person["jid"].split("@")[0]

    info = gowa.get("/user/info", params={"phone": person["jid"]}).json()["results"]
    known = gowa.get("/user/check", params={"phone": number}).json()["results"]
    unknown = gowa.get("/user/check", params={"phone": "620000000001"}).json()["results"]
    contacts = gowa.get("/user/my/contacts").json()["results"]["data"]

    assert (info["verified_name"], info["devices"][0]["User"]) == (person["name"], number)
    assert (known, unknown) == ({"is_on_whatsapp": True}, {"is_on_whatsapp": False})
    assert {"jid": person["jid"], "name": person["name"]} in contacts


@pytest.mark.parametrize(
    "target",
    [
        "/user/info",
        "/user/check",
        "/user/avatar",
        "/group/info",
        "/group/participants?group_id=120363024512399999%40g.us",  # required: the document's example
    ],
)
def test_a_request_naming_no_one_gets_the_documents_own_answer(gowa, target):
    """The document lets `phone` and `group_id` out, or gives the example group no chat holds:
    such a request answers the document's own example, 200."""
    documented = examples.document_answers(spec.load(UPSTREAM))[f"GET {target.split('?')[0]}"][200].body

    answer = gowa.get(target)

    assert (answer.status_code, answer.json()) == (200, documented)


def test_a_document_whose_messages_are_not_paged_answers_its_own_example(tmp_path):
    """Without `offset`, GET /chat/{chat_jid}/messages is no collection wamock can page: it answers as documented."""
    document = yaml.safe_load(UPSTREAM.read_text())
    operation = document["paths"]["/chat/{chat_jid}/messages"]["get"]
    operation["parameters"] = [p for p in operation["parameters"] if p.get("name") != "offset"]
    example = {"code": "SUCCESS", "message": "documented", "results": {"data": []}}
    operation["responses"]["200"]["content"]["application/json"]["example"] = example
    (tmp_path / "gowa.yaml").write_text(yaml.safe_dump(document))

    with create_app(spec_file=tmp_path / "gowa.yaml", allowed_hosts=[TEST_HOST]).test_client() as client:
        answer = client.get("/chat/6289685028129@s.whatsapp.net/messages", auth=AUTH)

    assert (answer.status_code, answer.json()) == (200, example)


@pytest.mark.parametrize("name", ["read", "star", "unstar"])
def test_actions_no_read_shows_answer_as_documented(gowa, name):
    """Star and unstar document a GenericResponse (`results` a string), read a SendResponse."""
    jid = chats(gowa)[13]["jid"]
    message = messages(gowa, jid, limit=1)["data"][0]
    documented = examples.document_answers(spec.load(UPSTREAM))[f"POST /message/{{message_id}}/{name}"][200].body

    answer = gowa.post(f"/message/{message['id']}/{name}", json={"phone": jid})

    expected = (
        {**documented, "results": {**documented["results"], "message_id": message["id"]}}
        if name == "read"
        else documented
    )
    assert (answer.status_code, answer.json()) == (200, expected)
    assert messages(gowa, jid, limit=1)["data"][0] == message
