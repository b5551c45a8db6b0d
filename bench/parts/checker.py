"""4. checker: `wamock check` against the mock."""

import re
import statistics
import subprocess
import sys
import time

from bench.harness import running, table, wamock_server


def run(args) -> None:
    server = wamock_server("wamock", "--no-access-log")
    with running(server):
        times, requests = [], []
        for seed in range(args.rounds):
            started = time.monotonic()
            result = subprocess.run(
                [sys.executable, "-m", "wamock", "check", server.url, "--seed", str(seed)],
                capture_output=True,
                text=True,
                timeout=600,
            )
            times.append(time.monotonic() - started)
            requests.append(int(re.search(r"checks?, ([\d,]+) requests?,", result.stdout).group(1).replace(",", "")))
        median_time = statistics.median(times)
        print(f"\n4. wamock check against the mock, default settings, {args.rounds} seeds")
        print(
            table(
                ["median wall time s", "median requests", "requests/s"],
                [
                    [
                        f"{median_time:.1f}",
                        statistics.median(requests),
                        f"{statistics.median(requests) / median_time:.0f}",
                    ]
                ],
            )
        )
