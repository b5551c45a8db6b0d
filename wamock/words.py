"""Counted nouns for what wamock prints: "1 chat", "2 chats", "1,000,000 requests"."""


def counted(number: int, noun: str, plural: str | None = None) -> str:
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"
