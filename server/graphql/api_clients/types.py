"""GraphQL types of API clients."""

import strawberry

from server.domain import api_clients
from server.graphql.errors import UserError
from server.graphql.fields import local_time
from server.graphql.mapping import to_id
from server.graphql.payloads import ERRORS, payload_type

SCOPES_IN_WORDS = " ".join(f"{scope.value}: {words}" for scope, words in api_clients.SCOPES.items())


@strawberry.type(
    description="An app of your agency that signs in with OAuth 2.0 client credentials (POST /auth/token) and acts "
    "as an agency admin bounded by its scopes. Scopes: " + SCOPES_IN_WORDS + " A write scope brings its read scope."
)
class ApiClient:
    record: strawberry.Private[api_clients.ApiClient]
    id: strawberry.ID = strawberry.field(description="The API client's id.")
    name: str = strawberry.field(description='The app\'s name; the audit trail names it "<name> (API client)".')
    client_id: str = strawberry.field(description="The public id the app sends with its secret (client_id).")
    scopes: list[str] = strawberry.field(description="What the app may do, e.g. referrals:read.")
    created_at = local_time("created_at", "When it was registered, in your time zone.")
    secret_rotated_at = local_time(
        "secret_rotated_at", "When its secret was last replaced, in your time zone; null if never.", optional=True
    )
    revoked_at = local_time(
        "revoked_at", "When it was revoked, in your time zone; null while it may sign in.", optional=True
    )

    @strawberry.field(description="Whether it may still get tokens (not revoked).")
    def active(self) -> bool:
        return self.record.revoked_at is None

    @strawberry.field(description="The id of the user it acts as: the audit trail's actorId for its changes.")
    def user_id(self) -> strawberry.ID:
        return to_id(self.record.user_id)


ApiClientPayload = payload_type(
    "ApiClientPayload",
    "api_client",
    ApiClient,
    "The API client changed, or the errors that stopped the change.",
    "The API client as saved; null on errors.",
)


@strawberry.type(description="An API client with its new secret, or the errors that stopped the change.")
class ApiClientSecretPayload:
    api_client: ApiClient | None = strawberry.field(description="The API client as saved; null on errors.")
    client_secret: str | None = strawberry.field(
        description="The secret (client_secret) to give the app, shown this once: Caseway keeps only its hash, as "
        "saved; null on errors."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS)
