"""FastAPI integration: a dependency that requires a valid Janua access token.

    from fastapi import Depends, FastAPI
    import janua
    from janua.fastapi import require_token

    verifier = janua.TokenVerifier(issuer="https://id.example.com", audience="janua")
    app = FastAPI()

    @app.get("/orders")
    async def orders(claims: dict = Depends(require_token(verifier))):
        return {"user": claims["sub"]}

A request without `Authorization: Bearer <token>`, or with a token the verifier refuses, is
answered 401 with `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750 section 3); a
token lacking a required permission (`permissions=`, matched against the `org_permissions`
claim) is answered 403 `insufficient_scope`. The route shows up in OpenAPI as secured by HTTP
bearer. FastAPI is an optional dependency: `pip install "janua-sdk[fastapi]"`.
"""

# No `from __future__ import annotations`: FastAPI reads the dependency's annotations at runtime.

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from janua._verify import InvalidTokenError, TokenVerifier

Claims = dict[str, Any]


def require_token(
    verifier: TokenVerifier,
    *,
    permissions: Sequence[str] = (),
    scheme_name: str = "janua",
) -> Callable[..., Awaitable[Claims]]:
    """A FastAPI dependency returning the verified claims of the request's bearer token."""
    try:
        from fastapi import Depends, HTTPException
        from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ImportError('janua.fastapi needs FastAPI: pip install "janua-sdk[fastapi]"') from exc

    bearer = HTTPBearer(auto_error=False, scheme_name=scheme_name)
    required = tuple(permissions)

    def refuse(status: int, error: str, description: str) -> HTTPException:
        challenge = f'Bearer error="{error}", error_description="{description}"'
        return HTTPException(status, detail=description, headers={"WWW-Authenticate": challenge})

    async def dependency(
        credentials: HTTPAuthorizationCredentials | None = Depends(bearer),  # noqa: B008
    ) -> Claims:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise HTTPException(
                401, detail="a bearer token is required", headers={"WWW-Authenticate": "Bearer"}
            )
        try:
            claims = await verifier.verify_async(credentials.credentials)
        except InvalidTokenError as exc:
            raise refuse(401, "invalid_token", exc.reason) from exc
        granted = claims.get("org_permissions") or []
        missing = [p for p in required if p not in granted]
        if missing:
            raise refuse(403, "insufficient_scope", f"missing permission {missing[0]}")
        return claims

    return dependency
