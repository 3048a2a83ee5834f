"""The SDK end-to-end scenario, tests/e2e/scenario.md, through the Python facade: once with
`janua.Janua` (sync) and once with `janua.AsyncJanua` (async), from one step list.

Each step is a coroutine that passes every facade call through `done()`: it awaits what the
async facade returns and hands the sync facade's plain results through, so both facades run
the very same steps and assertions (the sync one simply blocks inside them). Lists go through
`collect()`, which drains an iterator or an async iterator alike.

Against the live server of `nox -s e2e` (JANUA_BASE_URL, mails spooled to JANUA_MAIL_DIR, a
bootstrapped admin in JANUA_ADMIN_EMAIL / JANUA_ADMIN_PASSWORD).
Its twins: sdks/typescript/test/scenario.e2e.test.ts, sdks/go/e2e/scenario_test.go.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import inspect
import os
import secrets
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import janua
import pytest

# -- helpers --------------------------------------------------------------------------------------


async def done(result: Any) -> Any:
    """The result of a facade call, sync or async."""
    return await result if inspect.isawaitable(result) else result


async def collect(items: Any) -> list[Any]:
    """Every item of a facade list: a sync iterator or an async one."""
    if hasattr(items, "__aiter__"):
        return [item async for item in items]
    return list(items)


async def refused(call: Callable[[], Any], error: type[janua.JanuaError], status: int, code: str):
    """The typed error `call` fails with, checked for its class, status and code."""
    with pytest.raises(error) as caught:
        await done(call())
    assert caught.value.status == status, repr(caught.value)
    assert caught.value.code == code, repr(caught.value)
    return caught.value


def totp(secret: str, step: int) -> str:
    """RFC 6238 with the authenticator-app defaults (HMAC-SHA-1, 6 digits, 30-second steps)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    return f"{(struct.unpack('>I', mac[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


# -- the scenario ---------------------------------------------------------------------------------


@dataclass
class Run:
    """What the steps share: the clients, the run's identities, what earlier steps produced."""

    facade: type[janua.Janua] | type[janua.AsyncJanua]
    base_url: str
    mailbox: Any
    admin_email: str
    admin_password: str
    tag: str
    a: Any = None  # user A's client
    b: Any = None  # user B's client
    clients: list[Any] = field(default_factory=list)
    issuer: str = ""
    verifier: Any = None
    user_a: str = ""
    user_b: str = ""
    t0: janua.Tokens | None = None
    secret: str = ""
    step: int = 0
    organization_id: str = ""

    def __post_init__(self) -> None:
        self.email_a = f"{self.tag}-a@example.com"
        self.email_b = f"{self.tag}-b@example.com"
        self.password_a = f"violet harbour lantern {secrets.token_hex(12)}"
        self.password_b = f"amber meridian orchard {secrets.token_hex(12)}"

    def client(self, **options: Any) -> Any:
        made = self.facade(self.base_url, **options)
        self.clients.append(made)
        return made

    async def claims(self, token: str) -> dict[str, Any]:
        """The claims of an access token, by the SDK's verifier (step 19 describes it)."""
        if self.facade is janua.AsyncJanua:
            return await self.verifier.verify_async(token)
        return self.verifier.verify(token)


async def step_01_register_a(r: Run) -> None:
    created = await done(r.a.auth.register(email=r.email_a, password=r.password_a))
    assert created.user.email == r.email_a
    assert created.user.email_verified is False
    held = r.a.token_store.get()
    assert held.access_token == created.tokens.access_token
    assert held.refresh_token == created.tokens.refresh_token
    r.user_a = str(created.user.id)


async def step_02_verify_email(r: Run) -> None:
    token = r.mailbox(r.email_a, "/verify-email")
    assert await done(r.a.auth.verify_email(token=token)) is None  # 204


async def step_03_login_a(r: Run) -> None:
    session = await done(r.a.auth.login(email=r.email_a, password=r.password_a))
    assert str(session.user.id) == r.user_a
    held = r.a.token_store.get()
    assert held.access_token == session.tokens.access_token
    assert held.refresh_token == session.tokens.refresh_token


async def step_04_me(r: Run) -> None:
    me = await done(r.a.auth.me())
    assert (str(me.id), me.email, me.email_verified) == (r.user_a, r.email_a, True)


async def step_05_refresh_forced_by_expiry(r: Run) -> None:
    r.t0 = r.a.token_store.get()
    r.a.token_store.set(r.t0.with_expiry(time.time() - 60))  # expired: nothing waits
    assert (await done(r.a.auth.me())).email == r.email_a
    now = r.a.token_store.get()
    assert now.access_token != r.t0.access_token
    assert now.refresh_token != r.t0.refresh_token


async def step_06_old_refresh_token_refused(r: Run) -> None:
    old = r.t0.refresh_token
    await refused(lambda: r.a.auth.refresh(refresh_token=old), janua.TokenError, 401, "TOKEN_ERROR")
    # Reuse ends the session: the tokens of step 5 are dead too.
    await refused(lambda: r.a.auth.me(), janua.TokenError, 401, "TOKEN_ERROR")


async def step_07_login_a_again(r: Run) -> None:
    session = await done(r.a.auth.login(email=r.email_a, password=r.password_a))
    assert str(session.user.id) == r.user_a


async def step_08_enrol_totp(r: Run) -> None:
    setup = await done(r.a.mfa.start_totp_setup())
    assert setup.secret
    assert setup.otpauth_uri.startswith("otpauth://totp/")
    step = int(time.time()) // 30
    codes = await done(r.a.mfa.confirm_totp_setup(code=totp(setup.secret, step)))
    assert len(codes.recovery_codes) == 10
    assert len(set(codes.recovery_codes)) == 10
    r.secret, r.step = setup.secret, step


async def step_09_logout_a(r: Run) -> None:
    await done(r.a.auth.logout())
    assert r.a.token_store.get() is None


async def step_10_mfa_login(r: Run) -> None:
    challenge = await refused(
        lambda: r.a.auth.login(email=r.email_a, password=r.password_a),
        janua.MfaRequiredError,
        403,
        "MFA_REQUIRED",
    )
    assert challenge.mfa_token
    assert "totp" in challenge.mfa_methods
    assert r.a.token_store.get() is None
    # The next time step's code: step s was used in step 8, and each step is accepted once.
    session = await done(
        r.a.mfa.verify_challenge(
            mfa_token=challenge.mfa_token, method="totp", code=totp(r.secret, r.step + 1)
        )
    )
    assert str(session.user.id) == r.user_a
    held = r.a.token_store.get()
    assert held.access_token == session.tokens.access_token
    amr = (await r.claims(held.access_token))["amr"]
    assert "otp" in amr and "mfa" in amr, amr


async def step_11_create_organization(r: Run) -> None:
    organization = await done(r.a.organizations.create(name=f"Scenario {r.tag}", slug=r.tag))
    assert organization.slug == r.tag
    assert organization.role == "owner"
    r.organization_id = str(organization.id)


async def step_12_invite_b(r: Run) -> None:
    invitation = await done(
        r.a.organizations.create_invitation(r.organization_id, email=r.email_b, role="member")
    )
    assert invitation.email == r.email_b
    assert invitation.role == "member"
    assert invitation.status == "pending"
    assert str(invitation.organization_id) == r.organization_id


async def step_13_register_b(r: Run) -> None:
    created = await done(r.b.auth.register(email=r.email_b, password=r.password_b))
    assert created.user.email == r.email_b
    r.user_b = str(created.user.id)


async def step_14_b_accepts(r: Run) -> None:
    token = r.mailbox(r.email_b, "/accept-invitation")
    organization = await done(r.b.organizations.accept_invitation(token=token))
    assert str(organization.id) == r.organization_id
    assert organization.role == "member"


async def step_15_list_members(r: Run) -> None:
    members = await collect(r.a.organizations.list_members(r.organization_id, limit=1))
    assert len(members) == 2
    roles = {str(m.user_id): str(m.role) for m in members}
    assert roles == {r.user_a: "owner", r.user_b: "member"}


async def step_16_b_switches(r: Run) -> None:
    pair = await done(r.b.organizations.switch(organization_id=r.organization_id))
    held = r.b.token_store.get()
    assert held.access_token == pair.access_token
    claims = await r.claims(held.access_token)
    assert (claims["org_id"], claims["org_role"]) == (r.organization_id, "member")


async def step_17_b_checks_permissions(r: Run) -> None:
    for permission, granted in (("members:read", True), ("members:manage", False)):
        check = await done(
            r.b.organizations.check_permission(r.organization_id, permission=permission)
        )
        assert check.granted is granted, permission


async def step_18_admin_lists_users(r: Run) -> None:
    admin = r.client()
    await done(admin.auth.login(email=r.admin_email, password=r.admin_password))
    users = await collect(admin.users.list(q=r.tag, limit=1))
    assert sorted(u.email for u in users) == sorted([r.email_a, r.email_b])


async def step_19_verify_locally(r: Run) -> None:
    claims = await r.claims(r.a.token_store.get().access_token)
    assert claims["sub"] == r.user_a
    assert claims["iss"] == r.issuer
    audience = claims["aud"]
    assert "janua" in ([audience] if isinstance(audience, str) else audience)


async def step_20_logout_old_token_refused(r: Run) -> None:
    old = r.a.token_store.get().access_token
    await done(r.a.auth.logout())
    assert r.a.token_store.get() is None
    stale = r.client(access_token=old)
    await refused(lambda: stale.auth.me(), janua.TokenError, 401, "TOKEN_ERROR")


STEPS = [
    step_01_register_a,
    step_02_verify_email,
    step_03_login_a,
    step_04_me,
    step_05_refresh_forced_by_expiry,
    step_06_old_refresh_token_refused,
    step_07_login_a_again,
    step_08_enrol_totp,
    step_09_logout_a,
    step_10_mfa_login,
    step_11_create_organization,
    step_12_invite_b,
    step_13_register_b,
    step_14_b_accepts,
    step_15_list_members,
    step_16_b_switches,
    step_17_b_checks_permissions,
    step_18_admin_lists_users,
    step_19_verify_locally,
    step_20_logout_old_token_refused,
]


async def run_scenario(r: Run) -> None:
    r.a, r.b = r.client(), r.client()
    try:
        r.issuer = (await done(r.a.discovery.openid_configuration())).issuer
        r.verifier = janua.TokenVerifier(
            issuer=r.issuer, audience="janua", jwks_url=f"{r.base_url}/.well-known/jwks.json"
        )
        for number, step in enumerate(STEPS, 1):
            try:
                await step(r)
            except BaseException as exc:
                exc.add_note(f"in step {number} of tests/e2e/scenario.md ({step.__name__})")
                raise
    finally:
        for made in r.clients:
            await done(made.close())


@pytest.fixture
def run(base_url: str, mailbox) -> Callable[[str, Any], Run]:
    names = ("JANUA_ADMIN_EMAIL", "JANUA_ADMIN_PASSWORD")
    missing = [name for name in names if not os.environ.get(name)]
    if missing:
        pytest.fail(f"{', '.join(missing)} not set: run `nox -s e2e`, which bootstraps an admin")

    def make(sdk: str, facade: Any) -> Run:
        return Run(
            facade=facade,
            base_url=base_url,
            mailbox=mailbox,
            admin_email=os.environ["JANUA_ADMIN_EMAIL"],
            admin_password=os.environ["JANUA_ADMIN_PASSWORD"],
            tag=f"scn-{sdk}-{secrets.token_hex(6)}",
        )

    return make


def test_scenario_sync(run) -> None:
    """`janua.Janua`: the steps block on each call; asyncio only drives the shared step list."""
    asyncio.run(run_scenario(run("py-sync", janua.Janua)))


async def test_scenario_async(run) -> None:
    await run_scenario(run("py-async", janua.AsyncJanua))
