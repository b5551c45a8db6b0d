"""What the served document says, read once when the app is made: every operation's documented
answers, the texts GET /chats answers with, and the collections. Nothing changes them while
serving; the parts that need them are given them."""

from dataclasses import dataclass, field

from wamock.data import examples
from wamock.data.collections import Collection
from wamock.data.examples import Answer, Texts
from wamock.data.inference import served_collections


@dataclass(frozen=True)
class DocumentFacts:
    spec: dict = field(repr=False)
    answers: dict[str, dict[int, Answer]]  # every operation's documented answers, by `METHOD /path`
    texts: Texts
    collections: dict[str, Collection]  # described or inferred (`wamock.data.inference`), by the list's key

    @classmethod
    def read(cls, spec: dict, source=None) -> "DocumentFacts":
        """`source`, the document's file, finds the collections file beside it."""
        return cls(spec, examples.document_answers(spec), examples.texts(spec), served_collections(spec, source))
