"""What sends and message actions change, kept in the session's `messages` section
(`SharedState.change`): seen by every worker, cleared by reset, bounded.

The section holds
- `sent`: the messages sent, oldest first, each `{"device", "message"}` (the latest MAX_SENT);
- `changed`: what actions did to a message, by `device id` (the latest MAX_CHANGED): a new
  `content` (edit), its `reactions` (react), `gone` (revoke, delete);
- `moved`: the chats a send gave a new last message, `{device: {jid: {"time", "was"}}}`, `was`
  being the chat's own last message time, where its generated history ends. The state moves
  those chats to the top of the chat list (`wamock.serve.state.last_message_times`).

A chat's messages are its generated history (`wamock.data.messages`) and what was sent to it,
newest first, with the changes applied.
"""

import uuid
from datetime import UTC, datetime

from wamock.data import messages as generated
from wamock.data.timestamps import epoch, format_utc
from wamock.serve.state import MESSAGES, SharedState, Snapshot

MAX_SENT = 1000
MAX_CHANGED = 1000


def section(snapshot: Snapshot) -> dict:
    return snapshot.sections.get(MESSAGES) or {}


def chat_messages(snapshot: Snapshot, device: str, chat: dict) -> list[dict]:
    """Every message of `chat` (as the chat list serves it) for `device`, newest first."""
    kept = section(snapshot)
    was = ((kept.get("moved") or {}).get(device) or {}).get(chat["jid"])
    history = generated.history({**chat, "last_message_time": was["was"]} if was else chat)
    sent = [
        entry["message"]
        for entry in reversed(kept.get("sent") or [])
        if entry["device"] == device and entry["message"]["chat_jid"] == chat["jid"]
    ]
    changed = kept.get("changed") or {}
    found = []
    for message in [*sent, *history]:
        change = changed.get(key(device, message["id"]))
        if change is None:
            found.append(message)
        elif not change.get("gone"):
            found.append(changed_message(message, change))
    return found


def changed_message(message: dict, change: dict) -> dict:
    """The message with an action's change: fields replaced; `reaction`, the account's own
    (empty: taken back), in place of any it had, beside everyone else's."""
    fields = {name: value for name, value in change.items() if name != "reaction"}
    changed = {**message, **fields}
    if "reaction" in change:
        others = [reaction for reaction in message["reactions"] if not reaction.get("is_from_me")]
        changed["reactions"] = [*others, change["reaction"]] if change["reaction"] else others
    return changed


def key(device: str, message_id: str) -> str:
    return f"{device} {message_id}"


def now() -> str:
    return format_utc(datetime.now(UTC))


def send(mock: SharedState, device: str, jid: str, chat: dict | None, fields: dict) -> dict:
    """Add a message from the account to the chat of `jid` and move the chat (as served) to the
    top; the message. Without a chat (None: a number the data has no chat with, which upstream
    sends to all the same) the message is kept, and no chat is made for it."""
    moment = now()
    message = {
        "id": generated.message_id(f"sent {uuid.uuid4()}", from_me=True),  # unique, whichever worker sends
        "chat_jid": jid,
        "sender_jid": generated.OWN_JID,
        "sender_display_name": generated.OWN_NAME,
        "content": "",
        "timestamp": moment,
        "is_from_me": True,
        "media_type": None,
        "reactions": [],
        "filename": None,
        "url": None,
        "file_length": None,
        "created_at": moment,
        "updated_at": moment,
        **fields,
    }

    def change(kept):
        kept = kept or {}
        moved = dict(kept.get("moved") or {})
        if chat is not None:
            chats = dict(moved.get(device) or {})
            was = chats.get(jid, {}).get("was", chat["last_message_time"])
            chats[jid] = {"time": moment, "was": was}
            moved[device] = oldest_dropped(chats, MAX_SENT)
        sent = [*(kept.get("sent") or []), {"device": device, "message": message}][-MAX_SENT:]
        return {**kept, "sent": sent, "moved": moved}

    mock.change(MESSAGES, change)
    return message


def oldest_dropped(chats: dict, limit: int) -> dict:
    if len(chats) <= limit:
        return chats
    newest = sorted(chats.items(), key=lambda item: epoch(item[1]["time"]))[-limit:]
    return dict(newest)


def update(mock: SharedState, device: str, message_id: str, fields: dict) -> None:
    """Record what an action did to a message: fields replaced, or `{"gone": True}`."""

    def change(kept):
        kept = kept or {}
        changed = dict(kept.get("changed") or {})
        name = key(device, message_id)
        merged = {**changed.pop(name, {}), **fields}
        changed[name] = merged  # last: the latest change, kept longest
        return {**kept, "changed": dict(list(changed.items())[-MAX_CHANGED:])}

    mock.change(MESSAGES, change)
