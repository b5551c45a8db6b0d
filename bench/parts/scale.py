"""2. scale: wamock alone with 150 to 1,000,000 generated chats: first, middle and last page,
with and without has_media=true, through the answer cache and past it (--no-cache)."""

import shutil

import httpx

from bench.harness import AUTH, SIZES, WORK, Load, fixture_file, median_load, running, table, wamock_server, wrk


def run(args) -> None:
    sizes = SIZES[:2] if args.quick else SIZES
    cache = WORK / "compiled"
    rows, results = [], {}
    for size in sizes:
        fixtures = fixture_file(size)
        shutil.rmtree(cache, ignore_errors=True)
        # The first start loads and compiles the file (cold); the second reads the compiled file (warm).
        for mode, extra in (("cached", []), ("uncached", ["--no-cache"])):
            server = wamock_server(f"wamock {size}", "--fixtures", str(fixtures), "--no-access-log", *extra)
            server.env = {"WAMOCK_CACHE_DIR": str(cache)}
            with running(server):
                for has_media in (False, True):
                    query = "has_media=true&" if has_media else ""
                    total = httpx.get(f"{server.url}/chats?{query}limit=1", auth=AUTH).json()["results"]["pagination"][
                        "total"
                    ]
                    for page, offset in (("first", 0), ("middle", total // 2), ("end", max(total - 25, 0))):
                        url = f"{server.url}/chats?{query}offset={offset}"
                        load = median_load([wrk(url, args.scale_duration) for _ in range(args.rounds)])
                        results[(size, mode, has_media, page)] = load
                        rows.append(
                            [
                                f"{size:,}",
                                mode,
                                str(has_media).lower(),
                                page,
                                *load.cells(),
                            ]
                        )
        print(f"  scale: {size:,} chats done", flush=True)
    print(f"\n2. Scale: wamock, 1 worker, wrk -t1 -c32 -d{args.scale_duration}s a page, medians of {args.rounds}")
    print(table(["chats", "cache", "has_media", "page", *Load.COLUMNS], rows))
    largest, smallest = sizes[-1], sizes[0]
    ratios = []
    for (size, mode, has_media, page), load in results.items():
        if size == largest:
            base = results[(smallest, mode, has_media, page)]
            ratios.append(
                [mode, str(has_media).lower(), page, f"{load.p50_ms / base.p50_ms:.2f}", f"{load.rps / base.rps:.2f}"]
            )
    print(f"\nRatio {largest:,} / {smallest:,} chats")
    print(table(["cache", "has_media", "page", "p50 ratio", "req/s ratio"], ratios))
