from urllib.parse import unquote

from connexion import request
from starlette.responses import Response

from wamock.data.devices import DeviceRequired, UnknownDevice
from wamock.data.store import Filters
from wamock.serve import envelope, state


async def list_chats(limit, offset, has_media, search=None, archived=None, device_id=None):
    mock = state.current()
    snapshot = mock.snapshot()
    header = request.headers.get("x-device-id")
    try:
        store = snapshot.devices.store_for(unquote(header) if header is not None else device_id)
    except DeviceRequired:
        return envelope.device_required(), 400
    except UnknownDevice as unknown:
        return envelope.device_not_found(mock.texts.device_not_found, unknown.args[0]), 404
    if snapshot.logged_out:
        return mock.texts.logged_out, 500
    filters = Filters(has_media=has_media, archived=archived, search=search or "")
    page = store.encoded_page(limit=limit, offset=offset, filters=filters)
    return Response(envelope.success(mock.texts.success, page), media_type="application/json")
