"""The admin API: only enabled platform admins, the user directory (search, filters, pages),
account changes and what they do to sign-in and sessions, and the audit trail they leave."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator

import pytest
from janua_server.core.audit import audit_events
from janua_server.sessions.tables import auth_sessions
from sqlalchemy import func, select
from support.admins import Site, admin, sign_in
from support.orgs import Person, add_member, organization, person
from support.users import PASSWORD, bearer, unique_email

WRONG = "not the password at all"
SOME_ID = "6f1c2a7e-4b8d-4e2a-9c3f-1d2e3f4a5b6c"

# Every admin operation, as (method, path, body): for the 401/403 sweep.
ADMIN_OPERATIONS = [
    ("GET", "/api/v1/users", None),
    ("GET", "/api/v1/admin/users", None),
    ("GET", f"/api/v1/admin/users/{SOME_ID}", None),
    ("PATCH", f"/api/v1/admin/users/{SOME_ID}", {"is_admin": True}),
    ("DELETE", f"/api/v1/admin/users/{SOME_ID}", None),
    ("POST", f"/api/v1/admin/users/{SOME_ID}/disable", None),
    ("POST", f"/api/v1/admin/users/{SOME_ID}/enable", None),
    ("POST", f"/api/v1/admin/users/{SOME_ID}/unlock", None),
    ("POST", f"/api/v1/admin/users/{SOME_ID}/verify-email", None),
    ("DELETE", f"/api/v1/admin/users/{SOME_ID}/sessions", None),
    ("GET", "/api/v1/admin/organizations", None),
    ("GET", "/api/v1/admin/stats", None),
]


@pytest.fixture
async def site(settings, open_client) -> AsyncIterator[Site]:
    app = open_client(settings)
    async with app as http:
        yield Site(app.app, http)


async def signup(site: Site, name: str | None = None, email: str | None = None) -> Person:
    body = {"email": email or unique_email(), "password": PASSWORD}
    if name is not None:
        body["name"] = name
    created = await site.http.post("/api/v1/auth/register", json=body)
    assert created.status_code == 201, created.text
    user = created.json()["user"]
    return Person(user["id"], user["email"], created.json()["tokens"])


async def events(site: Site, **where) -> list:
    conditions = [getattr(audit_events.c, key) == value for key, value in where.items()]
    async with site.runtime.db.connection() as conn:
        rows = await conn.execute(
            select(audit_events).where(*conditions).order_by(audit_events.c.created_at)
        )
        return list(rows)


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_OPERATIONS)
async def test_every_admin_operation_needs_a_platform_admin(
    site: Site, method: str, path: str, body: dict | None
) -> None:
    anonymous = await site.http.request(method, path, json=body)
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "AUTHENTICATION_ERROR"

    user = await person(site.http)
    refused = await site.http.request(method, path, json=body, headers=user.auth)
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "AUTHORIZATION_ERROR"
    assert refused.headers["content-type"] == "application/problem+json"

    garbage = await site.http.request(method, path, json=body, headers=bearer("not.a.jwt"))
    assert garbage.status_code == 401
    assert garbage.json()["code"] == "TOKEN_ERROR"


async def test_an_admin_reads_users_with_status_and_role(site: Site) -> None:
    boss = await admin(site)
    ada = await signup(site, name="Ada Lovelace")
    got = await site.http.get(f"/api/v1/admin/users/{ada.id}", headers=boss.auth)
    assert got.status_code == 200
    body = got.json()
    assert body["email"] == ada.email
    assert body["name"] == "Ada Lovelace"
    assert (body["is_admin"], body["disabled_at"], body["email_verified"]) == (False, None, False)
    me = (await site.http.get(f"/api/v1/admin/users/{boss.id}", headers=boss.auth)).json()
    assert (me["is_admin"], me["email_verified"]) == (True, True)

    missing = await site.http.get(f"/api/v1/admin/users/{uuid.uuid4()}", headers=boss.auth)
    assert missing.status_code == 404
    assert missing.json()["code"] == "NOT_FOUND_ERROR"
    bad = await site.http.get("/api/v1/admin/users/not-a-uuid", headers=boss.auth)
    assert bad.status_code == 422


async def test_search_takes_wildcards_quotes_and_backslashes_literally(site: Site) -> None:
    boss = await admin(site)
    tag = uuid.uuid4().hex[:8]
    names = {
        "percent": f"{tag} 50% off",
        "percent_decoy": f"{tag} 50X off",
        "underscore": f"{tag} snake_case",
        "underscore_decoy": f"{tag} snakeXcase",
        "quote": f"{tag} O'Brien",
        "backslash": f"{tag} back\\slash",
        "backslash_decoy": f"{tag} backslash",
        "double_quote": f'{tag} say "hi"',
    }
    people = {key: await signup(site, name=name) for key, name in names.items()}
    by_id = {p.id: key for key, p in people.items()}

    async def found(q: str) -> set[str]:
        response = await site.http.get(
            "/api/v1/admin/users", params={"q": q, "limit": 100}, headers=boss.auth
        )
        assert response.status_code == 200, response.text
        return {by_id[u["id"]] for u in response.json()["data"] if u["id"] in by_id}

    assert await found("50%") == {"percent"}
    assert await found("e_c") == {"underscore"}
    assert await found("o'brien") == {"quote"}
    assert await found("k\\s") == {"backslash"}
    assert await found('"hi"') == {"double_quote"}
    assert await found("%") == {"percent"}
    assert await found("_") == {"underscore"}
    assert await found(tag.upper()) == set(names)  # case-insensitive

    # The email address is searched too, with the same literal matching.
    marked = await signup(site, email=f"a_b-{tag}@example.com")
    decoy = await signup(site, email=f"aXb-{tag}@example.com")
    by_id |= {marked.id: "email", decoy.id: "email_decoy"}
    assert await found(f"A_B-{tag}") == {"email"}
    assert await found("a_b-") == {"email"}


async def test_the_list_pages_newest_first_and_both_paths_agree(site: Site) -> None:
    boss = await admin(site)
    tag = uuid.uuid4().hex[:8]
    created = [await signup(site, name=f"{tag} member {i}") for i in range(5)]

    seen, cursor = [], None
    while True:
        params = {"q": tag, "limit": 2} | ({"cursor": cursor} if cursor else {})
        page = await site.http.get("/api/v1/admin/users", params=params, headers=boss.auth)
        assert page.status_code == 200
        assert len(page.json()["data"]) <= 2
        seen += page.json()["data"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert [u["id"] for u in seen] == [p.id for p in reversed(created)]

    users_namespace = await site.http.get(
        "/api/v1/users", params={"q": tag, "limit": 100}, headers=boss.auth
    )
    assert users_namespace.status_code == 200
    assert users_namespace.json()["data"] == seen

    unknown = await site.http.get(
        "/api/v1/admin/users", params={"cursor": str(uuid.uuid4())}, headers=boss.auth
    )
    assert unknown.status_code == 404


async def test_filters_combine(site: Site) -> None:
    boss = await admin(site)
    tag = uuid.uuid4().hex[:8]
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    plain = await signup(site, name=f"{tag} plain")
    verified = await signup(site, name=f"{tag} verified")
    blocked = await signup(site, name=f"{tag} blocked")
    promoted = await signup(site, name=f"{tag} promoted")
    auth = boss.auth
    ok = await site.http.post(f"/api/v1/admin/users/{verified.id}/verify-email", headers=auth)
    assert ok.status_code == 200 and ok.json()["email_verified"] is True
    ok = await site.http.post(f"/api/v1/admin/users/{blocked.id}/disable", headers=auth)
    assert ok.status_code == 200 and ok.json()["disabled_at"] is not None
    ok = await site.http.patch(
        f"/api/v1/admin/users/{promoted.id}", json={"is_admin": True}, headers=auth
    )
    assert ok.status_code == 200 and ok.json()["is_admin"] is True

    async def ids(**params) -> set[str]:
        response = await site.http.get(
            "/api/v1/admin/users", params={"q": tag, "limit": 100, **params}, headers=auth
        )
        assert response.status_code == 200, response.text
        return {u["id"] for u in response.json()["data"]}

    everyone = {plain.id, verified.id, blocked.id, promoted.id}
    assert await ids() == everyone
    assert await ids(status="disabled") == {blocked.id}
    assert await ids(status="active") == everyone - {blocked.id}
    assert await ids(email_verified="true") == {verified.id}
    assert await ids(email_verified="false", status="active") == {plain.id, promoted.id}
    assert await ids(is_admin="true") == {promoted.id}
    assert await ids(created_after=before.isoformat()) == everyone
    assert await ids(created_before=before.isoformat()) == set()
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).astimezone(
        dt.timezone(dt.timedelta(hours=5))
    )
    assert await ids(created_before=later.isoformat()) == everyone

    for params in (
        {"status": "locked"},
        {"created_after": "2026-01-01T00:00:00"},  # no offset: not RFC 3339
        {"created_after": "0001-01-01T00:00:00+01:00"},  # before what UTC can say
        {"q": ""},
        {"q": "a\x00b"},
        {"q": "x" * 255},
        {"limit": 101},
    ):
        refused = await site.http.get("/api/v1/admin/users", params=params, headers=auth)
        assert refused.status_code == 422, (params, refused.text)
        assert refused.json()["code"] == "VALIDATION_ERROR"


async def test_disabling_ends_sessions_and_refuses_only_the_right_password(site: Site) -> None:
    boss = await admin(site)
    victim = await signup(site)
    second = (await sign_in(site.http, victim.email)).json()["tokens"]

    disabled = await site.http.post(f"/api/v1/admin/users/{victim.id}/disable", headers=boss.auth)
    assert disabled.status_code == 200
    for tokens in (victim.tokens, second):
        me = await site.http.get("/api/v1/auth/me", headers=bearer(tokens["access_token"]))
        assert me.status_code == 401
        refresh = await site.http.post(
            "/api/v1/auth/token/refresh", json={"refresh_token": tokens["refresh_token"]}
        )
        assert refresh.status_code == 401

    right = await sign_in(site.http, victim.email)
    assert right.status_code == 401
    assert right.json()["detail"] == "This account is disabled."
    wrong = await sign_in(site.http, victim.email, WRONG)
    assert wrong.status_code == 401
    assert wrong.json()["detail"] == "Invalid email or password."

    again = await site.http.post(f"/api/v1/admin/users/{victim.id}/disable", headers=boss.auth)
    assert again.status_code == 200  # idempotent
    assert again.json()["disabled_at"] == disabled.json()["disabled_at"]

    enabled = await site.http.post(f"/api/v1/admin/users/{victim.id}/enable", headers=boss.auth)
    assert enabled.status_code == 200 and enabled.json()["disabled_at"] is None
    assert (await sign_in(site.http, victim.email)).status_code == 200

    actions = [e.action for e in await events(site, target=f"user:{victim.id}")]
    assert actions == ["admin.user_disabled", "admin.user_enabled"]
    refusal = [
        e
        for e in await events(site, user_id=uuid.UUID(victim.id), action="login.failed")
        if e.details
    ]
    assert [e.details for e in refusal] == [{"reason": "account_disabled"}]


async def test_an_admin_cannot_disable_demote_or_delete_themselves(site: Site) -> None:
    boss = await admin(site)
    base = f"/api/v1/admin/users/{boss.id}"
    for method, path, body in (
        ("POST", f"{base}/disable", None),
        ("DELETE", base, None),
        ("PATCH", base, {"is_admin": False}),
    ):
        refused = await site.http.request(method, path, json=body, headers=boss.auth)
        assert refused.status_code == 409, (method, path)
        assert refused.json()["code"] == "CONFLICT_ERROR"
    me = (await site.http.get(base, headers=boss.auth)).json()
    assert (me["is_admin"], me["disabled_at"]) == (True, None)
    # Changing other fields of one's own account is fine.
    renamed = await site.http.patch(base, json={"name": "The Boss"}, headers=boss.auth)
    assert renamed.status_code == 200 and renamed.json()["name"] == "The Boss"


async def test_the_only_owner_of_an_organization_cannot_be_deleted(site: Site) -> None:
    boss = await admin(site)
    founder = await signup(site)
    partner = await signup(site)
    org = await organization(site.http, founder)
    path = f"/api/v1/admin/users/{founder.id}"

    refused = await site.http.delete(path, headers=boss.auth)
    assert refused.status_code == 409 and refused.json()["code"] == "CONFLICT_ERROR"
    # Nothing happened: the founder can still sign in and still owns the organization.
    assert (await sign_in(site.http, founder.email)).status_code == 200
    assert (await site.http.get(path, headers=boss.auth)).json()["disabled_at"] is None

    # With a second owner the organization survives the founder's deletion.
    await add_member(site.http, org, founder, partner, role="owner")
    assert (await site.http.delete(path, headers=boss.auth)).status_code == 204
    still = await site.http.get(f"/api/v1/organizations/{org['id']}", headers=partner.auth)
    assert still.status_code == 200


async def test_promotion_and_demotion_apply_at_the_next_request(site: Site) -> None:
    boss = await admin(site)
    helper = await signup(site)
    stats = "/api/v1/admin/stats"
    assert (await site.http.get(stats, headers=helper.auth)).status_code == 403

    promoted = await site.http.patch(
        f"/api/v1/admin/users/{helper.id}", json={"is_admin": True}, headers=boss.auth
    )
    assert promoted.status_code == 200
    assert (await site.http.get(stats, headers=helper.auth)).status_code == 200

    # The new admin can demote the one who promoted them (someone is always left: themselves).
    demoted = await site.http.patch(
        f"/api/v1/admin/users/{boss.id}", json={"is_admin": False}, headers=helper.auth
    )
    assert demoted.status_code == 200 and demoted.json()["is_admin"] is False
    assert (await site.http.get(stats, headers=boss.auth)).status_code == 403
    back = await site.http.patch(
        f"/api/v1/admin/users/{helper.id}", json={"is_admin": False}, headers=boss.auth
    )
    assert back.status_code == 403

    [event] = await events(site, action="admin.user_updated", user_id=uuid.UUID(boss.id))
    assert event.actor_id == uuid.UUID(helper.id)
    assert event.details == {"fields": ["is_admin"], "is_admin": False, "was_admin": True}


async def test_update_validates_its_body(site: Site) -> None:
    boss = await admin(site)
    ada = await signup(site, name="Ada")
    path = f"/api/v1/admin/users/{ada.id}"
    changed = await site.http.patch(
        path, json={"name": None, "email_verified": True}, headers=boss.auth
    )
    assert changed.status_code == 200
    assert (changed.json()["name"], changed.json()["email_verified"]) == (None, True)
    me = await site.http.get("/api/v1/auth/me", headers=ada.auth)
    assert (me.json()["name"], me.json()["email_verified"]) == (None, True)

    for body, pointer in (
        ({}, "#"),
        ({"is_admin": None}, "#/is_admin"),
        ({"is_admin": "yes"}, "#/is_admin"),
        ({"email": "x@example.com"}, "#/email"),
        ({"disabled_at": "2026-01-01T00:00:00Z"}, "#/disabled_at"),
        ({"name": ""}, "#/name"),
    ):
        refused = await site.http.patch(path, json=body, headers=boss.auth)
        assert refused.status_code == 422, body
        assert [e["pointer"] for e in refused.json()["errors"]] == [pointer], body
    not_json = await site.http.patch(
        path, content=b"{", headers=boss.auth | {"content-type": "application/json"}
    )
    assert not_json.status_code == 400
    wrong_type = await site.http.patch(
        path, content=b"name=x", headers=boss.auth | {"content-type": "text/plain"}
    )
    assert wrong_type.status_code == 415
    missing = await site.http.patch(
        f"/api/v1/admin/users/{uuid.uuid4()}", json={"name": "x"}, headers=boss.auth
    )
    assert missing.status_code == 404


async def test_deleting_a_user_cascades_and_stops_their_tokens(site: Site) -> None:
    boss = await admin(site)
    gone = await signup(site)
    other = (await sign_in(site.http, gone.email)).json()["tokens"]

    deleted = await site.http.delete(f"/api/v1/admin/users/{gone.id}", headers=boss.auth)
    assert deleted.status_code == 204
    assert (
        await site.http.get(f"/api/v1/admin/users/{gone.id}", headers=boss.auth)
    ).status_code == 404
    for tokens in (gone.tokens, other):
        me = await site.http.get("/api/v1/auth/me", headers=bearer(tokens["access_token"]))
        assert me.status_code == 401
        sessions = await site.http.get("/api/v1/sessions", headers=bearer(tokens["access_token"]))
        assert sessions.status_code == 401
        refresh = await site.http.post(
            "/api/v1/auth/token/refresh", json={"refresh_token": tokens["refresh_token"]}
        )
        assert refresh.status_code == 401
    login = await sign_in(site.http, gone.email)
    assert login.status_code == 401
    assert login.json()["detail"] == "Invalid email or password."
    async with site.runtime.db.connection() as conn:
        left = await conn.scalar(
            select(func.count())
            .select_from(auth_sessions)
            .where(auth_sessions.c.user_id == uuid.UUID(gone.id))
        )
    assert left == 0
    # The audit trail outlives the account.
    actions = [e.action for e in await events(site, user_id=uuid.UUID(gone.id))]
    assert actions[0] == "user.registered"
    assert actions[-1] == "admin.user_deleted"
    again = await site.http.delete(f"/api/v1/admin/users/{gone.id}", headers=boss.auth)
    assert again.status_code == 404
    # The address is free again.
    assert (await signup(site, email=gone.email)).email == gone.email


async def test_revoking_a_users_sessions_signs_them_out_everywhere(site: Site) -> None:
    boss = await admin(site)
    ada = await signup(site)
    revoked = await site.http.delete(f"/api/v1/admin/users/{ada.id}/sessions", headers=boss.auth)
    assert revoked.status_code == 204
    assert (await site.http.get("/api/v1/auth/me", headers=ada.auth)).status_code == 401
    # Not disabled: the user signs in again.
    assert (await sign_in(site.http, ada.email)).status_code == 200
    missing = await site.http.delete(
        f"/api/v1/admin/users/{uuid.uuid4()}/sessions", headers=boss.auth
    )
    assert missing.status_code == 404
    [event] = await events(site, action="admin.sessions_revoked", user_id=uuid.UUID(ada.id))
    assert (event.actor_id, event.target) == (uuid.UUID(boss.id), f"user:{ada.id}")


async def test_unlock_lifts_the_sign_in_lockout_in_the_servers_own_store(
    make_settings, open_client
) -> None:
    settings = make_settings(LOCKOUT_THRESHOLD="2", LOCKOUT_BASE_SECONDS="600")
    app = open_client(settings)
    async with app as http:
        site = Site(app.app, http)
        boss = await admin(site)
        ada = await signup(site)
        for _ in range(2):
            assert (await sign_in(http, ada.email, WRONG)).status_code == 401
        assert (await sign_in(http, ada.email)).status_code == 429

        unlocked = await http.post(f"/api/v1/admin/users/{ada.id}/unlock", headers=boss.auth)
        assert unlocked.status_code == 204
        assert (await sign_in(http, ada.email)).status_code == 200
        [event] = await events(site, action="admin.user_unlocked")
        assert (event.actor_id, event.user_id) == (uuid.UUID(boss.id), uuid.UUID(ada.id))


async def test_every_admin_action_is_audited_with_actor_and_subject(site: Site) -> None:
    boss = await admin(site)
    ada = await signup(site, name="Ada")
    auth, base = boss.auth, f"/api/v1/admin/users/{ada.id}"
    for method, path, body in (
        ("PATCH", base, {"name": "Ada L."}),
        ("POST", f"{base}/verify-email", None),
        ("POST", f"{base}/disable", None),
        ("POST", f"{base}/enable", None),
        ("POST", f"{base}/unlock", None),
        ("DELETE", f"{base}/sessions", None),
        ("DELETE", base, None),
    ):
        done = await site.http.request(method, path, json=body, headers=auth)
        assert done.status_code in (200, 204), (method, path, done.text)
    recorded = await events(site, actor_id=uuid.UUID(boss.id), target=f"user:{ada.id}")
    assert [e.action for e in recorded] == [
        "admin.user_updated",
        "admin.email_verified",
        "admin.user_disabled",
        "admin.user_enabled",
        "admin.user_unlocked",
        "admin.sessions_revoked",
        "admin.user_deleted",
    ]
    assert {e.user_id for e in recorded} == {uuid.UUID(ada.id)}
    assert all(e.ip == "203.0.113.7" and e.outcome == "success" for e in recorded)
    # The new name is not repeated in the log, only which fields changed.
    assert recorded[0].details == {"fields": ["name"]}


async def test_stats_count_users_sessions_and_sign_ins(site: Site) -> None:
    boss = await admin(site)
    path = "/api/v1/admin/stats"
    before = (await site.http.get(path, headers=boss.auth)).json()
    ada = await signup(site)
    await sign_in(site.http, ada.email)
    await sign_in(site.http, ada.email, WRONG)
    await site.http.post(f"/api/v1/admin/users/{ada.id}/verify-email", headers=boss.auth)
    after = (await site.http.get(path, headers=boss.auth)).json()
    delta = {key: after[key] - before[key] for key in before if key != "generated_at"}
    assert delta == {
        "users_total": 1,
        "users_disabled": 0,
        "users_verified": 1,
        "admins": 0,
        "sessions_active": 2,
        "logins_last_24h": 1,
        "failed_logins_last_24h": 1,
        "signups_last_24h": 1,
    }
    await site.http.post(f"/api/v1/admin/users/{ada.id}/disable", headers=boss.auth)
    disabled = (await site.http.get(path, headers=boss.auth)).json()
    assert disabled["users_disabled"] == after["users_disabled"] + 1
    assert disabled["sessions_active"] == after["sessions_active"] - 2


async def test_admins_list_every_organization(site: Site) -> None:
    boss = await admin(site)
    owner = await person(site.http)
    tag = uuid.uuid4().hex[:8]
    made = [await organization(site.http, owner, name=f"{tag} 100% Org {i}") for i in range(3)]
    decoy = await organization(site.http, owner, name=f"{tag} 1000 Org")

    seen, cursor = [], None
    while True:
        params = {"q": f"{tag} 100%", "limit": 2} | ({"cursor": cursor} if cursor else {})
        page = await site.http.get("/api/v1/admin/organizations", params=params, headers=boss.auth)
        assert page.status_code == 200, page.text
        seen += page.json()["data"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert [o["id"] for o in seen] == [o["id"] for o in reversed(made)]
    assert decoy["id"] not in {o["id"] for o in seen}
    assert all("role" not in o for o in seen)  # answered as an admin, not as a member
    unknown = await site.http.get(
        "/api/v1/admin/organizations", params={"cursor": str(uuid.uuid4())}, headers=boss.auth
    )
    assert unknown.status_code == 404


async def test_two_admins_demoting_each_other_at_once_leave_one_admin(site: Site) -> None:
    for _ in range(3):
        a, b = await admin(site, "a"), await admin(site, "b")
        demote = {"is_admin": False}
        answers = await asyncio.gather(
            site.http.patch(f"/api/v1/admin/users/{b.id}", json=demote, headers=a.auth),
            site.http.patch(f"/api/v1/admin/users/{a.id}", json=demote, headers=b.auth),
        )
        assert sorted(r.status_code for r in answers) == [200, 403]
        flags = [
            (await site.http.get(f"/api/v1/admin/users/{p.id}", headers=p.auth)).status_code
            for p in (a, b)
        ]
        assert sorted(flags) == [200, 403]  # exactly one of them is still an admin
