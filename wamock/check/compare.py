"""With --compare: whether another implementation answers the same request the same way.

Two servers disagreeing is not one of them breaking the contract: a difference is reported
under its own heading, as the first differing JSON path with both values and a count of the rest.
"""

from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx

from wamock.check.checks import ARRAY_INDEX, Contract, Exchange, RuleBroken, excerpt, shown


def media_type(content_type: str | None) -> str:
    """`multipart/form-data` of `multipart/form-data; boundary=x` (none: "")."""
    return (content_type or "").split(";")[0].strip().lower()


def responses_agree(here: Exchange, there: Exchange) -> None:
    """Raises RuleBroken with the first way two answers to one request differ."""
    if here.status != there.status:
        raise RuleBroken(
            f"Status differs: {here.status} here, {there.status} there",
            f"Here: {excerpt(here.content)}",
            f"There: {excerpt(there.content)}",
        )
    here_type, there_type = (media_type(e.headers.get("content-type", "")) for e in (here, there))
    if here_type != there_type:
        raise RuleBroken(f"Content type differs on {here.status}", f"Here: {here_type}", f"There: {there_type}")
    mine, theirs = here.json(), there.json()
    if mine is None or theirs is None:
        if here.content != there.content:
            raise RuleBroken(
                f"Body differs on {here.status}", f"Here: {excerpt(here.content)}", f"There: {excerpt(there.content)}"
            )
        return
    found = list(differences(mine, theirs, ""))
    if not found:
        return
    where, a, b = found[0]
    pattern = ARRAY_INDEX.sub("[*]", where) or "(root)"
    evidence = [f"Here: {where or '(root)'} = {a}", f"There: {where or '(root)'} = {b}"]
    if len(found) > 1:
        evidence.append(f"and {len(found) - 1} more differences in this body")
    raise RuleBroken(f"Body differs on {here.status} at {pattern}", *evidence)


def differences(here, there, where: str) -> Iterator[tuple[str, str, str]]:
    """Each JSON path where two bodies differ, with both values as shown in a report."""
    if isinstance(here, dict) and isinstance(there, dict):
        for key in sorted(set(here) | set(there), key=str):
            inner = f"{where}.{key}" if where else str(key)
            if key not in there:
                yield inner, shown(here[key]), "(absent)"
            elif key not in here:
                yield inner, "(absent)", shown(there[key])
            else:
                yield from differences(here[key], there[key], inner)
    elif isinstance(here, list) and isinstance(there, list):
        for index, (mine, theirs) in enumerate(zip(here, there, strict=False)):
            yield from differences(mine, theirs, f"{where}[{index}]")
        if len(here) != len(there):
            yield f"{where}.length", str(len(here)), str(len(there))
    elif here != there or type(here) is not type(there):
        yield where, shown(here), shown(there)


def agrees_with_peer(exchange: Exchange, contract: Contract) -> None:
    """The other implementation (--compare) answers the same request the same way."""
    if contract.peer is None:
        return
    request = urlsplit(exchange.url)
    url = f"{request.path}?{request.query}" if request.query else request.path
    headers = {k: v for k, v in exchange.sent.items() if k not in ("host", "content-length")}
    try:
        other = contract.peer.request(exchange.method, url, headers=headers)
    except httpx.HTTPError as exc:
        raise RuleBroken("The other implementation did not answer", f"Received: {exc or type(exc).__name__}") from None
    responses_agree(exchange, Exchange.of_httpx(other))
