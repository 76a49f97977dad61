"""Sign-in: POST /auth/token, bearer tokens, and what an unsigned or badly signed request can reach."""

import base64
import json
import time

import pytest
from argon2 import PasswordHasher

from server.core.tokens import issue_token
from tests.conftest import PASSWORD, SECRET, assert_denied

pytestmark = pytest.mark.anyio

VIEWER = "query { viewer { id name role agency { name } provider { name } } }"


async def sign_in(http, **credentials):
    return await http.post("/auth/token", data=credentials)


async def test_sign_in_with_a_form_gives_a_working_bearer_token(http):
    # when
    response = await sign_in(http, username="Connor@Cosville.example", password=PASSWORD)
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] > 0
    viewer = await http.post(
        "/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert viewer.json()["data"]["viewer"]["name"] == "Connor Reyes"


async def test_sign_in_with_json(http):
    response = await http.post("/auth/token", json={"username": "ashley@griefcenter.example", "password": PASSWORD})
    assert response.status_code == 200
    assert response.json()["access_token"]


async def test_wrong_password_and_unknown_user_get_the_same_answer_after_the_same_work(http, monkeypatch):
    verified = []
    original = PasswordHasher.verify

    def counting_verify(self, hash, password):
        verified.append(hash)
        return original(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting_verify)
    # when
    wrong = await sign_in(http, username="connor@cosville.example", password="not-the-password")
    unknown = await sign_in(http, username="nobody@cosville.example", password="not-the-password")
    # then
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"error": "invalid_grant", "error_description": "Wrong email or password."}
    assert len(verified) == 2  # an Argon2 verification for the unknown user too


async def test_sign_in_without_credentials_is_a_bad_request(http):
    response = await http.post("/auth/token", json={"username": "connor@cosville.example"})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


async def test_a_deactivated_user_can_neither_sign_in_nor_use_an_old_token(http, gql, db, users):
    from server.domain.users import User

    async with db.write() as session:
        user = await session.get(User, users["caseworker"].id)
        user.active = False
    assert (await sign_in(http, username="connor@cosville.example", password=PASSWORD)).status_code == 401
    assert_denied(await gql("caseworker", VIEWER), "UNAUTHENTICATED")


@pytest.mark.parametrize(
    ("who", "role", "employer"),
    [
        ("agency_admin", "AGENCY_ADMIN", ("agency", "City of Cosville")),
        ("supervisor", "SUPERVISOR", ("agency", "City of Cosville")),
        ("caseworker", "CASEWORKER", ("agency", "City of Cosville")),
        ("provider_a", "PROVIDER_STAFF", ("provider", "Cosville Grief Counseling Center")),
        ("provider_a_admin", "PROVIDER_ADMIN", ("provider", "Cosville Grief Counseling Center")),
        ("provider_b", "PROVIDER_ADMIN", ("provider", "Harvest Table Food Pantry")),
    ],
)
async def test_viewer_tells_who_is_signed_in(gql, users, who, role, employer):
    viewer = (await gql(who, VIEWER)).ok()["viewer"]
    assert viewer["id"] == str(users[who].id)
    assert viewer["role"] == role
    kind, name = employer
    other = "provider" if kind == "agency" else "agency"
    assert viewer[kind]["name"] == name
    assert viewer[other] is None


async def test_viewer_without_sign_in_is_unauthenticated(gql):
    assert_denied(await gql(None, VIEWER), "UNAUTHENTICATED")


def _with_token(token):
    return {"Authorization": f"Bearer {token}"}


async def test_an_expired_token_is_refused(http, users):
    token = issue_token(SECRET, user_id=users["caseworker"].id, ttl_seconds=60, now=int(time.time()) - 3600)
    body = (await http.post("/graphql", json={"query": VIEWER}, headers=_with_token(token))).json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "expired" in body["errors"][0]["message"]


async def test_a_tampered_token_is_refused(http, users):
    token = issue_token(SECRET, user_id=users["caseworker"].id, ttl_seconds=600)
    header, claims, signature = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    payload["sub"] = str(users["agency_admin"].id)
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    body = (
        await http.post("/graphql", json={"query": VIEWER}, headers=_with_token(f"{header}.{forged}.{signature}"))
    ).json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert not any((body["data"] or {}).values())


async def test_a_token_signed_with_another_key_is_refused(http, users):
    token = issue_token("another-secret-key-of-sufficient-length!!", user_id=users["caseworker"].id, ttl_seconds=600)
    body = (await http.post("/graphql", json={"query": VIEWER}, headers=_with_token(token))).json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_an_unsigned_alg_none_token_is_refused(http, users):
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    claims = {"iss": "caseway", "sub": str(users["agency_admin"].id), "exp": int(time.time()) + 600}
    token = f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."
    body = (await http.post("/graphql", json={"query": VIEWER}, headers=_with_token(token))).json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_garbage_in_the_authorization_header_is_refused(http):
    body = (await http.post("/graphql", json={"query": VIEWER}, headers=_with_token("not.a.token"))).json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_unsigned_requests_reach_nothing_not_even_introspection(http):
    schema = (await http.post("/graphql", json={"query": "{ __schema { queryType { name } } }"})).json()
    assert schema.get("data") is None
    assert [e["extensions"]["code"] for e in schema["errors"]] == ["UNAUTHENTICATED"]
    for query in ("{ providers { totalCount } }", "{ programs { totalCount } }", "{ auditEvents { totalCount } }"):
        body = (await http.post("/graphql", json={"query": query})).json()
        assert not any((body["data"] or {}).values())
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
