"""The /graphql endpoint: Strawberry's ASGI view with our context and our own offline GraphiQL page."""

import json
from pathlib import Path

from cross_web import HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.types import ExecutionResult

from server.auth.callers import RecentCallers
from server.auth.requests import Caller, identify
from server.config import Settings
from server.db import Database, RequestDatabase
from server.graphql.context import Context
from server.graphql.loaders import Loaders
from server.graphql.schema import build_schema
from server.refusals import refusal

GRAPHIQL_PAGE = (Path(__file__).parent.parent / "static" / "graphiql" / "index.html").read_text()
# Deeper JSON than any operation's variables need is refused before anything walks it recursively.
MAX_JSON_DEPTH = 64
NOT_SAVED = "The changes could not be saved, and none was: try again."
NOT_A_REQUEST = 'The body must be a JSON object (UTF-8): {"query": "…", "variables": {…}, "operationName": "…"}.'


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _depth_within(value: object, limit: int) -> bool:
    """Whether `value`'s containers nest at most `limit` deep (walked without recursion)."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > limit:
                    return False
                pending.append((child, depth + 1))
    return True


class GraphQLView(GraphQL):
    def __init__(self, db: Database, settings: Settings) -> None:
        super().__init__(build_schema(settings), graphql_ide="graphiql", allow_queries_via_get=True)
        self.db = db
        self.settings = settings
        self.recent_callers: RecentCallers[Caller] = RecentCallers(settings.caller_memory_seconds)
        db.on_change(self.recent_callers.forget_all)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Strawberry's, but a request it refuses (bad body, no query, wrong content type) is told so in JSON."""
        if scope["type"] != "http":
            return await super().__call__(scope, receive, send)
        request = Request(scope=scope, receive=receive)
        try:
            response = await self.run(request)
        except HTTPException as refused:
            response = refusal(scope, refused.status_code, "BAD_REQUEST", refused.reason)
        finally:
            if (db := getattr(request.state, "db", None)) is not None:
                await db.close()  # a request refused before execution still gives its connection back
        await response(scope, receive, send)

    async def execute_operation(self, request, request_adapter, request_data, context, root_value, sub_response):
        """Strawberry's, then the request's changes are committed (or the answer says they were not) and its
        connection given back, before the answer is sent."""
        result = await super().execute_operation(
            request=request,
            request_adapter=request_adapter,
            request_data=request_data,
            context=context,
            root_value=root_value,
            sub_response=sub_response,
        )
        if not await context.db.finish():
            return ExecutionResult(data=None, errors=[GraphQLError(NOT_SAVED, extensions={"code": "CONFLICT"})])
        return result

    def parse_json(self, data: str | bytes) -> object:
        """The body as a JSON object: not a bare value, not NaN or Infinity, not invalid UTF-8, not nested too deep."""
        try:
            value = json.loads(data, parse_constant=_no_constant)
        except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            raise HTTPException(400, NOT_A_REQUEST) from None
        if not isinstance(value, dict):
            raise HTTPException(400, NOT_A_REQUEST)
        if not _depth_within(value, MAX_JSON_DEPTH):
            raise HTTPException(400, f"The body's JSON is nested more than {MAX_JSON_DEPTH} deep.")
        return value

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        db = request.state.db = RequestDatabase(self.db)
        caller = await identify(request, db, self.settings, self.recent_callers)
        return Context(
            request=request,
            response=response,
            db=db,
            settings=self.settings,
            caller=caller,
            loaders=Loaders(db, caller.principal),
            time_zone=caller.time_zone,
        )

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(GRAPHIQL_PAGE)
