"""A chat's messages, sends and message actions, over the data the chat list serves
(`wamock.serve.message_state`). The resolver gives each the facts of the served document first."""

from urllib.parse import unquote

import orjson
from connexion import request
from starlette.responses import Response

from wamock.data import messages as generated
from wamock.data.collections import EQUALS, PRESENT
from wamock.data.facts import DocumentFacts
from wamock.data.operations import MESSAGE_LIST
from wamock.serve import chat_list, envelope, message_state, state
from wamock.serve.routes import response_of, usual_answer

# What each send adds: its media type (None: text) and the body fields that make its text.
SENDS = {
    "/send/message": (None, ("message",)),
    "/send/link": (None, ("caption", "link")),
    "/send/contact": (None, ("contact_name", "contact_phone")),
    "/send/location": (None, ("latitude", "longitude")),
    "/send/poll": (None, ("question",)),
    "/send/image": ("image", ("caption",)),
    "/send/video": ("video", ("caption",)),
    "/send/audio": ("audio", ()),
    "/send/file": ("document", ("caption",)),
    "/send/sticker": ("sticker", ()),
}
# The body field of each media send that carries the file, and the one that carries its URL.
MEDIA_FIELDS = {"image": "image", "video": "video", "audio": "audio", "document": "file", "sticker": "sticker"}


def chat_jid_of(phone: str) -> str:
    """A chat's JID from a `phone` as upstream takes it: a bare number is a person's chat."""
    phone = unquote(phone.strip())
    return phone if "@" in phone else f"{phone}@s.whatsapp.net"


def origin() -> str:
    """The request's own origin, `scheme://host[:port]`: what a media URL starts with."""
    return f"{request.url.scheme}://{request.url.netloc}"


def served(facts: DocumentFacts, device_id):
    """The snapshot and the device a request is about; Refused if there is none."""
    snapshot = state.current().snapshot()
    device = chat_list.device_served(facts.texts, snapshot, request.headers.get("x-device-id"), device_id)
    return snapshot, device


async def list_messages(facts: DocumentFacts, chat_jid, device_id=None, **query):
    if MESSAGE_LIST not in facts.collections:  # not paged as upstream's: the document's own answer
        return response_of(usual_answer(facts.answers[MESSAGE_LIST]))
    try:
        snapshot, device = served(facts, device_id)
    except chat_list.Refused as refused:
        return refused.body, refused.status
    jid = chat_jid_of(chat_jid)
    chat = snapshot.devices.store(device).chat(jid)
    documented = facts.answers[MESSAGE_LIST]
    if chat is None:
        return envelope.chat_not_found(documented.get(404), jid), 404
    collection = facts.collections[MESSAGE_LIST]
    asked = collection.request(query)
    applied = asked.applied()
    if any(filter_.match == PRESENT for filter_, _ in applied):
        # The document: "When both media_only=true and isFromMe=false are provided, media_only
        # takes precedence and will return all media messages regardless of sender."
        applied = [
            (f, value) for f, value in applied if not (f.match == EQUALS and f.field == "is_from_me" and not value)
        ]
    found = [
        message
        for message in message_state.chat_messages(snapshot, device, chat)
        if all(filter_.keeps(message, value) for filter_, value in applied)
    ]
    limit = asked.size if asked.size >= 1 else collection.paging.size.default
    offset = max(asked.start, 0)
    page = [generated.with_origin(message, origin()) for message in found[offset : offset + limit]]
    chat.pop("has_media")
    body = {
        "code": chat_list.SUCCESS,
        "message": success_message(documented),
        "results": {
            "data": page,
            "pagination": {"limit": limit, "offset": offset, "total": len(found)},
            "chat_info": chat,
        },
    }
    return Response(orjson.dumps(body), media_type="application/json")


def success_message(documented: dict) -> str:
    body = documented[200].body if 200 in documented else None
    return body.get("message", "Success") if isinstance(body, dict) else "Success"


def sent_answer(facts: DocumentFacts, key: str, message_id: str) -> dict:
    """The operation's documented 200 answer, naming the message where its `results` is an
    object (SendResponse); as documented otherwise (star's GenericResponse has a string there)."""
    body = facts.answers[key][200].body
    if not isinstance(body, dict) or not isinstance(body.get("results"), dict):
        return body
    return {**body, "results": {**body["results"], "message_id": message_id}}


def send(facts: DocumentFacts, path: str, key: str, body, device_id):
    try:
        snapshot, device = served(facts, device_id)
    except chat_list.Refused as refused:
        return refused.body, refused.status
    body = body if isinstance(body, dict) else {}
    if not body.get("phone"):
        # The document lets `phone` out: a send to no one is answered as documented, and kept nowhere.
        return facts.answers[key][200].body, 200
    jid = chat_jid_of(str(body["phone"]))
    chat = snapshot.devices.store(device).chat(jid)
    media_type, text_fields = SENDS[path]
    fields = {"content": " ".join(str(body[name]) for name in text_fields if body.get(name) not in (None, ""))}
    if media_type is not None:
        fields.update(sent_media(media_type, body))
    message = message_state.send(state.current(), device, jid, chat, fields)
    return sent_answer(facts, key, message["id"]), 200


def sent_media(media_type: str, body: dict) -> dict:
    """The media fields of a media send: the file's name (uploaded, or the URL's last part), a sample to show."""
    name = MEDIA_FIELDS[media_type]
    upload, url = body.get(name), body.get(f"{name}_url")
    filename = getattr(upload, "filename", None) or (str(url).rsplit("/", 1)[-1] if url else f"{name}")
    kind = generated.MEDIA_KINDS[generated.media_kind(media_type, filename)]
    size = kind[3]
    if hasattr(upload, "file"):  # an uploaded file: connexion leaves it open
        with upload.file:
            size = len(upload.file.read())
    return {"media_type": media_type, "filename": filename, "url": generated.MEDIA_ROOT + kind[1], "file_length": size}


def sender(path: str):
    async def handler(facts: DocumentFacts, body=None, device_id=None, **_files):
        if isinstance(body, dict) and _files:
            body = {**body, **_files}
        return send(facts, path, f"POST {path}", body, device_id)

    return handler


send_message = sender("/send/message")
send_link = sender("/send/link")
send_contact = sender("/send/contact")
send_location = sender("/send/location")
send_poll = sender("/send/poll")
send_image = sender("/send/image")
send_video = sender("/send/video")
send_audio = sender("/send/audio")
send_file = sender("/send/file")
send_sticker = sender("/send/sticker")


def action(name: str, change):
    """A message action: `change(body)` is what it does to the message (None: nothing a read shows)."""

    async def handler(facts: DocumentFacts, message_id, body=None, device_id=None):
        try:
            _, device = served(facts, device_id)
        except chat_list.Refused as refused:
            return refused.body, refused.status
        body = body if isinstance(body, dict) else {}
        fields = change(body)
        if fields is not None:
            message_state.update(state.current(), device, message_id, fields)
        return sent_answer(facts, f"POST /message/{{message_id}}/{name}", message_id), 200

    return handler


def reacted(body: dict) -> dict:
    emoji = str(body.get("emoji") or "")
    if not emoji:  # an empty reaction takes the account's reaction back
        return {"reaction": ""}
    moment = message_state.now()
    return {"reaction": generated.reaction(emoji, generated.OWN_JID, generated.OWN_NAME, True, moment)}


revoke_message = action("revoke", lambda body: {"gone": True})
delete_message = action("delete", lambda body: {"gone": True})
update_message = action(
    "update", lambda body: {"content": str(body.get("message", "")), "updated_at": message_state.now()}
)
react_message = action("reaction", reacted)
# The document's ChatMessage has no field for these: they answer as upstream does and change no read.
read_message = action("read", lambda body: None)
star_message = action("star", lambda body: None)
unstar_message = action("unstar", lambda body: None)
