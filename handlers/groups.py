"""Groups, from the chats that are groups (`wamock.data.groups`). The resolver gives each
handler the facts of the served document first."""

from handlers.messages import chat_jid_of, chat_list, served, success_message
from handlers.users import documented
from wamock.data import groups

MAX_GROUPS = 500  # upstream's document: "returns a maximum of 500 groups" (a WhatsApp limit)


def group_chat(facts, key: str, group_id, device_id):
    """The group chat `group_id` names, or the answer instead: a refusal for the device, or for a
    group the data does not hold, the document's own answer (the request is one the document
    allows: refusing it would be refusing a valid request)."""
    try:
        snapshot, device = served(facts, device_id)
    except chat_list.Refused as refused:
        return None, (refused.body, refused.status)
    jid = chat_jid_of(group_id or "")
    chat = snapshot.devices.store(device).chat(jid) if jid.endswith("@g.us") else None
    if chat is None:
        return None, documented(facts, key)
    return chat, None


async def my_groups(facts, device_id=None):
    try:
        snapshot, device = served(facts, device_id)
    except chat_list.Refused as refused:
        return refused.body, refused.status
    chats = snapshot.devices.store(device).records()
    found = [groups.group_info(chat) for chat in chats if chat["jid"].endswith("@g.us")][:MAX_GROUPS]
    message = success_message(facts.answers["GET /user/my/groups"])
    return {"code": chat_list.SUCCESS, "message": message, "results": {"data": found}}, 200


async def group_info(facts, group_id=None, device_id=None):
    if group_id is None:  # the document lets it out: its own answer
        return documented(facts, "GET /group/info")
    chat, instead = group_chat(facts, "GET /group/info", group_id, device_id)
    if instead:
        return instead
    message = success_message(facts.answers["GET /group/info"])
    return {"status": 200, "code": chat_list.SUCCESS, "message": message, "results": groups.group_info(chat)}, 200


async def group_participants(facts, group_id=None, device_id=None):
    if group_id is None:
        return documented(facts, "GET /group/participants")
    chat, instead = group_chat(facts, "GET /group/participants", group_id, device_id)
    if instead:
        return instead
    message = success_message(facts.answers["GET /group/participants"])
    return {"code": chat_list.SUCCESS, "message": message, "results": groups.participants(chat)}, 200
