"""Organization test helpers: signed-in people, organizations, and reading token claims."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass

import httpx

from support.users import PASSWORD, bearer, register, unique_email


@dataclass
class Person:
    id: str
    email: str
    tokens: dict

    @property
    def auth(self) -> dict[str, str]:
        return bearer(self.tokens["access_token"])


async def person(http: httpx.AsyncClient, prefix: str = "user") -> Person:
    created = await register(http, unique_email(prefix), PASSWORD)
    return Person(created["user"]["id"], created["user"]["email"], created["tokens"])


def unique_slug(prefix: str = "org") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def organization(http: httpx.AsyncClient, owner: Person, name: str = "Acme") -> dict:
    response = await http.post(
        "/api/v1/organizations", json={"name": name, "slug": unique_slug()}, headers=owner.auth
    )
    assert response.status_code == 201, response.text
    return response.json()


async def add_member(
    http: httpx.AsyncClient, org: dict, by: Person, who: Person, role: str = "member"
) -> dict:
    response = await http.post(
        f"/api/v1/organizations/{org['id']}/members",
        json={"user_id": who.id, "role": role},
        headers=by.auth,
    )
    assert response.status_code == 201, response.text
    return response.json()


def claims(access_token: str) -> dict:
    """The payload of a JWT, unverified (the tests only read what the server put there)."""
    payload = access_token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
