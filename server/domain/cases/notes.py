"""Case notes (a draft is edited by its author; a final note is corrected by amendment, never edited away),
incidents (latest first) and meetings with clients."""

from datetime import timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain import validation as v
from server.domain import zones
from server.domain.audit import record_event, snapshot
from server.domain.cases.cases import get_case
from server.domain.cases.models import CaseNote, Incident, IncidentSeverity, Meeting, NoteStatus, NoteType
from server.domain.clients.participants import get_participant
from server.domain.columns import utcnow
from server.domain.errors import Conflict, Forbidden, Invalid
from server.domain.paging import Page, paginate
from server.domain.principal import AGENCY_ROLES, Principal, require
from server.domain.records import apply_changes, fetch

NOTE_RULES = {
    "participant_id": v.reference(required=True),
    "case_id": v.reference(),
    "subject": v.text(200, required=True),
    "text": v.text(20000, required=True),
    "interaction_date": v.past_date(required=True),
    "minutes_spent": v.whole(0, 24 * 60, nullable=False),
    "note_type": v.choice(NoteType, required=True),
    "final": v.flag(),
}
NOTE_UPDATE_RULES = {
    "subject": v.text(200),
    "text": v.text(20000),
    "interaction_date": v.past_date(nullable=False),
    "minutes_spent": v.whole(0, 24 * 60, nullable=False),
    "note_type": v.choice(NoteType),
}
INCIDENT_RULES = {
    "participant_id": v.reference(required=True),
    "case_id": v.reference(),
    "occurred_at": v.moment(required=True),
    "incident_type": v.text(80, required=True),
    "severity": v.choice(IncidentSeverity, required=True),
    "location": v.text(200),
    "description": v.text(4000, required=True),
}
MEETING_RULES = {
    "participant_id": v.reference(required=True),
    "case_id": v.reference(),
    "starts_at": v.moment(required=True),
    "ends_at": v.moment(required=True),
    "subject": v.text(200, required=True),
    "location": v.text(200),
}


async def _participant_and_case(session: AsyncSession, principal: Principal, values: dict) -> None:
    """The participant is the agency's; a case given is the participant's."""
    await get_participant(session, principal, values["participant_id"], field="participantId")
    if values.get("case_id") is not None:
        case = await get_case(session, principal, values["case_id"], field="caseId")
        if case.participant_id != values["participant_id"]:
            raise Invalid("The case is another participant's.", field="caseId")


async def write_note(session: AsyncSession, principal: Principal | None, values: dict) -> CaseNote:
    principal = require(principal, AGENCY_ROLES)
    values = v.clean(NOTE_RULES, values, partial=False)
    await zones.check_not_after_today(session, principal, values, "interaction_date")
    await _participant_and_case(session, principal, values)
    final = values.pop("final", False)
    note = CaseNote(
        agency_id=principal.agency_id,
        author_id=principal.user_id,
        status=NoteStatus.FINAL if final else NoteStatus.DRAFT,
        finalized_at=utcnow() if final else None,
        **values,
    )
    session.add(note)
    await record_event(
        session, principal, action="case_note.create", record=note, before=None, agency_id=note.agency_id
    )
    return note


async def _note(session: AsyncSession, principal: Principal, note_id: int) -> CaseNote:
    return await fetch(session, CaseNote, note_id, scope=CaseNote.agency_id == principal.agency_id, what="case note")


async def update_draft(session: AsyncSession, principal: Principal | None, note_id: int, values: dict) -> CaseNote:
    """Only its author edits a draft; a final note changes by amendment only."""
    principal = require(principal, AGENCY_ROLES)
    values = {k: x for k, x in v.clean(NOTE_UPDATE_RULES, values, partial=True).items() if x is not None}
    await zones.check_not_after_today(session, principal, values, "interaction_date")
    note = await _note(session, principal, note_id)
    if note.status == NoteStatus.FINAL:
        raise Conflict("A final note is not edited: amend it.", field="status")
    if note.author_id != principal.user_id:
        raise Forbidden("Only the note's author edits a draft.")
    before = snapshot(note)
    if apply_changes(note, values):
        await record_event(
            session, principal, action="case_note.update", record=note, before=before, agency_id=note.agency_id
        )
    return note


async def finalize_note(session: AsyncSession, principal: Principal | None, note_id: int) -> CaseNote:
    principal = require(principal, AGENCY_ROLES)
    note = await _note(session, principal, note_id)
    if note.status == NoteStatus.FINAL:
        raise Conflict("This note is already final.", field="status")
    if note.author_id != principal.user_id:
        raise Forbidden("Only the note's author finalizes it.")
    before = snapshot(note)
    apply_changes(note, {"status": NoteStatus.FINAL, "finalized_at": utcnow()})
    await record_event(
        session, principal, action="case_note.finalize", record=note, before=before, agency_id=note.agency_id
    )
    return note


async def amend_note(session: AsyncSession, principal: Principal | None, note_id: int, values: dict) -> CaseNote:
    """A new final note amending a final one; the original stays as it was."""
    principal = require(principal, AGENCY_ROLES)
    original = await _note(session, principal, note_id)
    if original.status != NoteStatus.FINAL:
        raise Conflict("A draft is edited, not amended.", field="status")
    values = {k: x for k, x in v.clean(NOTE_UPDATE_RULES, values, partial=True).items() if x is not None}
    await zones.check_not_after_today(session, principal, values, "interaction_date")
    if "text" not in values:
        raise Invalid("Say what the amendment corrects.", field="text")
    amendment = CaseNote(
        agency_id=original.agency_id,
        participant_id=original.participant_id,
        case_id=original.case_id,
        subject=values.get("subject") or f"Amendment: {original.subject}"[:200],
        text=values["text"],
        interaction_date=values.get("interaction_date", original.interaction_date),
        minutes_spent=values.get("minutes_spent", 0),
        note_type=values.get("note_type", original.note_type),
        status=NoteStatus.FINAL,
        finalized_at=utcnow(),
        amends_id=original.id,
        author_id=principal.user_id,
    )
    session.add(amendment)
    await record_event(
        session, principal, action="case_note.amend", record=amendment, before=None, agency_id=amendment.agency_id
    )
    return amendment


def readable_notes(principal: Principal):
    """Final notes, and the principal's own drafts."""
    return (CaseNote.status == NoteStatus.FINAL) | (CaseNote.author_id == principal.user_id)


async def list_notes(
    session: AsyncSession,
    principal: Principal | None,
    *,
    participant_id: int | None = None,
    case_id: int | None = None,
    first: int,
    after: str | None = None,
) -> Page[CaseNote]:
    """Newest interaction first. Drafts are seen by their authors only."""
    principal = require(principal, AGENCY_ROLES)
    query = select(CaseNote).where(CaseNote.agency_id == principal.agency_id, readable_notes(principal))
    if participant_id is not None:
        query = query.where(CaseNote.participant_id == participant_id)
    if case_id is not None:
        query = query.where(CaseNote.case_id == case_id)
    order = [(CaseNote.interaction_date, "desc"), (CaseNote.id, "desc")]
    return await paginate(session, query, order=order, first=first, after=after)


async def report_incident(session: AsyncSession, principal: Principal | None, values: dict) -> Incident:
    principal = require(principal, AGENCY_ROLES)
    values = v.clean(INCIDENT_RULES, values, partial=False)
    await _participant_and_case(session, principal, values)
    if values["occurred_at"] > utcnow() + timedelta(minutes=5):
        raise Invalid("An incident cannot have happened in the future.", field="occurredAt")
    incident = Incident(agency_id=principal.agency_id, reported_by_id=principal.user_id, **values)
    session.add(incident)
    await record_event(
        session, principal, action="incident.report", record=incident, before=None, agency_id=incident.agency_id
    )
    return incident


async def list_incidents(
    session: AsyncSession,
    principal: Principal | None,
    *,
    participant_id: int | None = None,
    first: int,
    after: str | None = None,
) -> Page[Incident]:
    """Latest first."""
    principal = require(principal, AGENCY_ROLES)
    query = select(Incident).where(Incident.agency_id == principal.agency_id)
    if participant_id is not None:
        query = query.where(Incident.participant_id == participant_id)
    order = [(Incident.occurred_at, "desc"), (Incident.id, "desc")]
    return await paginate(session, query, order=order, first=first, after=after)


async def schedule_meeting(session: AsyncSession, principal: Principal | None, values: dict) -> Meeting:
    principal = require(principal, AGENCY_ROLES)
    values = v.clean(MEETING_RULES, values, partial=False)
    await _participant_and_case(session, principal, values)
    if values["ends_at"] <= values["starts_at"]:
        raise Invalid("A meeting ends after it starts.", field="endsAt")
    meeting = Meeting(agency_id=principal.agency_id, caseworker_id=principal.user_id, **values)
    session.add(meeting)
    await record_event(
        session, principal, action="meeting.schedule", record=meeting, before=None, agency_id=meeting.agency_id
    )
    return meeting
