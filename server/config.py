"""Settings, read once from the environment. Every setting has a documented default (README)."""

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path


def _secret_key() -> str:
    """SECRET_KEY, or a random key kept in SECRET_KEY_FILE so `serve` and `token` agree across runs."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = Path(os.environ.get("SECRET_KEY_FILE", ".caseway-secret"))
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    path.write_text(key + "\n")
    path.chmod(0o600)
    return key


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite+aiosqlite:///caseway.db"
    secret_key: str = field(default="", repr=False)
    token_ttl_seconds: int = 8 * 3600
    # How long an API client's token lasts (client credentials grant): short, as it is easily asked for again.
    client_token_ttl_seconds: int = 15 * 60
    host: str = "127.0.0.1"
    port: int = 8000
    # "default" is argon2-cffi's RFC 9106 low-memory profile; "test" is its cheapest, for test suites only.
    password_hash_profile: str = "default"
    # Failed sign-ins counted over a sliding window (server/web/throttle.py): past a limit, 429 without a password
    # check. One account from one address; every account from one address; one account from every address.
    sign_in_window_seconds: int = 900
    sign_in_failures_per_account_and_address: int = 5
    sign_in_failures_per_address: int = 30
    sign_in_failures_per_account: int = 100
    # Argon2 verifications running at once (each holds its memory cost), and how long a sign-in waits for one.
    password_checks_at_once: int = 4
    password_check_wait_seconds: float = 5.0
    max_query_depth: int = 10
    max_query_tokens: int = 2000
    max_query_aliases: int = 15
    # The most fields one operation may select once its fragments are expanded (server/graphql/limits.py).
    max_query_cost: int = 5000
    # The most times one selection set (fragments merged in) may select one response key, and the most fragments
    # spread into it: past them graphql-core's OverlappingFieldsCanBeMerged would be slow (server/graphql/limits.py).
    max_repeated_fields: int = 20
    max_fragment_spreads: int = 50
    # How long one request's GraphQL execution may run before it is stopped (where it waits, e.g. on the database;
    # parsing and validation are bounded by the document limits above, not by this).
    query_timeout_seconds: float = 30.0
    max_page_size: int = 100
    # The largest request body taken, in bytes; a larger one is answered 413 before the rest is read.
    max_body_bytes: int = 1024 * 1024
    # Addresses (IPs or CIDR networks, comma-separated; "*" for any) of the TLS-terminating proxies whose
    # X-Forwarded-Proto and X-Forwarded-For are believed. Empty: none, the connection is taken as it is.
    trusted_proxies: str = ""
    # How long an identified caller is remembered by a server process (0 to 5 s; server/auth/callers.py): a change
    # made through another process (sign-out, deactivation) takes at most this long to reach this one.
    caller_memory_seconds: float = 5.0

    @classmethod
    def from_env(cls) -> "Settings":
        env = os.environ.get
        return cls(
            database_url=env("DATABASE_URL", cls.database_url),
            secret_key=_secret_key(),
            token_ttl_seconds=int(env("TOKEN_TTL_SECONDS", cls.token_ttl_seconds)),
            client_token_ttl_seconds=int(env("CLIENT_TOKEN_TTL_SECONDS", cls.client_token_ttl_seconds)),
            host=env("HOST", cls.host),
            port=int(env("PORT", cls.port)),
            password_hash_profile=env("PASSWORD_HASH_PROFILE", cls.password_hash_profile),
            sign_in_window_seconds=int(env("SIGN_IN_WINDOW_SECONDS", cls.sign_in_window_seconds)),
            sign_in_failures_per_account_and_address=int(
                env("SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS", cls.sign_in_failures_per_account_and_address)
            ),
            sign_in_failures_per_address=int(env("SIGN_IN_FAILURES_PER_ADDRESS", cls.sign_in_failures_per_address)),
            sign_in_failures_per_account=int(env("SIGN_IN_FAILURES_PER_ACCOUNT", cls.sign_in_failures_per_account)),
            password_checks_at_once=int(env("PASSWORD_CHECKS_AT_ONCE", cls.password_checks_at_once)),
            password_check_wait_seconds=float(env("PASSWORD_CHECK_WAIT_SECONDS", cls.password_check_wait_seconds)),
            max_body_bytes=int(env("MAX_BODY_BYTES", cls.max_body_bytes)),
            trusted_proxies=env("TRUSTED_PROXIES", cls.trusted_proxies),
            max_query_cost=int(env("MAX_QUERY_COST", cls.max_query_cost)),
            max_repeated_fields=int(env("MAX_REPEATED_FIELDS", cls.max_repeated_fields)),
            max_fragment_spreads=int(env("MAX_FRAGMENT_SPREADS", cls.max_fragment_spreads)),
            query_timeout_seconds=float(env("QUERY_TIMEOUT_SECONDS", cls.query_timeout_seconds)),
            caller_memory_seconds=float(env("CALLER_MEMORY_SECONDS", cls.caller_memory_seconds)),
        )
