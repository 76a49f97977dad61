"""Single sign-on through an organisation's OpenID Connect identity provider: a real one (Node's oidc-provider,
tests/idp.py) and Caseway served over HTTP on a loopback port. Who may sign in (a verified email of an
allowed domain, matched to an active user of the same organisation), the ID token's checks (aud, nonce, exp, iss,
signature), sign-out, and the configuration by each role."""

import asyncio
import socket
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
import uvicorn
from sqlmodel import select

from server.app import create_app
from server.domain.audit import AuditEvent
from server.domain.sign_on import IdentityProvider
from server.domain.users import User
from tests.conftest import assert_denied
from tests.oidc_provider import OIDCProvider, running_oidc_provider

pytestmark = pytest.mark.anyio

CLIENT_SECRET = "a-client-secret-only-the-provider-and-caseway-know"
VIEWER = {"query": "query { viewer { name role } }"}
CONFIGURE = """mutation Op($input: SignOnInput!) { configureSignOn(input: $input) {
  signOnProvider { id key label issuer clientId allowedDomains allowNewUsers active redirectUri }
  errors { code field message } } }"""
DISABLE = "mutation { disableSignOn { signOnProvider { key active } errors { code field message } } }"
READ = "query { signOnProvider { key label issuer clientId allowedDomains allowNewUsers active redirectUri } }"
# The organisations' default keys: their names, in lower case with hyphens.
GRIEF_CENTER = "cosville-grief-counseling-center"


@pytest.fixture(scope="module")
def idp() -> Iterator[OIDCProvider]:
    """The organisations' identity provider: a real OpenID provider on a loopback port."""
    with running_oidc_provider() as provider:
        yield provider


@pytest.fixture(scope="module")
def other_idp() -> Iterator[OIDCProvider]:
    """Another OpenID provider: another issuer, other keys, that no organisation registered."""
    with running_oidc_provider() as provider:
        yield provider


@pytest.fixture
async def caseway(db, settings) -> AsyncIterator[str]:
    """The app on a loopback port, on this test's database, in the test's own event loop."""
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    port = listening.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, db), host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    serving = asyncio.create_task(server.serve(sockets=[listening]))
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline and not serving.done():  # noqa: ASYNC110 (no event)
        await asyncio.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await serving
    listening.close()


@pytest.fixture
async def browser_http(caseway) -> AsyncIterator[httpx.AsyncClient]:
    """What a browser does at Caseway: keeps its cookies, follows nothing on its own."""
    async with httpx.AsyncClient(base_url=caseway, timeout=20) as client:
        yield client


async def register(gql, oidc: OIDCProvider, base: str, who: str = "provider_a_admin", **options) -> dict:
    """A client for Caseway at the identity provider, and the organisation's configuration of it (by `who`)."""
    client_id = f"caseway-{uuid.uuid4().hex[:10]}"
    oidc.add_client(client_id, CLIENT_SECRET, [f"{base}/auth/sso/callback"])
    values = {"issuer": oidc.issuer, "clientId": client_id, "clientSecret": CLIENT_SECRET, **options}
    result = await gql(who, CONFIGURE, {"input": values})
    return result.ok()["configureSignOn"]["signOnProvider"]


async def sign_on(
    http: httpx.AsyncClient, oidc: OIDCProvider, key: str, email: str, to: str = "portal"
) -> httpx.Response:
    """The browser's round trip: "Sign in with …", the provider's login as `email`, back to Caseway's callback."""
    started = await http.get(f"/auth/sso/{key}/start", params={"to": to})
    assert started.status_code == 302, started.text
    asked = dict(parse_qsl(urlsplit(started.headers["location"]).query))
    assert started.headers["location"].startswith(oidc.issuer)
    # PKCE (S256), a nonce and a state, kept in a signed cookie only the sign-in's own paths get
    assert asked["code_challenge_method"] == "S256" and asked["code_challenge"] and asked["nonce"] and asked["state"]
    assert asked["scope"] == "openid email profile" and asked["response_type"] == "code"
    flow = started.headers["set-cookie"].lower()
    for attribute in ("caseway_sso=", "path=/auth/sso", "samesite=lax", "httponly", "max-age=600"):
        assert attribute in flow
    answer = await oidc.sign_in_async(started.headers["location"], email)
    return await http.get(answer.url)


def signed_in(response: httpx.Response, to: str = "/portal/") -> None:
    assert response.status_code == 303, response.text
    assert response.headers["location"] == to
    assert "caseway_session=" in response.headers.get("set-cookie", "")


def refused(response: httpx.Response, http: httpx.AsyncClient, words: str) -> None:
    """Refused on a page in words, with no session."""
    assert response.status_code in (400, 403, 404, 409, 502), response.text
    assert response.headers["content-type"].startswith("text/html")
    assert words in unescape(response.text), response.text
    assert "Traceback" not in response.text
    assert "caseway_session" not in http.cookies


async def viewer(http: httpx.AsyncClient) -> dict | None:
    return (await http.post("/graphql", json=VIEWER)).json()["data"]


async def user_with(db, email: str) -> User | None:
    async with db.read() as session:
        return (await session.exec(select(User).where(User.email == email))).first()


async def events(db, action: str) -> list[AuditEvent]:
    async with db.read() as session:
        return list((await session.exec(select(AuditEvent).where(AuditEvent.action == action))).all())


# --- signing in -----------------------------------------------------------------------------------------------------


async def test_provider_staff_sign_in_to_the_portal_and_sign_out_for_good(gql, caseway, browser_http, idp):
    # given: the grief center's admin registered its identity provider; Ashley has an account there
    configured = await register(gql, idp, caseway)
    assert configured["key"] == GRIEF_CENTER
    assert configured["redirectUri"].endswith("/auth/sso/callback")
    idp.add_account("ashley@griefcenter.example", name="Ashley M.")
    # when
    answer = await sign_on(browser_http, idp, GRIEF_CENTER, "Ashley@GriefCenter.example")
    # then: the portal's session cookie, HttpOnly and SameSite=Strict as the password sign-in's
    signed_in(answer)
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("caseway_session="))
    for attribute in ("HttpOnly", "SameSite=strict", "Path=/"):
        assert attribute.lower() in cookie.lower()
    # the sign-in's own cookie is spent
    assert "caseway_sso" not in browser_http.cookies
    assert await viewer(browser_http) == {"viewer": {"name": "Ashley Moreno", "role": "PROVIDER_STAFF"}}
    # when: signing out
    token = browser_http.cookies["caseway_session"]
    assert (await browser_http.delete("/auth/session")).status_code == 204
    # then: the SSO-issued token is revoked, even as a copy
    replayed = await browser_http.post("/graphql", json=VIEWER, headers={"Authorization": f"Bearer {token}"})
    assert replayed.json()["errors"][0]["message"] == "You have signed out: sign in again."


async def test_an_agency_user_signs_in_for_graphiql_but_not_to_the_portal(gql, caseway, browser_http, idp):
    # given: Cosville's agency admin registered the agency's identity provider
    key = (await register(gql, idp, caseway, who="agency_admin", key="cosville", label="City of Cosville"))["key"]
    idp.add_account("connor@cosville.example")
    # when: from the portal
    to_portal = await browser_http.get(f"/auth/sso/{key}/start", params={"to": "portal"})
    # then: the portal's usual answer, before going to the identity provider
    refused(to_portal, browser_http, "The portal is for provider staff.")
    # when: from GraphiQL
    to_graphiql = await sign_on(browser_http, idp, key, "connor@cosville.example", to="graphiql")
    # then
    signed_in(to_graphiql, "/graphql")
    assert await viewer(browser_http) == {"viewer": {"name": "Connor Reyes", "role": "CASEWORKER"}}


@pytest.mark.parametrize(
    ("bad", "claims"),
    [
        ("aud", lambda client_id: {"aud": "another-client"}),
        # Authlib alone would take this one: an azp naming Caseway's client makes a foreign audience pass its checks.
        ("aud with our azp", lambda client_id: {"aud": "another-client", "azp": client_id}),
        ("nonce", lambda client_id: {"nonce": "not-the-one-caseway-sent"}),
        ("nonce missing", lambda client_id: {"nonce": None}),
        ("exp", lambda client_id: {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}),
        ("iss", lambda client_id: {"iss": "https://idp.elsewhere.example"}),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
async def test_a_bad_id_token_signs_no_one_in_and_creates_no_one(gql, db, caseway, browser_http, idp, bad, claims):
    # given: new users allowed, so that a token wrongly taken would make one
    configured = await register(gql, idp, caseway, allowNewUsers=True)
    key = configured["key"]
    email = f"new-{uuid.uuid4().hex[:8]}@griefcenter.example"
    idp.add_account(email)
    idp.override_next_id_token(**claims(configured["clientId"]))
    try:
        # when
        answer = await sign_on(browser_http, idp, key, email)
    finally:
        idp.clear_next_id_token()
    # then
    refused(answer, browser_http, "did not pass Caseway's checks")
    assert await user_with(db, email) is None
    assert await viewer(browser_http) == {"viewer": None}


async def test_an_id_token_of_another_issuer_signs_no_one_in(gql, db, caseway, browser_http, idp, other_idp):
    # given: a token minted by another provider (its own keys and issuer), for Caseway's client
    configured = await register(gql, idp, caseway, allowNewUsers=True)
    email = f"new-{uuid.uuid4().hex[:8]}@griefcenter.example"
    idp.add_account(email)
    forged = other_idp.mint_id_token(aud=configured["clientId"], sub="someone", email=email, email_verified=True)
    idp.replace_next_id_token(forged)
    try:
        answer = await sign_on(browser_http, idp, configured["key"], email)
    finally:
        idp.clear_next_id_token()
    refused(answer, browser_http, "did not pass Caseway's checks")
    assert await user_with(db, email) is None


@pytest.mark.parametrize(
    ("email", "verified", "options", "words"),
    [
        ("ashley@griefcenter.example", False, {}, "has not verified your email address"),
        ("ashley@griefcenter.example", True, {"allowedDomains": ["GriefCenter.org"]}, "may not sign in with"),
        ("nobody@griefcenter.example", True, {}, "No Caseway account has the email nobody@griefcenter.example"),
        # A user of provider B, through provider A's identity provider.
        ("bea@harvesttable.example", True, {"allowNewUsers": True}, "is not an account of"),
        # An agency user, through a provider's.
        ("connor@cosville.example", True, {}, "is not an account of"),
    ],
    ids=["unverified", "domain not allowed", "unknown", "other provider's user", "agency user"],
)
async def test_who_may_not_sign_in(gql, db, caseway, browser_http, idp, email, verified, options, words):
    key = (await register(gql, idp, caseway, **options))["key"]
    idp.add_account(email, verified=verified)
    async with db.read() as session:
        users_before = len((await session.exec(select(User.id))).all())
    answer = await sign_on(browser_http, idp, key, email)
    refused(answer, browser_http, words)
    async with db.read() as session:
        assert len((await session.exec(select(User.id))).all()) == users_before


async def test_a_user_deactivated_in_caseway_cannot_sign_in(gql, db, caseway, browser_http, idp):
    # given
    key = (await register(gql, idp, caseway))["key"]
    idp.add_account("ashley@griefcenter.example")
    async with db.write() as session:
        ashley = (await session.exec(select(User).where(User.email == "ashley@griefcenter.example"))).one()
        ashley.active = False
    # when
    answer = await sign_on(browser_http, idp, key, "ashley@griefcenter.example")
    # then: refused in words, and audited
    refused(answer, browser_http, "Your Caseway account is deactivated")
    [event] = await events(db, "user.sign_on_refused")
    assert event.record_id == ashley.id
    assert event.after == {"identity_provider": key, "reason": "deactivated"}


async def test_an_unknown_email_becomes_a_user_with_the_least_role_when_allowed(gql, db, caseway, browser_http, idp):
    # given
    key = (await register(gql, idp, caseway, allowNewUsers=True, allowedDomains=["griefcenter.example"]))["key"]
    email = f"new-{uuid.uuid4().hex[:8]}@griefcenter.example"
    idp.add_account(email, name="Nia Newcomer")
    # when
    answer = await sign_on(browser_http, idp, key, email)
    # then
    signed_in(answer)
    assert await viewer(browser_http) == {"viewer": {"name": "Nia Newcomer", "role": "PROVIDER_STAFF"}}
    user = await user_with(db, email)
    [event] = await events(db, "user.create_by_sign_on")
    assert event.record_id == user.id and event.provider_id == user.provider_id
    assert event.after["identity_provider"] == key and event.after["role"] == "PROVIDER_STAFF"
    # and: signing in again finds the same user
    await browser_http.delete("/auth/session")
    signed_in(await sign_on(browser_http, idp, key, email))
    assert len(await events(db, "user.create_by_sign_on")) == 1


async def test_an_agency_s_new_users_are_caseworkers(gql, db, caseway, browser_http, idp):
    key = (await register(gql, idp, caseway, who="agency_admin", allowNewUsers=True))["key"]
    email = f"new-{uuid.uuid4().hex[:8]}@cosville.example"
    idp.add_account(email)
    signed_in(await sign_on(browser_http, idp, key, email, to="graphiql"), "/graphql")
    assert (await viewer(browser_http))["viewer"]["role"] == "CASEWORKER"


async def test_a_callback_without_its_sign_in_or_state_is_refused_in_words(gql, caseway, browser_http, idp):
    # no sign-in started in this browser
    refused(await browser_http.get("/auth/sso/callback?code=x&state=y"), browser_http, "was not started here")
    # a sign-in started, but the state coming back is another
    key = (await register(gql, idp, caseway))["key"]
    assert (await browser_http.get(f"/auth/sso/{key}/start")).status_code == 302
    refused(await browser_http.get("/auth/sso/callback?code=x&state=y"), browser_http, "was not started here")
    # the person cancelled at the identity provider
    assert (await browser_http.get(f"/auth/sso/{key}/start")).status_code == 302
    cancelled = await browser_http.get("/auth/sso/callback?error=access_denied&state=y")
    refused(cancelled, browser_http, "was cancelled or refused")


async def test_an_unreachable_identity_provider_is_said_in_words(gql, caseway, browser_http):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    result = await gql(
        "provider_a_admin",
        CONFIGURE,
        {"input": {"issuer": f"http://127.0.0.1:{port}", "clientId": "c", "clientSecret": CLIENT_SECRET}},
    )
    key = result.ok()["configureSignOn"]["signOnProvider"]["key"]
    answer = await browser_http.get(f"/auth/sso/{key}/start", params={"to": "graphiql"})
    refused(answer, browser_http, "identity provider did not answer as expected")
    assert "GraphiQL" in answer.text


async def test_the_sign_in_pages_list_active_identity_providers_to_anyone(gql, http, caseway, idp):
    # given
    assert (await http.get("/auth/sso/providers")).json() == []
    await register(gql, idp, caseway)
    await register(gql, idp, caseway, who="agency_admin", label="City of Cosville")
    # then
    assert (await http.get("/auth/sso/providers")).json() == [
        {"key": "city-of-cosville", "label": "City of Cosville", "kind": "agency"},
        {"key": GRIEF_CENTER, "label": "Cosville Grief Counseling Center", "kind": "provider"},
    ]
    # when: the grief center turns it off
    (await gql("provider_a_admin", DISABLE)).ok()
    # then
    assert [p["kind"] for p in (await http.get("/auth/sso/providers")).json()] == ["agency"]
    assert (await http.get(f"/auth/sso/{GRIEF_CENTER}/start")).status_code == 404


# --- configuration ---------------------------------------------------------------------------------------------------


async def test_an_admin_configures_the_identity_provider_the_secret_never_shown_nor_audited(gql, db):
    # when
    saved = await gql(
        "provider_a_admin",
        CONFIGURE,
        {
            "input": {
                "issuer": "https://login.griefcenter.example/realms/staff/",
                "clientId": "caseway",
                "clientSecret": CLIENT_SECRET,
                "allowedDomains": ["GriefCenter.Example", "@staff.griefcenter.example"],
            }
        },
    )
    # then
    assert saved.ok()["configureSignOn"]["signOnProvider"] | {"id": None, "redirectUri": None} == {
        "id": None,
        "key": GRIEF_CENTER,
        "label": "Cosville Grief Counseling Center",
        "issuer": "https://login.griefcenter.example/realms/staff",
        "clientId": "caseway",
        "allowedDomains": ["griefcenter.example", "staff.griefcenter.example"],
        "allowNewUsers": False,
        "active": True,
        "redirectUri": None,
    }
    # when: a change without the secret keeps it
    (await gql("provider_a_admin", CONFIGURE, {"input": {"allowNewUsers": True}})).ok()
    # then
    async with db.read() as session:
        stored = (await session.exec(select(IdentityProvider))).one()
    assert stored.client_secret == CLIENT_SECRET and stored.allow_new_users
    read = (await gql("provider_a_admin", READ)).ok()["signOnProvider"]
    assert read["allowNewUsers"] is True
    audited = await events(db, "sign_on.configure")
    assert len(audited) == 2
    assert all(CLIENT_SECRET not in repr((e.before, e.after)) for e in audited)
    assert [e.after["client_secret_changed"] for e in audited] == [True, False]
    # and: the secret cannot even be asked for
    asked = await gql("provider_a_admin", "query { signOnProvider { clientSecret } }")
    assert asked.errors and asked.data is None


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"issuer": "http://login.griefcenter.example"}, "issuer"),
        ({"issuer": "https://login.griefcenter.example?x=1"}, "issuer"),
        ({"allowedDomains": ["not a domain"]}, "allowedDomains"),
        ({"key": "Not A Key!"}, "key"),
        ({"clientSecret": None}, "clientSecret"),
    ],
)
async def test_a_configuration_is_checked(gql, values, field):
    base = {"issuer": "https://login.griefcenter.example", "clientId": "caseway", "clientSecret": CLIENT_SECRET}
    result = await gql("provider_a_admin", CONFIGURE, {"input": {**base, **values}})
    assert [e["field"] for e in result.payload_errors()] == [field]


async def test_a_key_is_one_organisation_s(gql):
    base = {"issuer": "https://login.example.org", "clientId": "caseway", "clientSecret": CLIENT_SECRET}
    (await gql("provider_a_admin", CONFIGURE, {"input": {**base, "key": "shared"}})).ok()
    taken = await gql("provider_b", CONFIGURE, {"input": {**base, "key": "shared"}})
    assert [(e["code"], e["field"]) for e in taken.payload_errors()] == [("CONFLICT", "key")]


@pytest.mark.parametrize(
    "who",
    ["agency_admin", "supervisor", "caseworker", "provider_a", "provider_a_admin", "provider_b", "other_agency_admin"],
)
async def test_each_admin_configures_their_own_organisation_only(gql, who):
    # given: the grief center's identity provider
    base = {"issuer": "https://login.griefcenter.example", "clientId": "caseway", "clientSecret": CLIENT_SECRET}
    (await gql("provider_a_admin", CONFIGURE, {"input": base})).ok()
    # when
    read = await gql(who, READ)
    disabled = await gql(who, DISABLE)
    # then: the grief center's admin reads and disables it; other admins have none of their own; others may not
    if who == "provider_a_admin":
        assert read.ok()["signOnProvider"]["clientId"] == "caseway"
        assert disabled.ok()["disableSignOn"]["signOnProvider"] == {"key": GRIEF_CENTER, "active": False}
    elif who in ("agency_admin", "provider_b", "other_agency_admin"):
        assert_denied(read, "NOT_FOUND")
        assert_denied(disabled, "NOT_FOUND")
    else:
        assert_denied(read, "FORBIDDEN")
        assert_denied(disabled, "FORBIDDEN")


# --- in a browser ----------------------------------------------------------------------------------------------------

BROWSER_CLIENT = "caseway-browser"


@pytest.fixture(scope="module")
def sso_server(idp):
    """A live server on the demo, where the grief center and the City of Cosville registered `idp`."""
    from tests.test_portal import live_server  # here: that module skips itself without Chromium

    async def arrange(db):
        async with db.write() as session:
            for owner, key, label in [
                ({"provider_id": 1}, "grief-center", "Cosville Grief Counseling Center"),
                ({"agency_id": 1}, "cosville", "City of Cosville"),
            ]:
                session.add(
                    IdentityProvider(
                        **owner,
                        key=key,
                        label=label,
                        issuer=idp.issuer,
                        client_id=f"{BROWSER_CLIENT}-{key}",
                        client_secret=CLIENT_SECRET,
                    )
                )

    for base in live_server(arrange):
        for key in ("grief-center", "cosville"):
            idp.add_client(f"{BROWSER_CLIENT}-{key}", CLIENT_SECRET, [f"{base}/auth/sso/callback"])
        yield base


def browser_page(browser, base: str):
    context = browser.new_context(base_url=base, locale="en-US", timezone_id="America/Chicago")
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    return context, page, problems


def test_provider_staff_sign_in_to_the_portal_through_their_identity_provider(browser, sso_server, idp):
    from playwright.sync_api import expect

    # given
    idp.add_account("ashley@griefcenter.example", name="Ashley M.")
    context, page, problems = browser_page(browser, sso_server)
    try:
        page.goto("/portal/")
        # then: the provider's identity provider is offered, not the agency's
        expect(page.get_by_role("link", name="Sign in with Cosville Grief Counseling Center")).to_be_visible()
        expect(page.get_by_role("link", name="Sign in with City of Cosville")).to_have_count(0)
        from axe_playwright_python.sync_playwright import Axe

        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
        # and in French
        page.locator("#language").select_option("fr")
        expect(page.get_by_role("link", name="Se connecter avec Cosville Grief Counseling Center")).to_be_visible()
        page.locator("#language").select_option("en")
        # when: through the identity provider's own login page
        page.get_by_role("link", name="Sign in with Cosville Grief Counseling Center").click()
        page.wait_for_url(f"{idp.issuer}/**")
        page.fill("#email", "ashley@griefcenter.example")
        page.get_by_role("button", name="Sign in").click()
        # then: back in the portal, signed in
        page.wait_for_url(f"{sso_server}/portal/**")
        expect(page.locator("#who")).to_have_text("Signed in as Ashley Moreno")
        expect(page.get_by_role("heading", level=1)).not_to_have_text("Sign in")
        # when: signing out
        page.get_by_role("button", name="Sign out").click()
        # then
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        page.reload()
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    finally:
        context.close()
    assert problems == []


def test_agency_staff_sign_in_to_graphiql_through_their_identity_provider(browser, sso_server, idp):
    from playwright.sync_api import expect

    idp.add_account("connor@cosville.example")
    context, page, problems = browser_page(browser, sso_server)
    try:
        page.goto("/graphql")
        page.get_by_role("link", name="Sign in with City of Cosville").click()
        page.wait_for_url(f"{idp.issuer}/**")
        page.fill("#email", "connor@cosville.example")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{sso_server}/graphql")
        expect(page.locator("#cw-who")).to_have_text("Signed in as Connor Reyes (caseworker, City of Cosville)")
        expect(page.locator("#sign-on")).to_be_hidden()
        page.get_by_role("button", name="Sign out").click()
        expect(page.locator("#sign-in")).to_be_visible()
        page.reload()
        expect(page.locator("#sign-in")).to_be_visible()
        expect(page.get_by_role("link", name="Sign in with City of Cosville")).to_be_visible()
    finally:
        context.close()
    assert problems == []
