"""The City of Cosville: demo data loaded through the domain services, as its agency admin would enter it."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.db import Database
from server.domain.agencies import Agency, get_or_create_agency
from server.domain.cases import care_plans, cases, notes
from server.domain.cases.models import CaseStatus
from server.domain.catalogue import benefits, code_sets, programs
from server.domain.clients import enrollments, participants
from server.domain.columns import utcnow
from server.domain.days import today_in
from server.domain.delivery import attendance, schedule_assignments, schedules
from server.domain.delivery.models import BenefitSession
from server.domain.network import facilities, providers, specialties
from server.domain.network.models import ProviderStatus
from server.domain.principal import Role
from server.domain.referrals import referrals
from server.domain.users import User, create_user, principal_of

AGENCY = "City of Cosville"
DEMO_PASSWORD = "cosville-demo"


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    role: Role
    employer: str  # "agency" or a provider's key
    phone: str | None = None  # work phone; agency staff's shows on their referrals


USERS = [
    DemoUser("connor@cosville.example", "Connor Reyes", Role.CASEWORKER, "agency", "(217) 555-0121"),
    DemoUser("dana@cosville.example", "Dana Whitfield", Role.SUPERVISOR, "agency", "(217) 555-0122"),
    DemoUser("tishon@cosville.example", "Tishon Brooks", Role.AGENCY_ADMIN, "agency", "(217) 555-0123"),
    DemoUser("ashley@griefcenter.example", "Ashley Moreno", Role.PROVIDER_STAFF, "grief"),
    DemoUser("marcus@griefcenter.example", "Marcus Hale", Role.PROVIDER_ADMIN, "grief"),
    DemoUser("bea@harvesttable.example", "Bea Okafor", Role.PROVIDER_ADMIN, "pantry"),
    DemoUser("luis@harvesttable.example", "Luis Park", Role.PROVIDER_STAFF, "pantry"),
]

# code, name, type, parent code
SPECIALTIES = [
    ("CNS", "Counseling", "HEALTH", None),
    ("CNS-GRF", "Grief and Loss Counseling", "HEALTH", "CNS"),
    ("CNS-FAM", "Family Counseling", "HEALTH", "CNS"),
    ("HSG", "Housing and Maintenance", "HOUSING_AND_MAINTENANCE", None),
    ("HSG-VET", "Veteran Housing", "HOUSING_AND_MAINTENANCE", "HSG"),
    ("HSG-SHL", "Emergency Shelter", "HOUSING_AND_MAINTENANCE", "HSG"),
    ("FOOD", "Food and Nutrition", "FOOD_AND_NUTRITION", None),
    ("FOOD-PAN", "Food Pantry", "FOOD_AND_NUTRITION", "FOOD"),
    ("FOOD-MEAL", "Meal Delivery", "FOOD_AND_NUTRITION", "FOOD"),
    ("TRN", "Transit", "TRANSIT", None),
    ("TRN-MED", "Medical Transportation", "TRANSIT", "TRN"),
    ("EMP", "Employment", "EMPLOYMENT", None),
    ("EMP-JOB", "Job Coaching", "EMPLOYMENT", "EMP"),
    ("LGL", "Legal Aid", "LEGAL", None),
]

# key: provider values, [facility values with "specialties": [(code, primary)]]
PROVIDERS = {
    "grief": (
        {
            "name": "Cosville Grief Counseling Center",
            "type": "ONSITE",
            "status": "ACTIVE",
            "description": "Individual and group counseling after the loss of a loved one.",
            "phone": "(217) 555-0134",
            "email": "intake@griefcenter.example",
            "website": "https://griefcenter.example",
            "time_zone": "America/Chicago",
        },
        [
            {
                "name": "Cosville Grief Counseling Center — Main Street",
                "address_line1": "412 Main Street",
                "city": "Cosville",
                "region": "IL",
                "postal_code": "62701",
                "latitude": 39.8012,
                "longitude": -89.6437,
                "phone": "(217) 555-0134",
                "accessibility_notes": "Step-free entrance; elevator to the second floor.",
                "specialties": [("CNS", True), ("CNS-GRF", False)],
            }
        ],
    ),
    "pantry": (
        {
            "name": "Harvest Table Food Pantry",
            "type": "ONSITE",
            "status": "ACTIVE",
            "description": "Weekly food boxes and hot meals.",
            "phone": "(217) 555-0178",
            "time_zone": "America/Chicago",
        },
        [
            {
                "name": "Harvest Table — Eastside Pantry",
                "address_line1": "88 Grand Avenue East",
                "city": "Cosville",
                "region": "IL",
                "postal_code": "62703",
                "latitude": 39.7817,
                "longitude": -89.6301,
                "specialties": [("FOOD-PAN", True)],
            },
            {
                "name": "Harvest Table — Community Kitchen",
                "address_line1": "1530 South 11th Street",
                "city": "Cosville",
                "region": "IL",
                "postal_code": "62703",
                "latitude": 39.7702,
                "longitude": -89.6415,
                "specialties": [("FOOD-MEAL", True), ("FOOD-PAN", False)],
            },
        ],
    ),
    "veterans": (
        {
            "name": "Home Front Veterans Housing",
            "type": "ONSITE",
            "status": "ACTIVE",
            "description": "Transitional and permanent housing for veterans.",
            "phone": "(217) 555-0192",
        },
        [
            {
                "name": "Home Front — Lincoln Park Residence",
                "address_line1": "2301 North Grand Avenue",
                "city": "Cosville",
                "region": "IL",
                "postal_code": "62702",
                "latitude": 39.8245,
                "longitude": -89.6552,
                "specialties": [("HSG-VET", True)],
            }
        ],
    ),
    "shelter": (
        {
            "name": "Safe Harbor Shelter",
            "type": "ONSITE",
            "status": "ACTIVE",
            "description": "Emergency shelter for families; address given on referral.",
            "phone": "(217) 555-0110",
        },
        [
            {
                "name": "Safe Harbor — Family Shelter",
                "address_line1": "Confidential",
                "city": "Cosville",
                "region": "IL",
                "postal_code": "62704",
                "latitude": 39.7904,
                "longitude": -89.6712,
                "confidential": True,
                "capacity_status": "WAITLIST",
                "specialties": [("HSG-SHL", True)],
            }
        ],
    ),
    "rides": (
        {
            "name": "Cosville Community Rides",
            "type": "TRANSPORTATION",
            "status": "ACTIVE",
            "description": "Door-to-door rides to medical and social service appointments.",
            "phone": "(217) 555-0157",
        },
        [
            {
                "name": "Community Rides — Dispatch",
                "address_line1": "700 East Adams Street",
                "city": "Cosville",
                "region": "IL",
                "postal_code": "62701",
                "latitude": 39.7989,
                "longitude": -89.6468,
                "specialties": [("TRN-MED", True)],
            }
        ],
    ),
    "telehealth": (
        {
            "name": "Prairie Telehealth Counseling",
            "type": "VIRTUAL",
            "status": "ACTIVE",
            "description": "Video counseling sessions, evenings and weekends.",
            "website": "https://prairie-tele.example",
        },
        [
            {
                "name": "Prairie Telehealth — Virtual Office",
                "city": "Cosville",
                "region": "IL",
                "latitude": 39.7392,
                "longitude": -89.5848,
                "specialties": [("CNS", True), ("CNS-FAM", False)],
            }
        ],
    ),
    "legal": (
        {
            "name": "Sangamon Legal Aid",
            "type": "ONSITE",
            "status": "PENDING",
            "searchable": False,
            "description": "Civil legal help; joining the network.",
        },
        [
            {
                "name": "Sangamon Legal Aid — Courthouse Office",
                "address_line1": "200 South 9th Street",
                "city": "Cosville",
                "region": "IL",
                "postal_code": "62701",
                "latitude": 39.7990,
                "longitude": -89.6470,
                "specialties": [("LGL", True)],
            }
        ],
    ),
}


@dataclass
class DemoResult:
    created: bool
    users: list[DemoUser]


async def load_demo(db: Database, *, hash_profile: str = "default") -> DemoResult:
    """Loads the demo once, in one transaction; a second run changes nothing."""
    async with db.write() as session:
        if (await session.exec(select(Agency).where(Agency.name == AGENCY))).first() is not None:
            return DemoResult(created=False, users=USERS)
        await _load(session, hash_profile)
    return DemoResult(created=True, users=USERS)


async def _load(session: AsyncSession, hash_profile: str) -> None:
    agency = await get_or_create_agency(session, name=AGENCY, time_zone="America/Chicago")
    agency_users = {}
    for user in (u for u in USERS if u.employer == "agency"):
        agency_users[user.role] = await create_user(
            session,
            email=user.email,
            full_name=user.name,
            role=user.role,
            password=DEMO_PASSWORD,
            agency_id=agency.id,
            hash_profile=hash_profile,
            phone=user.phone,
        )
    admin = principal_of(agency_users[Role.AGENCY_ADMIN])

    specialty_ids: dict[str, int] = {}
    for code, name, type_, parent in SPECIALTIES:
        created = await specialties.create_specialty(
            session,
            admin,
            {"code": code, "name": name, "type": type_, "parent_id": specialty_ids.get(parent)},
        )
        specialty_ids[code] = created.id

    grief_facility_id: int | None = None
    provider_ids: dict[str, int] = {}
    for key, (provider_values, facility_list) in PROVIDERS.items():
        provider = await providers.create_provider(session, admin, provider_values)
        provider_ids[key] = provider.id
        for facility_values in facility_list:
            values = {k: v for k, v in facility_values.items() if k != "specialties"}
            offered = [
                {"specialty_id": specialty_ids[code], "primary": primary}
                for code, primary in facility_values["specialties"]
            ]
            facility = await facilities.create_facility(session, admin, {"provider_id": provider.id, **values}, offered)
            if key == "grief":
                grief_facility_id = facility.id
    assert (await providers.get_provider(session, admin, provider_ids["grief"])).status == ProviderStatus.ACTIVE

    for user in (u for u in USERS if u.employer != "agency"):
        await create_user(
            session,
            email=user.email,
            full_name=user.name,
            role=user.role,
            password=DEMO_PASSWORD,
            provider_id=provider_ids[user.employer],
            hash_profile=hash_profile,
        )

    family = await programs.programs.create(
        session,
        admin,
        {
            "name": "Family Support",
            "status": "ACTIVE",
            "description": "Help for families through hard times.",
        },
    )
    housing = await programs.programs.create(
        session,
        admin,
        {"name": "Housing Stability", "status": "ACTIVE", "description": "Keeping people housed."},
    )
    mental = await benefits.benefit_types.create(
        session, admin, {"name": "Mental Health", "kind": "SERVICE", "category": "Health"}
    )
    food = await benefits.benefit_types.create(
        session, admin, {"name": "Food Assistance", "kind": "GOODS", "category": "Basic Needs"}
    )
    shelter = await benefits.benefit_types.create(
        session, admin, {"name": "Shelter", "kind": "SERVICE", "category": "Housing"}
    )

    grief = await benefits.create_benefit(
        session,
        admin,
        {
            "program_id": family.id,
            "benefit_type_id": mental.id,
            "name": "Grief Counseling",
            "unit_of_measure": "session",
            "requires_authorization": True,
            "description": "Individual counseling sessions after a bereavement.",
        },
        [specialty_ids["CNS"]],
    )
    food_box = await benefits.create_benefit(
        session,
        admin,
        {
            "program_id": family.id,
            "benefit_type_id": food.id,
            "name": "Weekly Food Box",
            "unit_of_measure": "kit",
        },
        [specialty_ids["FOOD-PAN"]],
    )
    await benefits.create_benefit(
        session,
        admin,
        {
            "program_id": housing.id,
            "benefit_type_id": shelter.id,
            "name": "Emergency Shelter Stay",
            "unit_of_measure": "night",
            "requires_authorization": True,
        },
        [specialty_ids["HSG-SHL"]],
    )

    psychotherapy = await code_sets.code_sets.create(
        session,
        admin,
        {
            "code": "90832",
            "system": "CPT",
            "description": "Psychotherapy, 30 minutes with patient",
            "rate": Decimal("85.00"),
        },
    )
    longer = await code_sets.code_sets.create(
        session,
        admin,
        {
            "code": "90834",
            "system": "CPT",
            "description": "Psychotherapy, 45 minutes with patient",
            "rate": Decimal("115.00"),
        },
    )
    box = await code_sets.code_sets.create(
        session,
        admin,
        {
            "code": "FB-01",
            "system": "LOCAL",
            "description": "Food box, one household, one week",
            "rate": Decimal("42.50"),
        },
    )
    bundle = await code_sets.create_bundle(
        session,
        admin,
        {"name": "Counseling sessions", "description": "30- and 45-minute psychotherapy."},
        [psychotherapy.id, longer.id],
    )
    await code_sets.item_codes.create(
        session, admin, {"benefit_id": grief.id, "code": "B-00034", "code_set_id": psychotherapy.id}
    )
    await code_sets.item_codes.create(
        session, admin, {"benefit_id": grief.id, "code": "B-00035", "code_set_bundle_id": bundle.id}
    )
    await code_sets.item_codes.create(
        session, admin, {"benefit_id": food_box.id, "code": "B-00101", "code_set_id": box.id}
    )

    people = {
        email: principal_of((await session.exec(select(User).where(User.email == email))).one())
        for email in (
            "connor@cosville.example",
            "dana@cosville.example",
            "ashley@griefcenter.example",
            "marcus@griefcenter.example",
        )
    }
    connor, dana = people["connor@cosville.example"], people["dana@cosville.example"]
    ashley, marcus = people["ashley@griefcenter.example"], people["marcus@griefcenter.example"]
    steves = await _refer(
        session, connor, family.id, grief.id, provider_ids["grief"], grief_facility_id, STEVE, STEVE_REFERRAL
    )
    today = today_in(agency.time_zone)  # the agency's day, whatever the server's is
    grief_schedule = {"facility_id": grief_facility_id, "benefit_id": grief.id, "code_set_id": psychotherapy.id}
    await _approved(session, marcus, dana, {**grief_schedule, **_weekday_mornings(today)})
    await _steves_sessions(
        session,
        connor,
        ashley,
        steves,
        await _approved(session, marcus, dana, {**grief_schedule, **_wednesdays_at_eleven(today)}),
    )
    marisol = await _refer(
        session, connor, family.id, grief.id, provider_ids["grief"], grief_facility_id, MARISOL, MARISOL_REFERRAL
    )
    await _cases(session, connor, dana, steves, marisol, today)


STEVE = (
    {
        "legal_first_name": "Steven",
        "legal_last_name": "Marsh",
        "preferred_name": "Steve",
        "pronouns": "he/him",
        "birth_date": date(1961, 4, 9),
        "phone": "(217) 555-0143",
        "email": "steve.marsh@example.com",
        "address_line1": "118 West Monroe Street",
        "city": "Cosville",
        "region": "IL",
        "postal_code": "62701",
        "latitude": 39.7998,
        "longitude": -89.6489,
        "preferred_language": "English",
    },
    [{"text": "Recently bereaved: ask before discussing family.", "severity": "WARNING"}],
)
STEVE_REFERRAL = {
    "priority": "ROUTINE",
    "shared_fields": ["PHONE", "LANGUAGE", "ALERTS"],
    "notes": "Steve prefers morning sessions. He is ready to start as soon as possible.",
}
MARISOL = (
    {
        "legal_first_name": "María",
        "legal_last_name": "Núñez",
        "preferred_name": "Marisol",
        "pronouns": "she/her",
        "phone": "(217) 555-0188",
        "city": "Cosville",
        "region": "IL",
        "latitude": 39.7817,
        "longitude": -89.6301,
        "preferred_language": "Spanish",
    },
    [{"text": "Lost her brother in October; prefers a Spanish-speaking counselor.", "severity": "INFO"}],
)
MARISOL_REFERRAL = {
    "priority": "URGENT",
    "shared_fields": ["PHONE", "LANGUAGE", "ALERTS"],
    "notes": "Marisol can come on weekday afternoons. Please call her before noon.",
}


async def _refer(
    session: AsyncSession,
    connor,
    family_id: int,
    grief_id: int,
    grief_center_id: int,
    grief_facility_id: int,
    person: tuple[dict, list[dict]],
    referral: dict,
):
    """Connor enrolls the person in Family Support, assigns Grief Counseling and refers them to the Cosville
    Grief Counseling Center; the referral is sent (REQUESTED)."""
    values, alerts = person
    participant = await participants.create_participant(session, connor, values, alerts)
    enrollment = await enrollments.enroll(
        session, connor, {"participant_id": participant.id, "program_id": family_id, "status": "IN_PROGRESS"}
    )
    assignment = await enrollments.assign_benefit(
        session,
        connor,
        {"enrollment_id": enrollment.id, "benefit_id": grief_id, "status": "ACTIVE", "entitled_quantity": 12},
    )
    return await referrals.create_referral(
        session,
        connor,
        {
            "benefit_assignment_id": assignment.id,
            "provider_id": grief_center_id,
            "facility_id": grief_facility_id,
            "consent_given_at": utcnow() - timedelta(hours=1),
            **referral,
        },
        send=True,
    )


def _weekday_mornings(today: date) -> dict:
    """Monday, Wednesday and Friday mornings, 9:00 to 12:00, for 12 weeks from next Monday."""
    monday = today + timedelta(days=(7 - today.weekday()) % 7 or 7)
    start = datetime.combine(monday, time(9))
    return {
        "name": "Grief support group, weekday mornings",
        "first_start": start,
        "first_end": start.replace(hour=12),
        "frequency": "WEEKLY",
        "weekdays": ["MO", "WE", "FR"],
        "count": 36,
        "capacity": 8,
    }


def _wednesdays_at_eleven(today: date) -> dict:
    """Individual sessions on Wednesdays at 11:00 for 12 weeks, the first five already past."""
    last_wednesday = today - timedelta(days=(today.weekday() - 2) % 7 or 7)
    start = datetime.combine(last_wednesday - timedelta(weeks=4), time(11))
    return {
        "name": "Individual grief counseling, Wednesdays 11:00",
        "first_start": start,
        "first_end": start.replace(minute=30),
        "frequency": "WEEKLY",
        "weekdays": ["WE"],
        "count": 12,
        "capacity": 4,
    }


async def _approved(session: AsyncSession, marcus, dana, values: dict):
    """Marcus drafts and submits the schedule; Dana approves it."""
    created = await schedules.create_schedule(
        session, marcus, {"time_zone": "America/Chicago", "default_quantity": Decimal("1"), **values}
    )
    await schedules.submit_schedule(session, marcus, created.id)
    return await schedules.review_schedule(
        session, dana, created.id, approve=True, note="Approved for the winter term."
    )


async def _steves_sessions(session: AsyncSession, connor, ashley, referral, schedule) -> None:
    """Ashley accepts Steve's referral and asks for authorization; Connor authorizes; Ashley enrolls Steve in the
    Wednesday sessions from the first one and has taken attendance at the five already held."""
    await referrals.open_referral(session, ashley, referral.id)
    await referrals.transition(session, ashley, referral.id, "accept")
    await referrals.decide_authorization(session, ashley, referral.id, "request")
    await referrals.decide_authorization(session, connor, referral.id, "authorize")
    await schedule_assignments.enroll_in_schedule(
        session, ashley, referral_id=referral.id, schedule_id=schedule.id, from_date=schedule.first_start.date()
    )
    held = (
        await session.exec(
            select(BenefitSession)
            .where(BenefitSession.schedule_id == schedule.id)
            .order_by(BenefitSession.starts_at)
            .limit(5)
        )
    ).all()
    for held_session, mark in zip(held, ["PRESENT", "PRESENT", "ABSENT", "PRESENT", "PRESENT"], strict=True):
        await attendance.take_attendance(
            session, ashley, held_session.id, [{"participant_id": referral.participant_id, "mark": mark}]
        )


async def _cases(session: AsyncSession, connor, dana, steves_referral, marisols_referral, today: date) -> None:
    """Connor runs Steve's case (active, with a care plan around his counseling) and has opened Marisol's."""
    case = await cases.open_case(
        session,
        connor,
        {
            "participant_id": steves_referral.participant_id,
            "intake_source": "REFERRAL",
            "summary": "Referred by his physician after his wife's death in the spring; isolated, not sleeping.",
            "opened_on": today - timedelta(weeks=6),
        },
    )
    await cases.add_team_member(session, connor, case.id, dana.user_id)
    for status in (CaseStatus.ASSESSMENT, CaseStatus.PLANNING, CaseStatus.ACTIVE):
        await cases.move_case(session, connor, case.id, status)
    plan = await care_plans.create_plan(
        session, connor, {"case_id": case.id, "name": "Grief recovery", "start_date": today - timedelta(weeks=5)}
    )
    await care_plans.link_items(
        session, connor, plan.id, benefit_assignment_ids=[steves_referral.benefit_assignment_id], enrollment_ids=[]
    )
    goal = await care_plans.add_goal(
        session,
        connor,
        {
            "care_plan_id": plan.id,
            "name": "Attend weekly counseling",
            "status": "IN_PROGRESS",
            "progress": 40,
            "target_date": today + timedelta(weeks=7),
        },
    )
    await care_plans.add_task(
        session,
        connor,
        {
            "goal_id": goal.id,
            "title": "Call Steve after his next session",
            "due_date": today,
            "assignee_id": connor.user_id,
        },
    )
    await care_plans.move_plan(session, connor, plan.id, "activate")
    await notes.write_note(
        session,
        connor,
        {
            "participant_id": steves_referral.participant_id,
            "case_id": case.id,
            "subject": "Check-in call",
            "text": "Steve says the Wednesday sessions help; he missed one when his daughter visited.",
            "interaction_date": today - timedelta(days=10),
            "minutes_spent": 20,
            "note_type": "CALL",
            "final": True,
        },
    )
    await cases.open_case(
        session,
        connor,
        {
            "participant_id": marisols_referral.participant_id,
            "intake_source": "WALK_IN",
            "summary": "Came in after her brother's funeral.",
        },
    )
