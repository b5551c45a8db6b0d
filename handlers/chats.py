from wamock import envelope, state


async def list_chats(limit: int, offset: int, has_media: bool) -> tuple[dict, int]:
    mock = state.current()
    if mock.logged_out:
        return envelope.logged_out(), 500
    page = mock.store.page(limit=limit, offset=offset, has_media=has_media)
    return envelope.success("Success get chat list", page), 200
