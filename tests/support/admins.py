"""Platform admin test helpers: an app with its runtime at hand, and signed-in admins."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from fastapi import FastAPI
from janua_server.admin import service as admin_service
from janua_server.core.runtime import Runtime

from support.orgs import Person
from support.users import PASSWORD, unique_email


@dataclass
class Site:
    """A running app (lifespan entered) and a client wired into it."""

    app: FastAPI
    http: httpx.AsyncClient

    @property
    def runtime(self) -> Runtime:
        return self.app.state.runtime


async def sign_in(http: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return await http.post("/api/v1/auth/login", json={"email": email, "password": password})


async def admin(site: Site, prefix: str = "admin") -> Person:
    """A new platform admin, created as the operator would (`janua create-admin`), signed in."""
    email = unique_email(prefix)
    user_id = await admin_service.create_admin(
        site.runtime.db, site.runtime.settings, email=email, password=PASSWORD, via="test"
    )
    signed_in = await sign_in(site.http, email)
    assert signed_in.status_code == 200, signed_in.text
    return Person(str(user_id), email, signed_in.json()["tokens"])
