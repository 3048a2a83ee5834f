"""The audit-log API: who may read which part of the log, its filters and pages, the streamed
NDJSON export, that nothing edits or deletes events, and that retention really runs."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator

import pytest
from janua_server.audit import service as audit_service
from janua_server.contract.models import AuditEvent
from janua_server.core.audit import audit_events
from sqlalchemy import insert, select
from support.admins import Site, admin, sign_in
from support.orgs import add_member, organization, person
from support.users import PASSWORD

LOGS = "/api/v1/audit-logs"
EXPORT = "/api/v1/audit-logs/export"
WRONG = "not the password at all"


@pytest.fixture
async def site(settings, open_client) -> AsyncIterator[Site]:
    app = open_client(settings)
    async with app as http:
        yield Site(app.app, http)


async def read_all(site: Site, auth: dict, **params) -> list[dict]:
    seen, cursor = [], None
    while True:
        query = params | {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = await site.http.get(LOGS, params=query, headers=auth)
        assert page.status_code == 200, page.text
        seen += page.json()["data"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return seen


async def export(site: Site, auth: dict, **params) -> list[dict]:
    response = await site.http.get(EXPORT, params=params, headers=auth)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/x-ndjson"
    assert response.headers["content-disposition"] == 'attachment; filename="audit-logs.ndjson"'
    lines = response.text.split("\n")
    assert lines[-1] == ""  # every line ends with a newline, the last one too
    # Line by line, each one an AuditEvent of the contract.
    return [AuditEvent.model_validate_json(line).model_dump(mode="json") for line in lines[:-1]]


async def test_admins_read_and_filter_the_whole_log(site: Site) -> None:
    boss = await admin(site)
    ada = await person(site.http)
    started = dt.datetime.now(dt.UTC)
    await sign_in(site.http, ada.email, WRONG)
    await sign_in(site.http, ada.email)
    disabled = await site.http.post(f"/api/v1/admin/users/{ada.id}/disable", headers=boss.auth)
    assert disabled.status_code == 200

    about_ada = await read_all(site, boss.auth, user_id=ada.id)
    assert [e["action"] for e in about_ada[:3]] == [
        "admin.user_disabled",
        "login.succeeded",
        "login.failed",
    ]
    # Written in one transaction, possibly within the same microsecond: no order between them.
    assert {e["action"] for e in about_ada[3:]} == {"email.verification_sent", "user.registered"}
    [event] = [e for e in about_ada if e["action"] == "admin.user_disabled"]
    assert event["actor_id"] == boss.id
    assert event["target"] == f"user:{ada.id}"
    assert event["organization_id"] is None
    assert event["ip"] == "203.0.113.7"

    def ids(found: list[dict]) -> list[str]:
        return [e["id"] for e in found]

    assert ids(await read_all(site, boss.auth, actor_id=boss.id, user_id=ada.id)) == [event["id"]]
    assert ids(await read_all(site, boss.auth, target=f"user:{ada.id}")) == [event["id"]]
    failed = await read_all(site, boss.auth, user_id=ada.id, outcome="failure")
    assert [e["action"] for e in failed] == ["login.failed"]
    assert ids(await read_all(site, boss.auth, user_id=ada.id, action="login.failed")) == ids(
        failed
    )
    recent = await read_all(site, boss.auth, user_id=ada.id, created_after=started.isoformat())
    assert [e["action"] for e in recent] == [
        "admin.user_disabled",
        "login.succeeded",
        "login.failed",
    ]
    assert await read_all(site, boss.auth, user_id=ada.id, created_before=started.isoformat()) == [
        e for e in about_ada if e not in recent
    ]

    for params in (
        {"action": "Login.Failed"},
        {"action": "x" * 65},
        {"outcome": "maybe"},
        {"user_id": "not-a-uuid"},
        {"target": "a\x00b"},
        {"created_after": "2026-01-01T00:00:00"},
        {"created_before": "9999-12-31T23:59:59-01:00"},
    ):
        refused = await site.http.get(LOGS, params=params, headers=boss.auth)
        assert refused.status_code == 422, (params, refused.text)
    unknown = await site.http.get(LOGS, params={"cursor": str(uuid.uuid4())}, headers=boss.auth)
    assert unknown.status_code == 404


async def test_organization_auditors_read_only_their_organization(site: Site) -> None:
    owner = await person(site.http, "owner")
    member = await person(site.http, "member")
    stranger = await person(site.http, "stranger")
    acme = await organization(site.http, owner, name="Acme")
    other = await organization(site.http, stranger, name="Other")
    await add_member(site.http, acme, owner, member)

    # The owner holds audit:read: the organization's events, and only those.
    seen = await read_all(site, owner.auth, organization_id=acme["id"])
    assert {e["organization_id"] for e in seen} == {acme["id"]}
    assert [e["action"] for e in seen] == ["member.added", "organization.created"]
    exported = await export(site, owner.auth, organization_id=acme["id"])
    # The export is an event of the organization too, recorded before its first line.
    assert exported[0]["action"] == "audit_log.exported"
    assert (exported[0]["actor_id"], exported[0]["organization_id"]) == (owner.id, acme["id"])
    assert exported[1:] == seen

    cases = [
        (owner, {}, 403),  # no organization: only platform admins read everything
        (member, {"organization_id": acme["id"]}, 403),  # a member without audit:read
        (stranger, {"organization_id": acme["id"]}, 404),  # not revealed to outsiders
        (owner, {"organization_id": other["id"]}, 404),
        (owner, {"organization_id": str(uuid.uuid4())}, 404),
    ]
    for who, params, status in cases:
        for path in (LOGS, EXPORT):
            refused = await site.http.get(path, params=params, headers=who.auth)
            assert refused.status_code == status, (who.email, params, path)
            assert refused.headers["content-type"] == "application/problem+json"
    # A cursor from outside the organization is unknown there.
    outside = (await read_all(site, stranger.auth, organization_id=other["id"]))[0]["id"]
    leaked = await site.http.get(
        LOGS, params={"organization_id": acme["id"], "cursor": outside}, headers=owner.auth
    )
    assert leaked.status_code == 404

    anonymous = await site.http.get(LOGS)
    assert anonymous.status_code == 401
    assert (await site.http.get(EXPORT)).status_code == 401


async def test_the_export_streams_every_match_as_ndjson(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small batches, so the export needs several queries and keyset steps.
    monkeypatch.setattr(audit_service, "EXPORT_BATCH", 3)
    boss = await admin(site)
    ada = await person(site.http)
    for _ in range(4):
        await sign_in(site.http, ada.email)
    listed = await read_all(site, boss.auth, user_id=ada.id)
    exported = await export(site, boss.auth, user_id=ada.id)
    assert len(exported) == len(listed) == 6  # signed up (2 events), signed in 4 times
    assert exported == listed  # same events, same order (newest first), same shape
    assert [e["action"] for e in await export(site, boss.auth, action="no.such_action")] == []

    # Everything: at least what the list shows, newest first.
    everything = await export(site, boss.auth)
    stamps = [e["created_at"] for e in everything]
    assert stamps == sorted(stamps, reverse=True)
    assert {e["id"] for e in listed} <= {e["id"] for e in everything}
    # Secrets never reach the log.
    text = json.dumps(everything)
    assert PASSWORD not in text
    assert ada.tokens["refresh_token"] not in text
    assert ada.tokens["access_token"] not in text

    # The export is an event of its own, with its filters.
    [recorded] = [
        e
        for e in await read_all(site, boss.auth, action="audit_log.exported")
        if e["details"] == {"user_id": ada.id}
    ]
    assert recorded["actor_id"] == boss.id


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "POST"])
async def test_the_log_is_append_only(site: Site, method: str) -> None:
    boss = await admin(site)
    [event] = await read_all(site, boss.auth, user_id=boss.id, action="admin.bootstrapped")
    for path in (LOGS, EXPORT):
        refused = await site.http.request(method, path, headers=boss.auth)
        assert refused.status_code == 405, (method, path)
        assert refused.headers["allow"] == "GET"
    # No item resource exists to edit or delete.
    item = await site.http.request(method, f"{LOGS}/{event['id']}", headers=boss.auth)
    assert item.status_code == 404
    assert await read_all(site, boss.auth, user_id=boss.id, action="admin.bootstrapped") == [event]


async def test_retention_runs_at_start_and_removes_only_old_events(
    make_settings, open_client
) -> None:
    settings = make_settings(AUDIT_RETENTION_DAYS="30")
    first = open_client(settings)
    async with first:
        old, recent = uuid.uuid4(), uuid.uuid4()
        now = dt.datetime.now(dt.UTC)
        async with first.app.state.runtime.db.transaction() as conn:
            for event_id, age in ((old, 31), (recent, 29)):
                await conn.execute(
                    insert(audit_events).values(
                        id=event_id,
                        created_at=now - dt.timedelta(days=age),
                        action="login.succeeded",
                        outcome="success",
                    )
                )

    # The next start applies retention (and keeps doing it hourly, in the background).
    second = open_client(settings)
    async with second:
        db = second.app.state.runtime.db
        for _ in range(100):
            async with db.connection() as conn:
                left = set(
                    (
                        await conn.execute(
                            select(audit_events.c.id).where(audit_events.c.id.in_([old, recent]))
                        )
                    ).scalars()
                )
            if old not in left:
                break
            await asyncio.sleep(0.05)
        assert left == {recent}


async def test_a_failed_retention_pass_is_retried(settings, open_client, monkeypatch) -> None:
    calls: list[int] = []

    async def flaky(rt) -> int:
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("database down")
        return 0

    monkeypatch.setattr(audit_service, "apply_retention", flaky)
    app = open_client(settings)
    async with app:
        task = asyncio.create_task(audit_service.keep_retention(app.app.state.runtime, every=0.01))
        await asyncio.sleep(0.2)
        task.cancel()
    assert len(calls) >= 3  # the app's own pass and the loop's, which went on after a failure


@pytest.mark.parametrize("value", ["0.5", "1732870000", "2026-11-29T10:00:00", "2026-11-29"])
async def test_time_filters_take_rfc3339_instants_only(site: Site, value: str) -> None:
    boss = await admin(site)
    for path in ("/api/v1/audit-logs", "/api/v1/admin/users", "/api/v1/audit-logs/export"):
        refused = await site.http.get(path, params={"created_before": value}, headers=boss.auth)
        assert refused.status_code == 422, (path, value, refused.text)
        assert refused.json()["code"] == "VALIDATION_ERROR"
