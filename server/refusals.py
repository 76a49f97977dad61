"""A request refused before its route reads it (a bad or oversized body), in the shape its route answers in."""

from starlette.responses import JSONResponse
from starlette.types import Scope


def refusal(scope: Scope, status: int, code: str, message: str) -> JSONResponse:
    """A request refused before its route reads it: in GraphQL's error shape on /graphql, the auth routes' elsewhere."""
    if scope["path"].startswith("/graphql"):
        return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status)
    return JSONResponse({"error": code.lower(), "message": message}, status_code=status)
