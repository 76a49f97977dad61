"""Mutations of API clients: agency admins register, rotate, rescope and revoke their agency's apps. An API client
may not manage clients itself."""

from typing import Annotated

import strawberry

from server.domain import api_clients
from server.graphql.api_clients.types import ApiClient, ApiClientPayload, ApiClientSecretPayload
from server.graphql.context import Info
from server.graphql.mapping import from_model, input_values, parse_id
from server.graphql.payloads import payload
from server.graphql.runner import run_mutation

SCOPES = "Scopes from: " + ", ".join(api_clients.SCOPES) + "; a write scope brings its read scope."


@strawberry.input(description="A new API client.")
class ApiClientInput:
    name: str = strawberry.field(description="The app's name, up to 150 characters.")
    scopes: list[str] = strawberry.field(description="What the app may do. " + SCOPES)


def _secret_payload(result: tuple[api_clients.IssuedSecret | None, list]) -> ApiClientSecretPayload:
    issued, errors = result
    if issued is None:
        return ApiClientSecretPayload(api_client=None, client_secret=None, errors=errors)
    return ApiClientSecretPayload(
        api_client=from_model(ApiClient, issued.client), client_secret=issued.secret, errors=errors
    )


@strawberry.type
class ApiClientsMutation:
    @strawberry.mutation(
        description="Registers an app of your agency as an API client; its secret is in the answer, once. "
        "Agency admins."
    )
    async def register_api_client(self, info: Info, input: ApiClientInput) -> ApiClientSecretPayload:
        return _secret_payload(await run_mutation(info, api_clients.register, input_values(input)))

    @strawberry.mutation(
        description="Gives an API client a new secret, in the answer, once; the old one stops working. Agency admins."
    )
    async def rotate_api_client_secret(self, info: Info, id: strawberry.ID) -> ApiClientSecretPayload:
        return _secret_payload(await run_mutation(info, lambda s, p: api_clients.rotate_secret(s, p, parse_id(id))))

    @strawberry.mutation(
        description="Sets an API client's scopes; its tokens follow from their next request. Agency admins."
    )
    async def update_api_client_scopes(
        self,
        info: Info,
        id: strawberry.ID,
        scopes: Annotated[list[str], strawberry.argument(description="The client's scopes from now. " + SCOPES)],
    ) -> ApiClientPayload:
        result = await run_mutation(info, lambda s, p: api_clients.update_scopes(s, p, parse_id(id), scopes))
        return payload(ApiClientPayload, result)

    @strawberry.mutation(
        description="Revokes an API client for good: no more tokens, and those it holds are refused at once. "
        "Agency admins."
    )
    async def revoke_api_client(self, info: Info, id: strawberry.ID) -> ApiClientPayload:
        return payload(ApiClientPayload, await run_mutation(info, lambda s, p: api_clients.revoke(s, p, parse_id(id))))
