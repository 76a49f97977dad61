"""Who is acting: a signed-in user's role and the agency or provider they belong to."""

import enum
from dataclasses import dataclass

from server.domain.errors import Forbidden, Unauthenticated


class Role(enum.StrEnum):
    CASEWORKER = "CASEWORKER"
    SUPERVISOR = "SUPERVISOR"
    AGENCY_ADMIN = "AGENCY_ADMIN"
    PROVIDER_STAFF = "PROVIDER_STAFF"
    PROVIDER_ADMIN = "PROVIDER_ADMIN"


AGENCY_ROLES = frozenset({Role.CASEWORKER, Role.SUPERVISOR, Role.AGENCY_ADMIN})
PROVIDER_ROLES = frozenset({Role.PROVIDER_STAFF, Role.PROVIDER_ADMIN})
AGENCY_OVERSIGHT = frozenset({Role.SUPERVISOR, Role.AGENCY_ADMIN})


@dataclass(frozen=True)
class Principal:
    user_id: int
    name: str
    role: Role
    agency_id: int | None = None
    provider_id: int | None = None
    # The IANA zone they work in (their agency's or provider's), when the request found it with the user;
    # None: ask server.domain.zones.zone_of, which looks it up.
    time_zone: str | None = None
    # An API client (server/domain/api_clients.py): its id, and the scopes bounding what it may do. None for users,
    # whom their role alone bounds.
    client_id: int | None = None
    scopes: frozenset[str] | None = None

    @property
    def is_agency(self) -> bool:
        return self.role in AGENCY_ROLES

    @property
    def is_provider(self) -> bool:
        return self.role in PROVIDER_ROLES


def require(principal: Principal | None, roles: frozenset[Role] | set[Role], scope: str | None = None) -> Principal:
    """The principal, if signed in with one of `roles`; otherwise an Unauthenticated or Forbidden error.

    An API client also needs `scope` among its scopes: what names no scope is not open to API clients at all."""
    if principal is None:
        raise Unauthenticated("Sign in first.")
    if principal.role not in roles:
        raise Forbidden("Your role may not do this.")
    if principal.scopes is not None and (scope is None or scope not in principal.scopes):
        needed = f"the scope {scope}" if scope else "a user: API clients may not do this"
        raise Forbidden(f"This API client's scopes do not allow this: it needs {needed}.")
    return principal


def require_signed_in(principal: Principal | None) -> Principal:
    if principal is None:
        raise Unauthenticated("Sign in first.")
    return principal
