"""What a provider sees of a referred participant: the preferred name, and only the fields the referral shares."""

from dataclasses import dataclass
from datetime import date

from server.domain.clients.models import Participant, ParticipantAlert
from server.domain.principal import Principal
from server.domain.referrals.models import Referral, SharedField, was_sent
from server.domain.users import User


@dataclass(frozen=True)
class SharedParticipant:
    preferred_name: str
    phone: str | None
    email: str | None
    birth_date: date | None
    address_line1: str | None
    address_line2: str | None
    city: str | None
    region: str | None
    postal_code: str | None
    preferred_language: str | None
    alerts: list[ParticipantAlert] | None


def shared_view(referral: Referral, participant: Participant, alerts: list[ParticipantAlert]) -> SharedParticipant:
    """The participant as the referral shows them to its provider: unshared fields are None."""
    shared = set(referral.shared_fields)
    has = lambda field: field.value in shared  # noqa: E731
    address = has(SharedField.ADDRESS)
    return SharedParticipant(
        preferred_name=participant.preferred_name or participant.legal_first_name,
        phone=participant.phone if has(SharedField.PHONE) else None,
        email=participant.email if has(SharedField.EMAIL) else None,
        birth_date=participant.birth_date if has(SharedField.BIRTH_DATE) else None,
        address_line1=participant.address_line1 if address else None,
        address_line2=participant.address_line2 if address else None,
        city=participant.city if address else None,
        region=participant.region if address else None,
        postal_code=participant.postal_code if address else None,
        preferred_language=participant.preferred_language if has(SharedField.LANGUAGE) else None,
        alerts=[a for a in alerts if a.active] if has(SharedField.ALERTS) else None,
    )


def sees_whole_participant(principal: Principal, referral: Referral) -> bool:
    """Only the referral's own agency sees the whole participant record."""
    return principal.is_agency and principal.agency_id == referral.agency_id


@dataclass(frozen=True)
class CaseworkerContact:
    name: str
    email: str | None
    phone: str | None


def referring_caseworker(principal: Principal, referral: Referral, user: User) -> CaseworkerContact | None:
    """Who made the referral (`user`), with their work email and phone, so the provider can call them about it.

    The referring agency sees it; a provider sees it on a referral sent to it, never before it was sent. Staff
    no longer active keep their name but not their contact: it would reach no one; nor has an API client one (its
    user's email is a placeholder)."""
    if principal.is_agency:
        if principal.agency_id != referral.agency_id:
            return None
    elif principal.provider_id != referral.provider_id or not was_sent(referral):
        return None
    reachable = user.active and not user.is_api_client
    return CaseworkerContact(
        name=user.full_name,
        email=user.email if reachable else None,
        phone=user.phone if reachable else None,
    )
