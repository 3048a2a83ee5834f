"""What the interoperability suites need from a live Janua: an admin registers the relying
parties through the admin API (as an operator would), and a user signs up. The result is a
JSON file (JANUA_INTEROP_CONFIG) that the Python, Node and Go suites read."""

from __future__ import annotations

import uuid

import httpx

PASSWORD = "correct horse battery staple"
CALLBACK = "http://localhost:9876/callback"
SIGNED_OUT = "http://localhost:9876/signed-out"


def provision(base_url: str, admin_email: str, admin_password: str) -> dict:
    with httpx.Client(base_url=base_url, timeout=30) as http:
        login = http.post(
            "/api/v1/auth/login", json={"email": admin_email, "password": admin_password}
        )
        assert login.status_code == 200, login.text
        admin = {"Authorization": f"Bearer {login.json()['tokens']['access_token']}"}

        def register_client(name: str, **fields) -> dict:
            body = {
                "name": name,
                "redirect_uris": [CALLBACK],
                "post_logout_redirect_uris": [SIGNED_OUT],
                "scopes": ["openid", "profile", "email", "offline_access", "api:read"],
            } | fields
            created = http.post("/api/v1/oauth/clients", json=body, headers=admin)
            assert created.status_code == 201, created.text
            return created.json()

        email = f"interop-{uuid.uuid4().hex[:12]}@example.com"
        user = http.post(
            "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "Ada"}
        )
        assert user.status_code == 201, user.text
        return {
            "issuer": base_url,
            "callback": CALLBACK,
            "signed_out": SIGNED_OUT,
            "email": email,
            "password": PASSWORD,
            # A third-party web app (consent page) with a secret, for the code flow and
            # client_credentials, and a first-party public app (PKCE, no secret).
            "confidential": register_client(
                "Interop Web App",
                token_endpoint_auth_method="client_secret_basic",
                grant_types=["authorization_code", "refresh_token", "client_credentials"],
                first_party=False,
            ),
            "public": register_client(
                "Interop SPA",
                token_endpoint_auth_method="none",
                grant_types=["authorization_code", "refresh_token"],
                first_party=True,
            ),
        }
