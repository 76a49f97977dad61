"""The portal's language and details in a browser (English and French): the server's errors in the user's language
by code and field, counts in their plural form, focus after an action, loading skeletons, a failure's heading and a
compact header on a phone. Runs like tests/test_portal.py: Debian's Chromium against a live server on the demo."""

import pytest
from playwright.sync_api import Page, expect

from server.domain.errors import ErrorCode
from tests.test_portal import ASHLEY, MARCUS, PASSWORD, grief_center_world, hold_api, live_server, shot

DAILY: dict[str, list[str]] = {}


async def one_place_daily(db) -> None:
    """A daily group of the Grief Center with one place, from four days ago (four sessions due), one enrolled."""
    from server.domain.delivery import schedule_assignments
    from tests.stories import approved_schedule, authorized_referral, days_ago_at

    people, world = await grief_center_world(db)
    first = days_ago_at(4, 10)
    schedule_id, sessions = await approved_schedule(
        db, people, world, first_start=first, capacity=1, name="Solo mornings", frequency="DAILY", count=4
    )
    referral = await authorized_referral(db, people, world, first_name="Solene")
    async with db.write() as session:
        await schedule_assignments.enroll_in_schedule(
            session, people["provider_a"], referral_id=referral.id, schedule_id=schedule_id, from_date=first.date()
        )
    DAILY["sessions"] = [str(s) for s in sessions]


@pytest.fixture(scope="module")
def server():
    yield from live_server(one_place_daily)


def open_page(browser, server, language: str, **options) -> Page:
    context = browser.new_context(base_url=server, timezone_id="America/Chicago", **options)
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.goto("/portal/")
    page.locator("#language").select_option(language)
    expect(page.locator("html")).to_have_attribute("lang", language)
    return page


def close(page: Page) -> None:
    problems = page.problems
    page.context.close()
    assert problems == [], problems


WORDS = {
    "en": {
        "email": "Email",
        "password": "Password",
        "sign in": "Sign in",
        "save": "Save",
        "save attendance": "Save attendance",
        "absent": "Absent",
        "sign out": "Sign out",
        "sessions": "Sessions",
        "email invalid": "Enter a valid email address, such as name@example.org.",
        "saved": "Saved Cosville Grief Counseling Center — Main Street.",
        "session conflict": (
            "This session is not open for this: it was cancelled, postponed or changed. Reload the page."
        ),
        "one present": "1 present, 0 absent",
        "one absent": "0 present, 1 absent",
        "one saved": "Attendance saved: 1 marked.",
        "up to one": "Up to 1 person",
        "up to four": "Up to 4 people",
        "one enrolled": "1 of 1 enrolled",
        "none enrolled": "0 of 8 enrolled",
        "unreachable": "Caseway cannot be reached",
    },
    "fr": {
        "email": "Adresse e-mail",
        "password": "Mot de passe",
        "sign in": "Connexion",
        "save": "Enregistrer",
        "save attendance": "Enregistrer les présences",
        "absent": "Absent·e",
        "sign out": "Se déconnecter",
        "sessions": "Séances",
        "email invalid": "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.",
        "saved": "Cosville Grief Counseling Center — Main Street enregistré.",
        "session conflict": (
            "Cette séance ne le permet pas : elle a été annulée, reportée ou modifiée. Rechargez la page."
        ),
        "one present": "1 présent·e, 0 absent·e",
        "one absent": "0 présent·e, 1 absent·e",
        "one saved": "Présences enregistrées : 1 personne notée.",
        "up to one": "Jusqu\u2019à 1 personne",
        "up to four": "Jusqu\u2019à 4 personnes",
        "one enrolled": "1 inscrit·e sur 1",
        "none enrolled": "0 inscrit·e sur 8",
        "unreachable": "Caseway est injoignable",
    },
}


def sign_in(page: Page, language: str, email: str) -> None:
    words = WORDS[language]
    page.get_by_label(words["email"], exact=True).fill(email)
    page.get_by_label(words["password"]).fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_selector("#inbox-list")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_server_errors_show_in_the_users_language_by_code_and_field(browser, server, api, language):
    words = WORDS[language]
    page = open_page(browser, server, language)
    try:
        sign_in(page, language, MARCUS)
        # A field error (INVALID email): the catalogue's message next to the field, never the server's English.
        page.goto("/portal/#/facilities")
        email = page.get_by_label(words["email"]).first
        email.fill("not an email")
        page.get_by_role("button", name=words["save"]).first.click()
        error = page.locator(".field-error:visible").first
        expect(error).to_have_text(words["email invalid"])
        expect(email).to_have_attribute("aria-invalid", "true")
        expect(email).to_be_focused()
        expect(page.locator("main")).not_to_contain_text("is not a valid")
        shot(page, f"language-field-error-{language}")
        # Saved: focus goes to the result, not to <body>.
        email.fill("frontdesk@griefcenter.example")
        page.get_by_role("button", name=words["save"]).first.click()
        saved = page.locator(".notice.success")
        expect(saved).to_have_text(words["saved"])
        expect(saved).to_be_focused()
        # A refusal (CONFLICT on the session): the session was cancelled after the roster was opened.
        session = DAILY["sessions"][0 if language == "en" else 1]
        page.goto(f"/portal/#/sessions/{session}")
        expect(page.get_by_role("button", name=words["save attendance"])).to_be_visible()
        cancelled = api(
            MARCUS,
            'mutation C($id: ID!) { cancelBenefitSession(id: $id, note: "Room flooded") { errors { code field } } }',
            {"id": session},
        )
        assert cancelled["cancelBenefitSession"]["errors"] == [], cancelled
        page.get_by_role("button", name=words["save attendance"]).click()
        refusal = page.locator(".roster-message .notice.error")
        expect(refusal).to_have_text(words["session conflict"])
        expect(refusal).to_be_focused()
        expect(page.locator("main")).not_to_contain_text("there is no attendance")
        shot(page, f"language-refusal-{language}")
        # Signed out: focus goes to the sign-in heading.
        page.get_by_role("button", name=words["sign out"]).click()
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_have_text(words["sign in"])
        expect(heading).to_be_focused()
    finally:
        close(page)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_counts_take_their_plural_form(browser, server, language):
    words = WORDS[language]
    page = open_page(browser, server, language)
    try:
        sign_in(page, language, MARCUS)
        # One place and four: "1 person", "4 people" (never "1 personnes").
        page.goto("/portal/#/schedules")
        expect(page.locator("main .card", has_text="Solo mornings")).to_contain_text(words["up to one"])
        expect(page.locator("main")).to_contain_text(words["up to four"])
        page.goto("/portal/#/sessions")
        expect(page.locator("main li.session", has_text="Solo mornings").first).to_contain_text(words["one enrolled"])
        expect(page.locator("main")).to_contain_text(words["none enrolled"])
        # A roster of one: its counts, and the saved message.
        page.goto(f"/portal/#/sessions/{DAILY['sessions'][2 if language == 'en' else 3]}")
        count = page.locator(".roster-count")
        expect(count).to_have_text(words["one present"])
        page.get_by_role("radio", name=words["absent"]).check()
        expect(count).to_have_text(words["one absent"])
        page.get_by_role("button", name=words["save attendance"]).click()
        expect(page.locator(".roster-message .notice.success")).to_have_text(words["one saved"])
        shot(page, f"language-plural-roster-{language}")
    finally:
        close(page)


def test_the_catalogue_has_every_error_code_and_plural_forms_in_both_languages(browser, server):
    """Driven by the server's own list of codes: a new code without its messages fails here."""
    page = open_page(browser, server, "en")
    try:
        codes = [c.value for c in ErrorCode] + ["GRAPHQL_VALIDATION_FAILED"]
        found = page.evaluate(
            """async (codes) => {
              const i18n = await import("/portal/js/i18n.js");
              const out = {};
              for (const lang of ["en", "fr"]) {
                i18n.setLanguage(lang);
                out[lang] = {
                  codes: codes.map((code) => i18n.errorText({ code, field: null, message: "SERVER" })),
                  labelled: i18n.errorText({ code: "REQUIRED", field: "input.name", message: "SERVER" }),
                  indexed: i18n.errorText({ code: "REQUIRED", field: "marks", message: "SERVER" }),
                  unknown: i18n.errorText({ code: "NEW_CODE", field: "name", message: "SERVER" }),
                  plural: [0, 1, 2, 1500].map((count) => i18n.t("roster.saved", { count })),
                  two: i18n.t("referral.attendance", { present: 1, absent: 2 }),
                };
              }
              i18n.setLanguage("en");
              return out;
            }""",
            codes,
        )
        for language in ("en", "fr"):
            assert "SERVER" not in found[language]["codes"], (language, found[language]["codes"])
            assert found[language]["unknown"] == "SERVER"  # only an unknown code shows the server's words
        assert set(found["en"]["codes"]).isdisjoint(found["fr"]["codes"])
        assert found["en"]["labelled"] == "Name is required."
        assert found["fr"]["labelled"] == "Nom : ce champ est obligatoire."
        assert found["fr"]["indexed"] == "Indiquez la présence de chacun avant d\u2019enregistrer."
        assert found["en"]["plural"] == [
            "Attendance saved: 0 marked.",
            "Attendance saved: 1 marked.",
            "Attendance saved: 2 marked.",
            "Attendance saved: 1,500 marked.",
        ]
        assert found["fr"]["plural"] == [
            "Présences enregistrées : 0 personne notée.",
            "Présences enregistrées : 1 personne notée.",
            "Présences enregistrées : 2 personnes notées.",
            "Présences enregistrées : 1\u202f500 personnes notées.",
        ]
        assert found["en"]["two"] == "Attendance with you: 1 present, 2 absent."
        assert found["fr"]["two"] == "Chez vous : 1 présence, 2 absences."
    finally:
        close(page)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_loading_page_shows_a_skeleton_and_an_unreachable_api_a_heading(browser, server, language):
    words = WORDS[language]
    page = open_page(browser, server, language, reduced_motion="reduce")
    try:
        sign_in(page, language, ASHLEY)
        release = hold_api(page)
        page.goto("/portal/#/sessions")
        busy = page.locator('main .view[aria-busy="true"]')
        expect(busy.locator(".skeleton")).to_be_visible()
        expect(busy.get_by_role("heading", level=1)).to_have_text(words["sessions"])
        # Asked for less motion: the skeleton stays still.
        assert page.locator(".bone").first.evaluate("(e) => getComputedStyle(e).animationName") == "none"
        release()
        expect(page.locator("main .view")).not_to_have_attribute("aria-busy", "true")
        expect(page.locator("main .skeleton")).to_have_count(0)
        expect(page.get_by_role("heading", level=1)).to_be_focused()
        # Caseway cannot be reached: the page says so in a heading, and Try again recovers.
        page.route("**/graphql", lambda route: route.abort())
        page.reload()
        expect(page.get_by_role("heading", level=1)).to_have_text(words["unreachable"])
        page.unroute("**/graphql")
        page.locator(".failed button").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(words["sessions"])
    finally:
        close(page)


def test_the_skeleton_shimmers_unless_less_motion_is_asked(browser, server):
    page = open_page(browser, server, "en")
    try:
        sign_in(page, "en", ASHLEY)
        release = hold_api(page)
        page.goto("/portal/#/sessions")
        expect(page.locator("main .skeleton")).to_be_visible()
        assert page.locator(".bone").first.evaluate("(e) => getComputedStyle(e).animationName") == "shimmer"
        release()
        expect(page.locator("main .skeleton")).to_have_count(0)
    finally:
        close(page)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_header_is_compact_on_a_phone(browser, server, language):
    page = open_page(browser, server, language, viewport={"width": 375, "height": 667})
    try:
        sign_in(page, language, MARCUS)  # the admin: every page in the navigation
        header = page.locator("header.bar").bounding_box()
        assert header["height"] <= 0.12 * 667, header
        # Every page's link is on screen, and the sign-out button too.
        for link in page.locator("#nav a").all():
            box = link.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 375, (link.inner_text(), box)
        expect(page.locator("#sign-out")).to_be_in_viewport()
        shot(page, f"language-header-375-{language}")
    finally:
        close(page)
