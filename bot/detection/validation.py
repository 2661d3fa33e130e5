"""Checks at the webhook edge: JSON nesting, text that can be stored, numbers, times.

Readers check a body's depth before anything recursive (str(), json.dumps, the
database driver) touches it, then read each field they use through these
helpers, so a bad value is refused with a BadPayload naming the field instead of
failing later as a 500. Parts of a body that no reader uses are not judged:
tools such as Sentry send far more than we read.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

MAX_DEPTH = 32  # Alertmanager bodies are 4 deep, Sentry's full events about 15
MAX_INT = 2**63 - 1  # a database BIGINT; larger numbers are no id or time we know
# Times outside these years are garbage or would overflow when windows are added.
FIRST_YEAR, LAST_YEAR = 1971, 9000
MAX_EPOCH_MS = int(datetime(LAST_YEAR, 12, 31, tzinfo=UTC).timestamp() * 1000)


class BadPayload(ValueError):
    """The body is not what the source documents; the message says what is wrong."""


def _no_constant(name: str) -> Any:
    raise BadPayload(f"the body holds {name}, which is not a JSON number")


def loads(raw: bytes) -> Any:
    """The body as JSON, or a BadPayload saying why not."""
    try:
        # parse_constant: Python's json accepts NaN and Infinity, JSON does not.
        return json.loads(raw, parse_constant=_no_constant)
    except BadPayload:
        raise
    except RecursionError:
        # The C parser gives up around a thousand levels; say what our limit is.
        raise BadPayload(f"the body is nested more than {MAX_DEPTH} levels deep") from None
    except ValueError:  # also UnicodeDecodeError and numbers of over 4,300 digits
        raise BadPayload("the body is not valid JSON") from None


def check_depth(body: object) -> None:
    """Refuse objects and lists nested more than MAX_DEPTH levels (without recursing).
    Only containers are stacked: pushing every leaf was most of its cost in a storm."""
    if not isinstance(body, dict | list | tuple):
        return
    stack: list[tuple[Any, int]] = [(body, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise BadPayload(f"the body is nested more than {MAX_DEPTH} levels deep")
        for child in value.values() if isinstance(value, dict) else value:
            if isinstance(child, dict | list | tuple):
                stack.append((child, depth + 1))


def storable(value: str, where: str) -> str:
    """Text as it came, if UTF-8 and PostgreSQL can hold it; else refused, naming the field.

    Refused rather than repaired: the tools we read (Go's and Rust's JSON encoders)
    never send lone surrogates, so one means a broken or hostile sender, and
    replacing it would quietly merge fingerprints that differ."""
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise BadPayload(
                f"{where} is not valid Unicode text (it holds a lone surrogate such as "
                "\\ud800); send UTF-8"
            ) from None
    if "\x00" in value:
        raise BadPayload(f"{where} holds a NUL character (\\u0000), which cannot be stored")
    return value


def number(value: int | float, where: str) -> int | float:
    """A JSON number within what we store; bools are not numbers here."""
    if isinstance(value, float) and not math.isfinite(value):
        raise BadPayload(f"{where} must be a finite number")
    if isinstance(value, int) and abs(value) > MAX_INT:
        raise BadPayload(f"{where} is too large a number (at most {MAX_INT})")
    return value


def text(value: object, where: str, *, numbers: bool = True) -> str | None:
    """A string field (numbers written as JSON writes them when allowed); None when absent."""
    if value is None:
        return None
    if isinstance(value, str):
        return storable(value, where)
    if numbers and isinstance(value, int | float) and not isinstance(value, bool):
        return json.dumps(number(value, where))
    raise BadPayload(f"{where} must be {'a string or a number' if numbers else 'a string'}")


def mapping(value: object, where: str) -> dict[str, Any]:
    """An object field; absent (null) is an empty object."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadPayload(f"{where} must be an object")
    return value


def strings(value: object, where: str) -> dict[str, str]:
    """An object of text (labels, annotations, links); numbers and true/false become text,
    null values are left out."""
    out = {}
    for key, item in mapping(value, where).items():
        if not isinstance(key, str):
            raise BadPayload(f"{where} must have string keys")
        name = storable(key, f"{where} (a key)")
        if isinstance(item, bool):
            out[name] = "true" if item else "false"
        elif item is not None:
            out[name] = text(item, f"{where}.{shown(name)}") or ""
    return out


def shown(key: str) -> str:
    """A key from the body as an error message names it: a long one is cut short."""
    return key if len(key) <= 40 else key[:40] + "…"


def time(value: object, where: str) -> datetime | None:
    """An ISO 8601 time, or seconds or milliseconds since 1970, as an aware UTC-based time.

    Absent, zero and times before 1971 are None: Alertmanager's
    "0001-01-01T00:00:00Z" means "not set"."""
    if not value:
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        # Epoch digits in a string: too many of them is no time (and int() refuses
        # over 4,300 digits), so the length is checked before converting.
        value = int(value) if len(value) <= 18 else MAX_EPOCH_MS + 1
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not 0 <= value <= MAX_EPOCH_MS:  # also refuses NaN
            raise BadPayload(
                f"{where} is out of range: give seconds or milliseconds since 1970, "
                "or an ISO 8601 time"
            )
        moment = datetime.fromtimestamp(value / 1000 if value > 1e11 else value, tz=UTC)
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise BadPayload(
                f"{where} must be an ISO 8601 time (e.g. 2026-01-05T09:00:00Z) "
                "or seconds since 1970"
            ) from None
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        moment = in_range(moment, where)
    else:
        raise BadPayload(f"{where} must be a time: an ISO 8601 string or seconds since 1970")
    return None if moment.year < FIRST_YEAR else moment


def in_range(moment: datetime, where: str, *, first_year: int = 1) -> datetime:
    """An aware time that converts to UTC within first_year..LAST_YEAR (the year 1 with a
    positive offset cannot be converted at all)."""
    try:
        year = moment.astimezone(UTC).year
    except OverflowError:
        year = 0
    if not first_year <= year <= LAST_YEAR or year == 0:
        raise BadPayload(f"{where} is out of range: give a time between 1971 and {LAST_YEAR}")
    return moment
