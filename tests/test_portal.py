"""The provider portal in a browser (Playwright driving Debian's Chromium), against a live server on a fresh copy
of the demo. Agency steps go through the API, as agency apps do. Screenshots of every page are saved under
test-output/screenshots (not committed)."""

import asyncio
import os
import re
import shutil
import socket
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import uvicorn

from server.app import create_app
from server.config import Settings
from server.db import Database
from server.domain.days import today_in
from tests.conftest import COSVILLE_ZONE, PASSWORD, SECRET, seed

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).parent.parent / "test-output" / "screenshots"

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI needs Debian's Chromium at /usr/bin/chromium (.ci/run installs it)")
    pytest.skip("Debian's Chromium is not installed (apt-get install chromium)", allow_module_level=True)

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import Page, expect  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    """A live server on a fresh copy of the seeded demo, for this module's tests."""
    yield from live_server()


def live_server(arrange=None):
    """A live server on a fresh copy of the seeded demo, with `arrange(db)` run on it first."""
    folder = Path(tempfile.mkdtemp(prefix="caseway-portal-"))
    url = f"sqlite+aiosqlite:///{folder}/portal.db"

    async def prepare():
        db = Database(url)
        try:
            await seed(db)
            if arrange is not None:
                await arrange(db)
        finally:
            await db.dispose()

    # In a thread of its own: Playwright's sync API keeps an event loop running in this one.
    seeding = threading.Thread(target=lambda: asyncio.run(prepare()))
    seeding.start()
    seeding.join()
    port = free_port()
    settings = Settings(database_url=url, secret_key=SECRET, password_hash_profile="test")
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    live = uvicorn.Server(config)
    thread = threading.Thread(target=live.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not live.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    live.should_exit = True
    thread.join(10)
    shutil.rmtree(folder, ignore_errors=True)


class Api:
    """An agency app's calls: bearer tokens from /auth/token."""

    def __init__(self, base: str) -> None:
        self.client = httpx.Client(base_url=base, timeout=30)
        self.tokens: dict[str, str] = {}

    def __call__(self, email: str, document: str, variables: dict | None = None) -> dict:
        if email not in self.tokens:
            answer = self.client.post("/auth/token", data={"username": email, "password": PASSWORD})
            self.tokens[email] = answer.json()["access_token"]
        body = self.client.post(
            "/graphql",
            json={"query": document, "variables": variables or {}},
            headers={"Authorization": f"Bearer {self.tokens[email]}"},
        ).json()
        assert not body.get("errors"), body
        return body["data"]


CONNOR, DANA = "connor@cosville.example", "dana@cosville.example"
ASHLEY, MARCUS, BEA = "ashley@griefcenter.example", "marcus@griefcenter.example", "bea@harvesttable.example"


@pytest.fixture
def page(browser, server):
    context = browser.new_context(base_url=server, locale="en-US", timezone_id="America/Chicago")
    opened = context.new_page()
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(str(error)))
    opened.on(
        "console",
        lambda m: problems.append(m.text) if m.type == "error" and "Failed to load resource" not in m.text else None,
    )
    yield opened
    context.close()
    assert problems == [], problems


def sign_in(page: Page, email: str) -> None:
    page.goto("/portal/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals")


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def refer_new_client(api: Api, first_name: str) -> dict:
    """Connor, through the API: a new client in Family Support, assigned Grief Counseling, referred and sent."""
    ids = api(
        CONNOR,
        """query { programs { nodes { id name } } benefits { nodes { id name } }
        providers(filter: {search: "Grief"}) { nodes { id } } }""",
    )
    program = next(p["id"] for p in ids["programs"]["nodes"] if p["name"] == "Family Support")
    benefit = next(b["id"] for b in ids["benefits"]["nodes"] if b["name"] == "Grief Counseling")
    provider = ids["providers"]["nodes"][0]["id"]
    person = api(
        CONNOR,
        """mutation P($first: String!) { createParticipant(input: {legalFirstName: $first, legalLastName: "Okonkwo",
        phone: "(217) 555-0199"}) { participant { id } errors { message } } }""",
        {"first": first_name},
    )["createParticipant"]["participant"]["id"]
    enrollment = api(
        CONNOR,
        """mutation E($p: ID!, $g: ID!) { enrollParticipant(input: {participantId: $p, programId: $g,
        status: IN_PROGRESS}) { enrollment { id } errors { message } } }""",
        {"p": person, "g": program},
    )["enrollParticipant"]["enrollment"]["id"]
    assignment = api(
        CONNOR,
        """mutation A($e: ID!, $b: ID!) { assignBenefit(input: {enrollmentId: $e, benefitId: $b}) {
        assignment { id } errors { message } } }""",
        {"e": enrollment, "b": benefit},
    )["assignBenefit"]["assignment"]["id"]
    referral = api(
        CONNOR,
        """mutation R($a: ID!, $p: ID!, $c: DateTime!) { createReferral(send: true, input: {benefitAssignmentId: $a,
        providerId: $p, sharedFields: [PHONE], notes: "Mornings suit best.", consent: {givenAt: $c}}) {
        referral { id status } errors { message } } }""",
        {"a": assignment, "p": provider, "c": "2026-01-01T00:00:00Z"},
    )["createReferral"]["referral"]
    assert referral["status"] == "REQUESTED"
    return {"referral": referral["id"], "assignment": assignment, "participant": person}


def test_the_whole_story_from_referral_to_disbursement(page: Page, api: Api):
    # Connor refers a new client (API).
    story = refer_new_client(api, "Adaeze")
    # Ashley sees it marked new, opens it, accepts, requests authorization.
    sign_in(page, ASHLEY)
    card = page.locator("li.referral", has_text="Adaeze")
    expect(card.locator(".badge.new")).to_have_text("New")
    shot(page, "inbox-en")
    card.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Adaeze — Grief Counseling")
    page.go_back()
    expect(page.locator("li.referral", has_text="Adaeze").locator(".badge.new")).to_have_count(0)  # opened
    page.go_forward()
    expect(page.get_by_text("(217) 555-0199")).to_be_visible()
    expect(page.get_by_text("Okonkwo")).to_have_count(0)  # the legal name is not shared
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("button", name="Request authorization")).to_be_visible()
    page.get_by_role("button", name="Request authorization").click()
    expect(page.locator("dd").get_by_text("requested", exact=True)).to_be_visible()  # not "not requested yet"
    # Connor authorizes (API).
    authorized = api(
        CONNOR, "mutation A($id: ID!) { authorizeReferral(id: $id) { errors { message } } }", {"id": story["referral"]}
    )
    assert authorized["authorizeReferral"]["errors"] == [], authorized
    # The history tells status changes from authorization changes.
    page.reload()
    history = page.locator("ol.history")
    expect(history.locator("li", has_text="to answer → accepted (Ashley")).to_have_count(1)
    expect(history.locator("li", has_text="Authorization: requested → authorized (Connor")).to_have_count(1)
    # Ashley enrolls the client in the Wednesday sessions from their first day, then takes attendance.
    page.get_by_label("Schedule").select_option(label=page.locator("option", has_text="Wednesdays 11:00").inner_text())
    today = today_in(COSVILLE_ZONE)  # the demo's day
    first_wednesday = (today - timedelta(days=(today.weekday() - 2) % 7 or 7)) - timedelta(weeks=4)
    page.get_by_label("From", exact=True).fill(first_wednesday.isoformat())
    shot(page, "referral-en")
    page.get_by_role("button", name="Enroll", exact=True).click()
    expect(
        page.locator("main").get_by_text("Enrolled in Individual grief counseling, Wednesdays 11:00.")
    ).to_be_visible()
    page.get_by_role("link", name="Sessions").click()
    recent = page.get_by_role("region", name="Past two weeks")
    recent.get_by_role("link", name="Individual grief counseling").first.click()
    expect(page.get_by_role("group", name="Adaeze")).to_be_visible()
    page.get_by_role("button", name="Mark all present").click()
    shot(page, "roster-en")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.locator("main").get_by_text("Attendance saved: 2 marked.")).to_be_visible()
    # Connor sees the disbursement (API).
    found = api(
        CONNOR,
        """query D($a: ID!) { benefitDisbursements(filter: {benefitAssignmentId: $a}) { totalCount
        nodes { status code amount } } }""",
        {"a": story["assignment"]},
    )["benefitDisbursements"]
    assert found == {"totalCount": 1, "nodes": [{"status": "COMPLETED", "code": "90832", "amount": "85.00"}]}


def test_provider_b_sees_none_of_it_even_by_url(page: Page, api: Api):
    story = refer_new_client(api, "Bartholomew")
    sign_in(page, BEA)
    expect(page.get_by_text("No referrals here.")).to_be_visible()
    page.goto(f"/portal/#/referrals/{story['referral']}")
    expect(page.get_by_role("alert")).to_have_text("This page does not exist, or it is not yours to see.")
    expect(page.get_by_text("Bartholomew")).to_have_count(0)
    expect(page.get_by_text("555-0199")).to_have_count(0)


def test_reject_needs_a_reason_in_the_page_and_in_the_api(page: Page, api: Api):
    story = refer_new_client(api, "Celestine")
    sign_in(page, ASHLEY)
    page.goto(f"/portal/#/referrals/{story['referral']}")
    page.get_by_role("button", name="Reject").click()
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Choose a reason.")).to_be_visible()
    expect(page.get_by_label("Reason")).to_have_attribute("aria-invalid", "true")
    answer = page.request.post(
        "/graphql",
        data={"query": f'mutation {{ rejectReferral(id: "{story["referral"]}") {{ errors {{ code field }} }} }}'},
    ).json()
    assert answer["data"]["rejectReferral"]["errors"] == [{"code": "REQUIRED", "field": "reason"}]
    status = api(CONNOR, "query R($id: ID!) { referral(id: $id) { status } }", {"id": story["referral"]})
    assert status["referral"]["status"] == "REQUESTED"
    page.get_by_label("Reason").select_option("NO_CAPACITY")
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("dd", has_text="rejected")).to_be_visible()


def test_a_double_click_on_save_records_once(page: Page, api: Api):
    sign_in(page, ASHLEY)
    page.get_by_role("link", name="Sessions").click()
    page.get_by_role("region", name="Past two weeks").get_by_role("link").first.click()
    session_id = page.url.rsplit("/", 1)[1]
    events = """query E($id: ID!) { auditEvents(filter: {recordType: "BenefitSession", recordId: $id}) {
      totalCount } }"""
    expect(page.get_by_role("button", name="Save attendance")).to_be_visible()
    before = api(DANA, events, {"id": session_id})["auditEvents"]["totalCount"]
    # A real change (the held session's marks were Present): everyone excused.
    for excused in page.get_by_role("radio", name="Excused").all():
        excused.check()
    page.get_by_role("button", name="Save attendance").dblclick()
    expect(page.locator("main").get_by_text("Attendance saved:", exact=False)).to_be_visible()
    page.wait_for_timeout(500)
    assert api(DANA, events, {"id": session_id})["auditEvents"]["totalCount"] == before + 1


def test_sign_in_with_the_keyboard_alone_survives_a_reload_and_sign_out_ends_it(page: Page):
    page.goto("/portal/")
    page.keyboard.press("Tab")  # the skip link first
    expect(page.locator(".skip")).to_be_focused()
    page.get_by_label("Email").fill(ASHLEY)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
    page.get_by_label("Email").fill(CONNOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("The portal is for provider staff.")
    page.get_by_label("Email").fill("")
    page.get_by_label("Email").focus()
    page.keyboard.type(ASHLEY)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals")
    expect(page.get_by_role("heading", level=1)).to_be_focused()  # focus moves to the new page's heading
    assert page.evaluate("document.cookie") == ""  # HttpOnly: page scripts cannot read the session
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_an_admin_drafts_previews_and_submits_a_schedule(page: Page):
    sign_in(page, MARCUS)
    page.get_by_role("link", name="Schedules").click()
    page.get_by_role("link", name="Draft a new schedule").click()
    page.get_by_label("Name").fill("Evening group")
    page.get_by_label("First day").fill((today_in(COSVILLE_ZONE) + timedelta(days=7)).isoformat())
    page.get_by_label("Starts at").fill("18:00")
    page.get_by_label("Ends at").fill("19:30")
    page.get_by_label("Time zone").select_option("America/Chicago")
    page.get_by_label("Tue").check()
    page.get_by_label("Thu").check()
    page.get_by_label("Number of sessions").fill("8")
    page.get_by_role("button", name="Preview sessions").click()
    expect(page.get_by_text("8 sessions, from")).to_be_visible()
    shot(page, "schedule-form-en")
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.locator(".schedule-result")).to_have_text("Submitted: the agency will review it.")
    page.get_by_role("navigation").get_by_role("link", name="Schedules").click()
    card = page.locator("li.card", has_text="Evening group")
    expect(card.get_by_text("awaiting approval")).to_be_visible()


def test_facility_details_are_saved_and_errors_show_next_to_their_field(page: Page, api: Api):
    sign_in(page, MARCUS)
    page.goto("/portal/#/facilities")
    expect(page.get_by_role("heading", level=1)).to_have_text("My facilities")
    email = page.get_by_label("Email").first
    email.fill("not an email")
    page.get_by_role("button", name="Save").first.click()
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field-error:visible").first).to_contain_text("email")
    email.fill("frontdesk@griefcenter.example")
    page.get_by_label("Accepting referrals").first.uncheck()
    page.get_by_role("button", name="Save").first.click()
    expect(page.locator("main").get_by_text("Saved Cosville Grief Counseling Center")).to_be_visible()
    facility = api(CONNOR, 'query { facilities(filter: {search: "Grief"}) { nodes { email acceptingReferrals } } }')
    assert facility["facilities"]["nodes"][0] == {"email": "frontdesk@griefcenter.example", "acceptingReferrals": False}


def test_new_referrals_appear_without_a_reload(page: Page, api: Api):
    sign_in(page, ASHLEY)
    expect(page.get_by_text("Delphine")).to_have_count(0)
    refer_new_client(api, "Delphine")
    expect(page.locator("li.referral", has_text="Delphine")).to_be_visible(timeout=20000)
    expect(page.locator("#status")).to_have_text("A new referral arrived.")


# Referral page: always what the server holds.


def block_referral_polls(route):
    """Holds the referral page's poll back, so a change made elsewhere stays unseen until the user acts."""
    if "ReferralVersion" in (route.request.post_data or ""):
        route.abort()
    else:
        route.continue_()


def test_the_referral_page_follows_the_server_after_each_action_and_changes_made_elsewhere(page: Page, api: Api):
    story = refer_new_client(api, "Evangeline")
    sign_in(page, ASHLEY)
    page.goto(f"/portal/#/referrals/{story['referral']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Evangeline — Grief Counseling")
    # What the decision needs is above the buttons.
    decision = page.get_by_role("region", name="Before you decide")
    expect(decision).to_contain_text("Mornings suit best.")
    expect(decision).to_contain_text("Needs the agency's authorization before service starts.")
    above = page.evaluate(
        """() => document.querySelector('.decision').compareDocumentPosition(document.querySelector('.actions'))
             & Node.DOCUMENT_POSITION_FOLLOWING"""
    )
    assert above
    # After Accept, the page shows the server's referral and focus is on the result, not on <body>.
    page.get_by_role("button", name="Accept").click()
    result = page.locator(".referral-result")
    expect(result).to_have_text("Saved: status is now accepted.")
    expect(result).to_be_focused()
    page.get_by_role("button", name="Request authorization").click()
    expect(result).to_have_text("Saved: authorization is now requested.")
    expect(result).to_be_focused()
    expect(page.get_by_role("button", name="Request authorization")).to_have_count(0)
    # The agency authorizes (API): the open page shows it within a poll, without a reload, and says so.
    api(CONNOR, "mutation A($id: ID!) { authorizeReferral(id: $id) { errors { message } } }", {"id": story["referral"]})
    expect(page.locator(".referral-status dd", has_text="authorized")).to_be_visible(timeout=20000)
    expect(page.locator("#status")).to_have_text("Updated: authorization is now authorized.")
    expect(page.locator("ol.history li", has_text="Authorization: requested → authorized (Connor")).to_have_count(1)
    expect(page.locator("ol.history li", has_text="Status: to answer → accepted (Ashley")).to_have_count(1)
    # Enrolling starts the referral: the page says "in progress" and offers no stale Start.
    page.get_by_label("Schedule").select_option(label=page.locator("option", has_text="Wednesdays 11:00").inner_text())
    page.get_by_role("button", name="Enroll", exact=True).click()
    expect(result).to_contain_text("Individual grief counseling, Wednesdays 11:00")
    expect(result).to_be_focused()
    expect(page.locator(".referral-status dd").first).to_have_text("in progress")
    expect(page.get_by_role("button", name="Start")).to_have_count(0)
    # Complete asks first (in the page); Cancel changes nothing.
    page.get_by_role("button", name="Complete", exact=True).click()
    question = page.get_by_text("Mark this referral complete?")
    expect(question).to_be_focused()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    shot(page, "referral-complete-confirm-en")
    page.get_by_role("button", name="Cancel").click()
    expect(question).to_have_count(0)
    status = api(CONNOR, "query R($id: ID!) { referral(id: $id) { status } }", {"id": story["referral"]})
    assert status["referral"]["status"] == "IN_PROGRESS"
    page.get_by_role("button", name="Complete", exact=True).click()
    page.get_by_role("button", name="Yes, complete it").click()
    expect(result).to_have_text("Saved: status is now completed.")
    expect(page.locator("ol.history li", has_text="Status: in progress → completed (Ashley")).to_have_count(1)
    expect(page.get_by_role("button", name="Complete", exact=True)).to_have_count(0)
    status = api(CONNOR, "query R($id: ID!) { referral(id: $id) { status } }", {"id": story["referral"]})
    assert status["referral"]["status"] == "COMPLETED"


def test_an_action_on_a_referral_changed_elsewhere_reloads_and_says_what_changed(page: Page, api: Api):
    story = refer_new_client(api, "Florentine")
    sign_in(page, ASHLEY)
    page.route("**/graphql", block_referral_polls)
    page.goto(f"/portal/#/referrals/{story['referral']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Florentine — Grief Counseling")
    # A colleague accepts it (API) while the page still offers Accept: the stale click reloads and explains.
    version = api(MARCUS, "query R($id: ID!) { referral(id: $id) { version } }", {"id": story["referral"]})
    accepted = api(
        MARCUS,
        "mutation A($id: ID!, $v: Int) { acceptReferral(id: $id, expectedVersion: $v) { errors { message } } }",
        {"id": story["referral"], "v": version["referral"]["version"]},
    )
    assert accepted["acceptReferral"]["errors"] == []
    page.get_by_role("button", name="Accept").click()
    result = page.locator(".referral-result")
    expect(result).to_have_text(
        "This referral had changed meanwhile: status is now accepted. Below is what it holds now."
    )
    expect(result).to_be_focused()
    expect(page.get_by_role("button", name="Accept")).to_have_count(0)
    expect(page.locator(".referral-status dd").first).to_have_text("accepted")
    # The colleague also requests authorization: "cannot become SUBMITTED from there" is not shown raw.
    requested = api(
        MARCUS,
        "mutation A($id: ID!) { requestAuthorization(id: $id) { errors { message } } }",
        {"id": story["referral"]},
    )
    assert requested["requestAuthorization"]["errors"] == []
    page.get_by_role("button", name="Request authorization").click()
    expect(result).to_contain_text("This referral had changed meanwhile: authorization is now requested.")
    expect(page.get_by_text("cannot become")).to_have_count(0)
    expect(page.get_by_role("button", name="Request authorization")).to_have_count(0)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    shot(page, "referral-conflict-en")
    page.unroute("**/graphql")


def test_a_request_the_server_applied_but_whose_answer_was_lost_shows_what_it_holds(page: Page, api: Api):
    story = refer_new_client(api, "Genevieve")
    sign_in(page, ASHLEY)
    page.goto(f"/portal/#/referrals/{story['referral']}")
    page.get_by_role("button", name="Accept").click()
    expect(page.locator(".referral-result")).to_have_text("Saved: status is now accepted.")

    def applied_then_lost(route):
        if "requestAuthorization" in (route.request.post_data or ""):
            route.fetch()  # the server applies it...
            route.abort("timedout")  # ...and the answer never reaches the page
        else:
            route.continue_()

    page.route("**/graphql", applied_then_lost)
    page.get_by_role("button", name="Request authorization").click()
    expect(page.locator(".referral-result")).to_have_text(
        "No answer came back, but the referral changed: authorization is now requested. Below is what it holds now."
    )
    expect(page.get_by_role("button", name="Request authorization")).to_have_count(0)
    page.unroute("**/graphql")


def test_a_view_that_loads_late_does_not_replace_the_page_the_user_moved_on_to(page: Page):
    sign_in(page, MARCUS)
    page.get_by_role("link", name="Sessions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sessions")
    # The inbox's answer is held back until after the user has gone on to their facilities.
    page.evaluate(
        """() => {
          const original = window.fetch;
          window.fetch = async (url, options) => {
            const inbox = String(options && options.body).includes("query Inbox");
            if (inbox) await new Promise((resolve) => setTimeout(resolve, 1000));
            const response = await original(url, options);
            if (inbox) window.inboxAnswered = true;
            return response;
          };
          location.hash = "#/inbox";
          setTimeout(() => { location.hash = "#/facilities"; }, 100);
        }"""
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("My facilities")
    page.wait_for_function("() => window.inboxAnswered === true")
    page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 100))")
    expect(page.get_by_role("heading", level=1)).to_have_text("My facilities")
    expect(page.get_by_label("Email").first).to_be_editable()


def test_a_slow_or_failing_api_is_survived(page: Page):
    sign_in(page, ASHLEY)
    page.route("**/graphql", lambda route: route.fulfill(status=502, body="Bad gateway"))
    page.get_by_role("link", name="Sessions").click()
    expect(page.get_by_role("alert")).to_have_text("Something went wrong on our side. Try again in a moment.")
    page.unroute("**/graphql")

    def slow(route):
        time.sleep(1.5)
        route.continue_()

    page.route("**/graphql", slow)
    page.get_by_role("button", name="Try again").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sessions", timeout=10000)


def shown_in(instant: str, zone: str) -> re.Pattern:
    """How the portal (en-US, dateStyle medium, timeStyle short) shows an API DateTime in a time zone."""
    local = datetime.fromisoformat(instant).astimezone(ZoneInfo(zone))
    clock = f"{local.hour % 12 or 12}:{local:%M}"
    return re.compile(rf"^{local:%b} {local.day}, {local.year},? {clock}\s{local:%p}$")


def test_days_and_times_show_in_the_providers_zone_not_the_browsers(browser, server, api: Api):
    story = refer_new_client(api, "Haruki")
    for who, mutation in [(ASHLEY, "acceptReferral"), (ASHLEY, "requestAuthorization"), (CONNOR, "authorizeReferral")]:
        document = f"mutation A($id: ID!) {{ {mutation}(id: $id) {{ errors {{ message }} }} }}"
        done = api(who, document, {"id": story["referral"]})
        assert done[mutation]["errors"] == [], done
    found = api(
        ASHLEY,
        "query R($id: ID!) { viewer { timeZone } referral(id: $id) { sentAt history { occurredAt } } }",
        {"id": story["referral"]},
    )
    zone, referral = found["viewer"]["timeZone"], found["referral"]
    assert zone == COSVILLE_ZONE
    # A browser on the other side of the world: Tokyo's clock is 14 or 15 hours ahead of Chicago's.
    context = browser.new_context(base_url=server, locale="en-US", timezone_id="Asia/Tokyo")
    page = context.new_page()
    try:
        assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "Asia/Tokyo"
        sign_in(page, ASHLEY)
        page.get_by_role("button", name=re.compile(r"^All ")).click()  # Haruki's is accepted: not "To answer"
        sent = page.locator("li.referral", has_text="Haruki").locator(".age time")
        expect(sent).to_have_text(re.compile(r"^Sent "))  # "Sent 1 min. ago"; the moment is in its title
        assert shown_in(referral["sentAt"], zone).match(sent.get_attribute("title")), sent.get_attribute("title")
        assert not shown_in(referral["sentAt"], "Asia/Tokyo").match(sent.get_attribute("title"))

        page.goto(f"/portal/#/referrals/{story['referral']}")
        times = page.locator("ol.history time")
        expect(times.first).to_be_visible()
        assert {e["occurredAt"] for e in referral["history"]} <= {t.get_attribute("datetime") for t in times.all()}
        for time_element in times.all():
            instant, text = time_element.get_attribute("datetime"), time_element.inner_text()
            assert shown_in(instant, zone).match(text), (instant, text)
        # An enrolment starts today where the sessions happen, not on the browser's day.
        expect(page.get_by_label("From", exact=True)).to_have_value(today_in(zone).isoformat())
        page.get_by_label("Schedule").select_option(index=1)
        expect(page.get_by_label("From", exact=True)).to_have_value(today_in(COSVILLE_ZONE).isoformat())

        # Today's sessions are today's at their facility; the past two weeks end yesterday there.
        page.get_by_role("link", name="Sessions").click()
        expect(page.get_by_role("region", name="Past two weeks").get_by_role("link").first).to_be_visible()
        start = datetime.combine(today_in(zone) - timedelta(days=14), datetime.min.time(), ZoneInfo(zone))
        sessions = api(
            ASHLEY,
            """query S($from: DateTime!) { benefitSessions(startsAfter: $from, first: 100) { nodes { id startsAt
            schedule { timeZone } } } }""",
            {"from": start.isoformat()},
        )["benefitSessions"]["nodes"]
        day = {
            s["id"]: datetime.fromisoformat(s["startsAt"]).astimezone(ZoneInfo(s["schedule"]["timeZone"])).date()
            for s in sessions
        }
        today = today_in(COSVILLE_ZONE)
        for region, belongs in [
            ("Today", lambda d: d == today),
            ("Upcoming", lambda d: d > today),
            ("Past two weeks", lambda d: today - timedelta(days=14) <= d < today),
        ]:
            links = page.get_by_role("region", name=region).get_by_role("link").all()
            for link in links:
                session = link.get_attribute("href").rsplit("/", 1)[1]
                assert belongs(day[session]), (region, session, day[session], today)
    finally:
        context.close()


PAGES = [
    ("inbox", "#/inbox", ASHLEY),
    ("referral", "#/referrals/1", ASHLEY),
    ("schedules", "#/schedules", MARCUS),
    ("schedule-form", "#/schedules/new", MARCUS),
    ("sessions", "#/sessions", ASHLEY),
    ("roster", None, ASHLEY),
    ("facilities", "#/facilities", MARCUS),
]


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("width", [1280, 375])
def test_every_page_has_no_axe_violations_and_fits_the_screen(browser, server, language, width):
    context = browser.new_context(
        base_url=server, viewport={"width": width, "height": 900}, timezone_id="America/Chicago"
    )
    page = context.new_page()
    axe = Axe()
    try:
        page.goto("/portal/")
        page.locator("#language").select_option(language)
        page.reload()  # the choice sticks
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("#language")).to_have_value(language)
        check(page, axe, f"sign-in-{language}-{width}", width)
        signed_in_as = None
        for name, route, who in PAGES:
            if who != signed_in_as:
                if signed_in_as:
                    page.locator("#sign-out").click()
                page.locator("#email").fill(who)
                page.locator("#password").fill(PASSWORD)
                page.locator("form button[type=submit]").click()
                page.wait_for_selector("#inbox-list")
                signed_in_as = who
            if route is None:  # the latest held session's roster
                page.goto("/portal/#/sessions")
                page.locator("main section").last.get_by_role("link").first.click()
            else:
                page.goto(f"/portal/{route}")
            page.wait_for_selector("main .view:not([aria-busy]) h1")
            page.wait_for_load_state("networkidle")
            check(page, axe, f"{name}-{language}-{width}", width)
        # States between pages. A field error, in the page's language (the server's message is English).
        page.locator("main input[type=email]").first.fill("not an email")
        page.locator("main form button[type=submit]").first.click()
        expect(page.locator(".field-error:visible").first).to_have_text(INVALID_EMAIL[language])
        check(page, axe, f"facility-error-{language}-{width}", width)
        # A page loading: its skeleton.
        release = hold_api(page)
        page.goto("/portal/#/sessions")
        page.wait_for_selector('main .view[aria-busy="true"] .skeleton')
        check(page, axe, f"skeleton-{language}-{width}", width)
        release()
        page.wait_for_selector("main .view:not([aria-busy]) h1")
        # Caseway cannot be reached.
        page.route("**/graphql", lambda route: route.abort())
        page.reload()
        page.wait_for_selector(".failed h1")
        check(page, axe, f"unreachable-{language}-{width}", width)
        page.unroute("**/graphql")
    finally:
        context.close()


INVALID_EMAIL = {
    "en": "Enter a valid email address, such as name@example.org.",
    "fr": "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.",
}


def hold_api(page: Page):
    """Holds the page's API requests until the returned function is called."""
    held: list = []

    def handle(route):
        if getattr(handle, "released", False):
            route.continue_()
        else:
            held.append(route)

    def release() -> None:
        handle.released = True
        for route in held:
            route.continue_()
        page.unroute("**/graphql", handle)

    page.route("**/graphql", handle)
    return release


def check(page: Page, axe: Axe, name: str, width: int) -> None:
    shot(page, name)
    results = axe.run(page)
    assert results.violations_count == 0, (name, results.generate_report())
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width, (name, overflow)


# The inbox at real volume: 250 referrals.
PRIORITY_RANK = {"STAT": 0, "ASAP": 1, "URGENT": 2, "ROUTINE": 3}
PRIORITY_CYCLE = ["ROUTINE", "URGENT", "ASAP", "ROUTINE", "STAT"]  # 5: across the 6 statuses
BUSY_INBOX = """query I($filter: ReferralFilter, $after: String) {
  referrals(orderBy: URGENCY, filter: $filter, first: 100, after: $after) { totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id status priority isOverdue respondBy sharedParticipant { preferredName } facility { name }
      benefit { name } } } }"""


def every_referral(api: Api, who: str, filter: dict | None = None) -> list[dict]:
    """The referrals `who` sees, most urgent first, read page after page through the API."""
    found, after = [], None
    while True:
        page = api(who, BUSY_INBOX, {"filter": filter, "after": after})["referrals"]
        found += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


def unopened_count(api: Api) -> int:
    return api(ASHLEY, "query { referrals(filter: {new: true}) { totalCount } }")["referrals"]["totalCount"]


async def busy_referrals(db: Database) -> None:
    """250 referrals to the Grief Center (provider A): the demo's 2 and 248 more across statuses, priorities, two
    facilities and two benefits; a third unopened, some overdue; one requested, STAT and overdue by five days: the
    most urgent of all."""
    from types import SimpleNamespace

    from sqlalchemy import update
    from sqlmodel import select

    from server.domain.catalogue.benefits import create_benefit
    from server.domain.catalogue.models import Benefit
    from server.domain.columns import utcnow
    from server.domain.network import facilities
    from server.domain.network.models import CareSpecialty, Facility, Provider
    from server.domain.referrals.models import Referral, ReferralPriority, ReferralStatus
    from server.domain.users import User, principal_of
    from tests.conftest import PEOPLE
    from tests.test_large_inbox import fill_inbox

    async with db.read() as session:
        one = lambda query: session.exec(query)  # noqa: E731
        provider = (await one(select(Provider.id).where(Provider.name == "Cosville Grief Counseling Center"))).one()
        main_site = (await one(select(Facility.id).where(Facility.provider_id == provider))).one()
        grief = (await one(select(Benefit).where(Benefit.name == "Grief Counseling"))).one()
        specialty = (await one(select(CareSpecialty.id).where(CareSpecialty.code == "CNS-GRF"))).one()
        admin = principal_of((await one(select(User).where(User.email == PEOPLE["agency_admin"]))).one())
        any_referral = (await one(select(Referral.id))).first()
        before = (await one(select(Referral.id).order_by(Referral.id.desc()))).first()
    async with db.write() as session:
        westside = await facilities.create_facility(
            session,
            admin,
            {"provider_id": provider, "name": "Grief Center — Westside"},
            [{"specialty_id": specialty, "primary": True}],
        )
        group = await create_benefit(
            session,
            admin,
            {
                "program_id": grief.program_id,
                "name": "Bereavement Group",
                "benefit_type_id": grief.benefit_type_id,
                "unit_of_measure": "session",
            },
            [specialty],
        )
        westside_id, group_id = westside.id, group.id
    world = SimpleNamespace(new_referral=any_referral)
    await fill_inbox(db, world, provider, grief.id, 200)
    await fill_inbox(db, world, provider, group_id, 48)
    async with db.write() as session:
        made = (await session.exec(select(Referral.id).where(Referral.id > before).order_by(Referral.id))).all()
        for index, priority in enumerate(PRIORITY_CYCLE):
            chosen = made[index :: len(PRIORITY_CYCLE)]
            await session.exec(update(Referral).where(Referral.id.in_(chosen)).values(priority=priority))
        await session.exec(update(Referral).where(Referral.id.in_(made[0::3])).values(facility_id=westside_id))
        await session.exec(update(Referral).where(Referral.id.in_(made[1::3])).values(facility_id=main_site))
        requested = (
            await session.exec(
                select(Referral.id)
                .where(Referral.id > before, Referral.status == ReferralStatus.REQUESTED)
                .order_by(Referral.id)
            )
        ).all()
        await session.exec(
            update(Referral)
            .where(Referral.id == requested[3])
            .values(priority=ReferralPriority.STAT, respond_by=utcnow() - timedelta(days=5))
        )


@pytest.fixture(scope="module")
def busy_server():
    """Another live server: the demo with 248 more referrals to provider A (250 in its inbox)."""
    yield from live_server(busy_referrals)


def busy_page(browser, base: str, width: int = 1280) -> tuple:
    context = browser.new_context(
        base_url=base, viewport={"width": width, "height": 800}, timezone_id="America/Chicago"
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    return context, page, problems


def ordered_by_urgency(nodes: list[dict]) -> bool:
    """Overdue first; then STAT, ASAP, URGENT, ROUTINE; then the soonest respond-by."""
    keys = [(not n["isOverdue"], PRIORITY_RANK[n["priority"]], n["respondBy"] or "") for n in nodes]
    return keys == sorted(keys)


def test_a_busy_inbox_of_250_orders_pages_filters_answers_and_keeps_up(browser, busy_server):
    api = Api(busy_server)
    context, page, problems = busy_page(browser, busy_server)
    rows = page.locator("#inbox-list li.referral")
    ids = lambda: [r.get_attribute("data-id") for r in rows.all()]  # noqa: E731
    try:
        everything = every_referral(api, ASHLEY)
        to_answer = every_referral(api, ASHLEY, {"statuses": ["REQUESTED"]})
        assert len(everything) == 250
        assert {n["status"] for n in everything} >= {"REQUESTED", "ACCEPTED", "IN_PROGRESS", "ON_HOLD", "COMPLETED"}
        assert set(PRIORITY_RANK) <= {n["priority"] for n in to_answer}
        assert ordered_by_urgency(to_answer), [(n["isOverdue"], n["priority"]) for n in to_answer]
        first = to_answer[0]
        assert first["priority"] == "STAT" and first["isOverdue"], first
        sign_in(page, ASHLEY)
        # Opens on "To answer": 25 rows, the overdue ones first, in the API's urgency order.
        expect(page.get_by_role("button", name=re.compile("^To answer"))).to_have_attribute("aria-pressed", "true")
        expect(rows).to_have_count(25)
        assert ids() == [n["id"] for n in to_answer[:25]]
        expect(rows.first.locator(".badge.priority-stat")).to_have_text("immediately")
        expect(rows.first.locator(".age time")).to_have_text(re.compile(r"^Sent .*ago$"))
        expect(rows.first.locator(".due .overdue")).to_contain_text("Overdue")
        overdue = sum(n["isOverdue"] for n in to_answer[:25])
        assert 0 < overdue < 25
        expect(rows.locator(".due .overdue")).to_have_count(overdue)
        # The unopened count is in the title.
        unopened = unopened_count(api)
        expect(page).to_have_title(f"({unopened}) Referrals · Caseway provider portal")
        # At least 12 rows fit on a 1280x800 screen, each one line.
        visible = page.evaluate(
            """() => [...document.querySelectorAll('#inbox-list li.referral')]
                 .filter((li) => li.getBoundingClientRect().bottom <= window.innerHeight).length"""
        )
        shot(page, "inbox-busy-1280x800")
        assert visible >= 12, visible
        assert rows.nth(1).bounding_box()["height"] <= 56

        # "All" pages on the server to its last referral with "Show more": nothing is cut, in the API's order.
        page.get_by_role("button", name=re.compile("^All")).click()
        expect(page.locator(".more .shown")).to_have_text("Showing 25 of 250")
        expect(rows).to_have_count(25)
        while page.get_by_role("button", name="Show more").count():
            shown = rows.count()
            page.get_by_role("button", name="Show more").click()
            expect(rows).to_have_count(min(shown + 25, 250))
            expect(rows.nth(shown).locator("a")).to_be_focused()  # focus on the first row read
        expect(page.locator(".more .shown")).to_have_text("Showing 250 of 250")
        assert ids() == [n["id"] for n in everything]

        # Past 100 rows a poll reads only the counts: a new referral updates the title and offers a refresh,
        # and leaves the 250 rows where they are.
        arrival = refer_new_client(api, "Ignatius")["referral"]
        expect(page).to_have_title(f"({unopened + 1}) Referrals · Caseway provider portal", timeout=25000)
        notice = page.locator(".notice.changed")
        expect(notice).to_contain_text("Referrals arrived or changed since this list was loaded.")
        expect(rows).to_have_count(250)
        notice.get_by_role("button", name="Refresh the list").click()
        expect(rows).to_have_count(25)
        expect(notice).to_be_hidden()
        expect(rows.first.locator("a")).to_be_focused()
        expect(page.locator(".more .shown")).to_have_text("Showing 25 of 251")

        # Filters: facility, benefit, priority, status (the tabs) and the client's name, each as the API answers.
        def check_filter(expected: list[dict]) -> None:
            assert expected
            expect(page.locator(".more .shown")).to_have_text(f"Showing {min(25, len(expected))} of {len(expected)}")
            expect(rows.first).to_have_attribute("data-id", expected[0]["id"])
            assert ids() == [n["id"] for n in expected[:25]]

        everything = every_referral(api, ASHLEY)
        page.get_by_label("Facility").select_option(label="Grief Center — Westside")
        check_filter([n for n in everything if (n["facility"] or {}).get("name") == "Grief Center — Westside"])
        page.get_by_label("Facility").select_option("")
        page.get_by_label("Benefit").select_option(label="Bereavement Group")
        group = [n for n in everything if n["benefit"]["name"] == "Bereavement Group"]
        assert 0 < len(group) < 250
        check_filter(group)
        page.get_by_label("Priority").select_option("STAT")
        check_filter([n for n in group if n["priority"] == "STAT"])
        page.get_by_label("Benefit").select_option("")
        page.get_by_label("Priority").select_option("")
        page.get_by_role("button", name=re.compile("^On hold")).click()
        held = [n for n in everything if n["status"] == "ON_HOLD"]
        check_filter(held)
        expect(rows.locator(".badge.status-on_hold")).to_have_count(min(25, len(held)))
        page.get_by_role("button", name=re.compile("^All")).click()
        target = next(
            n["sharedParticipant"]["preferredName"]
            for n in everything[130:]
            if n["sharedParticipant"]["preferredName"].startswith("Client")
        )
        page.get_by_label("Search by client name").fill(target)
        expect(rows).to_have_count(1)
        expect(rows.first.locator("a.name")).to_have_text(target)
        page.get_by_label("Search by client name").fill("Ignatius")
        expect(rows.first).to_have_attribute("data-id", arrival)
        expect(rows).to_have_count(1)
        page.get_by_label("Search by client name").fill("")
        expect(rows).to_have_count(25)

        # Accept from the list in one click.
        page.get_by_role("button", name=re.compile("^To answer")).click()
        expect(rows).to_have_count(25)
        second = to_answer[1]
        row = page.locator(f'#inbox-list li.referral[data-id="{second["id"]}"]')
        row.get_by_role("button", name="Accept").click()
        # The row says accepted, unless a poll meanwhile re-read "To answer", which no longer holds it.
        unanswered = f'#inbox-list li.referral[data-id="{second["id"]}"]:not(:has(.badge.status-accepted))'
        expect(page.locator(unanswered)).to_have_count(0)
        expect(row.get_by_role("button", name="Accept")).to_have_count(0)
        status = api(CONNOR, "query R($id: ID!) { referral(id: $id) { status } }", {"id": second["id"]})
        assert status["referral"]["status"] == "ACCEPTED"

        # Reject from the list: a reason is required, and a note with the reason Other; focus goes to the result.
        third = to_answer[2]
        name = third["sharedParticipant"]["preferredName"]
        row = page.locator(f'#inbox-list li.referral[data-id="{third["id"]}"]')
        row.get_by_role("button", name=f"Reject the referral of {name}").click()
        form = row.get_by_role("form", name=f"Reject the referral of {name}")
        expect(form.get_by_label("Reason")).to_be_focused()
        form.get_by_role("button", name="Confirm rejection").click()
        expect(form.get_by_text("Choose a reason.")).to_be_visible()
        expect(form.get_by_label("Reason")).to_have_attribute("aria-invalid", "true")
        form.get_by_label("Reason").select_option("OTHER")
        form.get_by_role("button", name="Confirm rejection").click()
        expect(form.get_by_text("Say why in the note: the reason is Other.")).to_be_visible()
        expect(form.get_by_label("Note")).to_be_focused()
        page.wait_for_timeout(11000)  # a poll's time: the open form is not redrawn away
        expect(form.get_by_label("Note")).to_be_focused()
        status = api(CONNOR, "query R($id: ID!) { referral(id: $id) { status } }", {"id": third["id"]})
        assert status["referral"]["status"] == "REQUESTED"
        form.get_by_label("Reason").select_option("NO_CAPACITY")
        form.get_by_label("Note").fill("Full until March.")
        form.get_by_role("button", name="Confirm rejection").click()
        result = row.locator(".row-result")
        expect(result).to_have_text(f"Rejected the referral of {name}: No capacity.")
        expect(result).to_be_focused()
        expect(row.locator(".badge.status-rejected")).to_have_text("rejected")
        expect(row.get_by_role("button")).to_have_count(0)
        done = api(
            CONNOR, "query R($id: ID!) { referral(id: $id) { status statusReason statusNote } }", {"id": third["id"]}
        )
        assert done["referral"] == {
            "status": "REJECTED",
            "statusReason": "NO_CAPACITY",
            "statusNote": "Full until March.",
        }

        # Live arrival (up to 100 rows shown, a poll reads them again): the title and the totals follow.
        unopened = unopened_count(api)
        late = refer_new_client(api, "Octavia")["referral"]
        expect(page).to_have_title(f"({unopened + 1}) Referrals · Caseway provider portal", timeout=25000)
        expect(page.locator("#status")).to_have_text("A new referral arrived.")
        # Two arrived (Ignatius, Octavia) and two were answered.
        expect(page.locator(".more .shown")).to_have_text(f"Showing 25 of {len(to_answer)}")
        page.get_by_label("Search by client name").fill("Octavia")
        expect(rows.first).to_have_attribute("data-id", late)
        expect(rows).to_have_count(1)
        page.get_by_label("Search by client name").fill("")
        expect(rows).to_have_count(25)

        # While the API cannot be reached, the inbox says since when it is stale; then recovers.
        notice = page.locator(".notice.stale")
        expect(notice).to_be_hidden()
        page.route("**/graphql", lambda route: route.abort())
        expect(notice).to_be_visible(timeout=25000)
        expect(notice).to_contain_text(re.compile(r"Not updated since \d{1,2}:\d\d\s[AP]M, retrying"))
        expect(rows).to_have_count(25)  # the old list stays, marked stale
        page.unroute("**/graphql")
        expect(notice).to_be_hidden(timeout=25000)
        expect(page.locator(f'#inbox-list li.referral[data-id="{second["id"]}"]')).to_have_count(0)  # answered
    finally:
        context.close()
        api.client.close()
    assert problems == [], problems


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("width", [1280, 375])
def test_the_reject_form_and_the_caseworkers_contact_pass_axe(browser, busy_server, language, width):
    api = Api(busy_server)
    context, page, problems = busy_page(browser, busy_server, width)
    axe = Axe()
    try:
        page.goto("/portal/")
        page.locator("#language").select_option(language)
        page.locator("#email").fill(ASHLEY)
        page.locator("#password").fill(PASSWORD)
        page.locator("form button[type=submit]").click()
        rows = page.locator("#inbox-list li.referral")
        expect(rows).to_have_count(25)
        row = rows.nth(5 if width == 1280 else 6)
        row.locator("button.reject").click()
        form = row.locator("form.reject-form")
        expect(form.locator("select")).to_be_focused()
        form.locator("button[type=submit]").click()  # no reason: the error next to its field
        expect(form.locator("select")).to_have_attribute("aria-invalid", "true")
        check(page, axe, f"inbox-reject-{language}-{width}", width)
        form.locator("select").select_option("OTHER")
        form.locator("button[type=submit]").click()  # Other without a note
        expect(form.locator("textarea")).to_have_attribute("aria-invalid", "true")
        form.locator("textarea").fill("Moved away." if language == "en" else "Parti·e.")
        form.locator("button[type=submit]").click()
        expect(row.locator(".row-result")).to_be_focused()
        check(page, axe, f"inbox-rejected-{language}-{width}", width)
        # The referral page: who referred, with their work phone and email, as links.
        page.goto(f"/portal/#/referrals/{row.get_attribute('data-id')}")
        phone = page.locator('a.contact[href="tel:2175550121"]')
        expect(phone).to_have_text("(217) 555-0121")
        expect(page.locator('a.contact[href="mailto:connor@cosville.example"]')).to_be_visible()
        expect(page.locator(".decision")).to_contain_text("Connor Reyes")
        page.wait_for_load_state("networkidle")
        check(page, axe, f"inbox-referral-contact-{language}-{width}", width)
    finally:
        context.close()
        api.client.close()
    assert problems == [], problems


async def grief_center_world(db: Database):
    """The demo's people (as principals) and the Grief Center's ids that tests.stories' helpers take, read from a
    seeded database (a live server's, before it serves)."""
    from types import SimpleNamespace

    from sqlmodel import select

    from server.domain.catalogue.models import Benefit, CodeSet, Program
    from server.domain.network.models import Facility, Provider
    from server.domain.users import User, principal_of
    from tests.conftest import PEOPLE

    async with db.read() as session:
        users = (await session.exec(select(User).where(User.email.in_(PEOPLE.values())))).all()
        by_email = {u.email: principal_of(u) for u in users}
        people = {who: by_email[email] for who, email in PEOPLE.items() if email in by_email}
        one = lambda model, *where: session.exec(select(model.id).where(*where))  # noqa: E731
        grief = (await one(Provider, Provider.name == "Cosville Grief Counseling Center")).one()
        world = SimpleNamespace(
            grief_center=grief,
            grief_facility=(await one(Facility, Facility.provider_id == grief)).one(),
            family_support=(await one(Program, Program.name == "Family Support", Program.agency_id == 1)).one(),
            grief_counseling=(await one(Benefit, Benefit.name == "Grief Counseling")).one(),
            cpt_90832=(await one(CodeSet, CodeSet.code == "90832")).one(),
        )
    return people, world


# Sessions and attendance at real volume: a roster of thirty.
BIG_ROSTER: dict[str, list[str]] = {}
ROSTER = 30


async def thirty_on_a_roster(db: Database) -> None:
    """A daily group of the Grief Center from three days ago to two days ahead (six sessions), thirty enrolled."""
    from server.domain.delivery import schedule_assignments
    from tests.stories import approved_schedule, authorized_referral, days_ago_at

    people, world = await grief_center_world(db)
    first = days_ago_at(3, 10)
    schedule_id, sessions = await approved_schedule(
        db, people, world, first_start=first, capacity=35, name="Morning group", frequency="DAILY", count=6
    )
    for number in range(1, ROSTER + 1):
        referral = await authorized_referral(db, people, world, first_name=f"Member{number:02d}")
        async with db.write() as session:
            await schedule_assignments.enroll_in_schedule(
                session, people["provider_a"], referral_id=referral.id, schedule_id=schedule_id, from_date=first.date()
            )
    BIG_ROSTER["sessions"] = [str(s) for s in sessions]


@pytest.fixture(scope="module")
def roster_server():
    """Another live server: the demo with a daily group of thirty."""
    yield from live_server(thirty_on_a_roster)


def marks_saved(api: Api, session_id: str) -> dict[str, int]:
    from collections import Counter

    roster = api(ASHLEY, "query R($id: ID!) { sessionRoster(sessionId: $id) { lines { mark } } }", {"id": session_id})
    return dict(Counter(line["mark"] for line in roster["sessionRoster"]["lines"]))


def in_view(page: Page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"]


@pytest.mark.parametrize("width", [1280, 375])
def test_a_roster_of_thirty_with_two_absences_takes_three_actions_besides_the_two_changes(
    browser, roster_server, width
):
    api = Api(roster_server)
    session_id = BIG_ROSTER["sessions"][0 if width == 1280 else 1]
    context = browser.new_context(
        base_url=roster_server, viewport={"width": width, "height": 800}, timezone_id="America/Chicago"
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    actions = 0

    def act(locator) -> None:
        nonlocal actions
        actions += 1
        locator.click()

    try:
        assert marks_saved(api, session_id) == {None: ROSTER}  # not yet taken
        sign_in(page, ASHLEY)
        # What the user does, counted in the page: every click and key press from here on (the portal is one page).
        page.evaluate(
            "window.userInputs = 0; for (const kind of ['click', 'keydown'])"
            " document.addEventListener(kind, (e) => { if (e.isTrusted) window.userInputs += 1; }, true)"
        )
        act(page.locator("#nav").get_by_role("link", name="Sessions"))
        act(page.locator(f'main a[href="#/sessions/{session_id}"]'))
        rows = page.locator("fieldset.mark")
        expect(rows).to_have_count(ROSTER)
        # Everyone starts Present; the bar with the count and Save is on screen without scrolling, on a long page.
        expect(page.get_by_role("radio", name="Present", checked=True)).to_have_count(ROSTER)
        expect(page.locator(".roster-count")).to_have_text(f"{ROSTER} present, 0 absent")
        assert page.evaluate("document.documentElement.scrollHeight") > 800
        save = page.get_by_role("button", name="Save attendance")
        assert in_view(page, save) and in_view(page, page.get_by_role("button", name="Mark all present"))
        if width == 1280:
            height = rows.nth(1).bounding_box()["height"]
            assert height <= 50, height  # compact rows
        shot(page, f"roster-thirty-{width}")
        # The two changes, one of them at the bottom of the roster.
        rows.nth(4).get_by_role("radio", name="Absent").check()
        rows.nth(ROSTER - 1).get_by_role("radio", name="Absent").check()
        expect(page.locator(".roster-count")).to_have_text(f"{ROSTER - 2} present, 2 absent")
        assert in_view(page, save)  # still on screen at the bottom of the roster
        act(save)
        result = page.locator("main").get_by_text(f"Attendance saved: {ROSTER} marked.")
        expect(result).to_be_focused()
        assert actions <= 3, actions
        assert page.evaluate("window.userInputs") <= 3 + 2  # the three actions and the two changes, nothing more
        assert marks_saved(api, session_id) == {"PRESENT": ROSTER - 2, "ABSENT": 2}
        # A saved mark is kept when the roster is opened again.
        page.reload()
        expect(rows.nth(4).get_by_role("radio", name="Absent")).to_be_checked()
        expect(page.locator(".roster-count")).to_have_text(f"{ROSTER - 2} present, 2 absent")
    finally:
        context.close()
        api.client.close()
    assert problems == [], problems


def test_a_future_session_is_read_only_and_a_roster_prints_as_a_sign_in_sheet(browser, roster_server):
    api = Api(roster_server)
    context = browser.new_context(
        base_url=roster_server, viewport={"width": 1280, "height": 800}, timezone_id="America/Chicago"
    )
    page = context.new_page()
    axe = Axe()
    try:
        sign_in(page, ASHLEY)
        future = BIG_ROSTER["sessions"][-1]
        page.goto(f"/portal/#/sessions/{future}")
        expect(page.locator("main")).to_contain_text("Attendance opens on ")
        expect(page.locator("main li", has_text=f"Member{ROSTER}")).to_be_visible()
        expect(page.get_by_role("radio")).to_have_count(0)
        expect(page.get_by_role("button", name="Save attendance")).to_have_count(0)
        results = axe.run(page)
        assert results.violations_count == 0, results.generate_report()
        assert marks_saved(api, future) == {None: ROSTER}
        # Printed: the session, names and a signature column; no navigation, no buttons.
        held = BIG_ROSTER["sessions"][2]
        page.goto(f"/portal/#/sessions/{held}")
        expect(page.get_by_role("button", name="Save attendance")).to_be_visible()
        results = axe.run(page)
        assert results.violations_count == 0, results.generate_report()
        # A refused save says so next to Save, with focus on it.
        page.route("**/graphql", lambda route: route.fulfill(status=502, body="Bad gateway"))
        page.get_by_role("button", name="Save attendance").click()
        error = page.locator(".roster-bar").get_by_role("alert")
        expect(error).to_have_text("Something went wrong on our side. Try again in a moment.")
        expect(error).to_be_focused()
        page.unroute("**/graphql")
        assert marks_saved(api, held) == {None: ROSTER}
        expect(page.locator("table.roster-print")).to_be_hidden()
        page.emulate_media(media="print")
        sheet = page.locator("table.roster-print")
        expect(sheet).to_be_visible()
        expect(sheet.locator("th")).to_have_text(["Name", "Signature"])
        expect(sheet.locator("tbody tr")).to_have_count(ROSTER)
        expect(page.locator("header.bar")).to_be_hidden()
        expect(page.get_by_role("button", name="Save attendance")).to_be_hidden()
        expect(page.get_by_role("button", name="Print")).to_be_hidden()
        expect(page.get_by_role("radio").first).to_be_hidden()
        shot(page, "roster-print")
        pdf = page.pdf(format="Letter")
        assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1  # one page
        page.emulate_media(media="screen")
    finally:
        context.close()
        api.client.close()


def test_sessions_put_attendance_due_first_group_the_week_by_day_and_filter_by_schedule(browser, roster_server):
    context = browser.new_context(
        base_url=roster_server, viewport={"width": 1280, "height": 800}, timezone_id="America/Chicago"
    )
    page = context.new_page()
    try:
        sign_in(page, ASHLEY)
        page.locator("#nav").get_by_role("link", name="Sessions").click()
        headings = page.locator("main h2")
        expect(headings.first).to_have_text("Attendance due")
        expect(headings).to_have_text(["Attendance due", "Today", "Upcoming", "Past two weeks"])
        due = page.get_by_role("region", name="Attendance due")
        held, ahead = BIG_ROSTER["sessions"][2], BIG_ROSTER["sessions"][-1]  # yesterday's (not taken), in two days
        expect(due.locator(f'a[href="#/sessions/{held}"]')).to_have_count(1)
        upcoming = page.get_by_role("region", name="Upcoming")
        expect(upcoming.locator(f'a[href="#/sessions/{ahead}"]')).to_have_count(1)
        expect(upcoming.locator("h3").first).to_have_text(re.compile(r"^\w+day, \w+ \d{1,2}$"))
        shot(page, "sessions-week-1280")
        everything = page.locator("main li.session").count()
        page.get_by_label("Schedule").select_option("Morning group")
        links = page.locator("main li.session a")
        assert 0 < links.count() < everything
        for text in links.all_inner_texts():
            assert "Morning group" in text, text
        page.get_by_label("Schedule").select_option("")
        expect(page.locator("main li.session")).to_have_count(everything)
        assert Axe().run(page).violations_count == 0
    finally:
        context.close()
