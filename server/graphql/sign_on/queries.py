"""The `signOnProvider` query: an admin's view of their organisation's identity provider."""

import strawberry

from server.domain import sign_on
from server.graphql.context import Info
from server.graphql.mapping import from_model
from server.graphql.runner import run_query
from server.graphql.sign_on.types import SignOnProvider


@strawberry.type
class SignOnQuery:
    @strawberry.field(
        description="Your own agency's or provider's identity provider for single sign-on (NOT_FOUND when none is "
        "registered). Agency admins and provider admins."
    )
    async def sign_on_provider(self, info: Info) -> SignOnProvider | None:
        return from_model(SignOnProvider, await run_query(info, sign_on.own_provider))
