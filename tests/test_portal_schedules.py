"""The portal's schedules at real volume (Playwright driving Debian's Chromium, as tests/test_portal.py): a draft
saved and reopened, submitted with a confirmation, withdrawn and edited, approved by the agency (API); a schedule of
60 sessions with 30 people enrolled and a waitlist, promoted from by hand; another provider kept out by URL; no axe
violations on the schedule page and the form. Screenshots go to /tmp/shots/."""

from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD

# Importing it skips this module as it skips itself when Debian's Chromium is missing.
from tests.test_portal import ASHLEY, BEA, DANA, MARCUS, Api, grief_center_world, live_server

SHOTS = Path("/tmp/shots")
VOLUME: dict[str, str] = {}
WAITING = ["Wes", "Wanda", "Walt"]


async def sixty_sessions_thirty_people(db) -> None:
    """A daily group of the Grief Center, 60 sessions from five days ago, 30 places: 29 members from the start,
    Xavier in one past session only, Eve from two days ahead; so Xavier's session and every one from Eve's first
    are full, and Wes, Wanda and Walt wait (from the start). Xavier's past session stays full, so a place Eve frees
    reaches them only by hand."""
    from server.domain.delivery import schedule_assignments
    from tests.stories import approved_schedule, authorized_referral, days_ago_at

    people, world = await grief_center_world(db)
    first = days_ago_at(5, 10)
    schedule_id, sessions = await approved_schedule(
        db, people, world, first_start=first, capacity=30, name="Volume group", frequency="DAILY", count=60
    )
    plan = [(f"Member{n:02d}", {"schedule_id": schedule_id, "from_date": first.date()}) for n in range(1, 30)]
    plan += [
        ("Xavier", {"session_id": sessions[2]}),
        ("Eve", {"schedule_id": schedule_id, "from_date": first.date() + timedelta(days=7)}),
        *[(name, {"schedule_id": schedule_id, "from_date": first.date()}) for name in WAITING],
    ]
    for name, how in plan:
        referral = await authorized_referral(db, people, world, first_name=name)
        async with db.write() as session:
            row = await schedule_assignments.enroll_in_schedule(
                session, people["provider_a"], referral_id=referral.id, **how
            )
            VOLUME[name] = str(row.id)
    VOLUME["schedule"] = str(schedule_id)


@pytest.fixture(scope="module")
def server():
    yield from live_server(sixty_sessions_thirty_people)


@pytest.fixture
def context_for(browser, server):
    """Browser contexts (in Paris, so a zone taken from the browser would show), closed after the test; no page
    may log an error."""
    made, problems = [], []

    def make(width: int = 1280, language: str | None = None):
        context = browser.new_context(
            base_url=server, viewport={"width": width, "height": 900}, timezone_id="Europe/Paris"
        )
        if language:
            context.add_init_script(f"localStorage.setItem('caseway.language', '{language}')")
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on(
            "console",
            lambda m: (
                problems.append(m.text) if m.type == "error" and "Failed to load resource" not in m.text else None
            ),
        )
        made.append(context)
        return page

    yield make
    for context in made:
        context.close()
    assert problems == [], problems


def sign_in(page: Page, email: str) -> None:
    page.goto("/portal/")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_selector("#inbox-list")


def shot(page: Page, name: str) -> None:
    """The whole page, and what the screen shows first (to read at full size)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.screenshot(path=str(SHOTS / f"{name}-screen.png"))


def assignment_status(api: Api, assignment_id: str) -> str:
    found = api(
        ASHLEY,
        """query S($id: ID!) { scheduleAssignments(scheduleId: $id, first: 100) { nodes { id status fromDate } } }""",
        {"id": VOLUME["schedule"]},
    )["scheduleAssignments"]["nodes"]
    return next(n["status"] for n in found if n["id"] == assignment_id)


def test_a_draft_is_saved_reopened_submitted_withdrawn_edited_and_approved(context_for, api: Api):
    page = context_for()
    sign_in(page, MARCUS)
    page.goto("/portal/#/schedules/new")
    facility_zone = api(MARCUS, "query { facilities { nodes { timeZone } } }")["facilities"]["nodes"][0]["timeZone"]
    zone = page.get_by_label("Time zone")
    expect(zone).to_have_value(facility_zone)  # the facility's, not the browser's (Paris)
    assert zone.evaluate("e => e.tagName") == "SELECT"
    assert zone.locator("option").count() > 300  # every IANA zone the browser knows
    page.get_by_label("Name").fill("Evening group")
    page.get_by_label("First day").fill((page_today(page, facility_zone) + timedelta(days=7)).isoformat())
    page.get_by_label("Starts at").fill("18:00")
    page.get_by_label("Ends at").fill("19:30")
    page.get_by_label("Tue").check()
    page.get_by_label("Thu").check()
    page.get_by_label("Number of sessions").fill("8")
    # Saved as a draft: its page says so, with the focus on the message.
    page.get_by_role("button", name="Save as draft").click()
    result = page.locator(".schedule-result")
    expect(result).to_have_text("Draft saved. Submit it when it is ready.")
    expect(result).to_be_focused()
    expect(page.get_by_role("heading", level=1)).to_have_text("Evening group")
    expect(page.locator(".badges").first).to_contain_text("draft")
    schedule_id = page.url.rsplit("/", 1)[1]
    # Reopened from the list, edited and submitted.
    page.get_by_role("link", name="Schedules").first.click()
    page.get_by_role("link", name="Evening group").click()
    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_label("Name")).to_have_value("Evening group")
    expect(page.get_by_label("Thu")).to_be_checked()
    expect(page.get_by_label("Time zone")).to_have_value(facility_zone)
    page.get_by_label("Number of sessions").fill("10")
    shot(page, "schedule-edit-en-1280")
    page.get_by_role("button", name="Submit for approval").click()
    expect(result).to_have_text("Submitted: the agency will review it.")
    expect(result).to_be_focused()
    expect(page.locator(".badges").first).to_contain_text("awaiting approval")
    shot(page, "schedule-pending-en-1280")
    # Withdrawn (after a confirmation) to change it, edited, submitted again.
    page.get_by_role("button", name="Withdraw to edit").click()
    expect(page.get_by_role("group", name="Withdraw this schedule from approval?")).to_be_visible()
    page.get_by_role("button", name="Keep it submitted").click()
    expect(page.locator(".badges").first).to_contain_text("awaiting approval")
    page.get_by_role("button", name="Withdraw to edit").click()
    page.get_by_role("button", name="Yes, withdraw it").click()
    expect(result).to_contain_text("Withdrawn")
    expect(page.locator(".badges").first).to_contain_text("draft")
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Name").fill("Evening group, Tuesdays and Thursdays")
    page.get_by_role("button", name="Submit for approval").click()
    expect(result).to_have_text("Submitted: the agency will review it.")
    # The agency approves (API); the page shows the ten sessions.
    approved = api(
        DANA,
        "mutation A($id: ID!) { approveBenefitSchedule(id: $id) { schedule { name } errors { message } } }",
        {"id": schedule_id},
    )["approveBenefitSchedule"]
    assert approved == {"schedule": {"name": "Evening group, Tuesdays and Thursdays"}, "errors": []}
    page.reload()
    expect(page.locator(".badges").first).to_contain_text("approved")
    expect(page.locator("#schedule-upcoming li")).to_have_count(10)
    expect(page.get_by_role("button", name="Withdraw to edit")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)


def page_today(page: Page, zone: str):
    from datetime import date

    return date.fromisoformat(page.evaluate(f"new Date().toLocaleDateString('en-CA', {{timeZone: '{zone}'}})"))


def test_sixty_sessions_thirty_enrolled_and_a_waitlist_promoted_by_hand(context_for, api: Api):
    page = context_for()
    sign_in(page, ASHLEY)
    page.get_by_role("link", name="Schedules").first.click()
    page.get_by_role("link", name="Volume group").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Volume group")
    sessions = page.get_by_role("region", name="Sessions")
    expect(sessions.locator("#schedule-upcoming li")).to_have_count(10)  # the first ten, then "Show all"
    first_upcoming = sessions.locator("#schedule-upcoming li").first
    expect(first_upcoming).to_contain_text("scheduled")
    expect(first_upcoming).to_contain_text("of 30 enrolled")
    upcoming_total = int(sessions.locator("h3").first.inner_text().split("(")[1].rstrip(")"))
    past_total = int(sessions.locator("h3").last.inner_text().split("(")[1].rstrip(")"))
    assert upcoming_total + past_total == 60
    sessions.get_by_role("button", name=f"Show all {upcoming_total}").click()
    expect(sessions.locator("#schedule-upcoming li")).to_have_count(upcoming_total)
    expect(page.get_by_role("heading", name="Enrolled (31)")).to_be_visible()
    waitlist = page.get_by_role("region", name="Waitlist (3)")
    expect(waitlist.locator("li")).to_have_count(3)
    assert [n.strip() for n in waitlist.locator("li a").all_inner_texts()] == WAITING  # oldest first
    promote_wanda = waitlist.get_by_role("button", name="Promote Wanda")
    expect(promote_wanda).to_be_disabled()  # full
    expect(waitlist.get_by_text("Promote is unavailable: the coming sessions are full.")).to_be_visible()
    shot(page, "schedule-volume-full-en-1280")
    # Eve leaves (her referral's page or the API): a place is free from today, but Wes's window holds a full day.
    left = api(
        ASHLEY,
        "mutation W($id: ID!) { withdrawFromSchedule(id: $id) { scheduleAssignment { status } errors { message } } }",
        {"id": VOLUME["Eve"]},
    )["withdrawFromSchedule"]
    assert left == {"scheduleAssignment": {"status": "WITHDRAWN"}, "errors": []}
    assert assignment_status(api, VOLUME["Wes"]) == "WAITLISTED"
    page.reload()
    expect(page.get_by_role("heading", name="Enrolled (30)")).to_be_visible()
    expect(promote_wanda).to_be_enabled()
    promote_wanda.click()
    result = page.locator(".schedule-result")
    expect(result).to_have_text("Wanda is enrolled from today.")
    expect(result).to_be_focused()
    expect(page.get_by_role("heading", name="Enrolled (31)")).to_be_visible()
    expect(page.get_by_role("region", name="Waitlist (2)").locator("li a")).to_have_text(["Wes", "Walt"])
    expect(page.get_by_role("region", name="Waitlist (2)").get_by_role("button", name="Promote Wes")).to_be_disabled()
    assert assignment_status(api, VOLUME["Wanda"]) == "ENROLLED"  # persisted
    shot(page, "schedule-volume-promoted-en-1280")


def test_another_provider_cannot_open_the_schedule_by_url(context_for, api):
    # the API refuses it, as the page does, and lists none of its sessions
    token = api.client.post("/auth/token", data={"username": BEA, "password": PASSWORD}).json()["access_token"]

    def asked(document: str) -> dict:
        return api.client.post(
            "/graphql",
            json={"query": document, "variables": {"id": VOLUME["schedule"]}},
            headers={"Authorization": f"Bearer {token}"},
        ).json()

    record = asked("query Op($id: ID!) { benefitSchedule(id: $id) { id name } }")
    assert record["data"] == {"benefitSchedule": None}
    assert [e["extensions"]["code"] for e in record["errors"]] == ["NOT_FOUND"]
    sessions = asked("query Op($id: ID!) { benefitSessions(scheduleId: $id) { nodes { id } } }")
    assert sessions == {"data": {"benefitSessions": {"nodes": []}}}
    page = context_for()
    sign_in(page, BEA)
    page.goto(f"/portal/#/schedules/{VOLUME['schedule']}")
    expect(page.get_by_role("alert")).to_have_text("This page does not exist, or it is not yours to see.")
    expect(page.get_by_text("Member01")).to_have_count(0)
    page.goto(f"/portal/#/schedules/{VOLUME['schedule']}/edit")
    expect(page.get_by_role("alert")).to_have_text("This page does not exist, or it is not yours to see.")


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("width", [1280, 375])
def test_the_schedule_page_and_form_have_no_axe_violations(context_for, language, width):
    page = context_for(width, language)
    sign_in(page, MARCUS)
    axe = Axe()
    for name, route in [
        ("schedule-detail", f"#/schedules/{VOLUME['schedule']}"),
        ("schedule-form", "#/schedules/new"),
    ]:
        page.goto(f"/portal/{route}")
        page.wait_for_selector("main h1")
        page.wait_for_load_state("networkidle")
        expect(page.locator("html")).to_have_attribute("lang", language)
        label = f"{name}-{language}-{width}"
        shot(page, label)
        results = axe.run(page)
        assert results.violations_count == 0, (label, results.generate_report())
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width, (label, overflow)
