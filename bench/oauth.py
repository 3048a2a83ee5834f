"""OAuth provider benchmark: Janua against panva's oidc-provider (npm), same machine, same run.

    .venv/bin/python bench/oauth.py                     # 1 Janua worker, 10 s per scenario
    .venv/bin/python bench/oauth.py --workers 1 2 --duration 5

Three operations on each server, with wrk on loopback:
- `client_credentials`: POST /token (client_secret_basic, scope orders:read), an RS256 JWT access
  token per RFC 9068 on both (oidc-provider: resource indicators, accessTokenFormat 'jwt');
- introspection (RFC 7662) of an active access token, the client authenticating with Basic;
- userinfo (GET, Bearer) for `openid profile email`.

Janua runs on PostgreSQL + Redis with `--workers` processes; oidc-provider is one Node.js
process with its in-memory adapter (its quick-start storage; it has no other built in).
oidc-provider refuses to introspect JWT access tokens and accepts at userinfo only the opaque
tokens it issues for itself, so there it introspects and calls userinfo with an opaque access
token; Janua does both with its JWT. Prints requests/s, p50/p99, server RSS and the ratio.
Never part of the tests.
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
from pathlib import Path
from types import SimpleNamespace

from load import ROOT, backend_env, rss_mib, server, wrk
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
def oidc_provider(client_id: str, secret: str) -> Iterator[tuple[str, int, str]]:
    port = services.free_port()
    proc = subprocess.Popen(
        ["node", str(NODE_DIR / "server.mjs")],
        env={**os.environ, "PORT": str(port), "CLIENT_ID": client_id, "CLIENT_SECRET": secret},
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
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


def measure(base: str, cases: dict[str, tuple], pid: int, duration: int, connections: int) -> dict:
    results = {}
    for name, (path, script, env) in cases.items():
        results[name] = wrk(base, path, script, env, duration=duration, connections=connections)
    results["rss"] = rss_mib(pid)
    return results


def report(label: str, results: dict) -> None:
    for name in ("client_credentials", "introspection", "userinfo"):
        r = results[name]
        print(f"{label:<22} {name:<19} {r['rps']:>8.0f} req/s   p50 {r['p50']:>8}   "
              f"p99 {r['p99']:>8}   non-2xx {r['non2xx']:>5}")  # fmt: skip
    print(f"{label:<22} server RSS after the run: {results['rss']:.0f} MiB")


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", nargs="+", type=int, default=[1], help="Janua workers")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install wrk")
    if not (NODE_DIR / "node_modules" / "oidc-provider").is_dir():
        raise SystemExit(f"run `npm ci` in {NODE_DIR.relative_to(ROOT)} first")
    print(f"wrk, {args.connections} connections, {args.duration}s per scenario, "
          f"{os.cpu_count()} cores")  # fmt: skip

    node_secret = secrets.token_urlsafe(32)
    with oidc_provider("bench", node_secret) as (base, pid, opaque):
        auth = basic("bench", node_secret)
        paths = ("/token", "/token/introspection", "/me")
        cases = scenarios(paths, auth, opaque, opaque)
        theirs = measure(base, cases, pid, args.duration, args.connections)
    report("oidc-provider (node)", theirs)

    with backend_env("postgres") as env:
        for workers in args.workers:
            with server(env, workers) as (base, pid):
                client_id, secret = janua_client(env)
                auth = basic(client_id, secret)
                machine = form_post(
                    f"{base}/oauth/token",
                    {"grant_type": "client_credentials", "scope": SCOPE},
                    auth,
                )
                user_token = janua_user_token(base, env, client_id, secret)
                paths = ("/oauth/token", "/oauth/introspect", "/oauth/userinfo")
                cases = scenarios(paths, auth, machine["access_token"], user_token)
                ours = measure(base, cases, pid, args.duration, args.connections)
            label = f"janua pg+redis {workers}w"
            report(label, ours)
            for name in ("client_credentials", "introspection", "userinfo"):
                ratio = ours[name]["rps"] / theirs[name]["rps"]
                print(f"{label:<22} {name:<19} {ratio:>8.2f}x oidc-provider")
            per_core = ours["client_credentials"]["rps"] / min(workers, os.cpu_count() or 1)
            print(f"{label:<22} client_credentials per core: {per_core:.0f}/s "
                  f"({per_core / 120:.1f}x Keycloak's published 120/s per vCPU)")  # fmt: skip


if __name__ == "__main__":
    main()
