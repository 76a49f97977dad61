"""GraphQL types of single sign-on."""

import strawberry

from server.domain import sign_on
from server.graphql.context import Info

CALLBACK_PATH = "auth/sso/callback"


@strawberry.type(
    description="Your organisation's OpenID Connect identity provider, through which its staff sign in "
    '("Sign in with <label>"). Its client secret is never shown.'
)
class SignOnProvider:
    id: strawberry.ID = strawberry.field(description="The identity provider's id.")
    key: str = strawberry.field(description="Its name in the sign-in address: /auth/sso/<key>/start.")
    label: str = strawberry.field(description='What the sign-in pages show: "Sign in with <label>".')
    issuer: str = strawberry.field(description="The identity provider's issuer URL (https).")
    client_id: str = strawberry.field(description="Caseway's client id at the identity provider.")
    allowed_domains: list[str] = strawberry.field(
        description="Email domains whose users may sign in through it (lower-case); empty: any domain."
    )
    allow_new_users: bool = strawberry.field(
        description="Whether a verified email without a Caseway account becomes a user, with the least role "
        "(caseworker for an agency, provider staff for a provider)."
    )
    active: bool = strawberry.field(description="Whether staff may sign in through it now.")
    record: strawberry.Private[sign_on.IdentityProvider]

    @strawberry.field(description="The redirect URI to register at the identity provider for Caseway's client.")
    def redirect_uri(self, info: Info) -> str:
        request = info.context.request
        base = str(request.base_url) if request is not None else "/"
        return base + CALLBACK_PATH
