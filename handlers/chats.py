"""The operations wamock implements itself, in any document that has them. The resolver
(`wamock.serve.routes`) gives each the facts of the served document as its first argument."""

from connexion import request
from starlette.responses import Response

from wamock.data.facts import DocumentFacts
from wamock.data.operations import CHAT_ARCHIVE, CHAT_LIST
from wamock.serve import chat_list, envelope, state


async def list_chats(facts: DocumentFacts, device_id=None, **query):
    status, body = chat_list.page(
        state.current(),
        facts.texts,
        facts.collections[CHAT_LIST],
        query,
        device_header=request.headers.get("x-device-id"),
        device_id=device_id,
    )
    return Response(body, status_code=status, media_type="application/json")


async def archive_chat(facts: DocumentFacts, chat_jid, body=None, device_id=None):
    mock = state.current()
    if not body:  # connexion gives an absent body as None or {}; an empty object sent is refused before this
        # The document may leave the body optional (upstream's does): a request without one is
        # valid, and upstream's Go binds it to zero values, `archived` false.
        body = {"archived": False}
    if not isinstance(body, dict) or "archived" not in body:
        return envelope.error("400", 'body: expected {"archived": true or false}'), 400
    try:
        device = chat_list.device_served(facts.texts, mock.snapshot(), request.headers.get("x-device-id"), device_id)
    except chat_list.Refused as refused:
        return refused.body, refused.status
    archived = body["archived"]
    documented = facts.answers[CHAT_ARCHIVE]
    if not mock.set_archived(device, chat_jid, archived):
        return envelope.chat_not_found(documented.get(404), chat_jid), 404
    return envelope.archived(documented[200].body, chat_jid, archived), 200
