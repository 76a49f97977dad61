"""The portal's session cookie: HttpOnly and SameSite=Strict, providers only, revoked on sign-out; the API still
takes bearer tokens."""

import pytest

from server.core.tokens import issue_token
from tests.conftest import PASSWORD, SECRET

pytestmark = pytest.mark.anyio

VIEWER = {"query": "query { viewer { name role } }"}


async def sign_in(http, email: str, password: str = PASSWORD):
    return await http.post("/auth/session", json={"username": email, "password": password})


async def test_a_provider_signs_in_with_an_httponly_strict_cookie_and_out_for_good(http):
    # when
    signed_in = await sign_in(http, "ashley@griefcenter.example")
    # then
    assert signed_in.status_code == 200
    cookie = signed_in.headers["set-cookie"]
    assert cookie.startswith("caseway_session=")
    for attribute in ("HttpOnly", "SameSite=strict", "Path=/", "Max-Age="):
        assert attribute.lower() in cookie.lower()
    token = http.cookies["caseway_session"]
    viewer = (await http.post("/graphql", json=VIEWER)).json()["data"]["viewer"]
    assert viewer == {"name": "Ashley Moreno", "role": "PROVIDER_STAFF"}
    # when: signing out
    assert (await http.delete("/auth/session")).status_code == 204
    # then: the cookie is gone, and a copy of the token no longer works either
    assert "caseway_session" not in http.cookies
    http.cookies.set("caseway_session", token)
    replayed = await http.post("/graphql", json=VIEWER)
    assert replayed.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    as_bearer = await http.post("/graphql", json=VIEWER, headers={"Authorization": f"Bearer {token}"})
    assert as_bearer.json()["errors"][0]["message"] == "You have signed out: sign in again."


async def test_agency_accounts_are_told_the_portal_is_for_providers(http):
    refused = await sign_in(http, "connor@cosville.example")
    assert refused.status_code == 403
    assert refused.json()["message"].startswith("The portal is for provider staff.")
    assert "set-cookie" not in refused.headers


@pytest.mark.parametrize(
    ("email", "password"), [("ashley@griefcenter.example", "wrong-password"), ("nobody@example.com", PASSWORD)]
)
async def test_wrong_credentials_get_one_plain_message(http, email, password):
    refused = await sign_in(http, email, password)
    assert (refused.status_code, refused.json()) == (
        401,
        {"error": "invalid_grant", "message": "Wrong email or password."},
    )


async def test_the_cookie_is_ignored_on_a_request_from_another_sites_page(http):
    await sign_in(http, "ashley@griefcenter.example")
    foreign = await http.post("/graphql", json=VIEWER, headers={"Origin": "https://evil.example"})
    assert foreign.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    own = await http.post("/graphql", json=VIEWER, headers={"Origin": "http://testserver"})
    assert own.json()["data"]["viewer"]["name"] == "Ashley Moreno"


async def test_an_expired_session_cookie_is_refused_with_its_reason(http, users):
    http.cookies.set("caseway_session", issue_token(SECRET, user_id=users["provider_a"].id, ttl_seconds=-60))
    refused = (await http.post("/graphql", json=VIEWER)).json()["errors"][0]
    assert (refused["extensions"]["code"], refused["message"]) == (
        "UNAUTHENTICATED",
        "Your sign-in has expired: sign in again.",
    )
