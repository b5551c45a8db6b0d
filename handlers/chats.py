from connexion import request
from starlette.responses import Response

from wamock.serve import chat_list, envelope, state

ARCHIVE = "POST /chat/{chat_jid}/archive"


async def list_chats(limit, offset, has_media=False, search=None, archived=None, device_id=None):
    status, body = chat_list.page(
        state.current(),
        limit=limit,
        offset=offset,
        has_media=has_media,
        search=search,
        archived=archived,
        device_header=request.headers.get("x-device-id"),
        device_id=device_id,
    )
    return Response(body, status_code=status, media_type="application/json")


async def archive_chat(chat_jid, body, device_id=None):
    mock = state.current()
    try:
        device = chat_list.device_served(mock, mock.snapshot(), request.headers.get("x-device-id"), device_id)
    except chat_list.Refused as refused:
        return refused.body, refused.status
    archived = body["archived"]
    documented = mock.answers[ARCHIVE]
    if not mock.set_archived(device, chat_jid, archived):
        return envelope.chat_not_found(documented.get(404), chat_jid), 404
    return envelope.archived(documented[200].body, chat_jid, archived), 200
