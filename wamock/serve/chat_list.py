"""What GET /chats answers, once its request is known to be valid: one function for both paths
to it, connexion's handler (`handlers.chats.list_chats`) and the fast path (`wamock.serve.plain_pages`)."""

from urllib.parse import unquote

from wamock.data.devices import DeviceRequired, UnknownDevice
from wamock.data.store import Filters
from wamock.serve import envelope
from wamock.serve.state import SharedState, Snapshot


class Refused(Exception):
    """The request cannot be served: `status` and `body` (the envelope) say why."""

    def __init__(self, status: int, body: dict) -> None:
        super().__init__(status, body)
        self.status = status
        self.body = body


def device_served(mock: SharedState, snapshot: Snapshot, header: str | None, device_id: str | None) -> str:
    """The device whose chats a request is about, named by the X-Device-Id header (which may be
    URL-encoded), else by `device_id`; Refused if there is none, or no WhatsApp session."""
    try:
        device = snapshot.devices.key_for(unquote(header) if header is not None else device_id)
    except DeviceRequired:
        raise Refused(400, envelope.device_required()) from None
    except UnknownDevice as unknown:
        raise Refused(404, envelope.device_not_found(mock.texts.device_not_found, unknown.args[0])) from None
    if snapshot.logged_out:
        raise Refused(500, mock.texts.logged_out)
    return device


def page(
    mock: SharedState,
    *,
    limit: int,
    offset: int,
    has_media: bool = False,
    search: str | None = None,
    archived: bool | None = None,
    device_header: str | None = None,
    device_id: str | None = None,
) -> tuple[int, bytes]:
    """Status and body of GET /chats for these (valid) parameters."""
    snapshot = mock.snapshot()
    try:
        store = snapshot.devices.stores[device_served(mock, snapshot, device_header, device_id)]
    except Refused as refused:
        return refused.status, envelope.encode(refused.body)
    # A document without the contract's minimum (upstream's) lets these through: upstream reads
    # limit=0 as its default, and no chat comes before the first.
    limit = limit if limit >= 1 else mock.texts.default_limit
    offset = max(offset, 0)
    filters = Filters(has_media=has_media, archived=archived, search=search or "")
    return 200, envelope.success(mock.texts.success, store.encoded_page(limit=limit, offset=offset, filters=filters))
