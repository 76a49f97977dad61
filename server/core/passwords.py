"""Argon2 password hashing. Verification is slow on purpose, so it runs in a worker thread."""

from functools import cache

from argon2 import PasswordHasher, extract_parameters, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from starlette.concurrency import run_in_threadpool

_PROFILES = {"default": profiles.RFC_9106_LOW_MEMORY, "test": profiles.CHEAPEST}


@cache
def hasher(profile: str = "default") -> PasswordHasher:
    try:
        return PasswordHasher.from_parameters(_PROFILES[profile])
    except KeyError:
        raise ValueError(f"PASSWORD_HASH_PROFILE must be one of {sorted(_PROFILES)}") from None


@cache
def dummy_hash(profile: str = "default") -> str:
    """Verified against when the user is unknown, so both failures cost the same time."""
    return hasher(profile).hash("caseway-dummy-password")


def hash_password(password: str, profile: str = "default") -> str:
    return hasher(profile).hash(password)


async def verify_password(password_hash: str | None, password: str, profile: str = "default") -> bool:
    def verify() -> bool:
        try:
            return hasher(profile).verify(password_hash or dummy_hash(profile), password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    matched = await run_in_threadpool(verify)
    return matched and password_hash is not None


def needs_rehash(password_hash: str, profile: str = "default") -> bool:
    """Whether the hash was made with other parameters than `profile`'s (then sign-in stores a new one)."""
    try:
        return hasher(profile).check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


def hash_parameters(password_hash: str) -> str:
    """The Argon2 variant and parameters of a hash (e.g. "argon2id v=19 m=65536,t=3,p=4"), never the hash itself."""
    p = extract_parameters(password_hash)
    return f"argon2{p.type.name.lower()} v={p.version} m={p.memory_cost},t={p.time_cost},p={p.parallelism}"
