"""Organizations, members and roles (RBAC), and the active organization's token claims."""

from __future__ import annotations

import uuid

import httpx
import pytest
from janua_server.core.audit import audit_events
from janua_server.core.runtime import Runtime
from janua_server.organizations import service as organizations
from janua_server.organizations.permissions import ADMIN, BUILT_IN_GRANTS, MEMBER, OWNER, Grant
from janua_server.settings import Settings
from sqlalchemy import select
from support.orgs import Person, add_member, claims, organization, person, unique_slug
from support.users import PASSWORD


@pytest.fixture
async def app(settings: Settings, open_client):
    opened = open_client(settings)
    async with opened as http:
        yield http, opened.app.state.runtime


def problem_code(response: httpx.Response) -> str:
    return response.json()["code"]


# --- the permission model (no database) -----------------------------------------------------


def test_grants_never_hand_out_more_than_they_hold() -> None:
    owner, admin, member = (BUILT_IN_GRANTS[key] for key in (OWNER, ADMIN, MEMBER))
    billing = Grant(frozenset({"billing:read", "billing:manage"}))
    deleter = Grant(frozenset({"organization:delete"}))
    assert owner.covers(owner) and owner.covers(admin) and owner.covers(deleter)
    # An admin manages admins, members and custom roles, but not owners or deletion.
    assert admin.covers(admin) and admin.covers(member) and admin.covers(billing)
    assert not admin.covers(owner) and not admin.covers(deleter)
    assert not member.covers(billing) and not billing.covers(admin)
    # Owners and admins hold custom permissions applications invent.
    assert admin.allows("projects:write") and not admin.allows("organization:delete")
    assert admin.listed({"projects:write"}) == sorted(
        {*admin.listed(), "projects:write"} - {"organization:delete"}
    )


# --- organizations ------------------------------------------------------------------------


async def test_create_read_update_delete_by_id_and_by_slug(app) -> None:
    http, rt = app
    ada = await person(http, "ada")
    slug = unique_slug()
    created = await http.post(
        "/api/v1/organizations", json={"name": "Acme", "slug": slug}, headers=ada.auth
    )
    assert created.status_code == 201
    org = created.json()
    assert (org["name"], org["slug"], org["role"]) == ("Acme", slug, OWNER)

    taken = await http.post(
        "/api/v1/organizations", json={"name": "Other", "slug": slug}, headers=ada.auth
    )
    assert (taken.status_code, problem_code(taken)) == (409, "CONFLICT_ERROR")
    for bad in ("Upper", "-edge", "edge-", "a" * 64, "sp ace"):
        response = await http.post(
            "/api/v1/organizations", json={"name": "X", "slug": bad}, headers=ada.auth
        )
        assert response.status_code == 422, bad

    listed = (await http.get("/api/v1/organizations", headers=ada.auth)).json()
    assert [(o["id"], o["role"]) for o in listed["data"]] == [(org["id"], OWNER)]
    by_id = (await http.get(f"/api/v1/organizations/{org['id']}", headers=ada.auth)).json()
    by_slug = (await http.get(f"/api/v1/organizations-by-slug/{slug}", headers=ada.auth)).json()
    assert by_id == by_slug == org

    new_slug = unique_slug()
    updated = await http.patch(
        f"/api/v1/organizations/{org['id']}",
        json={"name": "Acme Corp", "slug": new_slug},
        headers=ada.auth,
    )
    assert updated.status_code == 200
    assert (updated.json()["name"], updated.json()["slug"]) == ("Acme Corp", new_slug)
    renamed = await http.patch(
        f"/api/v1/organizations-by-slug/{new_slug}", json={"name": "Acme Inc."}, headers=ada.auth
    )
    assert renamed.json()["name"] == "Acme Inc."
    other = await organization(http, ada)
    clash = await http.patch(
        f"/api/v1/organizations/{other['id']}", json={"slug": new_slug}, headers=ada.auth
    )
    assert clash.status_code == 409
    empty = await http.patch(f"/api/v1/organizations/{org['id']}", json={}, headers=ada.auth)
    assert empty.status_code == 422

    assert (
        await http.delete(f"/api/v1/organizations-by-slug/{new_slug}", headers=ada.auth)
    ).status_code == 204
    gone = await http.get(f"/api/v1/organizations/{org['id']}", headers=ada.auth)
    assert (gone.status_code, problem_code(gone)) == (404, "NOT_FOUND_ERROR")

    async with rt.db.connection() as conn:
        rows = (
            await conn.execute(
                select(audit_events).where(audit_events.c.organization_id == uuid.UUID(org["id"]))
            )
        ).all()
    actions = sorted(row.action for row in rows)
    assert actions == [
        "organization.created",
        "organization.deleted",
        "organization.updated",
        "organization.updated",
    ]
    assert {(row.actor_id, row.target) for row in rows} == {
        (uuid.UUID(ada.id), f"organization:{org['id']}")
    }


async def test_members_need_permissions_and_cannot_climb(app) -> None:
    http, _ = app
    owner, admin, member, outsider = [await person(http, p) for p in ("o", "a", "m", "x")]
    org = await organization(http, owner)
    base = f"/api/v1/organizations/{org['id']}"
    await add_member(http, org, owner, admin, ADMIN)
    added = await http.post(f"{base}/members", json={"user_id": member.id}, headers=admin.auth)
    assert added.status_code == 201
    assert (added.json()["user_id"], added.json()["role"]) == (member.id, MEMBER)

    again = await http.post(f"{base}/members", json={"user_id": member.id}, headers=owner.auth)
    assert again.status_code == 409
    unknown = await http.post(
        f"{base}/members", json={"user_id": str(uuid.uuid4())}, headers=owner.auth
    )
    assert unknown.status_code == 404
    # By email is not offered (it would reveal which addresses have accounts): invite instead.
    by_email = await http.post(
        f"{base}/members", json={"email": outsider.email}, headers=owner.auth
    )
    assert by_email.status_code == 422
    no_role = await http.post(
        f"{base}/members", json={"user_id": outsider.id, "role": "nope"}, headers=owner.auth
    )
    assert (no_role.status_code, no_role.json()["errors"][0]["pointer"]) == (422, "#/role")

    # A member reads but does not manage.
    assert (await http.get(f"{base}/members", headers=member.auth)).status_code == 200
    denied = await http.post(f"{base}/members", json={"user_id": outsider.id}, headers=member.auth)
    assert (denied.status_code, problem_code(denied)) == (403, "AUTHORIZATION_ERROR")
    # An admin cannot make, demote or remove an owner, nor delete the organization.
    for response in (
        await http.post(
            f"{base}/members", json={"user_id": outsider.id, "role": OWNER}, headers=admin.auth
        ),
        await http.patch(f"{base}/members/{member.id}", json={"role": OWNER}, headers=admin.auth),
        await http.patch(f"{base}/members/{owner.id}", json={"role": MEMBER}, headers=admin.auth),
        await http.delete(f"{base}/members/{owner.id}", headers=admin.auth),
        await http.delete(base, headers=admin.auth),
    ):
        assert (response.status_code, problem_code(response)) == (403, "AUTHORIZATION_ERROR")

    # The last owner cannot go, by any road.
    for response in (
        await http.patch(f"{base}/members/{owner.id}", json={"role": ADMIN}, headers=owner.auth),
        await http.delete(f"{base}/members/{owner.id}", headers=owner.auth),
        await http.post(f"{base}/leave", headers=owner.auth),
    ):
        assert (response.status_code, problem_code(response)) == (409, "CONFLICT_ERROR")

    # Ownership moves in one step; then the former owner (now admin) may leave.
    self_transfer = await http.post(
        f"{base}/transfer-ownership", json={"user_id": owner.id}, headers=owner.auth
    )
    assert self_transfer.status_code == 409
    to_outsider = await http.post(
        f"{base}/transfer-ownership", json={"user_id": outsider.id}, headers=owner.auth
    )
    assert (to_outsider.status_code, problem_code(to_outsider)) == (409, "CONFLICT_ERROR")
    by_admin = await http.post(
        f"{base}/transfer-ownership", json={"user_id": admin.id}, headers=admin.auth
    )
    assert by_admin.status_code == 403
    moved = await http.post(
        f"{base}/transfer-ownership", json={"user_id": member.id}, headers=owner.auth
    )
    assert (moved.status_code, moved.json()["role"]) == (200, OWNER)
    former = (await http.get(f"{base}/members/{owner.id}", headers=member.auth)).json()
    assert former["role"] == ADMIN
    assert (await http.post(f"{base}/leave", headers=owner.auth)).status_code == 204
    assert (await http.get(base, headers=owner.auth)).status_code == 404
    assert (await http.delete(f"{base}/members/{admin.id}", headers=member.auth)).status_code == 204

    # The list pages by membership id, newest first; a foreign cursor is 404.
    await add_member(http, org, member, outsider)
    first = (await http.get(f"{base}/members?limit=1", headers=member.auth)).json()
    assert [m["user_id"] for m in first["data"]] == [outsider.id]
    second = (
        await http.get(f"{base}/members?limit=1&cursor={first['next_cursor']}", headers=member.auth)
    ).json()
    assert [m["user_id"] for m in second["data"]] == [member.id]
    assert second["next_cursor"] is None
    stray = await http.get(f"{base}/members?cursor={uuid.uuid4()}", headers=member.auth)
    assert stray.status_code == 404


async def test_custom_roles_and_the_permission_check(app) -> None:
    http, _ = app
    owner, admin, member = [await person(http, p) for p in ("o", "a", "m")]
    org = await organization(http, owner)
    base = f"/api/v1/organizations/{org['id']}"
    await add_member(http, org, owner, admin, ADMIN)
    await add_member(http, org, owner, member)

    roles = (await http.get(f"{base}/roles", headers=member.auth)).json()["data"]
    assert [(r["key"], r["built_in"]) for r in roles] == [
        (OWNER, True),
        (ADMIN, True),
        (MEMBER, True),
    ]
    assert "organization:delete" not in roles[1]["permissions"]

    body = {"key": "billing", "name": "Billing", "permissions": ["billing:read", "projects:write"]}
    assert (await http.post(f"{base}/roles", json=body, headers=member.auth)).status_code == 403
    created = await http.post(f"{base}/roles", json=body, headers=admin.auth)
    assert created.status_code == 201
    assert created.json()["permissions"] == ["billing:read", "projects:write"]
    assert (await http.post(f"{base}/roles", json=body, headers=admin.auth)).status_code == 409
    built_in = await http.post(f"{base}/roles", json=body | {"key": ADMIN}, headers=owner.auth)
    assert built_in.status_code == 409
    escalating = body | {"key": "deleters", "permissions": ["organization:delete"]}
    assert (
        await http.post(f"{base}/roles", json=escalating, headers=admin.auth)
    ).status_code == 403
    dupes = body | {"key": "dupes", "permissions": ["a:b", "a:b"]}
    assert (await http.post(f"{base}/roles", json=dupes, headers=owner.auth)).status_code == 422
    bad = body | {"key": "bad", "permissions": ["NotAPermission"]}
    assert (await http.post(f"{base}/roles", json=bad, headers=owner.auth)).status_code == 422
    # The owner is listed with the custom permission too.
    owner_role = (await http.get(f"{base}/roles/{OWNER}", headers=member.auth)).json()
    assert "projects:write" in owner_role["permissions"]

    async def granted(who: Person, permission: str) -> bool:
        response = await http.get(
            f"{base}/permissions/check", params={"permission": permission}, headers=who.auth
        )
        assert response.status_code == 200, response.text
        assert response.json()["permission"] == permission
        return response.json()["granted"]

    assert await granted(admin, "projects:write") and not await granted(member, "projects:write")
    await http.patch(f"{base}/members/{member.id}", json={"role": "billing"}, headers=admin.auth)
    assert await granted(member, "projects:write") and not await granted(member, "members:read")
    # Changing the role changes its holders' rights at once.
    patched = await http.patch(
        f"{base}/roles/billing", json={"permissions": ["billing:read"]}, headers=admin.auth
    )
    assert patched.status_code == 200
    assert not await granted(member, "projects:write")
    bad_query = await http.get(
        f"{base}/permissions/check", params={"permission": "nope"}, headers=member.auth
    )
    assert bad_query.status_code == 422

    frozen = await http.patch(f"{base}/roles/{MEMBER}", json={"name": "X"}, headers=owner.auth)
    assert frozen.status_code == 409
    assert (await http.delete(f"{base}/roles/{OWNER}", headers=owner.auth)).status_code == 409
    in_use = await http.delete(f"{base}/roles/billing", headers=admin.auth)
    assert (in_use.status_code, problem_code(in_use)) == (409, "CONFLICT_ERROR")
    await http.patch(f"{base}/members/{member.id}", json={"role": MEMBER}, headers=admin.auth)
    assert (await http.delete(f"{base}/roles/billing", headers=admin.auth)).status_code == 204
    assert (await http.get(f"{base}/roles/billing", headers=owner.auth)).status_code == 404


async def test_service_interface_for_other_domains(app) -> None:
    """`membership` (the audit domain checks `audit:read` with it) and `list_all`, which the
    admin domain calls."""
    http, rt = app
    owner, member = await person(http, "o"), await person(http, "m")
    first = await organization(http, owner, name="Zeta Widgets")
    # Unique: the PostgreSQL database is shared by the whole run, and other suites search too.
    tag = uuid.uuid4().hex[:8]
    second = await organization(http, owner, name=f"Alpha 100% Tools {tag}")
    await add_member(http, second, owner, member)
    rt: Runtime
    org_id = uuid.UUID(second["id"])
    async with rt.db.connection() as conn:
        owns = await organizations.membership(conn, org_id, uuid.UUID(owner.id))
        assert owns is not None and owns.grant.allows("audit:read")
        joined = await organizations.membership(conn, org_id, uuid.UUID(member.id))
        assert joined is not None and not joined.grant.allows("audit:read")
        assert (
            await organizations.membership(conn, uuid.UUID(first["id"]), uuid.UUID(member.id))
            is None
        )
        page = await organizations.list_all(conn, limit=1, after=None, query=None)
        assert page is not None and page[1] is True
        found = await organizations.list_all(conn, limit=10, after=None, query=f"100% Tools {tag}")
        assert found is not None and [o.id for o in found[0]] == [org_id]
        assert found[0][0].role is None
        assert await organizations.list_all(conn, limit=5, after=uuid.uuid4(), query=None) is None


# --- the active organization in tokens ------------------------------------------------------


async def _refresh(http: httpx.AsyncClient, who: Person, **extra) -> httpx.Response:
    response = await http.post(
        "/api/v1/auth/token/refresh",
        json={"refresh_token": who.tokens["refresh_token"], **extra},
    )
    if response.status_code == 200:
        who.tokens = response.json()
    return response


async def test_claims_follow_the_membership_at_every_refresh(app) -> None:
    http, rt = app
    owner, grace = await person(http, "o"), await person(http, "g")
    org = await organization(http, owner)
    foreign = await organization(http, owner)
    await add_member(http, org, owner, grace, ADMIN)
    assert "org_id" not in claims(grace.tokens["access_token"])

    previous = grace.tokens
    switched = await http.post(
        "/api/v1/auth/organization", json={"organization_id": org["id"]}, headers=grace.auth
    )
    assert switched.status_code == 200
    grace.tokens = switched.json()
    token = claims(grace.tokens["access_token"])
    assert (token["org_id"], token["org_role"]) == (org["id"], ADMIN)
    assert "members:manage" in token["org_permissions"]
    assert "organization:delete" not in token["org_permissions"]

    # Refreshing keeps the organization; a demotion shows at the next refresh.
    assert (await _refresh(http, grace)).status_code == 200
    assert claims(grace.tokens["access_token"])["org_role"] == ADMIN
    await http.patch(
        f"/api/v1/organizations/{org['id']}/members/{grace.id}",
        json={"role": MEMBER},
        headers=owner.auth,
    )
    assert (await _refresh(http, grace)).status_code == 200
    demoted = claims(grace.tokens["access_token"])
    assert (demoted["org_role"], demoted["org_permissions"]) == (
        MEMBER,
        ["members:read", "roles:read"],
    )

    # Not a member: 404, and the refresh token was not used up.
    for response in (
        await http.post(
            "/api/v1/auth/organization", json={"organization_id": foreign["id"]}, headers=grace.auth
        ),
        await http.post(
            "/api/v1/auth/token/refresh",
            json={"refresh_token": grace.tokens["refresh_token"], "organization_id": foreign["id"]},
        ),
    ):
        assert (response.status_code, problem_code(response)) == (404, "NOT_FOUND_ERROR")

    # A removal drops the claims at the next refresh, and the session forgets the organization.
    await http.delete(f"/api/v1/organizations/{org['id']}/members/{grace.id}", headers=owner.auth)
    assert (await _refresh(http, grace)).status_code == 200
    assert "org_id" not in claims(grace.tokens["access_token"])
    await add_member(http, org, owner, grace)
    assert (await _refresh(http, grace)).status_code == 200
    assert "org_id" not in claims(grace.tokens["access_token"])

    # Choosing at refresh, and clearing with null.
    assert (await _refresh(http, grace, organization_id=org["id"])).status_code == 200
    assert claims(grace.tokens["access_token"])["org_role"] == MEMBER
    assert (await _refresh(http, grace, organization_id=None)).status_code == 200
    assert "org_id" not in claims(grace.tokens["access_token"])

    # The switch retired the refresh token it replaced: presenting it again is reuse.
    reused = await http.post(
        "/api/v1/auth/token/refresh", json={"refresh_token": previous["refresh_token"]}
    )
    assert reused.status_code == 401
    async with rt.db.connection() as conn:
        switched_events = (
            await conn.execute(
                select(audit_events.c.organization_id).where(
                    audit_events.c.action == "organization.switched",
                    audit_events.c.user_id == uuid.UUID(grace.id),
                )
            )
        ).all()
    assert len(switched_events) == 3


async def test_a_browser_session_switches_through_its_cookie(app) -> None:
    http, _ = app
    owner = await person(http, "o")
    org = await organization(http, owner)
    login = await http.post(
        "/api/v1/auth/login",
        json={"email": owner.email, "password": PASSWORD, "token_transport": "cookie"},
    )
    jar = {name: value for name, value in login.cookies.items()}
    headers = {
        "Authorization": f"Bearer {login.json()['tokens']['access_token']}",
        "Cookie": "; ".join(f"{name}={value}" for name, value in jar.items()),
    }
    switched = await http.post(
        "/api/v1/auth/organization", json={"organization_id": org["id"]}, headers=headers
    )
    assert switched.status_code == 200
    assert "refresh_token" not in switched.json()
    assert switched.json()["csrf_token"] == jar["__Host-janua_csrf"]
    new_refresh = switched.cookies.get("__Host-janua_refresh")
    assert new_refresh and new_refresh != jar["__Host-janua_refresh"]
    assert claims(switched.json()["access_token"])["org_role"] == OWNER
    # The cookie's successor refreshes (with CSRF), and the organization stays chosen.
    refreshed = await http.post(
        "/api/v1/auth/token/refresh",
        json={},
        headers={
            "Cookie": f"__Host-janua_refresh={new_refresh}; "
            f"__Host-janua_csrf={jar['__Host-janua_csrf']}",
            "X-CSRF-Token": jar["__Host-janua_csrf"],
        },
    )
    assert refreshed.status_code == 200
    assert claims(refreshed.json()["access_token"])["org_id"] == org["id"]
