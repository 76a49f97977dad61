"""User management through the API (issue 14): admins invite, change the role of, deactivate and reactivate their
own organisation's users; an invitation's one-time link (72 hours) sets the password through POST /auth/password;
deactivation takes effect on the user's very next request. Plus the portal's set-password page in a browser."""

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlmodel import select

from server.app import create_app
from server.domain.audit import AuditEvent
from server.domain.columns import utcnow
from server.domain.errors import Conflict, Invalid
from server.domain.invitations import Invitation, token_hash
from server.domain.principal import Role
from server.domain.users import (
    User,
    change_user_role,
    check_password_rule,
    create_user,
    deactivate_user,
    principal_of,
)
from tests.conftest import PASSWORD, assert_denied

pytestmark = pytest.mark.anyio

NEW_PASSWORD = "a long new passphrase"

INVITE = """mutation Invite($input: InviteUserInput!) { inviteUser(input: $input) {
  user { id name email phone role active invitationPending invitationExpiresAt }
  invitation { link expiresAt } errors { code field message } } }"""
RESEND = """mutation Resend($userId: ID!) { resendInvitation(userId: $userId) {
  user { id invitationPending invitationExpiresAt } invitation { link expiresAt } errors { code field message } } }"""
CHANGE_ROLE = """mutation Role($userId: ID!, $role: Role!) { changeUserRole(userId: $userId, role: $role) {
  user { id role } errors { code field message } } }"""
DEACTIVATE = """mutation Off($userId: ID!) { deactivateUser(userId: $userId) {
  user { id active } errors { code field message } } }"""
REACTIVATE = """mutation On($userId: ID!) { reactivateUser(userId: $userId) {
  user { id active } errors { code field message } } }"""
STAFF = """query Staff($active: Boolean, $after: String, $first: Int! = 20) {
  staff(active: $active, after: $after, first: $first) { totalCount pageInfo { hasNextPage endCursor }
  nodes { id name email role active invitationPending invitationExpiresAt } } }"""
VIEWER = {"query": "query { viewer { name } }"}

ROLES = (
    "agency_admin",
    "supervisor",
    "caseworker",
    "provider_a",
    "provider_a_admin",
    "provider_b",
    "other_agency_admin",
    None,
)
# Who may manage users at all; everyone else is FORBIDDEN (no login: UNAUTHENTICATED).
ADMINS = ("agency_admin", "provider_a_admin", "provider_b", "other_agency_admin")  # provider_b: Bea, an admin
# Who manages whom among the seeded people: Dana (a Cosville supervisor), Ashley (provider A's staff).
MANAGES = {"dana": "agency_admin", "ashley": "provider_a_admin"}


def expected(who: str | None, manager: str) -> str | None:
    """None when `who` may change the user `manager` manages, else the code refusing it."""
    if who is None:
        return "UNAUTHENTICATED"
    if who not in ADMINS:
        return "FORBIDDEN"
    return None if who == manager else "NOT_FOUND"


def near(shown: str | None, moment: datetime) -> bool:
    """Whether a time the API shows is `moment`, give or take the seconds the test's clock ran on."""
    return shown is not None and abs(datetime.fromisoformat(shown) - moment) < timedelta(seconds=5)


def token_of(link: str) -> str:
    assert "/portal/#/welcome/" in link, link
    return link.rsplit("/", 1)[1]


async def invite(gql, who: str, email: str, role: str = "CASEWORKER", **more) -> dict:
    result = await gql(who, INVITE, {"input": {"email": email, "fullName": "Pat Lee", "role": role, **more}})
    return result.ok()["inviteUser"]


async def set_password(http, token: str, password: str = NEW_PASSWORD, *, form: bool = False) -> httpx.Response:
    body = {"token": token, "password": password}
    return await (http.post("/auth/password", data=body) if form else http.post("/auth/password", json=body))


async def bearer(http, email: str, password: str = PASSWORD) -> httpx.Response:
    return await http.post("/auth/token", data={"username": email, "password": password})


async def events(db, action: str) -> list[AuditEvent]:
    async with db.read() as session:
        return list((await session.exec(select(AuditEvent).where(AuditEvent.action == action))).all())


# The password rule


@pytest.mark.parametrize(
    ("password", "fault"),
    [
        ("short-pass1", "at least 12 characters"),
        ("pat.lee@cosville.example", "email"),
        ("PAT.LEE@Cosville.Example", "email"),
        ("pat.lee.cosville", None),
        ("Pat.Lee.Long.Name", None),
    ],
)
def test_the_password_rule(password, fault):
    email = "pat.lee@cosville.example"
    if fault is None:
        check_password_rule(password, email)
        return
    with pytest.raises(Invalid) as refused:
        check_password_rule(password, email)
    assert refused.value.field == "password"
    assert fault in refused.value.message


def test_the_rule_refuses_the_email_s_local_part_in_any_case():
    with pytest.raises(Invalid):
        check_password_rule("  Pat.Lee.Cosville1 ", "pat.lee.cosville1@example.org")


async def test_the_command_line_s_create_user_keeps_the_rule(db):
    async with db.write() as session:
        for password in ("eleven-char", "sam.lee@cosville.example"):
            with pytest.raises(Invalid) as refused:
                await create_user(
                    session,
                    email="sam.lee@cosville.example",
                    full_name="Sam Lee",
                    role=Role.CASEWORKER,
                    password=password,
                    agency_id=1,
                    hash_profile="test",
                )
            assert refused.value.field == "password"


# Inviting


@pytest.mark.parametrize("who", ROLES, ids=lambda w: w or "anonymous")
async def test_who_may_invite_and_into_which_organisation(gql, db, users, who):
    # given: each admin invites into their own side's roles
    role = "PROVIDER_STAFF" if who in ("provider_a", "provider_a_admin", "provider_b") else "CASEWORKER"
    variables = {"input": {"email": "new.person@example.org", "fullName": "New Person", "role": role}}
    # when
    result = await gql(who, INVITE, variables)
    # then
    if who not in ADMINS:
        assert_denied(result, "UNAUTHENTICATED" if who is None else "FORBIDDEN")
        assert not await events(db, "user.invite")
        return
    made = result.ok()["inviteUser"]
    assert made["user"]["role"] == role and made["user"]["active"] and made["user"]["invitationPending"]
    async with db.read() as session:
        user = (await session.exec(select(User).where(User.email == "new.person@example.org"))).one()
    admin = users[who]
    assert (user.agency_id, user.provider_id) == (admin.agency_id, admin.provider_id)
    assert len(await events(db, "user.invite")) == 1


async def test_an_invitation_gives_a_link_in_the_fragment_valid_72_hours(gql, db, users, clock):
    # given
    now = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    clock.set(now)
    # when
    made = await invite(gql, "agency_admin", " Pat.Lee@Cosville.example ", phone="(217) 555-0142")
    # then
    link = made["invitation"]["link"]
    assert link.startswith("http://testserver/portal/#/welcome/")
    token = token_of(link)
    assert len(token) >= 43
    expires = datetime.fromisoformat(made["invitation"]["expiresAt"])
    assert near(made["invitation"]["expiresAt"], now + timedelta(hours=72))
    assert expires.utcoffset() == timedelta(hours=-6)  # shown in Cosville's zone
    assert made["user"]["email"] == "pat.lee@cosville.example"
    assert made["user"]["phone"] == "(217) 555-0142"
    assert datetime.fromisoformat(made["user"]["invitationExpiresAt"]) == expires
    # only the token's hash is stored; the audit trail holds neither the token nor a password hash
    async with db.read() as session:
        invitation = (await session.exec(select(Invitation))).one()
        stored = (await session.exec(select(User).where(User.email == "pat.lee@cosville.example"))).one()
    assert token not in json.dumps(invitation.model_dump(mode="json"))
    assert invitation.invited_by_user_id == users["agency_admin"].id
    (event,) = await events(db, "user.invite")
    written = json.dumps([event.before, event.after])
    assert token not in written and stored.password_hash not in written and "password_hash" not in written
    assert datetime.fromisoformat(event.after["invitation_expires_at"]) == expires


async def test_an_invited_user_cannot_sign_in_before_setting_a_password(gql, http):
    await invite(gql, "agency_admin", "pat.lee@cosville.example")
    assert (await bearer(http, "pat.lee@cosville.example", "")).status_code == 400
    assert (await bearer(http, "pat.lee@cosville.example", "anything-at-all")).status_code == 401


@pytest.mark.parametrize(
    ("who", "role", "field", "code"),
    [
        ("agency_admin", "PROVIDER_STAFF", "role", "INVALID"),
        ("provider_a_admin", "CASEWORKER", "role", "INVALID"),
        ("provider_a_admin", "AGENCY_ADMIN", "role", "INVALID"),
    ],
)
async def test_admins_invite_only_into_their_own_side_s_roles(gql, who, role, field, code):
    result = await gql(who, INVITE, {"input": {"email": "x.y@example.org", "fullName": "X Y", "role": role}})
    assert_denied(result, code)
    assert result.payload_errors()[0]["field"] == field


async def test_an_email_in_use_is_a_conflict_on_email_whatever_its_case(gql):
    result = await gql(
        "provider_a_admin",
        INVITE,
        {"input": {"email": "Connor@Cosville.example", "fullName": "C", "role": "PROVIDER_STAFF"}},
    )
    assert_denied(result, "CONFLICT")
    assert result.payload_errors()[0]["field"] == "email"


async def test_an_invitation_s_input_is_checked_field_by_field(gql):
    result = await gql(
        "agency_admin", INVITE, {"input": {"email": "not an email", "fullName": " ", "role": "CASEWORKER"}}
    )
    assert_denied(result, "INVALID")
    assert {e["field"] for e in result.payload_errors()} == {"email", "fullName"}


# The link's lifecycle over HTTP


async def test_invite_set_the_password_then_sign_in_and_the_link_works_once(gql, http, db):
    # given
    made = await invite(gql, "agency_admin", "pat.lee@cosville.example")
    token = token_of(made["invitation"]["link"])
    # when
    answer = await set_password(http, token)
    # then
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"portal": False}  # agency staff: told to use their agency's app or GraphiQL
    assert answer.headers["cache-control"] == "no-store"
    signed_in = await bearer(http, "pat.lee@cosville.example", NEW_PASSWORD)
    assert signed_in.status_code == 200
    viewer = await http.post(
        "/graphql", json=VIEWER, headers={"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    )
    assert viewer.json()["data"]["viewer"]["name"] == "Pat Lee"
    # the second use is refused, in words
    again = await set_password(http, token, "another long passphrase")
    assert again.status_code == 400
    assert again.json()["error"] == "used_link" and again.json()["field"] == "token"
    assert "used already" in again.json()["message"]
    assert (await bearer(http, "pat.lee@cosville.example", "another long passphrase")).status_code == 401
    # no longer pending; the change is audited as the user's own, without the password
    staff = (await gql("agency_admin", STAFF)).ok()["staff"]["nodes"]
    pat = next(u for u in staff if u["email"] == "pat.lee@cosville.example")
    assert pat["invitationPending"] is False and pat["invitationExpiresAt"] is None
    (event,) = await events(db, "user.password_set")
    assert event.actor_user_id == int(made["user"]["id"]) and event.agency_id == 1
    assert NEW_PASSWORD not in json.dumps([event.before, event.after]) and token not in json.dumps(event.after)


async def test_a_provider_s_invited_staff_member_is_sent_to_the_portal_and_the_form_body_works(gql, http):
    made = await invite(gql, "provider_a_admin", "sam@griefcenter.example", "PROVIDER_STAFF")
    answer = await set_password(http, token_of(made["invitation"]["link"]), form=True)
    assert answer.status_code == 200 and answer.json() == {"portal": True}
    signed_in = await http.post("/auth/session", json={"username": "sam@griefcenter.example", "password": NEW_PASSWORD})
    assert signed_in.status_code == 200


@pytest.mark.parametrize(
    ("password", "message"),
    [("too-short", "at least 12 characters"), ("pat.lee@cosville.example", "email"), ("PAT.LEE", "at least 12")],
)
async def test_a_password_breaking_the_rule_is_refused_and_the_link_still_works(gql, http, password, message):
    token = token_of((await invite(gql, "agency_admin", "pat.lee@cosville.example"))["invitation"]["link"])
    refused = await set_password(http, token, password)
    assert refused.status_code == 400
    assert refused.json()["error"] == "weak_password" and refused.json()["field"] == "password"
    assert message in refused.json()["message"]
    assert (await set_password(http, token, "pat.lee-cosville")).status_code == 200


@pytest.mark.parametrize(
    "body",
    [{}, {"token": "x"}, {"password": NEW_PASSWORD}, {"token": 5, "password": NEW_PASSWORD}, []],
    ids=["empty", "no-password", "no-token", "token-not-text", "not-an-object"],
)
async def test_a_request_without_token_and_password_is_a_bad_request(http, body):
    answer = await http.post("/auth/password", json=body)
    assert answer.status_code == 400
    assert answer.json().get("error") == "invalid_request" or answer.json().get("errors"), answer.text


@pytest.mark.parametrize("token", ["not-a-token", "x" * 5000])
async def test_an_unknown_link_is_refused_in_words(http, token):
    refused = await set_password(http, token)
    assert refused.status_code == 400
    assert refused.json() == {
        "error": "invalid_link",
        "message": "This link is not valid: check it, or ask your administrator for a new one.",
        "field": "token",
    }


async def test_a_link_expires_72_hours_after_it_was_made(gql, http, clock):
    # given
    made_at = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    clock.set(made_at)
    first = token_of((await invite(gql, "agency_admin", "pat.lee@cosville.example"))["invitation"]["link"])
    second = token_of((await invite(gql, "agency_admin", "kim.ray@cosville.example"))["invitation"]["link"])
    # when: just before the 72 hours, and at them
    clock.set(made_at + timedelta(hours=72) - timedelta(seconds=1))
    still = await set_password(http, first)
    clock.set(made_at + timedelta(hours=72, seconds=5))
    expired = await set_password(http, second)
    # then
    assert still.status_code == 200
    assert expired.status_code == 400 and expired.json()["error"] == "expired_link"
    assert "72 hours" in expired.json()["message"]
    kim = next(u for u in (await gql("agency_admin", STAFF)).ok()["staff"]["nodes"] if u["email"].startswith("kim"))
    assert kim["invitationPending"] is True
    assert near(kim["invitationExpiresAt"], made_at + timedelta(hours=72))


async def test_resending_voids_the_earlier_link_and_gives_72_hours_more(gql, http, db, clock):
    # given
    made_at = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    clock.set(made_at)
    made = await invite(gql, "agency_admin", "pat.lee@cosville.example")
    old = token_of(made["invitation"]["link"])
    # when: two days later
    clock.set(made_at + timedelta(days=2))
    resent = (await gql("agency_admin", RESEND, {"userId": made["user"]["id"]})).ok()["resendInvitation"]
    # then
    new = token_of(resent["invitation"]["link"])
    assert new != old
    assert near(resent["invitation"]["expiresAt"], made_at + timedelta(days=5))
    assert resent["user"]["invitationPending"] is True
    assert resent["user"]["invitationExpiresAt"] == resent["invitation"]["expiresAt"]
    refused = await set_password(http, old)
    assert refused.status_code == 400 and refused.json()["error"] == "replaced_link"
    clock.set(made_at + timedelta(days=4))  # past the first link's 72 hours, within the second's
    assert (await set_password(http, new)).status_code == 200
    assert len(await events(db, "user.invitation_resend")) == 1
    # once the password is set, there is nothing to resend
    done = await gql("agency_admin", RESEND, {"userId": made["user"]["id"]})
    assert_denied(done, "CONFLICT")


async def test_setting_the_password_voids_the_user_s_other_links(gql, http, db):
    # given: two outstanding links (the second made directly: a resend would void the first)
    made = await invite(gql, "agency_admin", "pat.lee@cosville.example")
    first = token_of(made["invitation"]["link"])
    async with db.write() as session:
        now = utcnow()
        session.add(
            Invitation(
                user_id=int(made["user"]["id"]),
                token_hash=token_hash("a-second-outstanding-link"),
                created_at=now,
                expires_at=now + timedelta(hours=72),
            )
        )
    # when
    assert (await set_password(http, first)).status_code == 200
    # then
    refused = await set_password(http, "a-second-outstanding-link", "another long passphrase")
    assert refused.json()["error"] == "replaced_link"


async def test_resending_is_refused_for_a_user_never_invited_and_a_deactivated_one(gql, users):
    never = await gql("agency_admin", RESEND, {"userId": users["caseworker"].id})
    assert_denied(never, "CONFLICT")
    made = await invite(gql, "agency_admin", "pat.lee@cosville.example")
    (await gql("agency_admin", DEACTIVATE, {"userId": made["user"]["id"]})).ok()
    assert_denied(await gql("agency_admin", RESEND, {"userId": made["user"]["id"]}), "CONFLICT")


async def test_a_deactivated_user_s_link_no_longer_works(gql, http):
    made = await invite(gql, "agency_admin", "pat.lee@cosville.example")
    (await gql("agency_admin", DEACTIVATE, {"userId": made["user"]["id"]})).ok()
    refused = await set_password(http, token_of(made["invitation"]["link"]))
    assert refused.status_code == 400 and refused.json()["error"] == "inactive_account"


@pytest.mark.parametrize("who", ROLES, ids=lambda w: w or "anonymous")
async def test_who_may_resend_an_invitation(gql, who):
    made = await invite(gql, "agency_admin", "pat.lee@cosville.example")
    result = await gql(who, RESEND, {"userId": made["user"]["id"]})
    if (code := expected(who, "agency_admin")) is None:
        assert token_of(result.ok()["resendInvitation"]["invitation"]["link"])
    else:
        assert_denied(result, code)


# Listing


async def test_each_admin_lists_their_own_organisation_s_users_never_an_api_client_s(gql, db, users):
    # given: an API client's own user in Cosville
    async with db.write() as session:
        session.add(
            User(
                email="client-1@api.cosville.example",
                full_name="Intake app",
                role=Role.AGENCY_ADMIN,
                agency_id=1,
                password_hash="!",
                is_api_client=True,
            )
        )
    # when
    cosville = (await gql("agency_admin", STAFF)).ok()["staff"]
    grief = (await gql("provider_a_admin", STAFF)).ok()["staff"]
    harlow = (await gql("other_agency_admin", STAFF)).ok()["staff"]
    # then
    emails = [u["email"] for u in cosville["nodes"]]
    assert {"tishon@cosville.example", "dana@cosville.example", "connor@cosville.example"} <= set(emails)
    assert not any(e.endswith(("griefcenter.example", "harvesttable.example", "harlow.example")) for e in emails)
    assert "client-1@api.cosville.example" not in emails
    assert cosville["totalCount"] == len(emails)
    names = [u["name"] for u in cosville["nodes"]]
    assert names == sorted(names)
    assert {u["email"] for u in grief["nodes"]} == {"ashley@griefcenter.example", "marcus@griefcenter.example"}
    assert [u["email"] for u in harlow["nodes"]] == ["admin@harlow.example"]


async def test_the_staff_list_pages_and_filters_on_active(gql, users):
    (await gql("agency_admin", DEACTIVATE, {"userId": users["caseworker"].id})).ok()
    everyone = (await gql("agency_admin", STAFF)).ok()["staff"]["nodes"]
    seen, after = [], None
    while True:
        page = (await gql("agency_admin", STAFF, {"first": 1, "after": after})).ok()["staff"]
        seen += [u["id"] for u in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [u["id"] for u in everyone]
    inactive = (await gql("agency_admin", STAFF, {"active": False})).ok()["staff"]["nodes"]
    assert [u["email"] for u in inactive] == ["connor@cosville.example"]
    active = (await gql("agency_admin", STAFF, {"active": True})).ok()["staff"]["nodes"]
    assert len(active) == len(everyone) - 1


@pytest.mark.parametrize("who", ROLES, ids=lambda w: w or "anonymous")
async def test_who_may_list_staff(gql, who):
    result = await gql(who, STAFF)
    if who in ADMINS:
        assert result.ok()["staff"]["totalCount"] >= 1
    else:
        assert_denied(result, "UNAUTHENTICATED" if who is None else "FORBIDDEN")


# Changing roles, deactivating, reactivating: by every role, on an agency user and on a provider's


@pytest.mark.parametrize("target", ["dana", "ashley"])
@pytest.mark.parametrize("who", ROLES, ids=lambda w: w or "anonymous")
async def test_who_may_change_whose_role(gql, db, world, users, who, target):
    user = users["supervisor" if target == "dana" else "provider_a"]
    role = "CASEWORKER" if target == "dana" else "PROVIDER_ADMIN"
    result = await gql(who, CHANGE_ROLE, {"userId": user.id, "role": role})
    if (code := expected(who, MANAGES[target])) is None:
        assert result.ok()["changeUserRole"]["user"]["role"] == role
        (event,) = await events(db, "user.role_change")
        assert (event.before, event.after) == ({"role": user.role.value}, {"role": role})
    else:
        assert_denied(result, code)
        assert not await events(db, "user.role_change")


@pytest.mark.parametrize("target", ["dana", "ashley"])
@pytest.mark.parametrize("who", ROLES, ids=lambda w: w or "anonymous")
async def test_who_may_deactivate_and_reactivate_whom(gql, db, users, who, target):
    user = users["supervisor" if target == "dana" else "provider_a"]
    manager = MANAGES[target]
    off = await gql(who, DEACTIVATE, {"userId": user.id})
    if (code := expected(who, manager)) is None:
        assert off.ok()["deactivateUser"]["user"]["active"] is False
        assert len(await events(db, "user.deactivate")) == 1
    else:
        assert_denied(off, code)
        assert not await events(db, "user.deactivate")
        (await gql(manager, DEACTIVATE, {"userId": user.id})).ok()
    on = await gql(who, REACTIVATE, {"userId": user.id})
    if who == ("supervisor" if target == "dana" else "provider_a"):
        code = "UNAUTHENTICATED"  # deactivated, they are no one any more
    if code is None:
        assert on.ok()["reactivateUser"]["user"]["active"] is True
        assert len(await events(db, "user.reactivate")) == 1
    else:
        assert_denied(on, code)
        assert not await events(db, "user.reactivate")


@pytest.mark.parametrize(
    ("who", "role"),
    [("agency_admin", "PROVIDER_STAFF"), ("provider_a_admin", "SUPERVISOR")],
    ids=["agency", "provider"],
)
async def test_a_role_change_stays_on_the_admin_s_side(gql, users, who, role):
    target = users["supervisor" if who == "agency_admin" else "provider_a"]
    result = await gql(who, CHANGE_ROLE, {"userId": target.id, "role": role})
    assert_denied(result, "INVALID")
    assert result.payload_errors()[0]["field"] == "role"


@pytest.mark.parametrize("who", ["agency_admin", "provider_a_admin"])
async def test_an_admin_cannot_deactivate_nor_demote_themselves(gql, db, users, who):
    me = users[who].id
    demoted = "CASEWORKER" if who == "agency_admin" else "PROVIDER_STAFF"
    for result in (
        await gql(who, DEACTIVATE, {"userId": me}),
        await gql(who, CHANGE_ROLE, {"userId": me, "role": demoted}),
    ):
        assert_denied(result, "CONFLICT")
        (error,) = result.payload_errors()
        assert error["field"] == "userId" and "yourself" in error["message"]
    assert not await events(db, "user.deactivate") and not await events(db, "user.role_change")


async def test_the_last_active_admin_is_kept(gql, db, users, people):
    # given: a second Cosville admin, who deactivates the first; and an API client, which acts as an admin but is
    # none (it manages no one)
    made = await invite(gql, "agency_admin", "ada@cosville.example", "AGENCY_ADMIN")
    ada = int(made["user"]["id"])
    async with db.write() as session:
        ada_principal = principal_of(await session.get(User, ada))
        session.add(
            User(
                email="client-kept@api-clients.invalid",
                full_name="Intake app (API client)",
                role=Role.AGENCY_ADMIN,
                agency_id=ada_principal.agency_id,
                password_hash="!",
                is_api_client=True,
            )
        )
    async with db.write() as session:
        await deactivate_user(session, ada_principal, users["agency_admin"].id)
    # when: the first admin, deactivated meanwhile (a stale principal), tries to demote or deactivate Ada
    for attempt in (
        lambda s: change_user_role(s, people["agency_admin"], ada, Role.CASEWORKER),
        lambda s: deactivate_user(s, people["agency_admin"], ada),
    ):
        with pytest.raises(Conflict) as refused:
            async with db.write() as session:
                await attempt(session)
        # then
        assert "last active admin" in refused.value.message
    async with db.read() as session:
        kept = await session.get(User, ada)
    assert kept.active and kept.role == Role.AGENCY_ADMIN


async def test_an_api_client_s_user_is_not_managed_here(gql, db):
    async with db.write() as session:
        client = User(
            email="client-2@api.cosville.example",
            full_name="Intake app",
            role=Role.AGENCY_ADMIN,
            agency_id=1,
            password_hash="!",
            is_api_client=True,
        )
        session.add(client)
        await session.flush()
        client_id = client.id
    for document, variables in (
        (DEACTIVATE, {"userId": client_id}),
        (REACTIVATE, {"userId": client_id}),
        (CHANGE_ROLE, {"userId": client_id, "role": "CASEWORKER"}),
        (RESEND, {"userId": client_id}),
    ):
        assert_denied(await gql("agency_admin", document, variables), "NOT_FOUND")


@pytest.mark.parametrize("user_id", ["999999", "abc"])
async def test_an_unknown_or_malformed_user_id_is_refused_on_user_id(gql, user_id):
    result = await gql("agency_admin", DEACTIVATE, {"userId": user_id})
    assert result.payload_errors()[0]["field"] == "userId"
    assert result.error_codes() in (["NOT_FOUND"], ["INVALID"])


# Deactivation takes effect on the next request


async def test_deactivation_refuses_the_user_s_token_and_portal_cookie_on_their_next_request(db, settings, gql, users):
    app = create_app(settings, db)
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as portal,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as api,
    ):
        # given: Ashley signed in twice, to the portal (cookie) and to the API (bearer), both working
        email = "ashley@griefcenter.example"
        assert (await portal.post("/auth/session", json={"username": email, "password": PASSWORD})).status_code == 200
        token = (await bearer(api, email)).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        for _ in range(2):  # the second is answered from the process's memory of recent callers
            assert (await portal.post("/graphql", json=VIEWER)).json()["data"]["viewer"]["name"] == "Ashley Moreno"
            assert (await api.post("/graphql", json=VIEWER, headers=headers)).json()["data"]["viewer"]
        # when: Marcus, her provider's admin, deactivates her
        (await gql("provider_a_admin", DEACTIVATE, {"userId": users["provider_a"].id})).ok()
        # then: her very next requests are refused, and she cannot sign in
        for answer in (
            await portal.post("/graphql", json=VIEWER),
            await api.post("/graphql", json=VIEWER, headers=headers),
        ):
            (error,) = answer.json()["errors"]
            assert error["extensions"]["code"] == "UNAUTHENTICATED"
            assert error["message"] == "This account cannot sign in."
        assert (await bearer(api, email)).status_code == 401
        assert (await portal.post("/auth/session", json={"username": email, "password": PASSWORD})).status_code == 401
        # when: reactivated, she signs in again with a new token
        (await gql("provider_a_admin", REACTIVATE, {"userId": users["provider_a"].id})).ok()
        fresh = (await bearer(api, email)).json()["access_token"]
        viewer = await api.post("/graphql", json=VIEWER, headers={"Authorization": f"Bearer {fresh}"})
        assert viewer.json()["data"]["viewer"]["name"] == "Ashley Moreno"
        # then: the token and the portal session of before the deactivation stay ended
        for answer in (
            await portal.post("/graphql", json=VIEWER),
            await api.post("/graphql", json=VIEWER, headers=headers),
        ):
            (error,) = answer.json()["errors"]
            assert error["extensions"]["code"] == "UNAUTHENTICATED"


# The portal's set-password page, in a browser


@pytest.fixture(scope="module")
def server():
    from tests.test_portal import live_server

    yield from live_server()


WELCOME_INVITE = """mutation { inviteUser(input: {email: "sam@griefcenter.example", fullName: "Sam Okafor",
  role: PROVIDER_STAFF}) { invitation { link } errors { message } } }"""


@pytest.mark.parametrize("language", ["en", "fr"])
def test_an_invited_provider_sets_their_password_in_the_portal_then_signs_in(browser, server, api, language):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect

    from tests.test_portal import check

    email = f"sam.{language}@griefcenter.example"
    invited = api("marcus@griefcenter.example", WELCOME_INVITE.replace("sam@", f"sam.{language}@"))["inviteUser"]
    link = invited["invitation"]["link"]
    assert link.startswith(f"{server}/portal/#/welcome/")
    context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    axe = Axe()
    words = WORDS[language]
    try:
        page.goto("/portal/")
        page.locator("#language").select_option(language)
        page.goto(link)
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_have_text(words["title"])
        expect(heading).to_be_focused()
        expect(page.get_by_text(words["rule"])).to_be_visible()  # the rule, stated up front
        check(page, axe, f"welcome-{language}-1280", 1280)
        page.set_viewport_size({"width": 375, "height": 800})  # a phone: no sideways scrolling
        check(page, axe, f"welcome-{language}-375", 375)
        page.set_viewport_size({"width": 1280, "height": 900})
        # too short, and two passwords that differ: said next to each field, focus on the first
        page.get_by_label(words["password"]).fill("short")
        page.get_by_label(words["confirm"]).fill("shorter")
        page.get_by_role("button", name=words["submit"]).click()
        expect(page.locator("#new-password-error")).to_have_text(words["short"])
        expect(page.locator("#confirm-password-error")).to_have_text(words["mismatch"])
        expect(page.get_by_label(words["password"])).to_be_focused()
        check(page, axe, f"welcome-errors-{language}-1280", 1280)
        # the server's rule: not the email
        page.get_by_label(words["password"]).fill(email)
        page.get_by_label(words["confirm"]).fill(email)
        page.get_by_role("button", name=words["submit"]).click()
        expect(page.locator("#new-password-error")).to_have_text(words["weak"])
        # a good one
        page.get_by_label(words["password"]).fill(NEW_PASSWORD)
        page.get_by_label(words["confirm"]).fill(NEW_PASSWORD)
        page.get_by_role("button", name=words["submit"]).click()
        expect(heading).to_have_text(words["done"])
        expect(heading).to_be_focused()
        check(page, axe, f"welcome-done-{language}-1280", 1280)
        # the link is spent
        page.goto(link)
        page.reload()
        page.get_by_label(words["password"]).fill(NEW_PASSWORD)
        page.get_by_label(words["confirm"]).fill(NEW_PASSWORD)
        page.get_by_role("button", name=words["submit"]).click()
        expect(page.get_by_role("alert").filter(has_text=words["used"])).to_be_focused()
        # then signs in to the portal
        page.goto("/portal/#/inbox")
        page.locator("#email").fill(email)
        page.locator("#password").fill(NEW_PASSWORD)
        page.locator("form button[type=submit]").click()
        page.wait_for_selector("#inbox-list")
        expect(page.locator("#who")).to_contain_text("Sam Okafor")
    finally:
        context.close()
    assert problems == [], problems


WORDS = {
    "en": {
        "title": "Set your password",
        "rule": "At least 12 characters, and not your email address.",
        "password": "New password",
        "confirm": "Confirm the password",
        "submit": "Set my password",
        "short": "Use at least 12 characters.",
        "mismatch": "The two passwords differ: type the same one twice.",
        "weak": "Choose another password: at least 12 characters, and not your email address.",
        "done": "Your password is set",
        "used": "This link has been used already.",
    },
    "fr": {
        "title": "Choisissez votre mot de passe",
        "rule": "Au moins 12 caractères, et pas votre adresse e-mail.",
        "password": "Nouveau mot de passe",
        "confirm": "Confirmez le mot de passe",
        "submit": "Enregistrer mon mot de passe",
        "short": "Utilisez au moins 12 caractères.",
        "mismatch": "Les deux mots de passe diffèrent : saisissez deux fois le même.",
        "weak": "Choisissez un autre mot de passe : au moins 12 caractères, et pas votre adresse e-mail.",
        "done": "Votre mot de passe est enregistré",
        "used": "Ce lien a déjà servi.",
    },
}
