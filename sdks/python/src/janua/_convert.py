"""Small conversions the generated facade methods (janua/_generated_facade) apply to arguments.

The facade accepts friendlier values than the generated models: a `str` where a UUID goes, an
enum's value (`"totp"`) where the enum goes, a `dict` where a nested model goes, and None for
"not sent". These turn them into what the generated wire layer expects.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from enum import Enum
from typing import Any, Protocol, TypeVar
from urllib.parse import quote_plus
from uuid import UUID

from janua._generated.types import UNSET, Unset

E = TypeVar("E", bound=Enum)
V = TypeVar("V")


class _FromDict(Protocol):
    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Any: ...


M = TypeVar("M", bound=_FromDict)


def opt(value: V | None) -> V | Unset:
    """None means "leave it out"."""
    return UNSET if value is None else value


def uuid_(value: Any) -> Any:
    """A UUID from a `UUID` or its text; None and UNSET pass through."""
    if value is None or isinstance(value, Unset | UUID):
        return value
    return UUID(str(value))


def enum_(cls: type[E], value: Any) -> Any:
    """An enum member from a member or its value; None and UNSET pass through."""
    if value is None or isinstance(value, Unset | cls):
        return value
    return cls(value)


def model_(cls: type[M], value: Any) -> Any:
    """A generated model from an instance or a plain mapping (e.g. a browser's JSON)."""
    if value is None or isinstance(value, Unset | cls):
        return value
    if isinstance(value, Mapping):
        return cls.from_dict(value)
    return value


def uuids_(values: Any) -> Any:
    """`uuid_` for each item of a list; None and UNSET pass through."""
    return values if values is None or isinstance(values, Unset) else [uuid_(v) for v in values]


def enums_(cls: type[E], values: Any) -> Any:
    """`enum_` for each item of a list; None and UNSET pass through."""
    if values is None or isinstance(values, Unset):
        return values
    return [enum_(cls, v) for v in values]


def models_(cls: type[M], values: Any) -> Any:
    """`model_` for each item of a list; None and UNSET pass through."""
    if values is None or isinstance(values, Unset):
        return values
    return [model_(cls, v) for v in values]


def auth_headers(
    headers: Mapping[str, str] | None,
    *,
    basic: tuple[str, str] | None = None,
    bearer: str | None = None,
) -> Mapping[str, str] | None:
    """`headers` plus an Authorization header: OAuth client authentication or an access token.

    `client_secret_basic` (RFC 6749 section 2.3.1) form-encodes the client id and secret before
    joining them, so a secret with `:` or non-ASCII characters survives.
    """
    if basic is None and bearer is None:
        return headers
    merged = dict(headers or {})
    if basic is not None:
        client_id, secret = basic
        pair = f"{quote_plus(client_id, safe='')}:{quote_plus(secret, safe='')}"
        merged.setdefault("Authorization", f"Basic {base64.b64encode(pair.encode()).decode()}")
    if bearer is not None:
        merged.setdefault("Authorization", f"Bearer {bearer}")
    return merged
