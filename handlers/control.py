from wamock.data import fixtures
from wamock.serve import envelope, state
from wamock.words import counted


def get_chats() -> dict:
    devices = state.current().snapshot().devices  # read once: total and data of one data set
    return envelope.results(f"serving {counted(len(devices), 'chat')}", {"total": len(devices), "data": devices.data()})


def replace_chats(body) -> tuple[dict, int]:
    mock = state.current()
    try:
        data = fixtures.validate_data(body, mock.spec, source="body")
    except fixtures.FixtureError as exc:
        return envelope.error("400", str(exc)), 400
    mock.replace_data(data)
    total = sum(map(len, data.values()))
    return envelope.results(f"serving {counted(total, 'chat')}", {"total": total}), 200


def reset() -> tuple[dict, int]:
    try:
        state.current().reset()
    except fixtures.FixtureError as exc:
        return envelope.error("409", f"{exc}; still serving the data as it was"), 409
    return envelope.results("serving the fixtures, logged in", {}), 200


def get_session() -> dict:
    return envelope.results("session", {"logged_in": not state.current().snapshot().logged_out})


def set_session(body: dict) -> dict:
    mock = state.current()
    mock.set_logged_out(not body["logged_in"])
    return envelope.results("session", {"logged_in": body["logged_in"]})


def get_journal() -> dict:
    entries = state.current().journal.entries()
    return envelope.results(counted(len(entries), "request"), {"entries": entries})


def clear_journal() -> dict:
    state.current().journal.clear()
    return envelope.results("journal cleared", {})
