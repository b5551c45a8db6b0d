"""RFC 3339 date-times, as chats carry them: one reading for the store, the generator and the checker."""

from datetime import datetime


def parse(timestamp: str) -> datetime:
    """An RFC 3339 date-time, whose `t` and `z` may be lower case; ValueError if it is not one."""
    return datetime.fromisoformat(timestamp.upper())


def epoch(timestamp: str) -> float:
    """Seconds since the epoch."""
    return parse(timestamp).timestamp()


def format_utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
