"""A real Caseway server process for benchmarks: `python -m server serve` (or another entry that serves the app, e.g.
a bench script's own `--serve`) on a free loopback port over a given database, waited for until /healthz answers,
stopped at the end; and its resident memory, read from /proc."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).parent.parent
SECRET = "bench-secret-key-of-enough-length!!"
# What `serve` runs with the venv's python: the Caseway command line's `serve`.
SERVER_COMMAND = ("-m", "server", "serve")


@dataclass
class ServerProcess:
    url: str
    process: subprocess.Popen

    def rss_mib(self) -> float:
        """Resident memory of the server and its children (worker processes), in MiB."""
        return sum(_rss_kib(pid) for pid in [self.process.pid, *_children(self.process.pid)]) / 1024


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:  # the thread ended meanwhile
            continue
        for child in map(int, children):
            found += [child, *_children(child)]
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serve(
    database_url: str, *args: str, command: Sequence[str] = SERVER_COMMAND, **env: str
) -> Iterator[ServerProcess]:
    """`python -m server serve ARGS` over `database_url`, with the production password profile unless `env` says.
    `command` replaces `-m server serve` (e.g. a script path and its flag); it must serve on $PORT with /healthz."""
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "PORT": str(port),
        **env,
    }
    process = subprocess.Popen(
        [sys.executable, *command, *args],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start (exit code {process.poll()})")
            time.sleep(0.1)
        yield ServerProcess(url, process)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
