"""Mutations of single sign-on: an admin registers, changes or disables their organisation's identity provider."""

import strawberry
from strawberry import UNSET

from server.domain import sign_on
from server.graphql.context import Info
from server.graphql.mapping import input_values
from server.graphql.payloads import payload, payload_type
from server.graphql.runner import run_mutation
from server.graphql.sign_on.types import SignOnProvider


@strawberry.input(
    description="Your organisation's identity provider. The first time, issuer, clientId and clientSecret are "
    "needed; afterwards only the fields given change."
)
class SignOnInput:
    issuer: str | None = strawberry.field(
        default=UNSET, description="The identity provider's issuer URL, e.g. https://login.example.org/realms/staff."
    )
    client_id: str | None = strawberry.field(default=UNSET, description="Caseway's client id at the identity provider.")
    client_secret: str | None = strawberry.field(
        default=UNSET, description="Caseway's client secret there; write-only: never shown again. Omit to keep it."
    )
    label: str | None = strawberry.field(
        default=UNSET,
        description='What the sign-in pages show: "Sign in with <label>"; your organisation\'s name by default.',
    )
    key: str | None = strawberry.field(
        default=UNSET,
        description="Its name in the sign-in address (lower-case letters, digits, hyphens); made from your "
        "organisation's name by default.",
    )
    allowed_domains: list[str] | None = strawberry.field(
        default=UNSET, description="Email domains whose users may sign in through it; empty: any domain."
    )
    allow_new_users: bool | None = strawberry.field(
        default=UNSET,
        description="Whether a verified email without a Caseway account becomes a user with the least role "
        "(false by default).",
    )


SignOnProviderPayload = payload_type(
    "SignOnProviderPayload",
    "sign_on_provider",
    SignOnProvider,
    "The identity provider as saved, or the errors that stopped the change.",
    "The identity provider as saved; null on errors.",
)


@strawberry.type
class SignOnMutation:
    @strawberry.mutation(
        description="Registers or changes your organisation's identity provider for single sign-on, and turns it "
        "on, for your own agency or provider. Agency admins and provider admins."
    )
    async def configure_sign_on(self, info: Info, input: SignOnInput) -> SignOnProviderPayload:
        result = await run_mutation(info, sign_on.configure, input_values(input))
        return payload(SignOnProviderPayload, result)

    @strawberry.mutation(
        description="Turns your organisation's single sign-on off (its settings are kept). Agency admins and "
        "provider admins."
    )
    async def disable_sign_on(self, info: Info) -> SignOnProviderPayload:
        result = await run_mutation(info, sign_on.disable)
        return payload(SignOnProviderPayload, result)
