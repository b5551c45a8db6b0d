"""Reading an OpenAPI document safely: from a file or a URL, within bounds, into one self-contained dict.

Whatever document `--spec` names is the author's, not wamock's, and may be hostile or odd.
`read` is the one way in (the mock, the checker and `fixtures` all take it):

1. the bytes, from a regular file or an `http(s)://` URL, at most `MAX_BYTES`, a URL within
   `FETCH_TIMEOUT` seconds in all;
2. parsed (JSON by `json`, YAML by a safe loader that composes first and measures what the
   aliases would expand to, so that a "billion laughs" is refused before it is built);
3. bounded: nesting at most `MAX_DEPTH` deep, `$ref` chains at most `MAX_REF_CHAIN` long and
   never a cycle (a schema that contains itself is fine: it stays a `$ref`);
4. bundled: each `$ref` to another file (or URL) that the author may share is copied into the
   document under `x-wamock-bundled` and pointed to locally, so connexion, Schemathesis and
   openapi-core never open a file or a URL themselves. The author may share the document's own
   folder and below (never an absolute path, a `..` out of it, or a symlink leading out), and
   what `--allow-ref PREFIX` names; nothing else, and no URL unless allowed;
5. checked for the structure wamock and connexion walk, and for what the mock cannot route.

Every failure is a `SpecError` whose text is one line that names the document and the problem.
"""

import json
import os
import re
import stat
import threading
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml

from wamock.data import dialect


class SpecError(Exception):
    """The spec file cannot be read, or lacks a part that wamock derives from it."""


MAX_BYTES = 64 * 2**20  # any one file or URL
FETCH_TIMEOUT = 30.0  # seconds for a whole URL, connection to last byte
MAX_DEPTH = 100  # containers inside containers: upstream's document is 14 deep
MAX_NODES = 2_000_000  # values of the whole document, once its aliases are expanded
ALIAS_FLOOR = 100_000  # aliases may expand a document to this many values, or ...
ALIAS_RATIO = 10  # ... to this many times the values it writes out, whichever is more
MAX_REF_CHAIN = 32  # a $ref to a $ref to ...
MAX_EXTERNAL = 10_000  # distinct external targets bundled
BUNDLED = "x-wamock-bundled"  # where the external targets are put, as OpenAPI allows `x-` keys
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def is_url(source) -> bool:
    return isinstance(source, str) and source.lower().startswith(("http://", "https://"))


def source_argument(value: str):
    """`--spec`'s type: a URL stays a string, anything else is a path."""
    return value if is_url(value) else Path(value)


def read(source, allow: tuple[str, ...] = ()) -> dict:
    """The document at `source` (a path or an http(s) URL), bundled, bounded and checked."""
    return _Reader(source, allow).read()


# Reading and parsing


def fetch(url: str, shown: str, *, follow_redirects: bool = True) -> bytes:
    """A URL's body: at most MAX_BYTES, within FETCH_TIMEOUT seconds from connecting to the last byte.

    A `$ref`'s URL is fetched without following redirects: one could lead out of what --allow-ref names.
    """
    outcome: list = []

    def get() -> None:
        try:
            client = httpx.Client(timeout=FETCH_TIMEOUT, follow_redirects=follow_redirects, max_redirects=5)
            with client, client.stream("GET", url) as response:
                if response.is_redirect and not follow_redirects:
                    raise SpecError(
                        f"{shown}: cannot fetch the document: HTTP {response.status_code} to "
                        f"{response.headers.get('location')!r}; a $ref's URL must name the document itself"
                    )
                if response.status_code != 200:
                    raise SpecError(f"{shown}: cannot fetch the document: HTTP {response.status_code}")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > MAX_BYTES:
                        raise SpecError(f"{shown}: cannot fetch the document: larger than {MAX_BYTES} bytes")
                outcome.append(bytes(body))
        except httpx.HTTPError as exc:
            outcome.append(SpecError(f"{shown}: cannot fetch the document: {exc or type(exc).__name__}"))
        except SpecError as exc:
            outcome.append(exc)

    # httpx bounds each read, not the whole: a server that trickles a byte a second would never
    # end. The thread is left to its own timeouts (it is a daemon) once the deadline has passed.
    fetcher = threading.Thread(target=get, name="wamock-fetch", daemon=True)
    fetcher.start()
    fetcher.join(FETCH_TIMEOUT)
    if not outcome:
        raise SpecError(f"{shown}: cannot fetch the document: no whole answer within {FETCH_TIMEOUT:g} s")
    if isinstance(outcome[0], SpecError):
        raise outcome[0]
    return outcome[0]


def read_file(path: Path, shown: str) -> bytes:
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO or a device would never end
            raise SpecError(f"{shown}: cannot read the spec: not a regular file")
        with open(path, "rb") as file:
            data = file.read(MAX_BYTES + 1)
    except OSError as exc:
        raise SpecError(f"{shown}: cannot read the spec: {exc.strerror}") from None
    if len(data) > MAX_BYTES:
        raise SpecError(f"{shown}: cannot read the spec: larger than {MAX_BYTES} bytes")
    return data


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """PyYAML's safe loader (libyaml's where built), asked to compose before it constructs."""


def parse(data: bytes, shown: str, json_first: bool):
    """The value the bytes hold: JSON where it looks like JSON, else YAML, with aliases bounded."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError(f"{shown}: not a YAML document: not UTF-8 (byte {exc.start})") from None
    if json_first or text.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(text)
        except RecursionError:
            raise SpecError(f"{shown}: nested deeper than {MAX_DEPTH} levels") from None
        except ValueError as exc:
            if json_first:
                raise SpecError(f"{shown}: not a JSON document: {exc}") from None
            # YAML's flow style: read on as YAML
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        measure(node, shown)
        return loader.construct_document(node)
    except RecursionError:
        raise SpecError(f"{shown}: nested deeper than {MAX_DEPTH} levels") from None
    except yaml.YAMLError as exc:
        raise SpecError(f"{shown}: not a YAML document: {' '.join(str(exc).split())}") from None
    finally:
        loader.dispose()


def measure(root: yaml.Node, shown: str) -> None:
    """Refuses a node graph whose aliases expand too far, nest too deep, or contain themselves.

    Composing follows aliases by sharing nodes, so this costs what the text does; a value
    built from the graph would cost what the expansion does.
    """
    sizes: dict[int, int] = {}  # id(node) -> values it expands to
    heights: dict[int, int] = {}  # id(node) -> containers nested inside it
    open_nodes: set[int] = set()
    written = 0

    def size(node: yaml.Node, depth: int) -> int:
        nonlocal written
        key = id(node)
        if key in open_nodes:
            raise SpecError(f"{shown}: an alias refers to a node that contains it (line {node.start_mark.line + 1})")
        if key in sizes:  # an alias: what it expands to is known
            if depth + heights[key] > MAX_DEPTH:
                raise SpecError(f"{shown}: nested deeper than {MAX_DEPTH} levels (line {node.start_mark.line + 1})")
            return sizes[key]
        if depth > MAX_DEPTH:
            raise SpecError(f"{shown}: nested deeper than {MAX_DEPTH} levels (line {node.start_mark.line + 1})")
        written += 1
        total, height = 1, 0
        if isinstance(node, (yaml.SequenceNode, yaml.MappingNode)):
            open_nodes.add(key)
            children = node.value if isinstance(node, yaml.SequenceNode) else [v for pair in node.value for v in pair]
            for child in children:
                total += size(child, depth + 1)
                height = max(height, heights[id(child)] + 1)
                if total > MAX_NODES:
                    raise SpecError(f"{shown}: more than {MAX_NODES} values once its aliases are expanded")
            open_nodes.discard(key)
        sizes[key], heights[key] = total, height
        return total

    expanded = size(root, 0)
    if expanded > max(ALIAS_FLOOR, ALIAS_RATIO * written):
        raise SpecError(
            f"{shown}: its aliases expand {written} values to {expanded} (a YAML alias bomb?); "
            f"at most {max(ALIAS_FLOOR, ALIAS_RATIO * written)}"
        )


# Bundling


@dataclass
class _Target:
    key: str  # under BUNDLED
    value: object = None


@dataclass
class _Reader:
    source: object  # Path or URL
    allow: tuple[str, ...] = ()
    shown: str = ""
    documents: dict[str, object] = field(default_factory=dict)  # URI -> parsed value
    targets: dict[tuple[str, str], _Target] = field(default_factory=dict)
    keys: set[str] = field(default_factory=set)
    pending: list[tuple[str, str]] = field(default_factory=list)
    read_bytes: int = 0
    copied: int = 0  # values of the bundled document: overlapping targets are each copied whole

    def __post_init__(self) -> None:
        self.shown = str(self.source)
        if is_url(self.source):
            self.base = str(self.source)
            self.root_folder = None
        else:
            # Relative $refs resolve from where the document really is, and may reach that folder.
            path = Path(os.path.realpath(self.source))
            self.base = path.as_uri()
            self.root_folder = str(path.parent)
        self.allowed_urls = [prefix for prefix in self.allow if "://" in prefix and not prefix.startswith("file:")]
        self.allowed_paths = [
            os.path.realpath(_file_path(prefix) if prefix.startswith("file:") else os.path.expanduser(prefix))
            for prefix in self.allow
            if "://" not in prefix or prefix.startswith("file:")
        ]

    def read(self) -> dict:
        data = fetch(self.source, self.shown) if is_url(self.source) else read_file(Path(self.source), self.shown)
        self.read_bytes = len(data)
        document = parse(data, self.shown, json_first=self.shown.lower().endswith(".json"))
        if isinstance(document, dict):
            dialect.check_version(document, self.shown)
        if not isinstance(document, dict) or "openapi" not in document:
            raise SpecError(f"{self.shown}: not an OpenAPI document (no 'openapi' key)")
        bundled = self.copy(document, self.base, root=True, where="")
        while self.pending:
            uri, fragment = self.pending.pop()
            target = self.targets[(uri, fragment)]
            value = pointed(self.document(uri), fragment)
            if value is MISSING:
                raise SpecError(f"{self.shown}: $ref {_shown_ref(uri, fragment)}: points to nothing")
            target.value = self.copy(value, uri, root=False, where=f"{BUNDLED}.{target.key}")
        if self.targets:
            if BUNDLED in bundled:
                raise SpecError(f"{self.shown}: {BUNDLED}: a key wamock keeps for the files it bundles")
            bundled[BUNDLED] = {target.key: target.value for target in self.targets.values()}
        check_refs(bundled, self.shown)
        check_structure(bundled, self.shown)
        return bundled

    def copy(self, value, base: str, *, root: bool, where: str, depth: int = 0):
        """`value` as plain JSON data with string keys, each external `$ref` pointed at its bundled copy."""
        if depth > MAX_DEPTH:
            raise SpecError(f"{self.shown}: nested deeper than {MAX_DEPTH} levels at {shortened(where)}")
        self.copied += 1
        if self.copied > MAX_NODES:
            raise SpecError(f"{self.shown}: more than {MAX_NODES} values, its own and those its $refs bring in")
        if isinstance(value, dict):
            result = {}
            for key, item in value.items():
                key = str(key)
                child = f"{where}.{key}" if where else key
                if key == "$ref":
                    result[key] = self.reference(item, base, root=root, where=where)
                else:
                    result[key] = self.copy(item, base, root=root, where=child, depth=depth + 1)
            return result
        if isinstance(value, list):
            return [
                self.copy(item, base, root=root, where=f"{where}[{i}]", depth=depth + 1) for i, item in enumerate(value)
            ]
        if isinstance(value, str) and not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise SpecError(f"{self.shown}: {where}: a string with a lone surrogate (not UTF-8)") from None
        return value

    def reference(self, ref, base: str, *, root: bool, where: str) -> str:
        if not isinstance(ref, str):
            raise SpecError(f"{self.shown}: {where}.$ref: must be a string, not {type(ref).__name__}")
        if root and ref.startswith("#"):
            return ref  # inside the document: checked once bundling is done
        uri, _, fragment = urllib.parse.urljoin(base, ref).partition("#")
        fragment = urllib.parse.unquote(fragment)
        if fragment and not fragment.startswith("/"):
            raise SpecError(f"{self.shown}: {where}: $ref {ref!r}: only JSON pointers (#/...) are supported")
        if uri == self.base:
            return "#" + _quoted(fragment)  # an external file's $ref back into the document
        self.permit(uri, ref, where)
        target = self.targets.get((uri, fragment))
        if target is None:
            if len(self.targets) >= MAX_EXTERNAL:
                raise SpecError(f"{self.shown}: more than {MAX_EXTERNAL} $refs to other files")
            target = self.targets[(uri, fragment)] = _Target(self.key_for(uri, fragment))
            self.pending.append((uri, fragment))
        return f"#/{BUNDLED}/{target.key}"

    def permit(self, uri: str, ref: str, where: str) -> None:
        """Refuses a `$ref` to what the author did not mean to share: see the module's docstring."""
        scheme = urllib.parse.urlsplit(uri).scheme.lower()
        if scheme in ("http", "https"):
            # An absolute URL keeps its dot segments, which the client then removes: /api/../x is /x.
            if any(urllib.parse.unquote(part) in (".", "..") for part in urllib.parse.urlsplit(uri).path.split("/")):
                raise SpecError(f"{self.shown}: {where}: $ref {ref!r}: a URL with '.' or '..' in its path")
            if any(_under(uri, prefix) for prefix in self.allowed_urls):
                return
            raise SpecError(
                f"{self.shown}: {where}: $ref {ref!r}: a URL is fetched only if allowed; pass --allow-ref {uri}"
            )
        if scheme != "file":
            raise SpecError(f"{self.shown}: {where}: $ref {ref!r}: wamock reads only files and http(s) URLs")
        path = os.path.realpath(_file_path(uri))
        roots = [*([self.root_folder] if self.root_folder else []), *self.allowed_paths]
        if any(_inside(path, root_folder) for root_folder in roots):
            return
        reason = (
            "the document is a URL: its relative $refs are read only if allowed"
            if self.root_folder is None
            else "outside the document's folder"
        )
        raise SpecError(f"{self.shown}: {where}: $ref {ref!r}: {reason}; pass --allow-ref {path} to allow it")

    def document(self, uri: str):
        if uri not in self.documents:
            if is_url(uri):
                shown = uri
                data = fetch(uri, shown, follow_redirects=False)
            else:
                shown = _file_path(uri)
                data = read_file(Path(shown), shown)
            self.read_bytes += len(data)
            if self.read_bytes > MAX_BYTES:
                raise SpecError(f"{self.shown}: its files together are larger than {MAX_BYTES} bytes")
            self.documents[uri] = parse(data, shown, json_first=uri.lower().endswith(".json"))
        return self.documents[uri]

    def key_for(self, uri: str, fragment: str) -> str:
        path = urllib.parse.urlsplit(uri).path
        name = path.rsplit("/", 1)[-1] or "document"
        if fragment:
            name += "_" + fragment.rstrip("/").rsplit("/", 1)[-1]
        key = re.sub(r"[^A-Za-z0-9._-]", "_", name)[:80]
        unique, number = key, 1
        while unique in self.keys:
            number += 1
            unique = f"{key}_{number}"
        self.keys.add(unique)
        return unique


MISSING = object()


def pointed(document, fragment: str):
    """What the JSON pointer `fragment` (`/a/b`, `""` for the whole) points to in `document`, or MISSING."""
    if fragment and not fragment.startswith("/"):
        return MISSING  # a plain-name fragment (`#thing`): OpenAPI's $refs are JSON pointers
    target = document
    for part in fragment.split("/")[1:] if fragment else ():
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(target, dict):
            target = target.get(part, MISSING)
        elif isinstance(target, list) and part.isdigit() and int(part) < len(target):
            target = target[int(part)]
        else:
            return MISSING
        if target is MISSING:
            return MISSING
    return target


def _quoted(fragment: str) -> str:
    return urllib.parse.quote(fragment, safe="/~!$&'()*+,;=:@")


def _file_path(uri: str) -> str:
    return urllib.request.url2pathname(urllib.parse.urlsplit(uri).path)


def _shown_ref(uri: str, fragment: str) -> str:
    return (_file_path(uri) if uri.startswith("file:") else uri) + ("#" + fragment if fragment else "")


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _under(url: str, prefix: str) -> bool:
    """Whether `url` is `prefix` or below it: `http://a.example` does not allow `http://a.example.evil/`."""
    return url == prefix or url.startswith(prefix if prefix.endswith("/") else prefix + "/")


# Checking


def check_refs(document: dict, shown: str) -> None:
    """Every local `$ref` points to something, by a chain of at most MAX_REF_CHAIN `$ref`s, and never in a cycle."""
    judged: dict[str, None] = {}

    def follow(ref: str, where: str) -> None:
        seen = [ref]
        current = ref
        while True:
            if current in judged:
                return
            if not current.startswith("#/"):
                raise SpecError(f"{shown}: {where}: $ref {current!r}: not a JSON pointer into the document (#/...)")
            target = pointed(document, urllib.parse.unquote(current[1:]))
            if target is MISSING:
                raise SpecError(f"{shown}: {where}: $ref {current!r}: points to nothing")
            if not (isinstance(target, dict) and isinstance(target.get("$ref"), str)):
                break
            current = target["$ref"]
            if current in seen:
                raise SpecError(f"{shown}: {where}: a $ref cycle: {' -> '.join([*seen, current])}")
            seen.append(current)
            if len(seen) > MAX_REF_CHAIN:
                raise SpecError(f"{shown}: {where}: a chain of more than {MAX_REF_CHAIN} $refs from {ref!r}")
        judged.update(dict.fromkeys(seen))

    def walk(value, where: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "$ref" and isinstance(item, str):
                    follow(item, where or "(top)")
                else:
                    walk(item, f"{where}.{key}" if where else key)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{where}[{index}]")

    walk(document, "")


def resolved(document: dict, item):
    """`item`, or what its (checked) local `$ref` chain points to."""
    for _ in range(MAX_REF_CHAIN + 1):
        if not (isinstance(item, dict) and isinstance(item.get("$ref"), str)):
            return item
        item = pointed(document, urllib.parse.unquote(item["$ref"][1:]))
    return item


def check_structure(document: dict, shown: str) -> None:
    """The parts that wamock and connexion walk have the types OpenAPI 3 gives them; the paths can be routed."""

    def need(value, kind, where: str, what: str):
        if not isinstance(value, kind):
            raise SpecError(f"{shown}: {where}: must be {what}, not {_kind(value)}")
        return value

    version = document.get("openapi")
    if not (isinstance(version, str) and re.fullmatch(r"3\.\d+\.\d+", version)):
        raise SpecError(f"{shown}: openapi: must be an OpenAPI 3 version string such as '3.0.3', not {version!r}")
    info = need(document.get("info"), dict, "info", "a mapping with title and version")
    for name in ("title", "version"):
        need(info.get(name), str, f"info.{name}", "a string (quote a number: '1.0')")
    need(document.get("paths", {}), dict, "paths", "a mapping")
    components = need(document.get("components", {}), dict, "components", "a mapping")
    for name, section in components.items():
        need(section, dict, f"components.{name}", "a mapping")
    for path, path_item in (document.get("paths") or {}).items():
        where = f"paths.{path}"
        if not path.startswith("/"):
            raise SpecError(f"{shown}: {where}: a path must start with '/'")
        check_template(path, shown)
        path_item = need(resolved(document, path_item), dict, where, "a mapping (a path item)")
        check_parameters(document, path_item, where, need, shown)
        for method in METHODS:
            if method in path_item:
                operation = need(resolved(document, path_item[method]), dict, f"{where}.{method}", "a mapping")
                need(operation.get("responses", {}), dict, f"{where}.{method}.responses", "a mapping of statuses")
                check_parameters(document, operation, f"{where}.{method}", need, shown)


def check_parameters(document: dict, holder: dict, where: str, need, shown: str) -> None:
    """`holder`'s parameters are a list of mappings, none declared twice (the same name and place)."""
    declared = set()
    for index, parameter in enumerate(need(holder.get("parameters", []), list, f"{where}.parameters", "a list")):
        parameter = need(resolved(document, parameter), dict, f"{where}.parameters[{index}]", "a mapping")
        key = (parameter.get("name"), parameter.get("in"))
        if key in declared:
            raise SpecError(f"{shown}: {where}.parameters: the {key[1]} parameter {key[0]!r} is declared twice")
        declared.add(key)


def check_template(path: str, shown: str) -> None:
    """A path template the mock can route: well-formed `{name}`s, each name once."""
    # connexion routes `{my-id}` as Starlette's `{my_id}`: two names alike that way are one name
    names = [re.sub(r"[^A-Za-z0-9_]", "_", name) for name in re.findall(r"\{([^{}/]*)\}", path)]
    if "{" in re.sub(r"\{[^{}/]*\}", "", path) or "}" in re.sub(r"\{[^{}/]*\}", "", path):
        raise SpecError(f"{shown}: paths.{path}: an unmatched brace in the path template")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise SpecError(
            f"{shown}: paths.{path}: the path parameter {repeated[0]!r} appears twice; the mock cannot route it"
        )


def shortened(where: str) -> str:
    """A place in the document, its middle left out where it is too long for one line."""
    return where if len(where) <= 120 else f"{where[:60]} ... {where[-50:]}"


def _kind(value) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", type(None): "null"}.get(
        type(value), type(value).__name__
    )
