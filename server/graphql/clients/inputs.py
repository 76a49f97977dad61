"""GraphQL inputs of clients, enrollments and benefit assignments."""

from datetime import date
from decimal import Decimal

import strawberry
from strawberry import UNSET

from server.graphql.clients.types import AlertSeverity, AssignmentStatus, EnrollmentStatus


@strawberry.input(description="An alert about a participant.")
class ParticipantAlertInput:
    text: str = strawberry.field(description="What to know.")
    severity: AlertSeverity | None = strawberry.field(default=UNSET, description="INFO unless given.")


@strawberry.input(description="A new participant. Without a client ID, the agency's pattern makes the next one.")
class ParticipantCreateInput:
    legal_first_name: str = strawberry.field(description="Legal first name.")
    legal_last_name: str = strawberry.field(description="Legal last name.")
    client_id: str | None = strawberry.field(default=UNSET, description="An imported client ID, unique in the agency.")
    preferred_name: str | None = strawberry.field(default=UNSET, description="The name they go by.")
    pronouns: str | None = strawberry.field(default=UNSET, description="Pronouns.")
    birth_date: date | None = strawberry.field(default=UNSET, description="Date of birth, not in the future.")
    phone: str | None = strawberry.field(default=UNSET, description="Phone number.")
    email: str | None = strawberry.field(default=UNSET, description="Email address.")
    address_line1: str | None = strawberry.field(default=UNSET, description="Home street and number.")
    address_line2: str | None = strawberry.field(default=UNSET, description="Apartment or unit.")
    city: str | None = strawberry.field(default=UNSET, description="City or town.")
    region: str | None = strawberry.field(default=UNSET, description="State or region.")
    postal_code: str | None = strawberry.field(default=UNSET, description="Postal (ZIP) code.")
    photo_reference: str | None = strawberry.field(default=UNSET, description="Where the client's photo is kept.")
    latitude: float | None = strawberry.field(default=UNSET, description="Home latitude; with longitude.")
    longitude: float | None = strawberry.field(default=UNSET, description="Home longitude; with latitude.")
    preferred_language: str | None = strawberry.field(default=UNSET, description="Preferred language.")
    watch_list: bool | None = strawberry.field(default=UNSET, description="On the watch list; false unless given.")
    alerts: list[ParticipantAlertInput] | None = strawberry.field(default=UNSET, description="Alerts to raise.")


@strawberry.input(description="Changes to a participant: only the fields given change.")
class ParticipantUpdateInput:
    legal_first_name: str | None = strawberry.field(default=UNSET, description="Legal first name.")
    legal_last_name: str | None = strawberry.field(default=UNSET, description="Legal last name.")
    client_id: str | None = strawberry.field(default=UNSET, description="The client ID, unique in the agency.")
    preferred_name: str | None = strawberry.field(default=UNSET, description="The name they go by.")
    pronouns: str | None = strawberry.field(default=UNSET, description="Pronouns.")
    birth_date: date | None = strawberry.field(default=UNSET, description="Date of birth.")
    phone: str | None = strawberry.field(default=UNSET, description="Phone number.")
    email: str | None = strawberry.field(default=UNSET, description="Email address.")
    address_line1: str | None = strawberry.field(default=UNSET, description="Home street and number.")
    address_line2: str | None = strawberry.field(default=UNSET, description="Apartment or unit.")
    city: str | None = strawberry.field(default=UNSET, description="City or town.")
    region: str | None = strawberry.field(default=UNSET, description="State or region.")
    postal_code: str | None = strawberry.field(default=UNSET, description="Postal (ZIP) code.")
    photo_reference: str | None = strawberry.field(default=UNSET, description="Where the client's photo is kept.")
    latitude: float | None = strawberry.field(default=UNSET, description="Home latitude; with longitude.")
    longitude: float | None = strawberry.field(default=UNSET, description="Home longitude; with latitude.")
    preferred_language: str | None = strawberry.field(default=UNSET, description="Preferred language.")
    watch_list: bool | None = strawberry.field(default=UNSET, description="On the watch list.")


@strawberry.input(description="A participant's enrollment in a program.")
class EnrollmentCreateInput:
    participant_id: strawberry.ID = strawberry.field(description="The participant.")
    program_id: strawberry.ID = strawberry.field(description="The program.")
    status: EnrollmentStatus | None = strawberry.field(default=UNSET, description="APPLIED unless given.")
    start_date: date | None = strawberry.field(default=UNSET, description="Today unless given.")


@strawberry.input(description="Changes to an enrollment: only the fields given change.")
class EnrollmentUpdateInput:
    status: EnrollmentStatus | None = strawberry.field(default=UNSET, description="Where it stands.")
    start_date: date | None = strawberry.field(default=UNSET, description="When it started.")
    end_date: date | None = strawberry.field(default=UNSET, description="When it ended; today when it ends.")


@strawberry.input(description="A benefit of the enrollment's program, assigned to its participant.")
class AssignmentCreateInput:
    enrollment_id: strawberry.ID = strawberry.field(description="The active enrollment it comes through.")
    benefit_id: strawberry.ID = strawberry.field(description="A benefit of the enrollment's program.")
    status: AssignmentStatus | None = strawberry.field(default=UNSET, description="ENROLLED unless given.")
    entitled_quantity: Decimal | None = strawberry.field(default=UNSET, description="Units the participant may get.")


@strawberry.input(description="Changes to a benefit assignment: only the fields given change.")
class AssignmentUpdateInput:
    status: AssignmentStatus | None = strawberry.field(default=UNSET, description="Where it stands.")
    entitled_quantity: Decimal | None = strawberry.field(default=UNSET, description="Units the participant may get.")
