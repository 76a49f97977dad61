"""HTTP around the API: malformed bodies answer 400, bodies over the limit 413 (unread), personal answers are never
cached, https (direct, or through a trusted proxy only) brings HSTS and a Secure cookie, and `serve` names no server."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from server.__main__ import server_options
from server.app import create_app
from server.config import Settings

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).parent.parent
QUERY = b'{"query": "{ __typename }"}'
AUTH_ROUTES = ["/auth/token", "/auth/session"]
ROUTES = ["/graphql", *AUTH_ROUTES]
ASHLEY = {"username": "ashley@griefcenter.example", "password": "cosville-demo"}

# Bodies that are not a GraphQL request; each once made /graphql answer 500.
BAD_BODIES = {
    "null": b"null",
    "number": b"1",
    "string": b'"x"',
    "NaN": b"NaN",
    "Infinity in variables": b'{"query": "{ __typename }", "variables": {"x": Infinity}}',
    "a list": b"[1]",
    "empty": b"",
    "not JSON": b"{query",
    "invalid UTF-8": b'{"query": "{ __typename }\xff\xfe"}',
    "a bare invalid byte": b"\xff",
    "nested 1,000 deep": b"[" * 1000 + b"]" * 1000,
    "nested 100,000 deep": b"[" * 100_000 + b"]" * 100_000,
    "variables nested 500 deep": b'{"query": "{ __typename }", "variables": {"x": ' + b"[" * 500 + b"]" * 500 + b"}}",
    "query not a string": b'{"query": 1}',
    "variables not an object": b'{"query": "{ __typename }", "variables": [1]}',
    "extensions not an object": b'{"query": "{ __typename }", "extensions": "x"}',
}


def post(http: httpx.AsyncClient, path: str, body: bytes, **headers: str):
    return http.post(path, content=body, headers={"Content-Type": "application/json", **headers})


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
async def test_a_body_that_is_not_a_graphql_request_answers_400_in_json(http, body):
    response = await post(http, "/graphql", body)
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert error["message"]


@pytest.mark.parametrize("path", AUTH_ROUTES)
@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
async def test_sign_in_answers_a_malformed_body_with_400(http, path, body):
    response = await post(http, path, body)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_request"


async def test_a_body_at_the_limit_is_taken(db, settings):
    padded = QUERY + b" " * (settings.max_body_bytes - len(QUERY))
    async with client(create_app(settings, db)) as http:
        response = await post(http, "/graphql", padded)
        assert response.json() == {"data": {"__typename": "Query"}}
        over = await post(http, "/graphql", padded + b" ")
        assert over.status_code == 413


async def asgi_call(app, path: str, headers: list[tuple[bytes, bytes]], receive) -> tuple[int, dict, bytes]:
    """One request to the app as an ASGI server would make it, with the server's receive given."""
    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body


@pytest.mark.parametrize("path", ROUTES)
async def test_a_body_declared_over_the_limit_is_refused_before_it_is_read(db, settings, path):
    app = create_app(settings, db)
    read = []

    async def receive():
        read.append(1)
        assert len(read) < 20, "the body is being read"
        return {"type": "http.request", "body": b"x" * 65536, "more_body": True}

    length = str(50 * 1024 * 1024).encode()
    status, headers, body = await asgi_call(app, path, [(b"content-length", length)], receive)
    assert status == 413
    assert read == []
    assert headers["cache-control"] == "no-store"
    assert "limit of 1048576 bytes" in body.decode()


@pytest.mark.parametrize("path", ROUTES)
async def test_a_chunked_body_over_the_limit_is_refused_while_it_streams(http, path):
    pulled = []

    async def fifty_megabytes():
        for _ in range(800):
            pulled.append(1)
            yield b" " * 65536

    response = await http.post(path, content=fifty_megabytes(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert "transfer-encoding" in response.request.headers  # no Content-Length: counted as it came
    assert len(pulled) < 20  # 1 MiB is 16 chunks: the rest was never read
    assert "limit of 1048576 bytes" in response.text


async def test_the_limit_is_a_setting(db, settings):
    async with client(create_app(replace(settings, max_body_bytes=100), db)) as http:
        assert (await post(http, "/graphql", QUERY)).status_code == 200
        assert (await post(http, "/graphql", QUERY + b" " * 100)).status_code == 413
        assert (await post(http, "/auth/token", b" " * 101)).json()["error"] == "too_large"


async def test_api_and_sign_in_answers_are_never_stored(http, gql):
    token = {"Authorization": f"Bearer {gql.tokens['caseworker']}"}
    answers = [
        await http.post("/graphql", json={"query": "{ viewer { name } }"}, headers=token),
        await http.get("/graphql", params={"query": "{ viewer { name } }"}, headers=token),
        await http.get("/graphql", headers={"Accept": "text/html"}),
        await post(http, "/graphql", b"null"),
        await http.post("/auth/token", json={"username": "connor@cosville.example", "password": "cosville-demo"}),
        await http.post("/auth/token", json={"username": "connor@cosville.example", "password": "wrong"}),
        await http.post("/auth/session", json=ASHLEY),
        await http.delete("/auth/session"),
    ]
    for answer in answers:
        assert answer.headers.get_list("cache-control") == ["no-store"], (answer.request.url, answer.status_code)
    portal = await http.get("/portal/")
    assert "no-store" not in portal.headers.get("cache-control", "")


def client(app, base_url: str = "http://testserver") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)


async def signed_in(app, base_url: str = "http://testserver", **headers: str) -> httpx.Response:
    async with client(app, base_url) as http:
        return await http.post("/auth/session", json=ASHLEY, headers=headers)


def is_https(answer: httpx.Response) -> tuple[bool, bool]:
    """(HSTS sent, the session cookie Secure)."""
    cookie = answer.headers["set-cookie"].lower()
    return "strict-transport-security" in answer.headers, "; secure" in cookie


@pytest.mark.parametrize(
    ("trusted_proxies", "forwarded", "expected"),
    [
        ("", {}, (False, False)),
        ("", {"X-Forwarded-Proto": "https"}, (False, False)),  # no proxy is trusted: the header is anyone's
        ("10.0.0.5", {"X-Forwarded-Proto": "https"}, (False, False)),  # the request did not come from it
        ("127.0.0.1", {}, (False, False)),
        ("127.0.0.1", {"X-Forwarded-Proto": "http"}, (False, False)),
        ("127.0.0.1", {"X-Forwarded-Proto": "https"}, (True, True)),
        ("10.0.0.0/8, 127.0.0.0/8", {"X-Forwarded-Proto": "https"}, (True, True)),
    ],
)
async def test_https_through_a_trusted_proxy_brings_hsts_and_a_secure_cookie(
    db, settings, trusted_proxies, forwarded, expected
):
    # ASGITransport's requests come from 127.0.0.1
    app = create_app(replace(settings, trusted_proxies=trusted_proxies), db)
    answer = await signed_in(app, **forwarded)
    assert answer.status_code == 200
    assert is_https(answer) == expected
    if expected[0]:
        assert answer.headers["strict-transport-security"] == "max-age=31536000"


async def test_served_over_https_itself_brings_hsts_and_a_secure_cookie(db, settings):
    answer = await signed_in(create_app(settings, db), "https://testserver")
    assert is_https(answer) == (True, True)


async def test_a_trusted_proxy_tells_the_clients_address(db, settings):
    seen = []

    async def whoami(request):
        seen.append(request.client.host)
        return PlainTextResponse("")

    for trusted_proxies in ("127.0.0.1", ""):
        app = create_app(replace(settings, trusted_proxies=trusted_proxies), db)
        app.router.routes.insert(0, Route("/whoami", whoami))
        async with client(app) as http:
            await http.get("/whoami", headers={"X-Forwarded-For": "203.0.113.7"})
    assert seen == ["203.0.113.7", "127.0.0.1"]


# The real server, as `python -m server serve` runs it.


def test_serve_sends_no_server_header_and_leaves_forwarded_headers_to_the_app():
    options = server_options(Settings(secret_key="x" * 40))
    assert options["server_header"] is False
    assert options["proxy_headers"] is False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(tmp_path: Path, **env: str) -> Iterator[str]:
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/serve.db",
        "SECRET_KEY": "x" * 40,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "FORWARDED_ALLOW_IPS": "*",  # uvicorn would believe anyone's forwarded headers: serve must not let it
        **env,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "server", "serve"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("serve did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def raw_request(url: str, head: bytes) -> bytes:
    """Sends a request's head only (no body) and returns what the server answers."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        connection.sendall(head)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer


def test_the_real_server_names_no_server_refuses_unread_and_trusts_no_proxy_by_default(tmp_path):
    with serving(tmp_path) as url:
        health = httpx.get(f"{url}/healthz", headers={"X-Forwarded-Proto": "https"})
        assert "server" not in health.headers
        assert "strict-transport-security" not in health.headers
        head = (
            b"POST /graphql HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 52428800\r\n\r\n"
        )
        answer = raw_request(url, head)
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert b"limit of 1048576 bytes" in answer
        bad = httpx.post(f"{url}/graphql", content=b"null", headers={"Content-Type": "application/json"})
        assert (bad.status_code, bad.json()["errors"][0]["extensions"]["code"]) == (400, "BAD_REQUEST")


def test_the_real_server_behind_a_trusted_proxy_sends_hsts(tmp_path):
    with serving(tmp_path, TRUSTED_PROXIES="127.0.0.1") as url:
        health = httpx.get(f"{url}/healthz", headers={"X-Forwarded-Proto": "https"})
        assert health.headers["strict-transport-security"] == "max-age=31536000"
        assert "strict-transport-security" not in httpx.get(f"{url}/healthz").headers
