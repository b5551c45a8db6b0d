"""The app factory: connexion serving an OpenAPI document (spec/openapi.yaml by default) and the control API, with wamock's parts.

The ASGI stack, outside in: the envelope guard (in place of connexion's server-error guard),
the Host allow-list, the state, the accounts, the request journal, the fast path of GET /chats,
CORS, the published document (/openapi.json and .yaml), the control API's guard, delays and `Prefer`, the answer cache, then connexion's own exception handlers, Swagger UI, routing,
security, the preferred status, parameter validation and the handlers.
"""

import copy
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from connexion import AsyncApp
from connexion.exceptions import InvalidSpecification
from connexion.middleware import ConnexionMiddleware, MiddlewarePosition
from connexion.middleware.server_error import ServerErrorMiddleware
from connexion.options import SwaggerUIOptions
from connexion.resolver import RelativeResolver
from jsonschema.exceptions import best_match

from wamock import processes
from wamock.adapters.uvicorn import Limits, redact_query
from wamock.data import dialect, fixtures
from wamock.data import document as document_module
from wamock.data import spec as spec_module
from wamock.data.accounts import DEFAULT_ACCOUNT
from wamock.data.facts import DocumentFacts
from wamock.data.paths import CONTROL_SPEC_FILE, DEFAULT_FIXTURES, SPEC_FILE
from wamock.data.security import undeclared
from wamock.serve import CONTROL_PREFIX, devices, errors, live, plain_pages, resources, statics
from wamock.serve.answer_cache import ResponseCacheMiddleware
from wamock.serve.auth import Accounts, AccountsMiddleware, Security, with_accounts, with_checks
from wamock.serve.bodies import ChunkedBodyLength, MalformedContentType
from wamock.serve.encodings import FormsAsJSON
from wamock.serve.journal import JournalMiddleware
from wamock.serve.plain_pages import FastChatsPath
from wamock.serve.published import PublishedDocument, base_path, published_paths
from wamock.serve.routes import HANDLED, DocumentResolver, in_routing_order
from wamock.serve.safety import ControlGuard, HostAllowList, PathCORS
from wamock.serve.scenarios import DelayAndPreferMiddleware, PreferredStatusMiddleware
from wamock.serve.server import EnvelopeHttpToolsProtocol
from wamock.serve.state import JOURNAL_LIMIT, SharedState, StateMiddleware
from wamock.serve.validation import VALIDATORS, StrictURIParser

CONTROL_HANDLERS = "handlers"  # the package that the control API's operationIds name functions of


@dataclass
class Settings:
    spec_file: Path | str = SPEC_FILE  # or an http(s) URL
    allow_refs: list[str] = field(default_factory=list)  # files and URL prefixes the document's $refs may reach
    fixtures_file: Path = DEFAULT_FIXTURES
    accounts: list[str] = field(default_factory=lambda: [DEFAULT_ACCOUNT])
    tokens: list[str] = field(default_factory=list)  # bearer, OAuth2, OpenID Connect; empty: any non-empty token
    api_keys: list[str] = field(default_factory=list)  # [NAME=]VALUE; a scheme none names takes any non-empty key
    logged_out: bool = False
    delay_ms: int = 0
    cors_origins: list[str] = field(default_factory=list)  # empty: any origin
    control_origins: list[str] = field(default_factory=list)  # empty: the control API only from its own origin
    allowed_hosts: list[str] = field(default_factory=list)  # beyond localhost and IP addresses; "*": any
    control: bool = True
    control_accounts: list[str] = field(default_factory=list)  # empty: the control API is open
    state_dir: Path | None = None  # given: join that running mock's state (a worker does)
    max_body: int = Limits.max_body
    request_timeout: float = Limits.request_timeout
    max_connections: int = Limits.max_connections
    journal_limit: int = JOURNAL_LIMIT
    cache: bool = True  # replay connexion's answer to a request it has already judged
    fast_path: bool = True  # answer GET /chats requests provably valid without connexion's chain
    access_log: bool = False  # a line on standard output for each API request

    def limits(self) -> Limits:
        return Limits(
            max_body=self.max_body, request_timeout=self.request_timeout, max_connections=self.max_connections
        )


def create_app(settings: Settings | None = None, *, chats: list[dict] | dict | None = None, **overrides) -> AsyncApp:
    """An app for `settings` (or the defaults with `overrides`); `chats` (as a fixture file holds them) replace the fixtures' data."""
    settings = settings or Settings(**overrides)
    spec_file = settings.spec_file
    spec = spec_module.load(spec_file, tuple(settings.allow_refs))
    chats_file = resources.chats_file(settings.fixtures_file, DEFAULT_FIXTURES)
    if settings.state_dir is not None:
        state = SharedState(
            settings.state_dir, fixtures_file=chats_file, spec=spec, journal_limit=settings.journal_limit
        )
    else:
        state = SharedState.create(
            fixtures_file=chats_file,
            spec=spec,
            logged_out=settings.logged_out,
            journal_limit=settings.journal_limit,
        )
    if chats is not None:
        state.replace_data(fixtures.validate_data(chats, spec, source="chats"))
    state.snapshot()  # load before the first request, not during it
    facts = DocumentFacts.read(spec, spec_file)
    served = resources.of_document(spec, facts.collections, settings.fixtures_file, handled=HANDLED)

    app = AsyncApp(
        __name__,
        # The document is self-contained (`wamock.data.document`): connexion opens no file of it.
        specification_dir=Path.cwd() if document_module.is_url(spec_file) else Path(spec_file).parent,
        validator_map=VALIDATORS,
        uri_parser_class=StrictURIParser,
        middlewares=[
            errors.EnvelopeGuard if m is ServerErrorMiddleware else m for m in ConnexionMiddleware.default_middlewares
        ],
    )
    unknown_scheme = undeclared(spec)
    if unknown_scheme:
        raise spec_module.SpecError(f"{spec_file}: {unknown_scheme}")
    try:
        app.add_api(
            # a 3.1 document's 3.0 view, its values judged by its own schemas (wamock.data.dialect),
            # its paths in routing order
            with_checks(in_routing_order(dialect.connexion_view(spec))),
            resolver=DocumentResolver(facts, served),
            # wamock publishes the document itself, rendered once (wamock.serve.published)
            swagger_ui_options=SwaggerUIOptions(serve_spec=False),
        )
    except InvalidSpecification as exc:
        # Of a oneOf's failures, jsonschema's best guess at the one meant ("'description' is a
        # required property", not "{} is not valid under any of the given schemas").
        detail = best_match(exc.context) or exc
        where = ".".join(map(str, detail.absolute_path)) or "(top)"
        raise spec_module.SpecError(f"{spec_file}: {where}: not valid OpenAPI: {detail.message[:200]}") from None
    if settings.control:
        app.add_api(
            with_accounts(control_spec(settings), "control_basic_info"),
            base_path=CONTROL_PREFIX,
            resolver=RelativeResolver(CONTROL_HANDLERS),
        )

    outside_handlers = MiddlewarePosition.BEFORE_EXCEPTION
    app.add_middleware(HostAllowList, position=outside_handlers, allowed_hosts=settings.allowed_hosts)
    app.add_middleware(StateMiddleware, position=outside_handlers, state=state)
    api_accounts = Accounts.parse(settings.accounts)
    control = Accounts.parse(settings.control_accounts) if settings.control_accounts else api_accounts
    security = security_of(spec, settings)
    app.add_middleware(
        AccountsMiddleware, position=outside_handlers, api=api_accounts, control=control, security=security
    )
    api_base = base_path(spec)
    gowa = devices.applies(spec)  # GOWA's document: its devices' live updates, QR codes and media
    secret_query = security.secret_query_names() | (live.SECRET_QUERY if gowa else frozenset())
    if gowa:
        redact_query(live.SECRET_QUERY)
        app.add_middleware(
            live.LiveUpdates,
            position=outside_handlers,
            state=state,
            accounts=api_accounts,
            allowed_hosts=settings.allowed_hosts,
            origins=settings.cors_origins,
            base_path=api_base,
        )
    app.add_middleware(
        JournalMiddleware,
        position=outside_handlers,
        access_log=settings.access_log,
        secret_query=secret_query,
    )
    if gowa:
        app.add_middleware(statics.Statics, position=outside_handlers, base_path=api_base)
    # The fast path answers a plain page as soon as it is journaled: it computes one faster than
    # the cache can find and keep it, and takes what CORS, `Prefer` and delays would do to it
    # (nothing but `Vary: Origin`) on to connexion's path instead. The cache keeps the rest.
    rules = plain_pages.compiled(facts) if settings.fast_path and not settings.delay_ms else None
    if rules is not None:
        app.add_middleware(FastChatsPath, position=outside_handlers, rules=rules)
    declared_headers = spec_module.request_headers(spec)  # CORS allows them; cached answers vary by them
    control_cors = cors_options(settings.control_origins) if settings.control_origins else None
    api_cors = cors_options(settings.cors_origins, [*declared_headers, *security.api_key_headers()])
    app.add_middleware(
        PathCORS,
        position=outside_handlers,
        api=api_cors,
        control=control_cors,
        published=published_cors(settings.cors_origins),
        published_paths=set(published_paths(api_base)),
    )
    app.add_middleware(PublishedDocument, position=outside_handlers, document=spec, base_path=api_base)
    if settings.control:
        app.add_middleware(ControlGuard, position=outside_handlers, control_origins=settings.control_origins)
    app.add_middleware(DelayAndPreferMiddleware, position=outside_handlers, delay_ms=settings.delay_ms)
    if settings.cache:
        app.add_middleware(
            ResponseCacheMiddleware,
            position=outside_handlers,
            paths=set(spec.get("paths") or {}),  # 3.1 lets a document have none
            varies=declared_headers,
            credentials=security.credential_headers(),
        )
    app.add_middleware(PreferredStatusMiddleware, position=MiddlewarePosition.BEFORE_VALIDATION, answers=facts.answers)
    app.add_middleware(ChunkedBodyLength, position=MiddlewarePosition.BEFORE_VALIDATION)
    app.add_middleware(MalformedContentType, position=MiddlewarePosition.BEFORE_VALIDATION)
    if gowa:
        app.add_middleware(FormsAsJSON, position=MiddlewarePosition.BEFORE_VALIDATION, spec=spec, base_path=api_base)
    errors.register(app, facts, api_base)
    return app


WORKER_SETTINGS_VAR = "WAMOCK_WORKER_SETTINGS"
SUPERVISOR_VAR = "WAMOCK_SUPERVISOR"


def worker_environment(settings: Settings) -> dict[str, str]:
    """What a worker process needs to build the same app: the settings, as JSON; and the pid of
    the process that starts it, whose end is its own."""
    return {WORKER_SETTINGS_VAR: json.dumps(asdict(settings), default=str), SUPERVISOR_VAR: str(os.getpid())}


def worker_app() -> AsyncApp:
    """The app factory each worker of `wamock serve --workers N` calls (uvicorn imports it)."""
    if SUPERVISOR_VAR in os.environ:  # set by `wamock serve --workers N`, whose end is this worker's
        processes.end_with_parent(int(os.environ[SUPERVISOR_VAR]))
    raw = json.loads(os.environ[WORKER_SETTINGS_VAR])
    paths = {name: Path(raw[name]) for name in ("spec_file", "fixtures_file", "state_dir") if raw[name] is not None}
    settings = Settings(**{**raw, **paths})
    EnvelopeHttpToolsProtocol.limits = settings.limits()
    return create_app(settings)


def security_of(spec: dict, settings: Settings) -> Security:
    """What the document's security schemes accept, with the tokens and keys of `settings` (AccountError if one is bad)."""
    return Security(spec, tokens=settings.tokens, api_keys=settings.api_keys)


def control_spec(settings: Settings) -> dict:
    """The control API's spec, open or behind its own accounts as configured."""
    spec = copy.deepcopy(spec_module.load(CONTROL_SPEC_FILE))
    if not settings.control_accounts:
        spec["security"] = []
    return spec


def published_cors(origins: list[str]) -> dict:
    """The document is public: any origin (or the allowed ones) may read it, never with credentials."""
    return {"allow_origins": origins or ["*"], "allow_methods": ["GET"], "allow_credentials": False}


def cors_options(origins: list[str], spec_headers: list[str] = ()) -> dict:
    # With no list, any origin is echoed back (not "*"), which browsers require when a page
    # sends credentials.
    allowed = {"allow_origins": origins} if origins else {"allow_origin_regex": ".*"}
    return {
        **allowed,
        "allow_credentials": True,
        "allow_methods": ["GET", "POST", "PUT", "PATCH", "DELETE"],
        # Every header the served spec declares (X-Device-Id, ...), and those wamock reads itself.
        "allow_headers": ["Authorization", "Content-Type", "Prefer", *spec_headers],
        "expose_headers": ["WWW-Authenticate"],
        "max_age": 600,
    }
