"""The password policy (NIST SP 800-63B): length, not the email, not a common password, any
Unicode; applied where passwords are chosen."""

from __future__ import annotations

import httpx
import pytest
from janua_server.accounts.policy import check_password, problems
from janua_server.core.errors import ApiError
from support.users import unique_email

EMAIL = "Ada.Lovelace@Example.com"


def refused(password: str, *, email: str | None = EMAIL, min_length: int = 12) -> bool:
    return bool(problems(password, email=email, min_length=min_length))


def test_too_short_is_refused() -> None:
    assert refused("eleven char")
    assert not refused("twelve chars")
    assert refused("twelve chars", min_length=13)


def test_length_counts_characters_not_bytes() -> None:
    # 11 characters of 2-4 UTF-8 bytes each: still too short.
    assert refused("пароль-🔑-ab")
    assert not refused("пароль-🔑-abc")


def test_the_email_or_its_local_part_is_refused_in_any_case() -> None:
    assert refused("ada.lovelace@example.com")
    assert refused("ADA.LOVELACE@EXAMPLE.COM")
    assert refused("  Ada.Lovelace@Example.com ")
    assert refused("ada.lovelace", min_length=8)
    assert refused("ADA.LOVELACE", min_length=8)
    assert not refused("ada.lovelace@example.com", email="someone.else@example.com")


@pytest.mark.parametrize(
    "password",
    # The last two are not on the list as written, only in lower case.
    ["password1234", "123456789012", "qwertyuiopasdfgh", "PaSsWoRd1234", "IloveYou1234"],
)
def test_common_passwords_are_refused(password: str) -> None:
    assert refused(password)


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "Zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich",
        "日本語のとても長いパスフレーズです",
        "пароль-🔑-" * 20,
        "x" * 64 + " and then some more words",
        "a" + "b" * 200 + "c",
    ],
)
def test_long_and_unicode_passwords_are_accepted(password: str) -> None:
    assert not refused(password)


def test_no_composition_rules() -> None:
    # All lower case, no digit, no symbol: fine when long and uncommon.
    assert not refused("plain lowercase words are fine")


def test_a_refusal_is_a_validation_error_at_the_given_pointer() -> None:
    with pytest.raises(ApiError) as caught:
        check_password("password1234", email=EMAIL, min_length=12, pointer="#/new_password")
    error = caught.value
    assert error.status == 422
    assert error.code.value == "VALIDATION_ERROR"
    assert [e.pointer for e in error.errors or []] == ["#/new_password"]
    check_password("correct horse battery staple", email=EMAIL, min_length=12, pointer="#/p")


@pytest.mark.parametrize("password", ["password1234", "iloveyou1234"])
async def test_register_refuses_common_passwords(client: httpx.AsyncClient, password: str) -> None:
    response = await client.post(
        "/api/v1/auth/register", json={"email": unique_email(), "password": password}
    )
    assert response.status_code == 422, response.text
    assert [e["pointer"] for e in response.json()["errors"]] == ["#/password"]


async def test_register_refuses_the_email_as_password(client: httpx.AsyncClient) -> None:
    email = unique_email()
    response = await client.post(
        "/api/v1/auth/register", json={"email": email, "password": email.upper()}
    )
    assert response.status_code == 422
    assert [e["pointer"] for e in response.json()["errors"]] == ["#/password"]


async def test_register_honours_password_min_length(make_settings, open_client) -> None:
    async with open_client(make_settings(PASSWORD_MIN_LENGTH="20")) as http:
        short = await http.post(
            "/api/v1/auth/register",
            json={"email": unique_email(), "password": "nineteen characters"},
        )
        assert short.status_code == 422
        assert [e["pointer"] for e in short.json()["errors"]] == ["#/password"]
        ok = await http.post(
            "/api/v1/auth/register",
            json={"email": unique_email(), "password": "twenty characters ok"},
        )
        assert ok.status_code == 201
