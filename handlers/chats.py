from starlette.responses import Response

from wamock.serve import envelope, state


async def list_chats(limit: int, offset: int, has_media: bool):
    mock = state.current()
    snapshot = mock.snapshot()
    if snapshot.logged_out:
        return mock.texts.logged_out, 500
    page = snapshot.store.encoded_page(limit=limit, offset=offset, has_media=has_media)
    return Response(envelope.success(mock.texts.success, page), media_type="application/json")
