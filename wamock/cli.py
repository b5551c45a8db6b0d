"""The `wamock` command: serve the mock (the default), generate fixtures, check an implementation.

Exit status: 0 on success, 1 when a check finds the contract broken, 2 for a usage error
(a bad option, an unreadable file, a busy port); on a signal, see wamock/processes.py
(SIGINT 130, SIGTERM 0, with any number of workers).
"""

import argparse
import os
import shlex
import shutil
import sys
import urllib.parse
from pathlib import Path

from wamock import __version__, processes
from wamock.adapters.uvicorn import Limits
from wamock.check.credentials import Credentials, CredentialsError
from wamock.data import collections
from wamock.data import spec as spec_module
from wamock.data.accounts import DEFAULT_ACCOUNT, ENV_VAR, AccountError, parse_account, parse_token, split_env
from wamock.data.document import source_argument
from wamock.data.fixtures import FixtureError
from wamock.data.operations import CHAT_LIST, operations
from wamock.data.paths import DEFAULT_FIXTURES, SPEC_FILE
from wamock.serve.auth import Accounts
from wamock.serve.server import ServeError
from wamock.serve.state import JOURNAL_LIMIT
from wamock.words import counted

COMMANDS = ("serve", "fixtures", "check")
CHATS_COUNT = 150  # `wamock fixtures`' chats
ALLOW_REF_HELP = (
    "A file, folder or URL prefix that the document's $refs may reach beyond its own folder; repeat for more. "
    "Default: only the document's folder and below, no URL."
)
USAGE_ERROR = 2


class UsageError(Exception):
    """A user error: printed as one line, `error: ...`, with exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wamock",
        description="A mock server and contract checker for GET /chats of the WhatsApp multi-device REST API.",
        epilog="With no command, wamock serves the mock on http://127.0.0.1:3000.",
    )
    parser.add_argument("--version", action="version", version=f"wamock {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser("serve", help="Serve the mock API (the default command).")
    serve.add_argument("--host", default="127.0.0.1", help="Address to listen on (default: %(default)s).")
    serve.add_argument("--port", type=int, default=3000, help="Port to listen on (default: %(default)s).")
    serve.add_argument(
        "--spec",
        type=source_argument,
        default=SPEC_FILE,
        help="OpenAPI file or http(s) URL to serve (default: the bundled spec).",
    )
    serve.add_argument("--allow-ref", action="append", metavar="PATH_OR_URL_PREFIX", help=ALLOW_REF_HELP)
    serve.add_argument(
        "--fixtures",
        type=Path,
        default=DEFAULT_FIXTURES,
        help="JSON list of chats to serve (default: the bundled 150 chats).",
    )
    serve.add_argument(
        "--auth",
        action="append",
        metavar="USER:PASSWORD",
        help=f"An account to accept; repeat for more. Default: ${ENV_VAR} (u1:p1,u2:p2), else {DEFAULT_ACCOUNT}.",
    )
    serve.add_argument(
        "--token",
        action="append",
        metavar="TOKEN",
        help="A bearer token to accept (HTTP bearer, OAuth2, OpenID Connect schemes); repeat for more. "
        "Default: any non-empty token.",
    )
    serve.add_argument(
        "--api-key",
        action="append",
        metavar="[NAME=]VALUE",
        help="An API key to accept (apiKey schemes); NAME, a scheme's or its parameter's name, keeps it to those "
        "schemes; repeat for more. A scheme no key applies to accepts any non-empty key.",
    )
    serve.add_argument(
        "--logged-out", action="store_true", help="Answer /chats as upstream does with no WhatsApp session: 500."
    )
    serve.add_argument(
        "--delay", type=int, default=0, metavar="MS", help="Answer every API request this many milliseconds late."
    )
    serve.add_argument(
        "--cors-origin",
        action="append",
        metavar="ORIGIN",
        help="An origin that browsers may call from (e.g. http://localhost:5173); repeat for more. Default: any origin.",
    )
    serve.add_argument(
        "--workers", type=int, default=1, help="Worker processes on the one port (default: %(default)s)."
    )
    serve.add_argument("--no-control", action="store_true", help="Turn the control API (/__wamock/) off.")
    serve.add_argument(
        "--control-auth",
        action="append",
        metavar="USER:PASSWORD",
        help="Put the control API behind these Basic credentials; repeat for more. Default: open.",
    )
    serve.add_argument(
        "--control-origin",
        action="append",
        metavar="ORIGIN",
        help="An origin whose pages may use the control API (CORS included); repeat for more. "
        "Default: none, only the mock's own pages and non-browser clients.",
    )
    serve.add_argument(
        "--allowed-host",
        action="append",
        metavar="NAME",
        help="A host name clients may reach wamock by, beyond localhost and IP addresses (a guard against "
        "DNS rebinding); repeat for more; '*' allows any.",
    )
    serve.add_argument(
        "--max-body",
        type=int,
        default=Limits.max_body,
        metavar="BYTES",
        help="Largest request body (the control API's data sets); larger ones get 413 (default: %(default)s).",
    )
    serve.add_argument(
        "--request-timeout",
        type=float,
        default=Limits.request_timeout,
        metavar="SECONDS",
        help="Time a client has to send a whole request; then 408 (default: %(default)s).",
    )
    serve.add_argument(
        "--max-connections",
        type=int,
        default=Limits.max_connections,
        metavar="N",
        help="Open connections at most; more get 503 (default: %(default)s).",
    )
    serve.add_argument(
        "--shutdown-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="On SIGTERM, time the requests in flight have to finish; the rest get 503 (default: %(default)s).",
    )
    serve.add_argument(
        "--journal-limit",
        type=int,
        default=JOURNAL_LIMIT,
        metavar="N",
        help="Requests the journal keeps, the latest (default: %(default)s).",
    )
    serve.add_argument("--no-access-log", action="store_true", help="Do not log each request.")
    serve.add_argument(
        "--no-cache",
        action="store_true",
        help="Do not replay answers to requests answered before (for measuring).",
    )
    serve.add_argument(
        "--no-fast-path",
        action="store_true",
        help="Take every GET /chats through connexion's whole chain (for measuring and comparing).",
    )
    serve.set_defaults(run=run_serve)

    generate = commands.add_parser(
        "fixtures",
        help="Write a realistic, deterministic data set of chats, or of the collections of a document without GET /chats.",
    )
    generate.add_argument(
        "--count",
        type=int,
        help=f"How many chats (default: {CHATS_COUNT}), or items per collection (default: as many as served without a file).",
    )
    generate.add_argument(
        "--seed", type=int, default=0, help="Seed: the same count and seed give the same file (default: %(default)s)."
    )
    generate.add_argument("-o", "--output", type=Path, help="File to write (default: standard output).")
    generate.add_argument(
        "--devices",
        type=int,
        default=0,
        metavar="N",
        help='N devices (device-1, ...), each with --count chats of its own, as {"devices": {...}} '
        "(default: a plain list, one device).",
    )
    generate.add_argument(
        "--spec",
        type=source_argument,
        default=SPEC_FILE,
        help="OpenAPI file whose 200 example leads the data set; without GET /chats, the file whose collections to fill.",
    )
    generate.set_defaults(run=run_fixtures)

    check = commands.add_parser(
        "check",
        help="Fuzz an implementation of GET /chats and report every way it breaks the contract.",
        description="Fuzz an implementation of GET /chats (any URL) with Schemathesis and wamock's own checks. "
        "Exit 0: it conforms; 1: it breaks the contract; 2: usage error, or the server cannot be reached or checked.",
    )
    check.add_argument("url", help="Base URL of the implementation, e.g. http://127.0.0.1:3000")
    check.add_argument(
        "--auth",
        metavar="USER:PASSWORD",
        default=DEFAULT_ACCOUNT,
        help="HTTP Basic credentials the implementation accepts (default: %(default)s).",
    )
    check.add_argument(
        "--token",
        metavar="TOKEN",
        help="A bearer token, sent to operations behind an HTTP bearer, OAuth2 or OpenID Connect scheme.",
    )
    check.add_argument(
        "--api-key",
        action="append",
        metavar="[NAME=]VALUE",
        help="A key for the apiKey scheme named NAME (by scheme or parameter name), or, without NAME, any; "
        "repeatable. Each operation is sent what its security requirement asks.",
    )
    check.add_argument(
        "-H",
        "--header",
        action="append",
        metavar="NAME:VALUE",
        help="A header sent with every request; repeatable.",
    )
    check.add_argument(
        "--max-time",
        type=float,
        metavar="SECONDS",
        help="Stop sending cases and probes after this long (each target); the report says the run was cut short.",
    )
    check.add_argument(
        "--refusals-expected",
        action="store_true",
        help="Most answers being 401 or 403 is what the run means to test: not a finding.",
    )
    check.add_argument("--seed", type=int, help="Seed for the generated cases; the same seed sends the same requests.")
    check.add_argument(
        "--max-examples",
        type=int,
        default=100,
        help="Most generated cases per Schemathesis phase (default: %(default)s).",
    )
    check.add_argument(
        "--data",
        type=Path,
        metavar="FILE",
        help="The fixture file the implementation serves: every page is then known exactly, and compared.",
    )
    check.add_argument(
        "--compare",
        metavar="OTHER_URL",
        help="Send the same requests to another implementation and report every answer that differs.",
    )
    check.add_argument(
        "--device",
        action="append",
        metavar="ID",
        help="A device the implementation serves (X-Device-Id); repeat for each. The first is named in every "
        "request; an unknown one must then get 404, and with several, none at all 400.",
    )
    check.add_argument(
        "--spec", type=source_argument, default=SPEC_FILE, help="OpenAPI file or http(s) URL to check against."
    )
    check.add_argument("--allow-ref", action="append", metavar="PATH_OR_URL_PREFIX", help=ALLOW_REF_HELP)
    check.add_argument("--junit-xml", type=Path, metavar="FILE", help="Also write the results as JUnit XML.")
    check.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        help="Seconds for each whole exchange, from sending a request to the last byte of its answer "
        "(default: %(default)s).",
    )
    check.set_defaults(run=run_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--version")):
        argv.insert(0, "serve")
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (UsageError, AccountError, CredentialsError, FixtureError, ServeError, spec_module.SpecError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        return processes.INTERRUPTED
    except processes.Stopped:
        return processes.STOPPED


def accounts_from(args: argparse.Namespace) -> tuple[list[str], bool]:
    """The accounts to accept (checked), and whether they are the documented default."""
    if args.auth:
        specs, is_default = args.auth, False
    elif os.environ.get(ENV_VAR):
        specs, is_default = split_env(os.environ[ENV_VAR]), False
    else:
        specs, is_default = [DEFAULT_ACCOUNT], True
    Accounts.parse(specs)
    return specs, is_default


def settings_from(args: argparse.Namespace):
    """The app's settings from `serve`'s options, each checked; and whether the accounts are the default."""
    from wamock.serve.app import Settings
    from wamock.serve.scenarios import MAX_DELAY_MS

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: must be from 0 to 65535")
    if not 0 <= args.delay <= MAX_DELAY_MS:
        raise UsageError(f"--delay {args.delay}: must be from 0 to {MAX_DELAY_MS} milliseconds")
    if not 1 <= args.workers <= 64:
        raise UsageError(f"--workers {args.workers}: must be from 1 to 64")
    for flag, value, low, high in (
        ("--max-body", args.max_body, 1024, 2**40),
        ("--request-timeout", args.request_timeout, 0.1, 3600),
        ("--max-connections", args.max_connections, 1, 100_000),
        ("--journal-limit", args.journal_limit, 0, 10_000_000),
        ("--shutdown-timeout", args.shutdown_timeout, 0, 3600),
    ):
        if not low <= value <= high:
            raise UsageError(f"{flag} {value:g}: must be from {low:g} to {high:g}")
    accounts, is_default = accounts_from(args)
    if args.control_auth:
        Accounts.parse(args.control_auth)
    settings = Settings(
        spec_file=args.spec,
        allow_refs=args.allow_ref or [],
        fixtures_file=args.fixtures,
        accounts=accounts,
        tokens=[parse_token(token) for token in args.token or []],
        api_keys=args.api_key or [],
        logged_out=args.logged_out,
        delay_ms=args.delay,
        cors_origins=args.cors_origin or [],
        control=not args.no_control,
        control_accounts=args.control_auth or [],
        cache=not args.no_cache,
        fast_path=not args.no_fast_path,
        control_origins=args.control_origin or [],
        allowed_hosts=[args.host, *(args.allowed_host or [])],
        max_body=args.max_body,
        request_timeout=args.request_timeout,
        max_connections=args.max_connections,
        journal_limit=args.journal_limit,
        access_log=not args.no_access_log,
    )
    return settings, is_default


def run_serve(args: argparse.Namespace) -> int:
    from wamock.data.inference import side_file
    from wamock.serve import server
    from wamock.serve.app import create_app, security_of, worker_environment
    from wamock.serve.published import render
    from wamock.serve.resources import chats_file
    from wamock.serve.state import SharedState

    settings, is_default = settings_from(args)
    # A signal that stops the load unwinds it: its helper ended, its files removed.
    with processes.stopped_by_signals():
        if args.workers == 1:
            app = create_app(settings)
        else:
            # Load and check the data once here, so a bad file fails before any worker starts;
            # the workers join this state directory (removed with `state`, kept until the end).
            spec = spec_module.load(settings.spec_file, tuple(settings.allow_refs))
            security_of(spec, settings)  # a bad --api-key fails here, not in every worker
            state = SharedState.create(
                fixtures_file=chats_file(settings.fixtures_file, DEFAULT_FIXTURES),
                spec=spec,
                logged_out=args.logged_out,
                journal_limit=settings.journal_limit,
                for_workers=True,
            )
            settings.state_dir = state.directory
            # The workers read the document as bundled here: one fetch of a URL, the same files.
            beside = side_file(settings.spec_file)  # the collections' descriptions, beside it too
            settings.spec_file, settings.allow_refs = state.directory / "openapi.yaml", []
            (state.directory / "openapi.yaml").write_bytes(render(spec, "yaml"))
            if beside is not None and beside.is_file():
                shutil.copyfile(beside, side_file(settings.spec_file))
            os.environ.update(worker_environment(settings))
            app = "wamock.serve.app:worker_app"
        sock = server.bind(args.host, args.port)
    server.run(
        app,
        sock,
        workers=args.workers,
        limits=settings.limits(),
        shutdown_timeout=args.shutdown_timeout,
        ready=lambda: print_banner(args, sock.getsockname()[:2], settings.accounts, is_default),
    )
    return 0


BANNER_OPERATIONS = 4  # the document's operations the banner names


def try_command(document: dict, api: str, account: str, *, token: str = "any-token", key: str = "any-key") -> str:
    """A curl command that gets a 2xx of the document: its GET that needs the fewest values, those
    filled from the document, with a credential of each scheme it asks (wamock's account for
    Basic; for a token or a key, any one, which the mock takes unless --token or --api-key
    restrict them)."""
    from wamock.data.plain_requests import plain_gets

    if CHAT_LIST in operations(document):
        return f"curl --user {account} {api}/chats"
    request = next(plain_gets(document), None)
    if request is None:
        return f"curl {api}/openapi.json"
    sent = Credentials(("username", "password"), token, ((None, key),)).sent(document, request.operation)
    words = ["curl"]
    if sent.headers.get("Authorization", "").startswith("Basic "):
        words += ["--user", account]
    words += [f"-H {shlex.quote(f'{name}: {value}')}" for name, value in request.headers.items()]
    words += [
        f"-H {shlex.quote(f'{name}: {value}')}"
        for name, value in sent.headers.items()
        if name != "Authorization" or not value.startswith("Basic ")
    ]
    words += [f"-b {shlex.quote(f'{name}={value}')}" for name, value in sent.cookies.items()]
    target = request.target
    if sent.params:
        target += ("&" if "?" in target else "?") + urllib.parse.urlencode(sent.params)
    return " ".join([*words, shlex.quote(api + target)])


def print_banner(args: argparse.Namespace, address: tuple, accounts: list[str], is_default: bool) -> None:
    from wamock.serve import routes
    from wamock.serve.published import base_path

    host, port = address
    base = f"http://{f'[{host}]' if ':' in host else host}:{port}"
    credentials = DEFAULT_ACCOUNT if is_default else ", ".join(f"{user}:***" for user in Accounts.parse(accounts).users)
    control = (
        "off" if args.no_control else f"{base}/__wamock/ui/ ({'own credentials' if args.control_auth else 'open'})"
    )
    workers = f" with {args.workers} workers" if args.workers > 1 else ""
    document = spec_module.load(args.spec, tuple(args.allow_ref or ()))
    modes = [
        mode
        for on, mode in (
            (args.logged_out, "logged out: /chats answers 500"),
            (args.delay, f"every answer {args.delay} ms late"),
        )
        if on
    ]
    api = base + base_path(document)
    served = operations(document)
    more = len(served) - BANNER_OPERATIONS
    shown = ", ".join(list(served)[:BANNER_OPERATIONS]) + (f", and {more} more" if more > 0 else "")
    lines = [
        f"wamock {__version__} serving {api}/chats{workers}"
        if CHAT_LIST in served
        else f"wamock {__version__} serving {api}{workers}",
        f"  document: {args.spec} ({counted(len(served), 'operation')})",
        *([f"  operations: {shown}"] if shown else []),
        f"  basic auth: {credentials}",
        f"  data: {args.fixtures}{''.join(f'  ({mode})' for mode in modes)}",
        f"  swagger ui: {base}/ui/   control api: {control}",
    ]
    hidden = routes.shadowed(document)
    if hidden:
        lines.append(f"  warning: wamock answers these paths of the document itself: {', '.join(hidden)}")
    if host in ("0.0.0.0", "::"):
        exposed = "" if args.no_control or args.control_auth else " and its open control API (see --control-auth)"
        lines.append(
            f"  warning: listening on every interface: anyone who can reach this machine can use the mock{exposed}"
        )
    account = "username:password" if is_default else "USER:PASSWORD"
    token = "TOKEN" if args.token else "any-token"
    key = "KEY" if args.api_key else "any-key"
    lines.append(f"  try: {try_command(document, api, account, token=token, key=key)}")
    try:
        print("\n".join(lines), flush=True)
    except OSError:
        # Standard output already closed (a pipe whose reader left): serve on, without it.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - for the rest of the process


def run_check(args: argparse.Namespace) -> int:
    from wamock.check import report
    from wamock.check import runner as checker

    user, password = parse_account(args.auth, what="--auth")
    if args.max_examples < 1:
        raise UsageError(f"--max-examples {args.max_examples}: must be at least 1")
    if args.max_time is not None and not 0 < args.max_time <= 86400:
        raise UsageError(f"--max-time {args.max_time:g}: must be more than 0 and at most 86400 seconds")
    if not 0 < args.timeout <= 3600:
        raise UsageError(f"--timeout {args.timeout:g}: must be more than 0 and at most 3600 seconds")
    options = checker.Options(
        url=args.url,
        auth=(user, password),
        spec_file=args.spec,
        allow_refs=tuple(args.allow_ref or ()),
        seed=args.seed,
        max_examples=args.max_examples,
        data_file=args.data,
        compare=args.compare,
        timeout=args.timeout,
        devices=tuple(args.device or ()),
        token=args.token,
        api_keys=tuple(map(Credentials.api_key, args.api_key or ())),
        headers=tuple(map(Credentials.header, args.header or ())),
        refusals_expected=args.refusals_expected,
        max_time=args.max_time,
    )
    progress = report.progress_for(sys.stdout)
    try:
        outcomes = checker.run(options, progress=progress)
    except checker.CheckerError as exc:
        raise UsageError(str(exc)) from None
    finally:
        progress.done()
    print(report.text(outcomes, rerun=rerun_command(args, options, outcomes[0].seed), compared=args.compare))
    if args.junit_xml:
        try:
            report.junit_xml(outcomes, args.junit_xml)
        except OSError as exc:
            raise UsageError(f"{args.junit_xml}: cannot write: {exc.strerror}") from None
    return 1 if any(outcome.findings for outcome in outcomes) else 0


def rerun_command(args: argparse.Namespace, options, seed: int) -> str:
    """The command that sends the same cases again: every option that shapes them, the password hidden."""
    from wamock.check.runner import DEFAULT_MAX_EXAMPLES, DEFAULT_TIMEOUT, shown_account

    words = ["wamock", "check", args.url, "--seed", str(seed)]
    if args.auth != DEFAULT_ACCOUNT:
        words += ["--auth", shown_account(options.auth)]
    for device in args.device or ():
        words += ["--device", device]
    if args.token:
        words += ["--token", "<token>"]
    for name, _ in map(Credentials.api_key, args.api_key or ()):
        words += ["--api-key", f"{name}=<key>" if name else "<key>"]
    for name, _ in map(Credentials.header, args.header or ()):
        words += ["-H", f"{name}:<value>"]
    for prefix in args.allow_ref or ():
        words += ["--allow-ref", prefix]
    for flag, value, default in (
        ("--max-examples", args.max_examples, DEFAULT_MAX_EXAMPLES),
        ("--data", args.data, None),
        ("--compare", args.compare, None),
        ("--spec", args.spec, SPEC_FILE),
        ("--timeout", args.timeout, DEFAULT_TIMEOUT),
        ("--max-time", args.max_time, None),
    ):
        if value != default:
            words += [flag, f"{value:g}" if isinstance(value, float) else str(value)]
    return " ".join(shlex.quote(word) for word in words)


def run_fixtures(args: argparse.Namespace) -> int:
    from wamock.data.generate import dumps, generate_chats, generate_devices

    if args.count is not None and args.count < 1:
        raise UsageError(f"--count {args.count}: must be at least 1")
    if not 0 <= args.devices <= 100:
        raise UsageError(f"--devices {args.devices}: must be from 0 to 100")
    spec = spec_module.load(args.spec)
    if CHAT_LIST not in operations(spec):
        return write_collections(args, spec)
    args.count = CHATS_COUNT if args.count is None else args.count
    newest = collections.documented_chat(spec)
    if args.devices:
        data = dumps(generate_devices(args.count, args.seed, newest=newest, devices=args.devices))
    else:
        data = dumps(generate_chats(args.count, args.seed, newest=newest))
    devices = f" for each of {args.devices} devices" if args.devices else ""
    return write_out(data, args.output, f"{counted(args.count, 'chat')}{devices}")


def write_out(data: bytes, output: Path | None, what: str) -> int:
    """Fixtures to standard output, or to `output`, saying on stderr what was written there."""
    if output is None:
        sys.stdout.buffer.write(data)
        return 0
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise UsageError(f"{output}: cannot write: {exc.strerror}") from None
    print(f"wrote {what} to {output}", file=sys.stderr)
    return 0


def write_collections(args: argparse.Namespace, spec: dict) -> int:
    """`wamock fixtures --spec FILE` for a document without GET /chats: items for each of its collections."""
    from wamock.data import resources
    from wamock.data.inference import served_collections

    found = served_collections(spec, args.spec)
    if not found:
        raise UsageError(f"{args.spec}: has no collection (a GET answering a list of objects) to write data for")
    count = resources.DEFAULT_COUNT if args.count is None else args.count
    data = resources.dumps(resources.generate(spec, found, count, args.seed))
    return write_out(data, args.output, f"{counted(count, 'item')} for each of {', '.join(found)}")
