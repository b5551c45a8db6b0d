from starlette.responses import Response

from wamock import envelope, state


async def list_chats(limit: int, offset: int, has_media: bool):
    snapshot = state.current().snapshot()
    if snapshot.logged_out:
        return envelope.logged_out(), 500
    page = snapshot.store.encoded_page(limit=limit, offset=offset, has_media=has_media)
    return Response(envelope.success("Success get chat list", page), media_type="application/json")
