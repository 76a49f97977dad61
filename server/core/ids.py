"""Record ids as clients spell them."""

import re
from typing import Any

# The largest id a record can have: ids are PostgreSQL INTEGER columns.
MAX_ID = 2**31 - 1
_ID = re.compile(r"[1-9][0-9]{0,9}")


def record_id(value: Any) -> int:
    """The record id `value` spells: ASCII digits without a leading zero (or an int), from 1 to MAX_ID.

    Anything else (full-width digits, spaces, `0002`, `1_0`, beyond the column's range) raises ValueError: no
    record can have it, and it is never read as some other id."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _ID.fullmatch(value):
        number = int(value)
    else:
        raise ValueError("is not an id")
    if not 1 <= number <= MAX_ID:
        raise ValueError("is not an id")
    return number
