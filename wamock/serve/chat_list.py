"""What GET /chats answers, once its request is known to be valid: one function for both paths
to it, connexion's handler (`handlers.chats.list_chats`) and the fast path (`wamock.serve.plain_pages`).

The page itself is the collection's (`wamock.data.collections`): its parameters, filters and
where the answer holds them. What only GET /chats has is here: devices, and the document's
texts around the page.
"""

from urllib.parse import unquote

from wamock.data.collections import Collection
from wamock.data.device_registry import added_through_the_api
from wamock.data.devices import DeviceRequired, UnknownDevice
from wamock.data.examples import Texts
from wamock.data.store import Filters
from wamock.serve import envelope
from wamock.serve.state import SharedState, Snapshot

SUCCESS = "SUCCESS"  # the code of every success envelope (CONTRACT.md)
DEVICES_SECTION = "devices"  # the session's section that GOWA's device registry keeps (wamock.serve.devices)


class Refused(Exception):
    """The request cannot be served: `status` and `body` (the envelope) say why."""

    def __init__(self, status: int, body: dict) -> None:
        super().__init__(status, body)
        self.status = status
        self.body = body


def device_served(texts: Texts, snapshot: Snapshot, header: str | None, device_id: str | None) -> str:
    """The device whose chats a request is about, named by the X-Device-Id header (which may be
    URL-encoded), else by `device_id`; Refused if there is none, or no WhatsApp session. A device
    added through GOWA's API is its own, with no chats (no key of the data set's stores)."""
    named = unquote(header) if header is not None else device_id
    try:
        if added_through_the_api(snapshot.sections.get(DEVICES_SECTION), named):
            device = named
        else:
            device = snapshot.devices.key_for(named)
    except DeviceRequired:
        raise Refused(400, envelope.device_required()) from None
    except UnknownDevice as unknown:
        raise Refused(404, envelope.device_not_found(texts.device_not_found, unknown.args[0])) from None
    if snapshot.logged_out:
        raise Refused(500, texts.logged_out)
    return device


def page(
    mock: SharedState,
    texts: Texts,
    chats: Collection,
    arguments: dict,
    *,
    device_header: str | None = None,
    device_id: str | None = None,
) -> tuple[int, bytes]:
    """Status and body of GET /chats for these (valid) query arguments, read and defaults applied."""
    snapshot = mock.snapshot()
    try:
        store = snapshot.devices.store(device_served(texts, snapshot, device_header, device_id))
    except Refused as refused:
        return refused.status, envelope.encode(refused.body)
    request = chats.request(arguments)
    # A document without the contract's minimum (upstream's) lets these through: upstream reads
    # limit=0 as its default, and no chat comes before the first.
    limit = request.size if request.size >= 1 else texts.default_limit
    offset = max(request.start, 0)
    found = store.encoded_page(limit=limit, offset=offset, filters=Filters.of(request))
    frame = {"code": SUCCESS, "message": texts.success}
    return 200, chats.answer(frame, found.chats, found.limit, found.offset, found.total)
