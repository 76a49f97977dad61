"""The provider portal's session: a signed token in an HttpOnly, SameSite=Strict cookie, set and revoked by the
/auth/session routes (`server.web.session`). The API keeps accepting bearer tokens (agency apps); a request
presenting neither is anonymous."""

from starlette.requests import HTTPConnection

COOKIE = "caseway_session"


def session_token(connection: HTTPConnection) -> str | None:
    """The cookie's token, unless the request comes from another site's page (a second guard beside SameSite)."""
    token = connection.cookies.get(COOKIE)
    origin = connection.headers.get("origin")
    if token and origin and origin != f"{connection.url.scheme}://{connection.url.netloc}":
        return None
    return token or None
