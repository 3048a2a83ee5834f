"""Tenant isolation: the owner and an admin of organization A can neither read nor change nor
delete anything of organization B, whether they name it by id, by slug, inside A's own paths
or in a query parameter or body. Every attempt is 404 NOT_FOUND_ERROR, exactly as for
something that does not exist (a 403 would reveal that it does), and B is unchanged after.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest
from janua_server.settings import Settings
from support.orgs import Person, add_member, organization, person
from support.users import unique_email


@dataclass
class World:
    a: dict
    a_owner: Person
    a_admin: Person
    b: dict
    b_owner: Person
    b_member: Person
    b_membership_id: str
    b_invitation_id: str


@pytest.fixture
async def http(settings: Settings, open_client):
    async with open_client(settings) as client:
        yield client


@pytest.fixture
async def world(http: httpx.AsyncClient) -> World:
    a_owner, a_admin, b_owner, b_member = [await person(http, p) for p in ("ao", "aa", "bo", "bm")]
    a, b = await organization(http, a_owner, "A"), await organization(http, b_owner, "B")
    await add_member(http, a, a_owner, a_admin, "admin")
    membership = await add_member(http, b, b_owner, b_member)
    role = await http.post(
        f"/api/v1/organizations/{b['id']}/roles",
        json={"key": "b-only", "name": "B only", "permissions": ["members:read"]},
        headers=b_owner.auth,
    )
    assert role.status_code == 201
    invitation = await http.post(
        f"/api/v1/organizations/{b['id']}/invitations",
        json={"email": unique_email("b-invitee"), "role": "b-only"},
        headers=b_owner.auth,
    )
    assert invitation.status_code == 201
    return World(
        a, a_owner, a_admin, b, b_owner, b_member, membership["id"], invitation.json()["id"]
    )


B = "/api/v1/organizations/{b}"
A = "/api/v1/organizations/{a}"
SLUG = "/api/v1/organizations-by-slug/{b_slug}"

# (operationId, method, path, JSON body); placeholders are filled from the world and caller.
OPERATIONS = [
    ("getOrganization", "GET", B, None),
    ("updateOrganization", "PATCH", B, {"name": "Taken over"}),
    ("deleteOrganization", "DELETE", B, None),
    ("getOrganizationBySlug", "GET", SLUG, None),
    ("updateOrganizationBySlug", "PATCH", SLUG, {"slug": "taken-over"}),
    ("deleteOrganizationBySlug", "DELETE", SLUG, None),
    ("listOrganizationMembers", "GET", B + "/members", None),
    ("addOrganizationMember", "POST", B + "/members", {"user_id": "{caller}", "role": "owner"}),
    ("getOrganizationMember", "GET", B + "/members/{b_owner}", None),
    ("updateOrganizationMember", "PATCH", B + "/members/{b_member}", {"role": "admin"}),
    ("removeOrganizationMember", "DELETE", B + "/members/{b_member}", None),
    ("leaveOrganization", "POST", B + "/leave", None),
    ("transferOrganizationOwnership", "POST", B + "/transfer-ownership", {"user_id": "{caller}"}),
    ("listOrganizationRoles", "GET", B + "/roles", None),
    (
        "createOrganizationRole",
        "POST",
        B + "/roles",
        {"key": "intruder", "name": "Intruder", "permissions": ["members:read"]},
    ),
    ("getOrganizationRole", "GET", B + "/roles/b-only", None),
    ("updateOrganizationRole", "PATCH", B + "/roles/b-only", {"permissions": []}),
    ("deleteOrganizationRole", "DELETE", B + "/roles/b-only", None),
    ("checkOrganizationPermission", "GET", B + "/permissions/check?permission=members:read", None),
    ("listOrganizationInvitations", "GET", B + "/invitations", None),
    (
        "createOrganizationInvitation",
        "POST",
        B + "/invitations",
        {"email": "intruder@example.com", "role": "member"},
    ),
    ("getOrganizationInvitation", "GET", B + "/invitations/{b_invitation}", None),
    ("revokeOrganizationInvitation", "DELETE", B + "/invitations/{b_invitation}", None),
    ("resendOrganizationInvitation", "POST", B + "/invitations/{b_invitation}/resend", None),
    ("switchOrganization", "POST", "/api/v1/auth/organization", {"organization_id": "{b}"}),
    (
        "refreshToken",
        "POST",
        "/api/v1/auth/token/refresh",
        {"refresh_token": "{refresh}", "organization_id": "{b}"},
    ),
    # B's things through A's own paths: sub-resources are scoped to their organization.
    ("getOrganizationMember via A", "GET", A + "/members/{b_member}", None),
    ("updateOrganizationMember via A", "PATCH", A + "/members/{b_member}", {"role": "member"}),
    ("removeOrganizationMember via A", "DELETE", A + "/members/{b_member}", None),
    ("getOrganizationRole via A", "GET", A + "/roles/b-only", None),
    ("updateOrganizationRole via A", "PATCH", A + "/roles/b-only", {"name": "Mine"}),
    ("deleteOrganizationRole via A", "DELETE", A + "/roles/b-only", None),
    ("getOrganizationInvitation via A", "GET", A + "/invitations/{b_invitation}", None),
    ("revokeOrganizationInvitation via A", "DELETE", A + "/invitations/{b_invitation}", None),
    ("resendOrganizationInvitation via A", "POST", A + "/invitations/{b_invitation}/resend", None),
    # B's ids as query parameters (cursors) of lists the caller may read.
    ("listOrganizations cursor", "GET", "/api/v1/organizations?cursor={b}", None),
    ("listOrganizationMembers cursor", "GET", A + "/members?cursor={b_membership}", None),
    ("listOrganizationInvitations cursor", "GET", A + "/invitations?cursor={b_invitation}", None),
]


def _fill(template, world: World, caller: Person):
    values = {
        "a": world.a["id"],
        "b": world.b["id"],
        "b_slug": world.b["slug"],
        "b_owner": world.b_owner.id,
        "b_member": world.b_member.id,
        "b_membership": world.b_membership_id,
        "b_invitation": world.b_invitation_id,
        "caller": caller.id,
        "refresh": caller.tokens["refresh_token"],
    }
    if isinstance(template, str):
        return template.format(**values)
    if isinstance(template, dict):
        return {key: _fill(value, world, caller) for key, value in template.items()}
    return template


async def snapshot_of_b(http: httpx.AsyncClient, world: World) -> dict:
    """Everything B's owner can see of B."""
    base = f"/api/v1/organizations/{world.b['id']}"
    auth = world.b_owner.auth
    views = {}
    for path in ("", "/members", "/roles", "/invitations", "/permissions/check?permission=x:y"):
        response = await http.get(base + path, headers=auth)
        assert response.status_code == 200, (path, response.text)
        views[path] = response.json()
    return views


@pytest.mark.parametrize(
    ("operation", "method", "path", "body"), OPERATIONS, ids=[op[0] for op in OPERATIONS]
)
async def test_a_cannot_reach_b(
    http: httpx.AsyncClient, world: World, operation: str, method: str, path: str, body
) -> None:
    before = await snapshot_of_b(http, world)
    for caller in (world.a_owner, world.a_admin):
        response = await http.request(
            method,
            _fill(path, world, caller),
            json=_fill(body, world, caller),
            headers=caller.auth,
        )
        assert response.status_code == 404, (operation, caller.email, response.text)
        assert response.json()["code"] == "NOT_FOUND_ERROR"
    assert await snapshot_of_b(http, world) == before
    # The callers still have their own organization (nothing they did touched A either).
    for caller in (world.a_owner, world.a_admin):
        own = await http.get(f"/api/v1/organizations/{world.a['id']}", headers=caller.auth)
        assert own.status_code == 200
