"""The test OpenID provider itself (tests/oidc_provider.py): discovery, a code flow with PKCE whose ID token verifies
against the provider's keys, and the test-only endpoints that make it answer tokens a relying party must refuse."""

import base64
import hashlib
import os
import secrets
import subprocess
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError
from joserfc.jwk import KeySet

from tests.oidc_provider import PACKAGE, OIDCProvider, _node, _wait_for_issuer

REDIRECT_URI = "http://127.0.0.1:9/auth/sso/callback"  # never followed: the sign-in stops at the redirect


def new_client(provider: OIDCProvider) -> tuple[str, str]:
    client_id, secret = f"client-{uuid.uuid4().hex[:8]}", secrets.token_urlsafe(24)
    provider.add_client(client_id, secret, [REDIRECT_URI])
    return client_id, secret


def new_account(provider: OIDCProvider, name: str = "Connor Reyes") -> str:
    email = f"{uuid.uuid4().hex[:8]}@cosville.example"
    provider.add_account(email, verified=True, name=name)
    return email


def authorize_url(provider: OIDCProvider, client_id: str, *, state: str, nonce: str, verifier: str) -> str:
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid email profile",
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return f"{provider.metadata['authorization_endpoint']}?{urlencode(query)}"


def exchange(provider: OIDCProvider, client_id: str, secret: str, code: str, verifier: str) -> httpx.Response:
    return httpx.post(
        provider.metadata["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
        auth=(client_id, secret),
    )


def signed_in(provider: OIDCProvider, nonce: str = "n-0S6_WzA2Mj") -> dict:
    """A whole code flow: a new client and account, the sign-in, the code exchange; the token response."""
    client_id, secret = new_client(provider)
    email = new_account(provider)
    verifier = secrets.token_urlsafe(48)
    redirect = provider.sign_in(authorize_url(provider, client_id, state="xyz", nonce=nonce, verifier=verifier), email)
    response = exchange(provider, client_id, secret, redirect.code, verifier)
    assert response.status_code == 200, response.text
    return {"client_id": client_id, "email": email, **response.json()}


def verified_claims(provider: OIDCProvider, id_token: str) -> dict:
    """The token's claims, once its signature is checked against the provider's JWKS."""
    return jwt.decode(id_token, KeySet.import_key_set(provider.jwks()), algorithms=["RS256"]).claims


def test_discovery_answers_with_the_issuer(oidc_provider):
    # when
    metadata = httpx.get(f"{oidc_provider.issuer}/.well-known/openid-configuration").json()
    # then
    assert oidc_provider.issuer.startswith("http://127.0.0.1:")
    assert metadata["issuer"] == oidc_provider.issuer
    for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint"):
        assert metadata[endpoint].startswith(f"{oidc_provider.issuer}/")
    assert metadata["code_challenge_methods_supported"] == ["S256"]


def test_a_code_flow_with_pkce_gives_an_id_token_with_the_accounts_claims(oidc_provider):
    # given
    client_id, secret = new_client(oidc_provider)
    email = new_account(oidc_provider, name="Connor Reyes")
    verifier = secrets.token_urlsafe(48)
    url = authorize_url(oidc_provider, client_id, state="state-1", nonce="nonce-1", verifier=verifier)
    # when
    redirect = oidc_provider.sign_in(url, email)
    # then
    assert redirect.url.startswith(f"{REDIRECT_URI}?")
    assert redirect.state == "state-1"
    assert redirect.params["iss"] == oidc_provider.issuer
    assert redirect.code
    # when
    tokens = exchange(oidc_provider, client_id, secret, redirect.code, verifier).json()
    # then
    claims = verified_claims(oidc_provider, tokens["id_token"])
    assert claims["iss"] == oidc_provider.issuer
    assert claims["aud"] == client_id
    assert claims["nonce"] == "nonce-1"
    assert claims["email"] == email
    assert claims["email_verified"] is True
    assert claims["name"] == "Connor Reyes"
    assert claims["sub"] == oidc_provider.add_account(email, name="Connor Reyes")  # stable per email
    assert claims["iat"] <= time.time() < claims["exp"]
    userinfo = httpx.get(
        oidc_provider.metadata["userinfo_endpoint"], headers={"Authorization": f"Bearer {tokens['access_token']}"}
    ).json()
    assert userinfo["email"] == email


def test_the_code_needs_the_pkce_verifier_and_is_used_once(oidc_provider):
    # given
    client_id, secret = new_client(oidc_provider)
    email = new_account(oidc_provider)
    verifier = secrets.token_urlsafe(48)
    url = authorize_url(oidc_provider, client_id, state="s", nonce="n", verifier=verifier)
    code = oidc_provider.sign_in(url, email).code
    # when
    wrong = exchange(oidc_provider, client_id, secret, code, secrets.token_urlsafe(48))
    # then
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    # when
    right = exchange(oidc_provider, client_id, secret, code, verifier)
    again = exchange(oidc_provider, client_id, secret, code, verifier)
    # then
    assert right.status_code == 200
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_an_unverified_email_is_said_so(oidc_provider):
    # given
    client_id, secret = new_client(oidc_provider)
    email = f"{uuid.uuid4().hex[:8]}@cosville.example"
    oidc_provider.add_account(email, verified=False)
    verifier = secrets.token_urlsafe(48)
    redirect = oidc_provider.sign_in(
        authorize_url(oidc_provider, client_id, state="s", nonce="n", verifier=verifier), email
    )
    # when
    tokens = exchange(oidc_provider, client_id, secret, redirect.code, verifier).json()
    # then
    assert verified_claims(oidc_provider, tokens["id_token"])["email_verified"] is False


def test_an_unknown_email_cannot_sign_in(oidc_provider):
    # given
    client_id, _ = new_client(oidc_provider)
    url = authorize_url(oidc_provider, client_id, state="s", nonce="n", verifier=secrets.token_urlsafe(48))
    # when / then
    with pytest.raises(AssertionError, match=r"No account for nobody@cosville\.example"):
        oidc_provider.sign_in(url, "nobody@cosville.example")


def test_a_redirect_uri_not_registered_is_refused(oidc_provider):
    # given
    client_id, _ = new_client(oidc_provider)
    url = authorize_url(oidc_provider, client_id, state="s", nonce="n", verifier=secrets.token_urlsafe(48))
    # when / then
    with pytest.raises(AssertionError, match="400"):
        oidc_provider.sign_in(url.replace("127.0.0.1%3A9", "127.0.0.1%3A10"), new_account(oidc_provider))


@pytest.mark.anyio
async def test_sign_in_async_follows_the_same_flow(oidc_provider):
    # given
    client_id, _ = new_client(oidc_provider)
    email = new_account(oidc_provider)
    url = authorize_url(oidc_provider, client_id, state="async", nonce="n", verifier=secrets.token_urlsafe(48))
    # when
    redirect = await oidc_provider.sign_in_async(url, email)
    # then
    assert redirect.state == "async"
    assert redirect.code


def test_a_kept_client_signs_in_once_then_passes_through(oidc_provider):
    # given
    client_id, _ = new_client(oidc_provider)
    email = new_account(oidc_provider)
    with httpx.Client() as browser:
        url = authorize_url(oidc_provider, client_id, state="one", nonce="n", verifier=secrets.token_urlsafe(48))
        oidc_provider.sign_in(url, email, client=browser)
        # when: the provider's session cookie is still there
        url = authorize_url(oidc_provider, client_id, state="two", nonce="n", verifier=secrets.token_urlsafe(48))
        redirect = oidc_provider.sign_in(url, "typed-nowhere@cosville.example", client=browser)
    # then
    assert redirect.state == "two"
    assert redirect.code


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ({"aud": "someone-else"}, {"aud": "someone-else"}),
        ({"nonce": "not-the-one-sent"}, {"nonce": "not-the-one-sent"}),
        ({"nonce": None}, {"nonce": None}),
        ({"exp": 1_700_000_000}, {"exp": 1_700_000_000}),
        ({"iss": "http://127.0.0.1:1"}, {"iss": "http://127.0.0.1:1"}),
    ],
)
def test_the_next_id_token_can_carry_claims_a_client_must_refuse(oidc_provider, override, expected):
    # given
    oidc_provider.override_next_id_token(**override)
    # when
    tokens = signed_in(oidc_provider, nonce="sent-nonce")
    # then: still signed with the provider's own keys, only the claims differ
    claims = verified_claims(oidc_provider, tokens["id_token"])
    for name, value in expected.items():
        assert claims.get(name) == value
    assert claims["email"] == tokens["email"]
    # and the override was used once
    tokens = signed_in(oidc_provider, nonce="sent-nonce")
    claims = verified_claims(oidc_provider, tokens["id_token"])
    assert (claims["aud"], claims["nonce"], claims["iss"]) == (tokens["client_id"], "sent-nonce", oidc_provider.issuer)
    assert claims["exp"] > time.time()


def test_the_next_id_token_can_be_another_issuers(oidc_provider, other_oidc_provider):
    # given
    assert other_oidc_provider.issuer != oidc_provider.issuer
    foreign = other_oidc_provider.mint_id_token(sub="someone", aud="whoever", nonce="sent-nonce")
    oidc_provider.replace_next_id_token(foreign)
    # when
    tokens = signed_in(oidc_provider, nonce="sent-nonce")
    # then
    assert tokens["id_token"] == foreign
    with pytest.raises(InvalidKeyIdError):  # signed with keys this provider never published
        verified_claims(oidc_provider, foreign)
    assert verified_claims(other_oidc_provider, foreign)["iss"] == other_oidc_provider.issuer


def test_a_pending_override_can_be_cleared(oidc_provider):
    # given
    oidc_provider.override_next_id_token(aud="someone-else")
    # when
    oidc_provider.clear_next_id_token()
    # then
    tokens = signed_in(oidc_provider)
    assert verified_claims(oidc_provider, tokens["id_token"])["aud"] == tokens["client_id"]


def test_minted_id_tokens_have_the_claims_asked_for(oidc_provider):
    # when
    token = oidc_provider.mint_id_token(sub="s-1", aud="caseway", email="a@cosville.example", exp=1_700_000_000)
    # then
    header = jwt.decode(token, KeySet.import_key_set(oidc_provider.jwks()), algorithms=["RS256"]).header
    claims = verified_claims(oidc_provider, token)
    assert header["kid"] in {key["kid"] for key in oidc_provider.jwks()["keys"]}
    assert claims["iss"] == oidc_provider.issuer
    assert (claims["sub"], claims["aud"], claims["exp"]) == ("s-1", "caseway", 1_700_000_000)
    assert "iat" in claims
    assert "iat" not in verified_claims(oidc_provider, oidc_provider.mint_id_token(sub="s-1", iat=None))


def test_the_test_endpoints_need_the_admin_token(oidc_provider):
    # when
    responses = [
        httpx.post(f"{oidc_provider.issuer}{path}", json=body, headers=headers)
        for path, body in [
            ("/test/clients", {"client_id": "intruder", "redirect_uris": ["http://evil.example/cb"]}),
            ("/test/accounts", {"email": "intruder@evil.example"}),
            ("/test/id-token", {"claims": {"sub": "x"}}),
            ("/test/next-id-token-override", {"claims": {"aud": "x"}}),
        ]
        for headers in ({}, {"Authorization": "Bearer wrong"})
    ]
    # then
    assert [response.status_code for response in responses] == [401] * 8


def test_a_provider_that_cannot_start_shows_its_output(tmp_path):
    # given: no configuration, so the script stops at once
    log = tmp_path / "provider.log"
    with log.open("wb") as out:
        process = subprocess.Popen([_node(), str(PACKAGE / "provider.mjs")], cwd=PACKAGE, stdout=out, stderr=out)
    # when / then
    with pytest.raises(RuntimeError, match=r"did not start \(exit code 2\)(.|\n)*needs an adminToken"):
        _wait_for_issuer(process, log)


def test_a_browser_signs_in_through_the_login_form(oidc_provider):
    # given
    if not Path("/usr/bin/chromium").exists():
        if os.environ.get("CI"):
            raise RuntimeError("CI needs Debian's Chromium at /usr/bin/chromium (.ci/run installs it)")
        pytest.skip("Debian's Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    client_id, _ = new_client(oidc_provider)
    email = new_account(oidc_provider)
    url = authorize_url(oidc_provider, client_id, state="browser", nonce="n", verifier=secrets.token_urlsafe(48))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page()
        page.route(f"{REDIRECT_URI}?*", lambda route: route.fulfill(body="back at the client"))
        # when
        page.goto(url)
        expect(page.get_by_role("heading", name="Test identity provider")).to_be_visible()
        page.get_by_label("Email").fill(email)
        page.get_by_role("button", name="Sign in").click()
        # then
        page.wait_for_url(f"{REDIRECT_URI}?*")
        query = dict(parse_qsl(urlsplit(page.url).query))
        browser.close()
    assert query["state"] == "browser"
    assert query["code"]
