"""Users, from the chats with persons (`wamock.data.groups`): a user the device has a chat with
is on WhatsApp. The resolver gives each handler the facts of the served document first."""

from handlers.messages import chat_jid_of, chat_list, origin, served, success_message
from wamock.data import groups, messages
from wamock.serve.routes import response_of, usual_answer


def person(facts, phone, device_id):
    """The chat with the user `phone` names (None: none), and an error answer if the request has no device."""
    try:
        snapshot, device = served(facts, device_id)
    except chat_list.Refused as refused:
        return None, (refused.body, refused.status)
    jid = chat_jid_of(phone or "")
    return (snapshot.devices.store(device).chat(jid) if jid.endswith("@s.whatsapp.net") else None), None


def documented(facts, key: str):
    """The document's own answer: for a request that names no one (the document lets `phone` out)."""
    return response_of(usual_answer(facts.answers[key]))


async def user_info(facts, phone=None, device_id=None):
    if phone is None:
        return documented(facts, "GET /user/info")
    chat, refused = person(facts, phone, device_id)
    if refused or chat is None:
        # Someone the data does not hold: the document's own answer, as for a request naming no one.
        return refused or documented(facts, "GET /user/info")
    message = success_message(facts.answers["GET /user/info"])
    return {"code": chat_list.SUCCESS, "message": message, "results": groups.user_info(chat)}, 200


async def user_check(facts, phone=None, device_id=None):
    if phone is None:
        return documented(facts, "GET /user/check")
    chat, refused = person(facts, phone, device_id)
    if refused:
        return refused
    message = success_message(facts.answers["GET /user/check"])
    return {"code": chat_list.SUCCESS, "message": message, "results": {"is_on_whatsapp": chat is not None}}, 200


async def user_avatar(facts, phone=None, device_id=None, **_options):
    if phone is None:
        return documented(facts, "GET /user/avatar")
    chat, refused = person(facts, phone, device_id)
    if refused or chat is None:
        # Someone the data does not hold: the document's own answer, as for a request naming no one.
        return refused or documented(facts, "GET /user/info")
    results = {
        "url": origin() + messages.MEDIA_ROOT + "jpg",
        "id": groups.picture_id(chat["jid"]),
        "type": "image",
    }
    return {
        "code": chat_list.SUCCESS,
        "message": success_message(facts.answers["GET /user/avatar"]),
        "results": results,
    }, 200


async def my_contacts(facts, device_id=None):
    try:
        snapshot, device = served(facts, device_id)
    except chat_list.Refused as refused:
        return refused.body, refused.status
    chats = snapshot.devices.store(device).records()
    found = [{"jid": chat["jid"], "name": chat["name"]} for chat in chats if chat["jid"].endswith("@s.whatsapp.net")]
    message = success_message(facts.answers["GET /user/my/contacts"])
    return {"code": chat_list.SUCCESS, "message": message, "results": {"data": found}}, 200
