"""The security schemes of an OpenAPI document, read once: what each asks of a request.

HTTP bearer, OAuth2 and OpenID Connect all ask for a bearer token in Authorization (a mock
has no authorization server to ask about one); an apiKey for a named header, query parameter
or cookie; HTTP Basic for an account; any other HTTP scheme (Digest, ...) for Authorization
naming it; mutualTLS for nothing that plain HTTP can carry.
"""

from dataclasses import dataclass

from wamock.data.operations import operations
from wamock.data.spec import resolved

BEARER_TYPES = ("oauth2", "openIdConnect")  # a bearer token in Authorization, as HTTP bearer
API_KEY_PLACES = ("header", "query", "cookie")


@dataclass(frozen=True)
class Scheme:
    kind: str  # "basic", "bearer", "apiKey", "http" (another HTTP scheme) or "none" (asks nothing)
    place: str = "header"  # where an apiKey is: "header", "query" or "cookie"
    name: str = "Authorization"  # the header, query parameter or cookie; the scheme's word for "http"


def schemes_of(spec: dict) -> dict[str, Scheme]:
    """The document's security schemes, by name (shapes OpenAPI does not define left out)."""
    found = {}
    for name, declared in ((spec.get("components") or {}).get("securitySchemes") or {}).items():
        declared = resolved(spec, declared)
        if not isinstance(declared, dict):
            continue
        kind, word = declared.get("type"), str(declared.get("scheme", "")).strip()
        if kind == "http" and word.lower() in ("basic", "bearer"):
            found[name] = Scheme(word.lower())
        elif kind == "http" and word:
            found[name] = Scheme("http", name=word)
        elif kind in BEARER_TYPES:
            found[name] = Scheme("bearer")
        elif kind == "apiKey" and declared.get("in") in API_KEY_PLACES and isinstance(declared.get("name"), str):
            found[name] = Scheme("apiKey", declared["in"], declared["name"])
        elif kind == "mutualTLS":
            found[name] = Scheme("none")
    return found


def undeclared(spec: dict) -> str | None:
    """Where the document's security names a scheme it does not declare, said in words; else None."""
    declared = (spec.get("components") or {}).get("securitySchemes") or {}
    named = [("security", spec.get("security"))] + [
        (f"paths.{op.path}.{op.method.lower()}.security", op.document.get("security"))
        for op in operations(spec).values()
    ]
    for where, requirements in named:
        for requirement in requirements if isinstance(requirements, list) else ():
            for name in requirement if isinstance(requirement, dict) else ():
                if name not in declared:
                    return f"{where}: names the security scheme {name!r}, which components.securitySchemes does not declare"
    return None
