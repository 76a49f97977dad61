"""Signed, expiring access tokens (JWT, HS256 only) with joserfc, Authlib's JOSE library."""

import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

from server.core.ids import record_id

ALGORITHM = "HS256"
ISSUER = "caseway"


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    expires_at: int
    token_id: str = ""  # the jti: what signing out revokes
    # The OAuth scopes the token was issued with (an API client's, RFC 6749 §3.3); None: not limited by the token.
    scopes: frozenset[str] | None = None
    # The user's token generation when it was issued (its `gen` claim): a token of an earlier one is refused.
    generation: int = 0


class InvalidToken(Exception):
    """The token is malformed, tampered with, signed otherwise, or expired; `reason` says which for logs."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@lru_cache(maxsize=4)
def _key(secret: str) -> OctKey:
    return OctKey.import_key(secret.encode())


# Clients send the same token with every request: its signature is checked once, then its claims are reused while
# it lasts (a revoked token is refused by the caller's lookup, which runs every time). Keyed by secret and token, so
# a changed secret checks again; bounded, the least recently used forgotten first.
VERIFIED_TOKENS = 4096
_verified: OrderedDict[tuple[str, str], "TokenClaims"] = OrderedDict()


def issue_token(
    secret: str,
    *,
    user_id: int,
    ttl_seconds: int,
    now: int | None = None,
    scopes: Iterable[str] | None = None,
    generation: int = 0,
) -> str:
    """A signed token for `user_id`; `scopes`, when given, bound what it may do (its `scope` claim, space-separated,
    intersected with the API client's own scopes on every request)."""
    now = int(time.time()) if now is None else now
    claims = {
        "iss": ISSUER,
        "sub": str(user_id),
        "iat": now,
        "exp": now + ttl_seconds,
        "jti": uuid.uuid4().hex,
        "gen": generation,
    }
    if scopes is not None:
        claims["scope"] = " ".join(scopes)
    return jwt.encode({"alg": ALGORITHM, "typ": "JWT"}, claims, _key(secret), algorithms=[ALGORITHM])


def read_token(secret: str, token: str, *, now: float | None = None) -> TokenClaims:
    """The verified claims of `token`. Only HS256 is accepted, so `alg: none` and key confusion fail here."""
    now = time.time() if now is None else now
    key = (secret, token)
    claims = _verified.get(key)
    if claims is None:
        claims = _verify(secret, token, now)
        _verified[key] = claims
        if len(_verified) > VERIFIED_TOKENS:
            _verified.popitem(last=False)
    else:
        _verified.move_to_end(key)
    if claims.expires_at <= now:
        _verified.pop(key, None)
        raise InvalidToken("ExpiredTokenError")
    return claims


def _verify(secret: str, token: str, now: float) -> TokenClaims:
    try:
        decoded = jwt.decode(token, _key(secret), algorithms=[ALGORITHM])
        registry = jwt.JWTClaimsRegistry(
            now=int(now), iss={"essential": True, "value": ISSUER}, sub={"essential": True}, exp={"essential": True}
        )
        registry.validate(decoded.claims)
        return TokenClaims(
            user_id=record_id(decoded.claims["sub"]),  # a user's id, or no one: never some other id
            expires_at=int(decoded.claims["exp"]),
            token_id=str(decoded.claims.get("jti", "")),
            scopes=_scopes(decoded.claims.get("scope")),
            generation=_generation(decoded.claims.get("gen", 0)),
        )
    except JoseError as error:
        raise InvalidToken(type(error).__name__) from error
    except (ValueError, TypeError, OverflowError) as error:
        raise InvalidToken("malformed") from error


def _scopes(claim: object) -> frozenset[str] | None:
    if claim is None:
        return None
    if not isinstance(claim, str):
        raise ValueError("scope")
    return frozenset(claim.split())


def _generation(claim: object) -> int:
    if type(claim) is not int:
        raise ValueError("gen")
    return claim
