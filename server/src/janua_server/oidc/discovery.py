"""Provider metadata (OpenID Connect Discovery 1.0 section 3, RFC 8414 section 2): complete and
truthful. Everything listed works; what is not offered (dynamic registration, implicit and
hybrid flows, request objects, the `claims` parameter, `plain` PKCE) is absent or `false`."""

from __future__ import annotations

from janua_server.contract.models import OpenIDConfiguration
from janua_server.oidc import tokens
from janua_server.oidc.authorize import check_prompt
from janua_server.oidc.clients.service import AUTH_METHODS, GRANT_TYPES, STANDARD_SCOPES
from janua_server.settings import Settings

CLAIMS = (
    "iss",
    "sub",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "amr",
    "azp",
    "at_hash",
    "sid",
    *tokens.PROFILE_CLAIMS,
    *tokens.EMAIL_CLAIMS,
    *tokens.ORGANIZATION_CLAIMS,
)


def metadata(settings: Settings) -> OpenIDConfiguration:
    base = settings.base_url
    secret_methods = [method for method in AUTH_METHODS if method != "none"]
    return OpenIDConfiguration(
        issuer=settings.jwt_issuer,
        authorization_endpoint=f"{base}/oauth/authorize",
        token_endpoint=f"{base}/oauth/token",
        userinfo_endpoint=f"{base}/oauth/userinfo",
        jwks_uri=f"{base}/.well-known/jwks.json",
        introspection_endpoint=f"{base}/oauth/introspect",
        revocation_endpoint=f"{base}/oauth/revoke",
        end_session_endpoint=f"{base}/oauth/logout",
        scopes_supported=list(STANDARD_SCOPES),
        response_types_supported=["code"],
        response_modes_supported=["query"],
        grant_types_supported=list(GRANT_TYPES),
        code_challenge_methods_supported=["S256"],
        token_endpoint_auth_methods_supported=list(AUTH_METHODS),
        introspection_endpoint_auth_methods_supported=secret_methods,
        # Public clients revoke their own tokens with their client_id (RFC 7009 section 2.1).
        revocation_endpoint_auth_methods_supported=list(AUTH_METHODS),
        subject_types_supported=["public"],
        id_token_signing_alg_values_supported=[settings.jwt_algorithm],
        claims_supported=list(CLAIMS),
        prompt_values_supported=sorted(check_prompt.SUPPORTED),
        authorization_response_iss_parameter_supported=True,
        claims_parameter_supported=False,
        request_parameter_supported=False,
        request_uri_parameter_supported=False,
    )
