"""5. search: a random term each request, at 150 and 1,000,000 chats."""

import json
import urllib.parse
from pathlib import Path

from bench.harness import WORK, Load, fixture_file, median_load, running, table, wamock_server, wrk


def search_script(fixtures: Path, count: int = 300) -> Path:
    """A wrk script whose every request searches another term: pieces of the data's own names."""
    names = sorted({chat["name"] for chat in json.loads(fixtures.read_text())[:5000]})
    pieces = sorted({name[i : i + 3].lower() for name in names for i in range(0, max(len(name) - 2, 1), 2)})
    terms = [piece for piece in pieces if piece.isalpha()][:count]
    script = WORK / "search.lua"
    quoted = ", ".join(f'"{urllib.parse.quote(term)}"' for term in terms)
    script.write_text(
        f"local terms = {{{quoted}}}\n"
        "request = function()\n"
        '  return wrk.format("GET", "/chats?limit=25&search=" .. terms[math.random(#terms)])\n'
        "end\n"
    )
    return script


def run(args) -> None:
    """Searches of varied terms, past the answer cache (--no-cache), at one connection and at 32."""
    rows, p50 = [], {}
    for size in [150, 10_000] if args.quick else [150, 1_000_000]:
        fixtures = fixture_file(size)
        script = search_script(fixtures)
        server = wamock_server(f"wamock {size}", "--fixtures", str(fixtures), "--no-access-log", "--no-cache")
        server.env = {"WAMOCK_CACHE_DIR": str(WORK / "compiled")}
        with running(server):
            for connections in (1, 32):
                load = median_load(
                    [wrk(f"{server.url}/chats", args.scale_duration, connections, script) for _ in range(args.rounds)]
                )
                p50[(size, connections)] = load.p50_ms
                rows.append(
                    [
                        f"{size:,}",
                        connections,
                        *load.cells(),
                    ]
                )
        print(f"  search: {size:,} chats done", flush=True)
    print(
        f"\n5. Search, a random term of 300 each request, --no-cache, wrk -t1 -d{args.scale_duration}s, medians of {args.rounds}"
    )
    print(table(["chats", "connections", *Load.COLUMNS], rows))
    small, large = min(size for size, _ in p50), max(size for size, _ in p50)
    print(f"p50 at one connection, {large:,} / {small:,} chats: {p50[(large, 1)] / p50[(small, 1)]:.1f}x")
