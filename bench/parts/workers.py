"""3. workers: `--workers 1` against `--workers 2`, both kinds of traffic."""

from bench.harness import TRAFFIC, interleaved_medians, running, table, wamock_server


def run(args) -> None:
    servers = [
        wamock_server("1 worker", "--no-access-log"),
        wamock_server("2 workers", "--workers", "2", "--no-access-log"),
    ]
    with running(*servers):
        medians = interleaved_medians(servers, args, label="workers")
        rows = [
            [name, kind, f"{load.rps:,.0f}", f"{load.p50_ms:.2f}", f"{load.p99_ms:.2f}"]
            for (name, kind), load in medians.items()
        ]
        print(f"\n3. Workers, wrk -t1 -c32 -d{args.duration}s, medians of {args.rounds} rounds")
        print(table(["wamock", "traffic", "req/s", "p50 ms", "p99 ms"], rows))
        for kind in TRAFFIC.values():
            ratio = medians[("2 workers", kind)].rps / medians[("1 worker", kind)].rps
            print(f"2 workers / 1 worker, {kind}: {ratio:.2f}x")
