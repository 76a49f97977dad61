"""The `apiClients` query: the agency's API clients (agency admins)."""

import strawberry

from server.domain import api_clients
from server.graphql.api_clients.types import ApiClient
from server.graphql.context import Info
from server.graphql.mapping import from_model
from server.graphql.pagination import DEFAULT_PAGE_SIZE, Connection, connection
from server.graphql.runner import run_query


@strawberry.type
class ApiClientsQuery:
    @strawberry.field(description="Your agency's API clients, revoked ones too, by name. Agency admins.")
    async def api_clients(
        self, info: Info, first: int = DEFAULT_PAGE_SIZE, after: str | None = None
    ) -> Connection[ApiClient] | None:
        page = await run_query(info, api_clients.list_clients, first=first, after=after)
        return connection(page, lambda r: from_model(ApiClient, r))
