"""The /graphql endpoint: Strawberry's ASGI view with our context and our own offline GraphiQL page."""

from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from server.auth.requests import identify
from server.config import Settings
from server.db import Database
from server.graphql.context import Context
from server.graphql.loaders import Loaders
from server.graphql.schema import build_schema

GRAPHIQL_PAGE = (Path(__file__).parent.parent / "static" / "graphiql" / "index.html").read_text()


class GraphQLView(GraphQL):
    def __init__(self, db: Database, settings: Settings) -> None:
        super().__init__(build_schema(settings), graphql_ide="graphiql", allow_queries_via_get=True)
        self.db = db
        self.settings = settings

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        caller = await identify(request, self.db, self.settings)
        return Context(
            request=request,
            response=response,
            db=self.db,
            settings=self.settings,
            caller=caller,
            loaders=Loaders(self.db, caller.principal),
            time_zone=caller.time_zone,
        )

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(GRAPHIQL_PAGE)
