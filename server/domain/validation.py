"""Field rules for create and update inputs. All errors of one input are reported together, by field."""

import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from server.core.ids import record_id
from server.domain.days import latest_today
from server.domain.errors import DomainError, ErrorCode, Invalid, InvalidInput

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9 ().\-]{7,25}$")
URL = re.compile(r"^https?://[^\s]+$")


def field_name(key: str) -> str:
    """The API's name of a domain field: `accepting_referrals` → `acceptingReferrals`."""
    head, *rest = key.split("_")
    return head + "".join(part.title() for part in rest)


@dataclass(frozen=True)
class Rule:
    required: bool = False
    nullable: bool = True
    check: Callable[[Any], Any] | None = None

    def clean(self, value: Any) -> Any:
        return value if self.check is None else self.check(value)


def text(max_length: int, *, required: bool = False, pattern: re.Pattern | None = None, what: str = "") -> Rule:
    def check(value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must not be blank")
        if "\x00" in value:  # PostgreSQL cannot store it in text
            raise ValueError("must not contain NUL characters")
        if len(value) > max_length:
            raise ValueError(f"must be at most {max_length} characters")
        if pattern is not None and not pattern.match(value):
            raise ValueError(f"is not a valid {what}")
        return value

    return Rule(required=required, nullable=not required, check=check)


def email(required: bool = False) -> Rule:
    return text(254, required=required, pattern=EMAIL, what="email address")


def phone() -> Rule:
    return text(40, pattern=PHONE, what="phone number")


def url() -> Rule:
    return text(500, pattern=URL, what="web address (http:// or https://)")


def choice(enum_class: type[enum.Enum], *, required: bool = False) -> Rule:
    """One of the enum's values. Never null: every status, type and priority column has a value (leave the field
    out for its default); a null given is REQUIRED, not a row the database refuses."""

    def check(value):
        try:
            return enum_class(value)
        except ValueError:
            raise ValueError(f"must be one of {', '.join(m.value for m in enum_class)}") from None

    return Rule(required=required, nullable=False, check=check)


def flag(required: bool = False) -> Rule:
    def check(value):
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value

    return Rule(required=required, nullable=False, check=check)


def number_between(low: float, high: float) -> Rule:
    def check(value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise ValueError(f"must be between {low} and {high}")
        return float(value)

    return Rule(check=check)


def _rule(check, required: bool, nullable: bool | None) -> Rule:
    return Rule(required=required, nullable=(not required) if nullable is None else nullable, check=check)


def whole(low: int, high: int, *, required: bool = False, nullable: bool | None = None) -> Rule:
    def check(value):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"must be a whole number from {low} to {high}")
        return value

    return _rule(check, required, nullable)


def moment(*, required: bool = False, nullable: bool | None = None) -> Rule:
    """A date and time with its offset (stored in UTC)."""

    def check(value):
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError("must be a date and time with its offset")
        return value

    return _rule(check, required, nullable)


def wall_clock(*, required: bool = False, nullable: bool | None = None) -> Rule:
    """A local date and time without an offset (its time zone is given beside it)."""

    def check(value):
        if not isinstance(value, datetime) or value.tzinfo is not None:
            raise ValueError("must be a local date and time without an offset (the time zone is its own field)")
        return value

    return _rule(check, required, nullable)


def past_date(*, required: bool = False, nullable: bool | None = None) -> Rule:
    """A day that has come somewhere on Earth (whatever the server's own day is)."""

    def check(value):
        if not isinstance(value, date):
            raise ValueError("must be a date")
        if value > latest_today():
            raise ValueError("cannot be in the future")
        return value

    return _rule(check, required, nullable)


@cache
def _time_zones() -> frozenset[str]:
    # The IANA names, less the system's aliases of its own zone.
    return frozenset(available_timezones() - {"localtime", "posixrules", "Factory"})


def is_time_zone(name: object) -> bool:
    """Whether `name` is an IANA time zone name (not one of the system's aliases such as `localtime`)."""
    return isinstance(name, str) and name.strip() in _time_zones()


def time_zone(*, required: bool = False, nullable: bool | None = None) -> Rule:
    """An IANA time zone name, e.g. America/Chicago."""

    def check(value):
        if not is_time_zone(value):
            raise ValueError("is not an IANA time zone name (America/Chicago)")
        return value.strip()

    return _rule(check, required, nullable)


def money(required: bool = False) -> Rule:
    def check(value):
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            raise ValueError("must be an amount like 12.50") from None
        if not amount.is_finite() or amount < 0:
            raise ValueError("must be zero or more")
        if amount >= Decimal("10000000000"):  # before quantizing, which fails past the context's precision (1E+400)
            raise ValueError("is too large")
        if amount != amount.quantize(Decimal("0.01")):
            raise ValueError("must have at most two decimal places")
        return amount.quantize(Decimal("0.01"))

    return Rule(required=required, nullable=not required, check=check)


def a_date(required: bool = False) -> Rule:
    def check(value):
        if not isinstance(value, date):
            raise ValueError("must be a date")
        return value

    return Rule(required=required, nullable=not required, check=check)


def reference(required: bool = False) -> Rule:
    """An id of another record (see `record_id`); whether it exists and may be used is the service's to check."""
    return Rule(required=required, nullable=not required, check=record_id)


class ItemError(ValueError):
    """A list's item at fault: `clean` and `argument` name it by its index (`participantIds[3]`)."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index


def _named(field: str, error: ValueError) -> str:
    return f"{field}[{error.index}]" if isinstance(error, ItemError) else field


def references() -> Rule:
    def check(values):
        if not isinstance(values, list | tuple):
            raise ValueError("must be a list of ids")
        ids = []
        for index, value in enumerate(values):
            try:
                ids.append(record_id(value))
            except ValueError:
                raise ItemError(index, "is not an id") from None
        if len(set(ids)) != len(ids):
            raise ValueError("lists an id twice")
        return ids

    return Rule(nullable=False, check=check)


def argument(rule: Rule, value: Any, *, field: str, required: str | None = None) -> Any:
    """Checks one argument given beside an input (a note, a key) as `clean` checks a field: blank is None, and
    `required`, when given, is the message for a missing one."""
    if isinstance(value, str) and not value.strip():
        value = None
    if value is None:
        if required:
            raise DomainError(required, field=field, code=ErrorCode.REQUIRED)
        return None
    try:
        return rule.clean(value)
    except ValueError as error:
        raise Invalid(f"{_named(field, error)} {error}.", field=_named(field, error)) from None


def clean(rules: Mapping[str, Rule], values: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    """Checks `values` against `rules`; for an update (`partial`) absent keys are left alone."""
    errors: list[DomainError] = []
    cleaned: dict[str, Any] = {}
    for key in values:
        if key not in rules:
            errors.append(Invalid(f"{field_name(key)} cannot be set here.", field=field_name(key)))
    for key, rule in rules.items():
        if key not in values:
            if rule.required and not partial:
                errors.append(
                    DomainError(f"{field_name(key)} is required.", field=field_name(key), code=ErrorCode.REQUIRED)
                )
            continue
        value = values[key]
        if value is None:
            if not rule.nullable:
                errors.append(
                    DomainError(f"{field_name(key)} is required.", field=field_name(key), code=ErrorCode.REQUIRED)
                )
            else:
                cleaned[key] = None
            continue
        try:
            cleaned[key] = rule.clean(value)
        except ValueError as error:
            name = _named(field_name(key), error)
            errors.append(Invalid(f"{name} {error}.", field=name))
    if errors:
        raise InvalidInput(errors)
    return cleaned
