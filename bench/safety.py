"""Issue 10's attacks on one wamock with its defaults, as figures: `python -m bench.safety`.

`--python PATH` runs another checkout's wamock (its virtualenv's python, started from that
checkout), so that before and after print side by side from the same commands.
"""

import argparse
import base64
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

import httpx

AUTH = ("username", "password")
EVIL = "https://evil.example"


def start(python: str, cwd: str | None, *args: str, stdout=subprocess.PIPE) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [python, "-m", "wamock", "serve", "--port", "0", *args], stdout=stdout, stderr=subprocess.STDOUT, cwd=cwd
    )
    banner = process.stdout.readline().decode()
    base_url = re.search(r"(http://[^\s]+)/chats", banner).group(1)
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(f"{base_url}/chats", timeout=2)
            break
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)  # poll
    return process, base_url


def drained(process: subprocess.Popen) -> list[bytes]:
    lines: list[bytes] = []
    threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True).start()
    return lines


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status_file:
        status = status_file.read()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024


def control_from_another_origin(base_url: str) -> str:
    preflight = httpx.options(
        f"{base_url}/__wamock/chats", headers={"Origin": EVIL, "Access-Control-Request-Method": "PUT"}
    )
    reset = httpx.post(f"{base_url}/__wamock/reset", headers={"Origin": EVIL, "Content-Type": "text/plain"})
    rebinding = httpx.get(f"{base_url}/chats", auth=AUTH, headers={"Host": "evil.example"})
    allowed = preflight.headers.get("access-control-allow-origin", "none")
    return (
        f"preflight {preflight.status_code} (allow-origin: {allowed}); text/plain reset {reset.status_code}; "
        f"Host: evil.example {rebinding.status_code}"
    )


def unread_pipe(python: str, cwd: str | None) -> str:
    process, base_url = start(python, cwd)  # access log on; nobody reads stdout past the banner
    answered = 0
    try:
        with httpx.Client(base_url=base_url, auth=AUTH, timeout=2) as client:
            for n in range(3000):
                client.get("/chats", params={"limit": 1 + n % 100})
                answered += 1
    except httpx.TimeoutException:
        pass
    finally:
        process.kill()
        process.wait()
    return f"{answered} of 3000 requests answered"


def endless_headers(base_url: str, pid: int) -> str:
    before = rss_mib(pid)
    answers: list[bytes] = []

    def send() -> None:
        host, port = base_url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as connection:
            connection.sendall(b"GET /chats HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: ")
            try:
                for _ in range(40 * 16):  # 40 MB each, no CRLF
                    connection.sendall(b"a" * 65536)
                answers.append(b"(all sent, no answer)")
            except OSError:
                try:
                    answers.append(connection.recv(100))
                except OSError as exc:
                    answers.append(str(exc).encode())

    senders = [threading.Thread(target=send) for _ in range(8)]
    for sender in senders:
        sender.start()
    started = time.monotonic()
    probe = httpx.get(f"{base_url}/chats", auth=AUTH, timeout=60)
    stalled = time.monotonic() - started
    for sender in senders:
        sender.join(timeout=120)
    statuses = sorted({answer.split(b"\r\n")[0].decode(errors="replace") for answer in answers})
    return (
        f"8 x 40 MB: RSS +{rss_mib(pid) - before:.0f} MiB; answers {statuses}; "
        f"a normal request meanwhile {probe.status_code} in {stalled:.2f} s"
    )


def prefer_and_auth(base_url: str) -> str:
    superscript = httpx.get(f"{base_url}/chats", auth=AUTH, headers={"Prefer": b"delay=\xb3"})
    no_credentials = httpx.get(f"{base_url}/chats", headers={"Prefer": "code=404"})
    challenge = httpx.get(f"{base_url}/chats", auth=AUTH, headers={"Prefer": "code=401"})
    kind = superscript.headers.get("content-type", "")
    return (
        f"delay=³: {superscript.status_code} {kind}; bad Prefer without credentials: {no_credentials.status_code}; "
        f"code=401 WWW-Authenticate: {'yes' if 'www-authenticate' in challenge.headers else 'no'}"
    )


def newest_state_directory() -> str:
    directories = [os.path.join("/tmp", name) for name in os.listdir("/tmp") if name.startswith("wamock-state-")]
    return max(directories, key=os.path.getmtime)


def journal_growth(base_url: str) -> str:
    directory = newest_state_directory()
    with httpx.Client(base_url=base_url, auth=AUTH, timeout=10) as client:
        for n in range(5000):
            client.get("/chats", params={"limit": 1, "pad": "x" * 7000, "n": n})
        started = time.monotonic()
        entries = len(client.get("/__wamock/journal").json()["results"]["entries"])
        read = time.monotonic() - started
    size = os.path.getsize(os.path.join(directory, "journal.jsonl")) / 2**20
    return (
        f"after 5,000 7 KB-query requests: journal file {size:.1f} MiB, GET journal {entries} entries in {read:.2f} s"
    )


def idle_connections(base_url: str) -> str:
    host, port = base_url.removeprefix("http://").split(":")
    idle = [socket.create_connection((host, int(port)), timeout=15) for _ in range(600)]
    answers = []
    for index, connection in enumerate(idle[:5] + idle[-5:]):
        connection.settimeout(12 if index == 0 else 0.5)  # the first waits past wamock's 10 s request timeout
        try:
            answers.append(connection.recv(100).split(b"\r\n")[0].decode() or "closed")
        except TimeoutError:
            answers.append("held open")
    normal = httpx.get(f"{base_url}/chats", auth=AUTH, timeout=15).status_code
    for connection in idle:
        connection.close()
    return f"600 idle connections, first and last five: {sorted(set(answers))}; a normal request after: {normal}"


def forged_log_line(python: str, cwd: str | None) -> str:
    process, base_url = start(python, cwd)
    lines = drained(process)
    httpx.get(f"{base_url}/chats%0d%0aSet-Cookie:%20x", auth=AUTH)
    httpx.get(f"{base_url}/chats", auth=AUTH)
    deadline = time.monotonic() + 10
    while not any(b"GET /chats 200" in line for line in lines) and time.monotonic() < deadline:
        time.sleep(0.02)  # poll
    process.terminate()
    process.wait()
    forged = [line for line in lines if line.startswith(b"Set-Cookie")]
    return f"lines starting 'Set-Cookie': {len(forged)}"


def delayed_at_sigterm(python: str, cwd: str | None) -> str:
    process, base_url = start(python, cwd)
    drained(process)
    host, port = base_url.removeprefix("http://").split(":")
    connection = socket.create_connection((host, int(port)), timeout=60)
    credentials = base64.b64encode(b"username:password")
    connection.sendall(
        b"GET /chats HTTP/1.1\r\nHost: 127.0.0.1\r\nPrefer: delay=15000\r\nConnection: close\r\n"
        b"Authorization: Basic " + credentials + b"\r\n\r\n"
    )
    time.sleep(1)  # the request is read; this is a benchmark, not a test
    process.send_signal(signal.SIGTERM)
    answer = b""
    while chunk := connection.recv(65536):
        answer += chunk
    process.wait()
    head, _, body = answer.partition(b"\r\n\r\n")
    kind = re.search(rb"content-type: ([^\r]+)", head, re.IGNORECASE)
    return (
        f"{head.split(b' ')[1].decode()} {kind.group(1).decode() if kind else ''} {body[:60].decode(errors='replace')}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--python", default=sys.executable, help="python of the wamock to attack")
    parser.add_argument("--cwd", default=None, help="directory to start it from (its checkout)")
    args = parser.parse_args()
    rows = []
    process, base_url = start(args.python, args.cwd, "--no-access-log")
    drained(process)
    try:
        rows.append(("another origin, DNS rebinding", control_from_another_origin(base_url)))
        rows.append(("Prefer and credentials", prefer_and_auth(base_url)))
        rows.append(("endless header lines", endless_headers(base_url, process.pid)))
        rows.append(("journal", journal_growth(base_url)))
        rows.append(("idle connections", idle_connections(base_url)))
    finally:
        process.terminate()
        process.wait()
    rows.append(("stdout a pipe nobody reads", unread_pipe(args.python, args.cwd)))
    rows.append(("/chats%0d%0aSet-Cookie", forged_log_line(args.python, args.cwd)))
    rows.append(("SIGTERM, a request delayed 15 s", delayed_at_sigterm(args.python, args.cwd)))
    for what, figure in rows:
        print(f"| {what} | {figure} |")


if __name__ == "__main__":
    main()
