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
    host: str = "127.0.0.1"
    port: int = 8000
    # "default" is argon2-cffi's RFC 9106 low-memory profile; "test" is its cheapest, for test suites only.
    password_hash_profile: str = "default"
    max_query_depth: int = 10
    max_query_tokens: int = 2000
    max_query_aliases: int = 15
    max_page_size: int = 100

    @classmethod
    def from_env(cls) -> "Settings":
        env = os.environ.get
        return cls(
            database_url=env("DATABASE_URL", cls.database_url),
            secret_key=_secret_key(),
            token_ttl_seconds=int(env("TOKEN_TTL_SECONDS", cls.token_ttl_seconds)),
            host=env("HOST", cls.host),
            port=int(env("PORT", cls.port)),
            password_hash_profile=env("PASSWORD_HASH_PROFILE", cls.password_hash_profile),
        )
