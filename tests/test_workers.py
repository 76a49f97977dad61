"""Several server processes over one PostgreSQL database, run as a deployment would: `serve --workers 2` answers
from both workers and stops cleanly on SIGTERM; and a sign-out or a deactivation made through one process is
refused by every other within 5 s (each request checks the token against the database)."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlmodel import update

from server.domain.users import User
from tests.conftest import PASSWORD, PEOPLE, SECRET, postgres_url

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(postgres_url() is None, reason="DATABASE_URL does not point at PostgreSQL"),
    pytest.mark.parametrize("backend", ["postgresql"], indirect=True),
]

ROOT = Path(__file__).parent.parent
VIEWER = {"query": "query { viewer { name role } }"}
PROPAGATION_SECONDS = 5.0  # the most a sign-out or a deactivation may take to reach every other process


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Served:
    def __init__(self, process: subprocess.Popen, url: str, port: int, log: Path) -> None:
        self.process, self.url, self.port, self.log = process, url, port, log


def start(database_url: str, log: Path, *args: str) -> Served:
    """`python -m server serve ARGS` on a free port over `database_url`."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "PASSWORD_HASH_PROFILE": "test",
        "PYTHONPATH": str(ROOT),
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "server", "serve", *args], cwd=ROOT, env=env, stdout=output, stderr=output
        )
    return Served(process, f"http://127.0.0.1:{port}", port, log)


def wait_until_healthy(served: Served, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(f"{served.url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if served.process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"serve did not start:\n{served.log.read_text()}")
        time.sleep(0.1)


def stop(served: Served) -> None:
    if served.process.poll() is None:
        served.process.terminate()
        try:
            served.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            served.process.kill()
            served.process.wait()


@contextmanager
def serving(database_url: str, logs: Path, *args: str, count: int = 1) -> Iterator[list[Served]]:
    """`count` servers started at once (`serve ARGS`, each on its own port), once each /healthz answers; stopped
    after."""
    servers: list[Served] = []
    try:
        for number in range(count):
            servers.append(start(database_url, logs / f"serve-{number}.log", *args))
        for served in servers:
            wait_until_healthy(served)
        yield servers
    finally:
        for served in servers:
            stop(served)


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces or parentheses, so split after its last ")".
        if int(stat.rpartition(")")[2].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def workers_of(pid: int) -> list[int]:
    """uvicorn's worker processes under `pid`: spawned by multiprocessing (not its resource tracker)."""
    workers = []
    for child in children(pid):
        try:
            command = (Path("/proc") / str(child) / "cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in command:
            workers.append(child)
    return workers


def is_running(pid: int) -> bool:
    """Whether process `pid` exists and is not a zombie."""
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def established_inodes(port: int) -> set[str]:
    """The socket inodes of the established TCP connections to `port` on this host."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local_port = int(fields[1].rpartition(":")[2], 16)
            if local_port == port and fields[3] == "01":  # 01: ESTABLISHED
                inodes.add(fields[9])
    return inodes


def holds_a_connection(pid: int, port: int) -> bool:
    """Whether process `pid` holds an accepted connection to `port`: the worker that accepted it answers it."""
    inodes = established_inodes(port)
    for fd in (Path("/proc") / str(pid) / "fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in inodes:
            return True
    return False


async def viewer(url: str, token: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        return await http.post("/graphql", json=VIEWER, headers={"Authorization": f"Bearer {token}"})


def refusal(answer: httpx.Response) -> str | None:
    errors = answer.json().get("errors") or []
    if errors and errors[0]["extensions"]["code"] == "UNAUTHENTICATED":
        return errors[0]["message"]
    assert answer.json()["data"]["viewer"]["name"], answer.text
    return None


async def refused_within(url: str, token: str, seconds: float) -> tuple[str | None, float]:
    """Polls until the token is refused, for `seconds` at most: the refusal and how long it took."""
    started = time.monotonic()
    while True:
        reason = refusal(await viewer(url, token))
        elapsed = time.monotonic() - started
        if reason is not None or elapsed > seconds:
            return reason, elapsed
        await asyncio.sleep(0.05)


async def test_serve_with_two_workers_answers_from_both_and_stops_on_sigterm(db, tmp_path):
    with serving(db.url, tmp_path, "--workers", "2") as (served,):
        workers = workers_of(served.process.pid)
        assert len(workers) == 2, served.log.read_text()
        async with httpx.AsyncClient(base_url=served.url, timeout=10) as http:
            signed_in = await http.post("/auth/token", json={"username": PEOPLE["caseworker"], "password": PASSWORD})
        token = signed_in.json()["access_token"]

        answered_by: set[int] = set()
        limits = httpx.Limits(max_connections=50, max_keepalive_connections=50)
        for _round in range(10):
            # Fifty requests at once, on as many connections, kept open until every worker's share is seen.
            async with httpx.AsyncClient(base_url=served.url, timeout=10, limits=limits) as http:
                answers = await asyncio.gather(
                    *(
                        http.post("/graphql", json=VIEWER, headers={"Authorization": f"Bearer {token}"})
                        for _ in range(50)
                    )
                )
                assert all(answer.status_code == 200 for answer in answers)
                assert {answer.json()["data"]["viewer"]["name"] for answer in answers} == {"Connor Reyes"}
                answered_by |= {pid for pid in workers if holds_a_connection(pid, served.port)}
            if answered_by == set(workers):
                break
        assert answered_by == set(workers)

        served.process.send_signal(signal.SIGTERM)
        assert served.process.wait(timeout=10) == 0, served.log.read_text()
        assert workers_of(served.process.pid) == []
        assert not any(is_running(pid) for pid in workers)


async def test_sign_out_and_deactivation_reach_every_process_within_five_seconds(db, tmp_path):
    with serving(db.url, tmp_path, count=2) as (a, b):
        # A provider signs in to the portal through A; the session's token works on B too.
        async with httpx.AsyncClient(base_url=a.url, timeout=10) as portal:
            signed_in = await portal.post(
                "/auth/session", json={"username": PEOPLE["provider_a"], "password": PASSWORD}
            )
            assert signed_in.status_code == 200
            token = portal.cookies["caseway_session"]
            assert refusal(await viewer(b.url, token)) is None
            # when: signing out on A
            assert (await portal.delete("/auth/session")).status_code == 204
        # then: A refuses the token at once, B within 5 s
        assert refusal(await viewer(a.url, token)) == "You have signed out: sign in again."
        reason, _elapsed = await refused_within(b.url, token, PROPAGATION_SECONDS)
        assert reason == "You have signed out: sign in again."

        # Deactivation: a bearer token from A, working on both, until the account is made inactive.
        async with httpx.AsyncClient(base_url=a.url, timeout=10) as http:
            issued = await http.post("/auth/token", json={"username": PEOPLE["provider_a"], "password": PASSWORD})
        token = issued.json()["access_token"]
        assert refusal(await viewer(a.url, token)) is None
        assert refusal(await viewer(b.url, token)) is None
        async with db.write() as session:
            await session.exec(update(User).where(User.email == PEOPLE["provider_a"]).values(active=False))
        for served in (a, b):
            reason, _elapsed = await refused_within(served.url, token, PROPAGATION_SECONDS)
            assert reason == "This account cannot sign in."
