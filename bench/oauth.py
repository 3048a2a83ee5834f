"""OAuth provider benchmark: Janua against panva's oidc-provider (npm), same machine, same run.

    .venv/bin/python bench/oauth.py                       # one core each, then every core
    .venv/bin/python bench/oauth.py --cpus 1 --duration 5

Three operations on each server, with wrk on loopback:
- `client_credentials`: POST /token (client_secret_basic, scope orders:read), an RS256 JWT access
  token per RFC 9068 on both (oidc-provider: resource indicators, accessTokenFormat 'jwt');
- introspection (RFC 7662) of an active access token, the client authenticating with Basic;
- userinfo (GET, Bearer) for `openid profile email`.

Both servers get the same CPUs. With `--cpus 1` each server is pinned to core 0 and wrk to the
other cores, so the load generator takes nothing from the server; with all cores, nothing is
pinned and wrk shares them. Pinning matters because a Node.js process is not one core:
oidc-provider signs through jose and WebCrypto, which run on libuv's thread pool, so unpinned
it uses about 1.6 cores on a 2-core machine, where a Python worker uses one (cryptography holds
the GIL while it signs). Janua runs `--workers N` processes for N cores, on PostgreSQL + Redis;
oidc-provider is one process with its in-memory adapter (its quick-start storage; it has no
other built in). oidc-provider refuses to introspect JWT access tokens and accepts at userinfo
only the opaque tokens it issues for itself, so there it introspects and calls userinfo with an
opaque access token; Janua does both with its JWT.

Prints requests/s, p50/p99, the server's CPU use (100% = one core busy) and requests per
CPU-second, server RSS, and the ratios. Never part of the tests.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from load import ROOT, backend_env, cpu_seconds, pinned, rss_mib, server, wrk
from support import services

NODE_DIR = Path(__file__).resolve().parent / "oidc-provider"
SCOPE = "orders:read"
CALLBACK = "https://app.example.com/callback"


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def form_post(url: str, fields: dict[str, str], authorization: str) -> dict:
    body = "&".join(f"{k}={urllib.parse.quote(v, safe='')}" for k, v in fields.items())
    request = urllib.request.Request(
        url,
        body.encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "Authorization": authorization},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def janua_client(env: dict[str, str]) -> tuple[str, str]:
    """A confidential client registered with `janua clients create` (the secret printed once)."""
    out = subprocess.run(
        [str(Path(sys.executable).parent / "janua"), "clients", "create", "--name", "bench",
         "--grant-type", "client_credentials", "--grant-type", "authorization_code",
         "--redirect-uri", CALLBACK, "--scope", "openid", "--scope", "profile",
         "--scope", "email", "--scope", SCOPE],
        env={**os.environ, **env}, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    values = dict(line.split(":", 1) for line in out.splitlines() if line.startswith("client_"))
    return values["client_id"].strip(), values["client_secret"].strip()


async def _issue_code(redis_url: str, client_id: str, user_id: str) -> str:
    """A code as `/oauth/authorize` leaves it in the shared store after the user approved."""
    from janua_server.core.store import RedisStore
    from janua_server.oidc import codes

    store = RedisStore(redis_url)
    try:
        runtime = SimpleNamespace(store=store, settings=SimpleNamespace(oauth_code_ttl_seconds=60))
        return await codes.issue_code(
            runtime,  # type: ignore[arg-type]
            codes.CodeGrant(
                client_id=client_id,
                redirect_uri=CALLBACK,
                user_id=uuid.UUID(user_id),
                provider_session_id=None,
                scope="openid profile email",
                nonce=None,
                code_challenge=None,
                auth_time=int(time.time()),
                amr=("pwd",),
            ),
        )
    finally:
        await store.close()


def janua_user_token(base_url: str, env: dict[str, str], client_id: str, secret: str) -> str:
    import asyncio

    from load import post

    email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
    user = post(base_url, "/api/v1/auth/register",
                {"email": email, "password": "correct horse battery staple"})  # fmt: skip
    code = asyncio.run(_issue_code(env["REDIS_URL"], client_id, user["user"]["id"]))
    tokens = form_post(
        f"{base_url}/oauth/token",
        {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK},
        basic(client_id, secret),
    )
    return tokens["access_token"]


@contextlib.contextmanager
def oidc_provider(
    client_id: str, secret: str, cpus: set[int] | None
) -> Iterator[tuple[str, int, str]]:
    port = services.free_port()
    proc = subprocess.Popen(
        ["node", str(NODE_DIR / "server.mjs")],
        env={**os.environ, "PORT": str(port), "CLIENT_ID": client_id, "CLIENT_SECRET": secret},
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        preexec_fn=pinned(cpus),
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        ready = json.loads(proc.stdout.readline())
        yield f"http://127.0.0.1:{port}", proc.pid, ready["userinfo_token"]
    finally:
        services._stop(proc)


def scenarios(
    paths: tuple[str, str, str], authorization: str, introspected: str, user_token: str
) -> dict[str, tuple]:
    token_path, introspect_path, userinfo_path = paths
    return {
        "client_credentials": (token_path, "form_post.lua", {
            "FORM_BODY": f"grant_type=client_credentials&scope={SCOPE}",
            "AUTHORIZATION": authorization}),
        "introspection": (introspect_path, "form_post.lua", {
            "FORM_BODY": f"token={introspected}", "AUTHORIZATION": authorization}),
        "userinfo": (userinfo_path, "me.lua", {"ACCESS_TOKEN": user_token}),
    }  # fmt: skip


@dataclass(frozen=True)
class Budget:
    """The CPUs a server runs on, and the ones left for wrk (None: not pinned)."""

    server: set[int] | None
    wrk: set[int] | None
    cores: int

    @classmethod
    def of(cls, cores: int) -> Budget:
        total = os.cpu_count() or 1
        if cores >= total:
            return cls(None, None, total)
        return cls(set(range(cores)), set(range(cores, total)), cores)


def measure(base: str, cases: dict[str, tuple], pid: int, budget: Budget, args) -> dict:
    results = {}
    for name, (path, script, env) in cases.items():
        cpu_before, started = cpu_seconds(pid), time.monotonic()
        result = wrk(base, path, script, env, duration=args.duration,
                     connections=args.connections, cpus=budget.wrk)  # fmt: skip
        elapsed, used = time.monotonic() - started, cpu_seconds(pid) - cpu_before
        result["cpu"] = used / elapsed
        result["per_cpu_second"] = result["rps"] * elapsed / used
        results[name] = result
    results["rss"] = rss_mib(pid)
    return results


OPERATIONS = ("client_credentials", "introspection", "userinfo")


def report(label: str, results: dict) -> None:
    for name in OPERATIONS:
        r = results[name]
        print(f"{label:<24} {name:<19} {r['rps']:>7.0f} req/s   p50 {r['p50']:>8}   "
              f"p99 {r['p99']:>8}   CPU {r['cpu']:>4.0%}   {r['per_cpu_second']:>6.0f} "
              f"req/CPU-s   non-2xx {r['non2xx']}")  # fmt: skip
    print(f"{label:<24} server RSS after the run: {results['rss']:.0f} MiB")


def run_node(budget: Budget, args) -> dict:
    node_secret = secrets.token_urlsafe(32)
    with oidc_provider("bench", node_secret, budget.server) as (base, pid, opaque):
        auth = basic("bench", node_secret)
        paths = ("/token", "/token/introspection", "/me")
        return measure(base, scenarios(paths, auth, opaque, opaque), pid, budget, args)


def run_janua(env: dict[str, str], budget: Budget, args) -> dict:
    with server(env, budget.cores, budget.server) as (base, pid):
        client_id, secret = janua_client(env)
        auth = basic(client_id, secret)
        machine = form_post(
            f"{base}/oauth/token", {"grant_type": "client_credentials", "scope": SCOPE}, auth
        )
        user_token = janua_user_token(base, env, client_id, secret)
        paths = ("/oauth/token", "/oauth/introspect", "/oauth/userinfo")
        cases = scenarios(paths, auth, machine["access_token"], user_token)
        return measure(base, cases, pid, budget, args)


def main() -> None:
    import argparse

    total = os.cpu_count() or 1
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--cpus", nargs="+", type=int, default=sorted({1, total}),
                        help="cores per server; Janua runs one worker per core")  # fmt: skip
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install wrk")
    if not (NODE_DIR / "node_modules" / "oidc-provider").is_dir():
        raise SystemExit(f"run `npm ci` in {NODE_DIR.relative_to(ROOT)} first")
    print(f"wrk, {args.connections} connections, {args.duration}s per scenario, {total} cores")

    with backend_env("postgres") as env:
        for cores in args.cpus:
            budget = Budget.of(cores)
            where = f"{cores} core{'s' if cores > 1 else ''}"
            pinning = "pinned, wrk on the others" if budget.server else "not pinned, wrk shares"
            print(f"\n== {where} per server ({pinning})")
            theirs = run_node(budget, args)
            report(f"oidc-provider {where}", theirs)
            ours = run_janua(env, budget, args)
            label = f"janua {budget.cores}w {where}"
            report(label, ours)
            for name in OPERATIONS:
                print(f"{label:<24} {name:<19} "
                      f"{ours[name]['rps'] / theirs[name]['rps']:>5.2f}x oidc-provider's req/s, "
                      f"{ours[name]['per_cpu_second'] / theirs[name]['per_cpu_second']:.2f}x "
                      "per CPU-second")  # fmt: skip
            per_core = ours["client_credentials"]["per_cpu_second"]
            print(f"{label:<24} client_credentials per CPU-second: {per_core:.0f} "
                  f"({per_core / 120:.1f}x Keycloak's published 120/s per vCPU)")  # fmt: skip


if __name__ == "__main__":
    main()
