"""API clients (OAuth 2.0 client credentials, RFC 6749 §4.4): agency admins register, rotate, rescope and revoke
them; a client gets a short-lived token at /auth/token, acts as itself within its scopes, and revokes its tokens at
/auth/revoke (RFC 7009)."""

import base64
import json
from urllib.parse import quote

import pytest
from sqlmodel import func, select

from server.domain.api_clients import ApiClient, hash_secret
from server.domain.audit import AuditEvent
from server.domain.referrals.models import Referral
from server.domain.users import User
from tests.conftest import API_CLIENTS, REVOKED_API_CLIENT, assert_denied

pytestmark = pytest.mark.anyio

REGISTER = """mutation Op($input: ApiClientInput!) { registerApiClient(input: $input) {
  apiClient { id name clientId scopes active userId revokedAt } clientSecret errors { code field message } } }"""
ROTATE = """mutation Op($id: ID!) { rotateApiClientSecret(id: $id) {
  apiClient { id secretRotatedAt } clientSecret errors { code field message } } }"""
SCOPES = """mutation Op($id: ID!, $scopes: [String!]!) { updateApiClientScopes(id: $id, scopes: $scopes) {
  apiClient { id scopes } errors { code field message } } }"""
REVOKE = """mutation Op($id: ID!) { revokeApiClient(id: $id) {
  apiClient { id active revokedAt } errors { code field message } } }"""
LIST = "query { apiClients(first: 100) { totalCount nodes { id name clientId scopes active } } }"
VIEWER = "query { viewer { id name role agency { name } } }"
REFERRALS = "query { referrals { totalCount nodes { id status } } }"
CREATE_REFERRAL = """mutation Op($input: ReferralCreateInput!) { createReferral(input: $input, send: false) {
  referral { id referredBy } errors { code field message } } }"""


async def register(gql, name: str, scopes: list[str], who: str = "agency_admin") -> dict:
    """Registers a client as `who`: its id, clientId, userId, scopes and the secret shown once."""
    made = (await gql(who, REGISTER, {"input": {"name": name, "scopes": scopes}})).ok()["registerApiClient"]
    return {**made["apiClient"], "secret": made["clientSecret"]}


def basic(client_id: str, secret: str) -> dict:
    """RFC 6749 §2.3.1: id and secret form-url-encoded, then base64 as HTTP Basic."""
    pair = f"{quote(client_id, safe='')}:{quote(secret, safe='')}"
    return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}


async def token_response(http, client: dict, *, how: str = "basic", scope: str | None = None, secret=None):
    secret = client["secret"] if secret is None else secret
    form = {"grant_type": "client_credentials"} | ({"scope": scope} if scope is not None else {})
    if how == "basic":
        return await http.post("/auth/token", data=form, headers=basic(client["clientId"], secret))
    return await http.post("/auth/token", data=form | {"client_id": client["clientId"], "client_secret": secret})


async def token_of(http, client: dict, **kwargs) -> str:
    response = await token_response(http, client, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


async def as_token(http, token: str, document: str, variables: dict | None = None) -> dict:
    response = await http.post(
        "/graphql", json={"query": document, "variables": variables or {}}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    return response.json()


def codes(body: dict) -> list[str]:
    found = [e["extensions"]["code"] for e in body.get("errors") or []]
    for value in (body.get("data") or {}).values():
        if isinstance(value, dict):
            found += [e["code"] for e in value.get("errors") or []]
    return found


async def count(db, model, *where) -> int:
    async with db.read() as session:
        return (await session.exec(select(func.count()).select_from(model).where(*where))).one()


def new_referral(world) -> dict:
    return {"input": {"benefitAssignmentId": world.food_box_assignment, "providerId": world.pantry}}


async def test_the_story_of_an_agency_app(gql, http, db, world, settings):
    # given: Tishon registers a reporting app (read only) and an intake app (may write referrals)
    reader = await register(gql, "Reporting app", ["referrals:read"])
    writer = await register(gql, "Intake app", ["referrals:write", "clients:read"])
    assert reader["scopes"] == ["referrals:read"] and reader["active"] and len(reader["secret"]) >= 43
    assert writer["scopes"] == ["referrals:read", "referrals:write", "clients:read"]  # a write brings its read

    # when: the apps get tokens, by HTTP Basic and by client_secret_post
    response = await token_response(http, reader)
    by_post = await token_response(http, writer, how="post")
    # then
    assert response.status_code == by_post.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == settings.client_token_ttl_seconds == 900
    assert body["scope"] == "referrals:read"
    assert by_post.json()["scope"] == "referrals:read referrals:write clients:read"
    reading, writing = body["access_token"], by_post.json()["access_token"]

    # the reader reads referrals and is itself, an agency admin of Cosville
    viewer = (await as_token(http, reading, VIEWER))["data"]["viewer"]
    assert viewer == {
        "id": reader["userId"],
        "name": "Reporting app (API client)",
        "role": "AGENCY_ADMIN",
        "agency": {"name": "City of Cosville"},
    }
    listed = await as_token(http, reading, REFERRALS)
    assert listed["data"]["referrals"]["totalCount"] >= 2, listed

    # a read-only client may not change anything: refused, nothing written
    referrals, events = await count(db, Referral), await count(db, AuditEvent)
    refused = await as_token(http, reading, CREATE_REFERRAL, new_referral(world))
    assert codes(refused) == ["FORBIDDEN"], refused
    assert refused["data"]["createReferral"]["referral"] is None
    assert (await count(db, Referral), await count(db, AuditEvent)) == (referrals, events)
    # nor read what its scopes do not name
    assert codes(await as_token(http, reading, "query { participants { totalCount } }")) == ["FORBIDDEN"]

    # the writer creates a referral, and the records name it
    created = await as_token(http, writing, CREATE_REFERRAL, new_referral(world))
    referral = created["data"]["createReferral"]["referral"]
    assert referral["referredBy"] == "Intake app (API client)", created
    async with db.read() as session:
        event = (
            await session.exec(
                select(AuditEvent).where(
                    AuditEvent.action == "referral.create", AuditEvent.record_id == int(referral["id"])
                )
            )
        ).one()
        stored = await session.get(Referral, int(referral["id"]))
    assert (event.actor_user_id, event.actor_name) == (int(writer["userId"]), "Intake app (API client)")
    assert stored.referring_user_id == int(writer["userId"])

    # a token asked for a subset of the client's scopes carries only that subset
    narrow = await token_response(http, writer, scope="referrals:read")
    assert narrow.json()["scope"] == "referrals:read"
    narrow_token = narrow.json()["access_token"]
    assert (await as_token(http, narrow_token, REFERRALS))["data"]["referrals"]["totalCount"] >= 3
    assert codes(await as_token(http, narrow_token, CREATE_REFERRAL, new_referral(world))) == ["FORBIDDEN"]

    # rotating the secret: the old one no longer gets a token, the new one does
    rotated = (await gql("agency_admin", ROTATE, {"id": writer["id"]})).ok()["rotateApiClientSecret"]
    assert rotated["clientSecret"] != writer["secret"] and rotated["apiClient"]["secretRotatedAt"]
    old = await token_response(http, writer)
    assert old.status_code == 401 and old.json()["error"] == "invalid_client"
    writer["secret"] = rotated["clientSecret"]
    fresh = await token_of(http, writer)

    # revoking the client: the tokens it holds stop at once, and it gets no more
    revoked = (await gql("agency_admin", REVOKE, {"id": writer["id"]})).ok()["revokeApiClient"]["apiClient"]
    assert revoked["active"] is False and revoked["revokedAt"]
    for held in (writing, fresh):
        assert codes(await as_token(http, held, VIEWER)) == ["UNAUTHENTICATED"]
    assert (await token_response(http, writer)).status_code == 401
    # and it stays in the agency's list, revoked
    listed = (await gql("agency_admin", LIST)).ok()["apiClients"]["nodes"]
    assert {"Intake app": False, "Reporting app": True}.items() <= {n["name"]: n["active"] for n in listed}.items()

    # RFC 7009: the reader revokes one of its two tokens; the other still works
    second = await token_of(http, reader)
    answer = await http.post(
        "/auth/revoke",
        data={"token": reading, "token_type_hint": "access_token"},
        headers=basic(reader["clientId"], reader["secret"]),
    )
    assert answer.status_code == 200
    assert codes(await as_token(http, reading, VIEWER)) == ["UNAUTHENTICATED"]
    assert (await as_token(http, second, VIEWER))["data"]["viewer"]["name"] == "Reporting app (API client)"


async def test_no_secret_nor_its_hash_reaches_the_audit_trail(gql, db):
    client = await register(gql, "Reporting app", ["referrals:read"])
    rotated = (await gql("agency_admin", ROTATE, {"id": client["id"]})).ok()["rotateApiClientSecret"]
    await gql("agency_admin", SCOPES, {"id": client["id"], "scopes": ["delivery:read"]})
    await gql("agency_admin", REVOKE, {"id": client["id"]})
    async with db.read() as session:
        stored = await session.get(ApiClient, int(client["id"]))
        events = (await session.exec(select(AuditEvent).where(AuditEvent.record_type == "ApiClient"))).all()
    mine = [e for e in events if e.record_id == stored.id]
    assert [e.action for e in mine] == [
        "api_client.register",
        "api_client.rotate_secret",
        "api_client.scopes",
        "api_client.revoke",
    ]
    trail = json.dumps([[e.before, e.after] for e in events])
    for secret in (client["secret"], rotated["clientSecret"], stored.secret_hash):
        assert secret not in trail
    assert "secret_hash" not in trail
    assert mine[2].before["scopes"] == ["referrals:read"] and mine[2].after["scopes"] == ["delivery:read"]
    assert stored.secret_hash != rotated["clientSecret"] and len(stored.secret_hash) == 64  # SHA-256, hex


async def test_changing_scopes_bounds_the_tokens_already_held(gql, http, world):
    client = await register(gql, "Intake app", ["referrals:write"])
    token = await token_of(http, client)
    assert (await as_token(http, token, CREATE_REFERRAL, new_referral(world)))["data"]["createReferral"]["referral"]
    changed = (await gql("agency_admin", SCOPES, {"id": client["id"], "scopes": ["referrals:read"]})).ok()
    assert changed["updateApiClientScopes"]["apiClient"]["scopes"] == ["referrals:read"]
    assert codes(await as_token(http, token, CREATE_REFERRAL, new_referral(world))) == ["FORBIDDEN"]
    # a scope it no longer has cannot be asked for
    asked = await token_response(http, client, scope="referrals:write")
    assert asked.status_code == 400 and asked.json()["error"] == "invalid_scope"


async def test_registration_checks_its_name_and_scopes(gql):
    cases = [
        ({"name": "App", "scopes": ["referrals:read", "cases:read"]}, "INVALID", "scopes[1]"),
        ({"name": "App", "scopes": []}, "INVALID", "scopes"),
        ({"name": "  ", "scopes": ["referrals:read"]}, "INVALID", "name"),
        ({"name": "x" * 151, "scopes": ["referrals:read"]}, "INVALID", "name"),
    ]
    for values, code, field in cases:
        result = await gql("agency_admin", REGISTER, {"input": values})
        (error,) = result.payload_errors()
        assert (error["code"], error["field"]) == (code, field), values
        assert result.data["registerApiClient"]["clientSecret"] is None
    refused = await gql("agency_admin", SCOPES, {"id": "1", "scopes": ["everything"]})
    assert [(e["code"], e["field"]) for e in refused.payload_errors()] == [("INVALID", "scopes[0]")]


async def test_a_revoked_client_cannot_be_rotated_or_rescoped(gql):
    listed = (await gql("agency_admin", LIST)).ok()["apiClients"]["nodes"]
    (old,) = [n for n in listed if n["name"] == REVOKED_API_CLIENT]
    for document, variables in ((ROTATE, {"id": old["id"]}), (SCOPES, {"id": old["id"], "scopes": ["clients:read"]})):
        assert_denied(await gql("agency_admin", document, variables), "CONFLICT")
    # revoking again changes nothing
    assert (await gql("agency_admin", REVOKE, {"id": old["id"]})).ok()["revokeApiClient"]["apiClient"][
        "active"
    ] is False


async def test_each_agency_sees_and_manages_only_its_own_clients(gql):
    cosville = (await gql("agency_admin", LIST)).ok()["apiClients"]
    names = {node["name"] for node in cosville["nodes"]}
    assert names == {name for name, _ in API_CLIENTS.values()} | {REVOKED_API_CLIENT}
    assert (await gql("other_agency_admin", LIST)).ok()["apiClients"] == {"totalCount": 0, "nodes": []}
    theirs = await register(gql, "Harlow app", ["directory:read"], who="other_agency_admin")
    assert theirs["id"] not in {node["id"] for node in cosville["nodes"]}
    some = next(iter(cosville["nodes"]))["id"]
    for document, variables in (
        (ROTATE, {"id": some}),
        (SCOPES, {"id": some, "scopes": ["clients:read"]}),
        (REVOKE, {"id": some}),
    ):
        assert_denied(await gql("other_agency_admin", document, variables), "NOT_FOUND")


@pytest.mark.parametrize("who", ["supervisor", "caseworker", "provider_a", "provider_a_admin", "provider_b"])
async def test_only_agency_admins_manage_clients(gql, who):
    assert_denied(await gql(who, LIST), "FORBIDDEN")
    assert_denied(await gql(who, REGISTER, {"input": {"name": "App", "scopes": ["referrals:read"]}}), "FORBIDDEN")


@pytest.mark.parametrize("who", list(API_CLIENTS))
async def test_an_api_client_manages_no_clients(gql, who):
    assert_denied(await gql(who, LIST), "FORBIDDEN")
    assert_denied(await gql(who, REGISTER, {"input": {"name": "App", "scopes": ["referrals:read"]}}), "FORBIDDEN")
    assert_denied(await gql(who, "query { auditEvents { totalCount } }"), "FORBIDDEN")


async def test_without_sign_in_clients_are_unauthenticated(gql):
    assert_denied(await gql(None, LIST), "UNAUTHENTICATED")
    assert_denied(
        await gql(None, REGISTER, {"input": {"name": "App", "scopes": ["referrals:read"]}}), "UNAUTHENTICATED"
    )


async def test_bad_client_authentication_is_refused_as_invalid_client(gql, http):
    client = await register(gql, "Reporting app", ["referrals:read"])
    grant = {"grant_type": "client_credentials"}
    wrong = {"client_id": client["clientId"], "client_secret": client["secret"] + "x"}
    attempts = {
        "no client authentication": await http.post("/auth/token", data=grant),
        "wrong secret (Basic)": await token_response(http, client, secret=client["secret"][:-1]),
        "wrong secret (post)": await http.post("/auth/token", data=grant | wrong),
        "unknown client": await http.post("/auth/token", data=grant, headers=basic("0" * 32, client["secret"])),
        "not base64": await http.post("/auth/token", data=grant, headers={"Authorization": "Basic !!!"}),
        "no colon": await http.post(
            "/auth/token", data=grant, headers={"Authorization": "Basic " + base64.b64encode(b"abc").decode()}
        ),
        "a bearer token": await http.post("/auth/token", data=grant, headers={"Authorization": "Bearer abc"}),
        "an overlong secret": await token_response(http, client, how="post", secret="s" * 5000),
        "an empty client id": await http.post(
            "/auth/token", data=grant | {"client_id": "", "client_secret": "whatever"}
        ),
    }
    for what, response in attempts.items():
        assert response.status_code == 401, what
        assert response.json()["error"] == "invalid_client", what
        assert response.headers["www-authenticate"].startswith("Basic"), what


async def test_token_request_errors_follow_rfc_6749(gql, http):
    client = await register(gql, "Reporting app", ["referrals:read", "clients:read"])
    unsupported = await http.post("/auth/token", data={"grant_type": "authorization_code", "code": "x"})
    assert (unsupported.status_code, unsupported.json()["error"]) == (400, "unsupported_grant_type")
    both = await http.post(
        "/auth/token",
        data={"grant_type": "client_credentials", "client_id": client["clientId"], "client_secret": client["secret"]},
        headers=basic(client["clientId"], client["secret"]),
    )
    assert (both.status_code, both.json()["error"]) == (400, "invalid_request")
    for scope in ("cases:read", "referrals:write", "referrals:read delivery:read"):
        asked = await token_response(http, client, scope=scope)
        assert (asked.status_code, asked.json()["error"]) == (400, "invalid_scope"), scope
    # a subset, in any order, is granted in the vocabulary's order
    granted = await token_response(http, client, scope="clients:read referrals:read")
    assert granted.json()["scope"] == "referrals:read clients:read"
    # the password grant is unchanged, named or not
    named = await http.post(
        "/auth/token",
        data={"grant_type": "password", "username": "connor@cosville.example", "password": "cosville-demo"},
    )
    assert named.status_code == 200 and "scope" not in named.json()


async def test_a_client_secret_in_its_basic_header_is_form_url_decoded(gql, http, db):
    client = await register(gql, "Reporting app", ["referrals:read"])
    # a secret with characters that form-url-encoding changes (ours are URL-safe: set one to check the decoding)
    async with db.write() as session:
        stored = await session.get(ApiClient, int(client["id"]))
        stored.secret_hash = hash_secret("a b+c:d/é")
    assert (await token_response(http, client, secret="a b+c:d/é")).status_code == 200


async def test_an_api_client_cannot_sign_in_with_a_password(gql, http, db):
    client = await register(gql, "Reporting app", ["referrals:read"])
    async with db.read() as session:
        user = await session.get(User, int(client["userId"]))
    assert user.is_api_client and user.password_hash == "!"
    assert user.email == f"client-{client['clientId']}@api-clients.invalid"
    for password in ("!", "cosville-demo"):  # four failures: under the throttle's five
        response = await http.post("/auth/token", data={"username": user.email, "password": password})
        assert response.status_code == 401 and response.json()["error"] == "invalid_grant"
        portal = await http.post("/auth/session", json={"username": user.email, "password": password})
        assert portal.status_code == 401


async def test_token_revocation_revokes_only_the_clients_own_tokens(gql, http, users):
    first = await register(gql, "Reporting app", ["referrals:read"])
    other = await register(gql, "Intake app", ["referrals:read"])
    token = await token_of(http, first)
    others = await token_of(http, other)
    user_token = gql.tokens["caseworker"]
    auth = basic(first["clientId"], first["secret"])
    # another client's token, a user's token, garbage: 200, and nothing revoked
    for foreign in (others, user_token, "not-a-token", "x" * 5000):
        assert (await http.post("/auth/revoke", data={"token": foreign}, headers=auth)).status_code == 200
    assert (await as_token(http, others, VIEWER))["data"]["viewer"]
    assert (await as_token(http, user_token, VIEWER))["data"]["viewer"]["name"] == "Connor Reyes"
    # bad client authentication and a missing token are errors
    refused = await http.post("/auth/revoke", data={"token": token}, headers=basic(first["clientId"], "wrong"))
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")
    assert refused.headers["www-authenticate"].startswith("Basic")
    missing = await http.post("/auth/revoke", data={}, headers=auth)
    assert (missing.status_code, missing.json()["error"]) == (400, "invalid_request")
    # its own token, by client_secret_post; twice is fine
    for _ in range(2):
        revoked = await http.post(
            "/auth/revoke", data={"token": token, "client_id": first["clientId"], "client_secret": first["secret"]}
        )
        assert revoked.status_code == 200
    assert codes(await as_token(http, token, VIEWER)) == ["UNAUTHENTICATED"]


async def test_the_provider_sees_an_api_clients_name_but_no_contact(gql, http, world):
    client = await register(gql, "Intake app", ["referrals:write", "clients:read"])
    token = await token_of(http, client)
    created = await as_token(
        http,
        token,
        """mutation Op($input: ReferralCreateInput!) { createReferral(input: $input, send: true) {
      referral { id } errors { code field message } } }""",
        {
            "input": {
                "benefitAssignmentId": world.food_box_assignment,
                "providerId": world.pantry,
                "consent": {"givenAt": "2026-11-01T10:00:00-06:00"},
            }
        },
    )
    referral = created["data"]["createReferral"]["referral"]
    assert referral, created
    seen = await gql(
        "provider_b",
        "query Op($id: ID!) { referral(id: $id) { referringCaseworker { name email phone } } }",
        {"id": referral["id"]},
    )
    assert seen.ok()["referral"]["referringCaseworker"] == {
        "name": "Intake app (API client)",
        "email": None,
        "phone": None,
    }
