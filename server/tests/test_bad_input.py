"""Bad input gets a documented 4xx problem, never a 500 and never a half-written account."""

from __future__ import annotations

import httpx
import pytest
from support.users import PASSWORD, bearer, register, unique_email

PROBLEM = "application/problem+json"


async def assert_problem(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["request_id"] == response.headers["x-request-id"]
    return body


async def test_malformed_json_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/register", content=b'{"email": ', headers={"content-type": "application/json"}
    )
    await assert_problem(response, 400, "BAD_REQUEST")


async def test_non_json_constants_are_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/login",
        content=b'{"email": "a@example.com", "password": NaN}',
        headers={"content-type": "application/json"},
    )
    await assert_problem(response, 400, "BAD_REQUEST")


async def test_wrong_media_type_is_415(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/login", content=b"email=a&password=b", headers={"content-type": "text/plain"}
    )
    await assert_problem(response, 415, "BAD_REQUEST")


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"email": "a@example.com", "password": 123456789012345}, "#/password"),  # no coercion
        ({"email": "a@example.com", "password": True}, "#/password"),
        ({"email": "not-an-email", "password": PASSWORD}, "#/email"),
        ({"email": "a@example.com", "password": "short"}, "#/password"),
        ({"email": "a@example.com", "password": PASSWORD, "is_admin": True}, "#/is_admin"),
        ({"email": "a@example.com", "password": PASSWORD, "name": "tab\there"}, "#/name"),
        ({"email": "a@example.com", "password": PASSWORD, "name": None}, "#/name"),
        ({"password": PASSWORD}, "#/email"),
        ([], "#"),
    ],
)
async def test_schema_violations_are_422_with_field_pointers(
    client: httpx.AsyncClient, body: object, pointer: str
) -> None:
    response = await client.post("/api/v1/auth/register", json=body)
    problem = await assert_problem(response, 422, "VALIDATION_ERROR")
    assert pointer in [error["pointer"] for error in problem["errors"]]


async def test_invalid_parameters_are_422_naming_the_parameter(client: httpx.AsyncClient) -> None:
    tokens = (await register(client))["tokens"]
    response = await client.get(
        "/api/v1/organizations/not-a-uuid", headers=bearer(tokens["access_token"])
    )
    problem = await assert_problem(response, 422, "VALIDATION_ERROR")
    # The bad value is in the path: the answer must not send the caller looking in a body.
    assert problem["detail"] == "The request has 1 invalid parameter."
    assert problem["errors"][0]["pointer"] == "#/path/organization_id"


async def test_unknown_fields_cannot_escalate(client: httpx.AsyncClient) -> None:
    email = unique_email()
    response = await client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "email_verified": True},
    )
    await assert_problem(response, 422, "VALIDATION_ERROR")
    # Nothing was written: the address is still free.
    again = await client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD})
    assert again.status_code == 201


async def test_bodies_over_one_mib_are_413(client: httpx.AsyncClient) -> None:
    big = b'{"email": "a@example.com", "password": "' + b"x" * (1024 * 1024) + b'"}'
    response = await client.post(
        "/api/v1/auth/login", content=big, headers={"content-type": "application/json"}
    )
    await assert_problem(response, 413, "BAD_REQUEST")


async def test_streamed_bodies_over_one_mib_are_413(client: httpx.AsyncClient) -> None:
    async def chunks():
        yield b'{"refresh_token": "'
        for _ in range(20):
            yield b"x" * 65536
        yield b'"}'

    response = await client.post(
        "/api/v1/auth/token/refresh", content=chunks(), headers={"content-type": "application/json"}
    )
    await assert_problem(response, 413, "BAD_REQUEST")


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (None, "AUTHENTICATION_ERROR"),
        ("Basic dXNlcjpwYXNz", "AUTHENTICATION_ERROR"),
        ("Bearer", "AUTHENTICATION_ERROR"),
        ("Bearer not-a-jwt", "TOKEN_ERROR"),
        # alg "none", unsigned: must never be accepted
        ("Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4Iiwic2lkIjoieCJ9.", "TOKEN_ERROR"),
    ],
)
async def test_me_without_a_valid_token_is_401(
    client: httpx.AsyncClient, header: str | None, code: str
) -> None:
    headers = {"Authorization": header} if header else {}
    response = await client.get("/api/v1/auth/me", headers=headers)
    await assert_problem(response, 401, code)
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_unknown_paths_and_methods_are_problems(client: httpx.AsyncClient) -> None:
    await assert_problem(await client.get("/api/v1/nope"), 404, "NOT_FOUND_ERROR")
    response = await client.delete("/api/v1/auth/me")
    await assert_problem(response, 405, "BAD_REQUEST")
    assert response.headers["allow"] == "GET, PATCH"


async def test_unknown_refresh_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/auth/token/refresh", json={"refresh_token": "x" * 43})
    await assert_problem(response, 401, "TOKEN_ERROR")


async def test_a_bug_is_a_bare_500_problem_with_a_request_id(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from janua_server.sessions import service

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret-internal-detail")

    monkeypatch.setattr(service, "login", broken)
    response = await client.post(
        "/api/v1/auth/login", json={"email": "a@example.com", "password": "hunter2-hunter2"}
    )
    body = await assert_problem(response, 500, "INTERNAL_ERROR")
    assert "secret-internal-detail" not in response.text
    assert response.headers["cache-control"] == "no-store"
    # The log names the failure but never the request body (the password).
    assert "RuntimeError" in caplog.text
    assert "hunter2" not in caplog.text
    assert body["request_id"] in caplog.text


@pytest.mark.parametrize("domain", ["corp.local", "build.test", "example.invalid", "localhost"])
async def test_internal_and_special_use_domains_are_valid_addresses(
    client: httpx.AsyncClient, domain: str
) -> None:
    local = unique_email().split("@")[0]
    response = await client.post(
        "/api/v1/auth/register", json={"email": f"{local}@{domain}", "password": PASSWORD}
    )
    assert response.status_code == 201, response.text
