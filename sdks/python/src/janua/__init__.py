"""Janua's Python SDK.

`Janua` / `AsyncJanua` are the facade: one namespace per spec tag and one keyword-argument
method per operation (generated from the spec into `janua._generated_facade`), over shared
machinery for typed errors, token refresh, retries and pagination (`janua._client`).
`TokenVerifier` / `verify_token` check Janua access tokens in a service (`janua.fastapi` wraps
them as a FastAPI dependency). Below all of it is the generated wire layer.

The wire layer is generated from the API contract (`janua._generated`, by openapi-python-client);
this module re-exports it under stable names. Each operation is a module with `sync`, `asyncio`,
`sync_detailed` and `asyncio_detailed` functions:

    from janua import Client, auth, models

    client = Client(base_url="http://localhost:4100")
    session = auth.login_user.sync(client=client, body=models.LoginRequest(email=..., password=...))
"""

import importlib
import pkgutil

from janua._auth import MemoryTokenStore, Tokens, TokenStore
from janua._client import AsyncJanua, Janua
from janua._errors import (
    AuthenticationError,
    AuthorizationError,
    BadRequestError,
    ConflictError,
    FieldError,
    JanuaError,
    MfaRequiredError,
    NetworkError,
    NotFoundError,
    RateLimitError,
    ServerError,
    TokenError,
    ValidationError,
)
from janua._generated import models
from janua._generated.api import (
    admin,
    audit,
    auth,
    discovery,
    health,
    mfa,
    oauth,
    organizations,
    passkeys,
    sessions,
    users,
)
from janua._generated.client import AuthenticatedClient, Client
from janua._generated.errors import UnexpectedStatus
from janua._generated.types import UNSET, Response, Unset
from janua._verify import InvalidTokenError, TokenVerifier, verify_token

__version__ = "0.1.0"

# One module per operation: import them all so `auth.login_user` works without a second import.
for _tag in (
    admin,
    audit,
    auth,
    discovery,
    health,
    mfa,
    oauth,
    organizations,
    passkeys,
    sessions,
    users,
):
    for _operation in pkgutil.iter_modules(_tag.__path__):
        importlib.import_module(f"{_tag.__name__}.{_operation.name}")

__all__ = [
    "UNSET",
    "AsyncJanua",
    "AuthenticatedClient",
    "AuthenticationError",
    "AuthorizationError",
    "BadRequestError",
    "Client",
    "ConflictError",
    "FieldError",
    "InvalidTokenError",
    "Janua",
    "JanuaError",
    "MemoryTokenStore",
    "MfaRequiredError",
    "NetworkError",
    "NotFoundError",
    "RateLimitError",
    "Response",
    "ServerError",
    "TokenError",
    "TokenStore",
    "TokenVerifier",
    "Tokens",
    "UnexpectedStatus",
    "Unset",
    "ValidationError",
    "__version__",
    "admin",
    "audit",
    "auth",
    "discovery",
    "health",
    "mfa",
    "models",
    "oauth",
    "organizations",
    "passkeys",
    "sessions",
    "users",
    "verify_token",
]
