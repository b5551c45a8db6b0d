"""6. random-scale: random pages over the whole range at 150 and 1,000,000 chats."""

import shutil

from bench.harness import (
    SIZES,
    WORK,
    Load,
    fixture_file,
    median_load,
    random_pages_script,
    running,
    table,
    wamock_server,
    wrk,
)


def run(args) -> None:
    """Random pages over the whole range, at 150 chats and at the largest size, each store built
    from its fixture file (nothing compiled); start-up is part 7's."""
    rows, p50 = [], {}
    cache = WORK / "compiled"
    for size in [150, 10_000] if args.quick else [150, SIZES[-1]]:
        fixtures = fixture_file(size)
        shutil.rmtree(cache, ignore_errors=True)  # nothing compiled: the store is built in memory
        server = wamock_server(f"wamock {size}", "--fixtures", str(fixtures), "--no-access-log")
        server.env = {"WAMOCK_CACHE_DIR": str(cache)}
        with running(server):
            script = random_pages_script(size, name=f"random-pages-{size}.lua")
            load = median_load([wrk(f"{server.url}/chats", args.duration, script=script) for _ in range(args.rounds)])
        p50[size] = load.p50_ms
        rows.append(
            [
                f"{size:,}",
                *load.cells(),
            ]
        )
        print(f"  random pages: {size:,} chats done", flush=True)
    print(
        f"\n6. Random pages over the whole range (limit 1..100, offset 0..total, a third has_media=true), "
        f"wrk -t1 -c32 -d{args.duration:g}s, medians of {args.rounds}"
    )
    print(table(["chats", *Load.COLUMNS], rows))
    small, large = min(p50), max(p50)
    print(f"p50, {large:,} / {small:,} chats: {p50[large] / p50[small]:.2f}x")
