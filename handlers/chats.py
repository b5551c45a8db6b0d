from urllib.parse import unquote

from connexion import request
from starlette.responses import Response

from wamock.data.devices import DeviceRequired, UnknownDevice
from wamock.data.store import Filters
from wamock.serve import envelope, state

ARCHIVE = "POST /chat/{chat_jid}/archive"


class Refused(Exception):
    """The request cannot be served: `answer` says why, as connexion takes a handler's answer."""

    def __init__(self, answer: tuple) -> None:
        super().__init__(answer)
        self.answer = answer


async def list_chats(limit, offset, has_media=False, search=None, archived=None, device_id=None):
    mock = state.current()
    snapshot = mock.snapshot()
    try:
        store = snapshot.devices.stores[device_served(mock, snapshot, device_id)]
    except Refused as refused:
        return refused.answer
    # A document without the contract's minimum (upstream's) lets these through: upstream reads
    # limit=0 as its default, and no chat comes before the first.
    limit = limit if limit >= 1 else mock.texts.default_limit
    offset = max(offset, 0)
    filters = Filters(has_media=has_media, archived=archived, search=search or "")
    page = store.encoded_page(limit=limit, offset=offset, filters=filters)
    return Response(envelope.success(mock.texts.success, page), media_type="application/json")


async def archive_chat(chat_jid, body, device_id=None):
    mock = state.current()
    snapshot = mock.snapshot()
    try:
        device = device_served(mock, snapshot, device_id)
    except Refused as refused:
        return refused.answer
    archived = body["archived"]
    documented = mock.answers[ARCHIVE]
    if not mock.set_archived(device, chat_jid, archived):
        return envelope.chat_not_found(documented.get(404), chat_jid), 404
    return envelope.archived(documented[200].body, chat_jid, archived), 200


def device_served(mock: state.SharedState, snapshot: state.Snapshot, device_id: str | None) -> str:
    """The device whose chats the request is about, named by the X-Device-Id header (which may
    be URL-encoded), else by `device_id`; Refused if there is none, or no WhatsApp session."""
    header = request.headers.get("x-device-id")
    try:
        device = snapshot.devices.key_for(unquote(header) if header is not None else device_id)
    except DeviceRequired:
        raise Refused((envelope.device_required(), 400)) from None
    except UnknownDevice as unknown:
        raise Refused((envelope.device_not_found(mock.texts.device_not_found, unknown.args[0]), 404)) from None
    if snapshot.logged_out:
        raise Refused((mock.texts.logged_out, 500))
    return device
