"""A real OpenID provider for the tests: Node's oidc-provider (tests/oidc/provider.mjs) on a loopback port.

Fixtures (registered for every test by tests/conftest.py):
- `oidc_provider`: one provider per test session, issuer `http://127.0.0.1:<port>`;
- `other_oidc_provider`: a second one (another issuer, other keys), for tokens of an issuer nobody registered.

Both are shared by the whole session: register what a test needs under names of its own (`add_client`,
`add_account`). `running_oidc_provider()` starts one more where a test needs it.

The provider's packages come from tests/oidc/package-lock.json: `make test` installs them (`npm ci --prefix
tests/oidc`). Without `node` on PATH the tests that use a provider are skipped, except under CI=true, where they fail.
To move to another release: `npm install --prefix tests/oidc --save-exact oidc-provider@<version>`, then commit both
tests/oidc/package.json and package-lock.json.
"""

import json
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx
import pytest

PACKAGE = Path(__file__).parent / "oidc"
INSTALL = "run `make test`, or `npm ci --prefix tests/oidc`, to install them from tests/oidc/package-lock.json"
START_TIMEOUT = 20.0  # seconds; it starts in well under one
_LOGIN_FORM = re.compile(r'<form[^>]*method="post"[^>]*action="([^"]+)"', re.IGNORECASE)
_ALERT = re.compile(r'<p role="alert">(.*?)</p>', re.DOTALL)

# One request of a sign-in: method, absolute URL, form fields.
Step = tuple[str, str, dict[str, str] | None]


@dataclass(frozen=True)
class AuthorizationResponse:
    """The provider's redirect to the client's redirect URI, at the end of a sign-in."""

    url: str
    params: dict[str, str]  # code, state and iss; error and error_description when refused

    @property
    def code(self) -> str | None:
        return self.params.get("code")

    @property
    def state(self) -> str | None:
        return self.params.get("state")


class OIDCProvider:
    """A running provider: its issuer, and the test-only endpoints that change what it knows and answers."""

    def __init__(self, issuer: str, admin_token: str, process: subprocess.Popen, log: Path) -> None:
        self.issuer = issuer
        self.process = process
        self.log = log
        self._admin = httpx.Client(base_url=issuer, headers={"Authorization": f"Bearer {admin_token}"}, timeout=10)

    # -- what it knows

    @property
    def metadata(self) -> dict[str, Any]:
        """The discovery document (`/.well-known/openid-configuration`)."""
        return self._get("/.well-known/openid-configuration")

    def jwks(self) -> dict[str, Any]:
        """The public keys its ID tokens are signed with."""
        return self._get(self.metadata["jwks_uri"])

    def add_client(self, client_id: str, secret: str, redirect_uris: Iterable[str], **metadata: Any) -> None:
        """Registers (or replaces) a confidential client for the authorization-code flow with PKCE.

        Extra metadata is passed as is (`post_logout_redirect_uris=[...]`, `token_endpoint_auth_method=...`).
        """
        body = {"client_id": client_id, "client_secret": secret, "redirect_uris": list(redirect_uris), **metadata}
        self._post("/test/clients", body)

    def add_account(self, email: str, verified: bool = True, name: str | None = None, *, sub: str | None = None) -> str:
        """Adds (or replaces) the account signing in with this email; returns its `sub`, stable per email."""
        body = {"email": email, "email_verified": verified, "name": name, "sub": sub}
        return self._post("/test/accounts", {k: v for k, v in body.items() if v is not None})["sub"]

    # -- tokens it should not have issued

    def mint_id_token(self, **claims: Any) -> str:
        """An ID token signed with this provider's keys, with these claims over `iss`, `iat` and `exp` (now + 10 min).

        A claim given as None is left out.
        """
        return self._post("/test/id-token", {"claims": claims})["id_token"]

    def override_next_id_token(self, **claims: Any) -> None:
        """The next token response's ID token gets these claims (`aud=`, `nonce=`, `exp=`, `iss=`, ...), re-signed
        with the provider's keys; a claim given as None is removed. Used once, by the next code exchange."""
        self._post("/test/next-id-token-override", {"claims": claims})

    def replace_next_id_token(self, id_token: str) -> None:
        """The next token response carries this ID token instead (e.g. one minted by another provider)."""
        self._post("/test/next-id-token-override", {"id_token": id_token})

    def clear_next_id_token(self) -> None:
        """Forgets a pending override, if a test left one unused."""
        self._admin.delete("/test/next-id-token-override").raise_for_status()

    # -- signing in

    def sign_in(self, authorize_url: str, email: str, *, client: httpx.Client | None = None) -> AuthorizationResponse:
        """Follows an authorization request through the login form, as `email`, until the provider redirects to
        the client's redirect URI, and returns that redirect (not followed). Pass `client` to keep the provider's
        session cookie between sign-ins."""
        with httpx.Client(timeout=10) if client is None else _borrowed(client) as http:
            method, url, form = self._first_step(authorize_url)
            for _ in range(20):
                response = http.send(http.build_request(method, url, data=form))
                step = self._next_step(response, email)
                if isinstance(step, AuthorizationResponse):
                    return step
                method, url, form = step
        raise AssertionError(f"the sign-in at {self.issuer} did not end in 20 steps")

    async def sign_in_async(
        self, authorize_url: str, email: str, *, client: httpx.AsyncClient | None = None
    ) -> AuthorizationResponse:
        """`sign_in`, with an asynchronous client."""
        async with httpx.AsyncClient(timeout=10) if client is None else _borrowed_async(client) as http:
            method, url, form = self._first_step(authorize_url)
            for _ in range(20):
                response = await http.send(http.build_request(method, url, data=form))
                step = self._next_step(response, email)
                if isinstance(step, AuthorizationResponse):
                    return step
                method, url, form = step
        raise AssertionError(f"the sign-in at {self.issuer} did not end in 20 steps")

    def _first_step(self, authorize_url: str) -> Step:
        if not self._ours(authorize_url):
            raise ValueError(f"{authorize_url} is not an authorization request to {self.issuer}")
        return ("GET", authorize_url, None)

    def _next_step(self, response: httpx.Response, email: str) -> Step | AuthorizationResponse:
        """The request that follows this response, or the redirect to the client that ends the sign-in."""
        url = str(response.url)
        if response.is_redirect:
            target = urljoin(url, response.headers["location"])
            if self._ours(target):
                return ("GET", target, None)
            return AuthorizationResponse(url=target, params=dict(parse_qsl(urlsplit(target).query)))
        page = response.text
        if response.status_code != 200:
            raise AssertionError(f"{self.issuer} answered {response.status_code} at {url}: {page[:500]}")
        if response.request.method == "POST" and (alert := _ALERT.search(page)):
            raise AssertionError(f"{self.issuer} refused the sign-in: {unescape(alert.group(1))}")
        if not (form := _LOGIN_FORM.search(page)):
            raise AssertionError(f"no login form at {url}: {page[:500]}")
        return ("POST", urljoin(url, unescape(form.group(1))), {"email": email})

    def _ours(self, url: str) -> bool:
        return urlsplit(url).netloc == urlsplit(self.issuer).netloc

    # -- plumbing

    def _get(self, path: str) -> Any:
        response = self._admin.get(path)
        response.raise_for_status()
        return response.json()

    def _post(self, path: str, body: dict) -> Any:
        response = self._admin.post(path, json=body)
        if response.is_error:
            raise AssertionError(f"{path} answered {response.status_code}: {response.text}")
        return response.json()

    def stop(self) -> None:
        self._admin.close()
        _end(self.process)


def _end(process: subprocess.Popen) -> None:
    if process.stdin:
        process.stdin.close()
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def _borrowed(client: httpx.Client) -> Iterator[httpx.Client]:
    yield client  # the caller's client stays open


@asynccontextmanager
async def _borrowed_async(client: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    yield client


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI") == "true":
            raise RuntimeError("CI needs Node.js (20.19 or later) on PATH for the OpenID provider tests")
        pytest.skip("node is not on PATH: the OpenID provider tests need Node.js 20.19 or later")
    if not (PACKAGE / "node_modules" / "oidc-provider" / "package.json").is_file():
        pytest.fail(f"the OpenID provider's node packages are not installed: {INSTALL}", pytrace=False)
    return node


@contextmanager
def running_oidc_provider(*, clients: Iterable[dict] = (), accounts: Iterable[dict] = ()) -> Iterator[OIDCProvider]:
    """Starts a provider on a free loopback port, waits for its discovery document, and stops it on exit.

    `clients` items: {"client_id", "client_secret", "redirect_uris", ...}; `accounts` items: {"email",
    "email_verified", "name", "sub"?}. Both can be added later too.
    """
    node = _node()
    admin_token = secrets.token_urlsafe(32)
    config = {"adminToken": admin_token, "clients": list(clients), "accounts": list(accounts)}
    with tempfile.TemporaryDirectory(prefix="caseway-oidc-") as folder:
        log = Path(folder) / "provider.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [node, str(PACKAGE / "provider.mjs")],
                cwd=PACKAGE,
                env={**os.environ, "CASEWAY_OIDC_CONFIG": json.dumps(config)},
                stdin=subprocess.PIPE,  # closed when this process ends, which stops the provider
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        provider = None
        try:
            issuer = _wait_for_issuer(process, log)
            provider = OIDCProvider(issuer, admin_token, process, log)
            _wait_for_discovery(provider)
            yield provider
        finally:
            if provider is not None:
                provider.stop()
            else:
                _end(process)


def _wait_for_issuer(process: subprocess.Popen, log: Path) -> str:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        for line in log.read_text(errors="replace").splitlines():
            if line.startswith('{"issuer"'):
                return json.loads(line)["issuer"]
        if process.poll() is not None:
            break
        time.sleep(0.02)
    _end(process)
    raise RuntimeError(
        f"the OpenID provider did not start (exit code {process.returncode}); its output:\n"
        f"{log.read_text(errors='replace')}"
    )


def _wait_for_discovery(provider: OIDCProvider) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            if provider.metadata["issuer"] == provider.issuer:
                return
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
        if provider.process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(
                f"the OpenID provider's discovery did not answer; its output:\n{provider.log.read_text()}"
            )
        time.sleep(0.05)


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[OIDCProvider]:
    """The test session's OpenID provider (a real oidc-provider on a loopback port)."""
    with running_oidc_provider() as provider:
        yield provider


@pytest.fixture(scope="session")
def other_oidc_provider() -> Iterator[OIDCProvider]:
    """A second OpenID provider: another issuer, with keys of its own."""
    with running_oidc_provider() as provider:
        yield provider
