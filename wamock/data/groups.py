"""Groups and users as upstream describes them (whatsmeow's GroupInfo, GOWA's participant and
user items), made from the chats: a group is a chat whose JID ends in `@g.us`, its name the
chat's, its members those who write in its messages (`wamock.data.messages.participants`)."""

from wamock.data import messages

USER_SERVER = "s.whatsapp.net"


def members(chat: dict) -> list[tuple[str, str, bool]]:
    """(jid, name, is_admin) of every member, the account first; the creator is the group's super admin."""
    others = messages.participants(chat["jid"])
    return [
        (messages.OWN_JID, messages.OWN_NAME, True),
        *((jid, name, index == 0) for index, (jid, name) in enumerate(others)),
    ]


def group_info(chat: dict) -> dict:
    """The group as whatsmeow's GroupInfo (upstream's /group/info and /user/my/groups items)."""
    people = members(chat)
    creator = people[1][0] if len(people) > 1 else messages.OWN_JID
    return {
        "JID": chat["jid"],
        "OwnerJID": creator,
        "OwnerPN": creator,
        "Name": chat.get("name") or "",
        "NameSetAt": chat["created_at"],
        "NameSetBy": creator,
        "NameSetByPN": creator,
        "GroupCreated": chat["created_at"],
        "CreatorCountryCode": creator[:2],
        "ParticipantVersionID": "",
        "ParticipantCount": len(people),
        "Participants": [
            {
                "JID": jid,
                "PhoneNumber": jid,
                "LID": "",
                "IsAdmin": admin,
                "IsSuperAdmin": jid == creator,
                "DisplayName": "",
                "Error": 0,
                "AddRequest": None,
            }
            for jid, _, admin in people
        ],
        "MemberAddMode": "admin_add",
        "Suspended": False,
        "AddressingMode": "pn",
        "IsLocked": False,
        "IsAnnounce": False,
        "AnnounceVersionID": "",
        "IsEphemeral": bool(chat.get("ephemeral_expiration")),
        "DisappearingTimer": int(chat.get("ephemeral_expiration") or 0),
        "IsIncognito": False,
        "IsJoinApprovalRequired": False,
        "DefaultMembershipApprovalMode": "",
        "IsParent": False,
        "LinkedParentJID": "",
        "IsDefaultSubGroup": False,
        "Topic": "",
        "TopicID": "",
        "TopicDeleted": False,
        "TopicSetAt": chat["created_at"],
        "TopicSetBy": "",
        "TopicSetByPN": "",
    }


def participants(chat: dict) -> dict:
    """The group's members as GOWA's /group/participants lists them."""
    people = members(chat)
    creator = people[1][0] if len(people) > 1 else messages.OWN_JID
    return {
        "group_id": chat["jid"],
        "name": chat.get("name") or "",
        "participants": [
            {
                "jid": jid,
                "phone_number": jid,
                "lid": None,
                "display_name": name,
                "is_admin": admin,
                "is_super_admin": jid == creator,
            }
            for jid, name, admin in people
        ],
    }


def user_info(chat: dict) -> dict:
    """A person's chat as upstream's /user/info describes the user."""
    user = chat["jid"].split("@", 1)[0]
    return {
        "verified_name": chat.get("name") or "",
        "status": "",
        "picture_id": picture_id(chat["jid"]),
        "devices": [{"User": user, "Agent": 0, "Device": "UNKNOWN", "Server": USER_SERVER, "AD": True}],
    }


def picture_id(jid: str) -> str:
    return str(int(messages.message_id(f"picture {jid}", from_me=False)[:8], 16))
