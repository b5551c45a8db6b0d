"""7. startup: launch to first 200, cold and warm, medians of --rounds starts, at every size."""

import shutil
import statistics

from bench.harness import SIZES, WORK, fixture_file, running, table, wamock_server


def run(args) -> None:
    """Launch to first 200, cold (nothing compiled: read, parse, check, order, encode) and warm
    (the compiled file read back), medians of --rounds starts each; resident memory after."""
    rows = []
    cache = WORK / "compiled"
    for size in SIZES[:2] if args.quick else SIZES:
        fixtures = fixture_file(size)
        for start in ("cold", "warm"):
            times, memory = [], []
            for _ in range(args.rounds):
                if start == "cold":
                    shutil.rmtree(cache, ignore_errors=True)
                server = wamock_server(f"wamock {size}", "--fixtures", str(fixtures), "--no-access-log")
                server.env = {"WAMOCK_CACHE_DIR": str(cache)}
                with running(server):  # stopping waits for the compiled file, written while the server started
                    memory.append(server.rss_mib())
                times.append(server.startup)
            rows.append(
                [
                    f"{size:,}",
                    start,
                    f"{statistics.median(times):.2f}",
                    f"{min(times):.2f}–{max(times):.2f}",
                    f"{statistics.median(memory):.0f}",
                ]
            )
        print(f"  start-up: {size:,} chats done", flush=True)
    print(f"\n7. Start-up: launch to the first 200 of GET /chats, medians of {args.rounds} starts")
    print(table(["chats", "start", "median s", "range s", "RSS MiB"], rows))
