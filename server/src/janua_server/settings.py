"""Configuration from the environment. Every default is the embedded mode: SQLite, an
in-process store and signing keys generated into `DATA_DIR`, so `janua serve` needs nothing else.
"""

from __future__ import annotations

import base64
import functools
import ipaddress
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MAX_BODY_BYTES = 1024 * 1024

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    data_dir: Path = Field(Path(".janua-data"), validation_alias="DATA_DIR")
    host: str = Field("127.0.0.1", validation_alias="HOST")
    port: int = Field(4100, ge=1, le=65535, validation_alias="PORT")
    base_url: str = Field("", validation_alias="BASE_URL")

    database_url: str = Field("", validation_alias="DATABASE_URL")
    redis_url: str = Field("", validation_alias="REDIS_URL")
    # None: migrate at start-up on SQLite only; with PostgreSQL several processes would race,
    # so there `janua migrate` runs once before they start.
    auto_migrate: bool | None = Field(None, validation_alias="AUTO_MIGRATE")

    jwt_algorithm: Literal["RS256"] = Field("RS256", validation_alias="JWT_ALGORITHM")
    jwt_private_key_path: Path | None = Field(None, validation_alias="JWT_PRIVATE_KEY_PATH")
    jwt_public_key_path: Path | None = Field(None, validation_alias="JWT_PUBLIC_KEY_PATH")
    jwt_issuer: str = Field("", validation_alias="JWT_ISSUER")
    jwt_audience: str = Field("janua", validation_alias="JWT_AUDIENCE")
    access_token_expire_minutes: int = Field(
        15, ge=1, le=24 * 60, validation_alias="ACCESS_TOKEN_EXPIRE_MINUTES"
    )
    refresh_token_expire_days: int = Field(
        30, ge=1, le=365, validation_alias="REFRESH_TOKEN_EXPIRE_DAYS"
    )

    log_level: Literal["debug", "info", "warning", "error"] = Field(
        "info", validation_alias="LOG_LEVEL"
    )

    # Links in emails point here, never at the request's Host header (host-header poisoning).
    public_app_url: str = Field("", validation_alias="PUBLIC_APP_URL")
    email_verification_ttl_hours: int = Field(
        24, ge=1, le=24 * 7, validation_alias="EMAIL_VERIFICATION_TTL_HOURS"
    )
    password_reset_ttl_minutes: int = Field(
        30, ge=5, le=24 * 60, validation_alias="PASSWORD_RESET_TTL_MINUTES"
    )
    # Organization invitation links (7 days by default, at most 30).
    invitation_expire_hours: int = Field(
        7 * 24, ge=1, le=30 * 24, validation_alias="INVITATION_EXPIRE_HOURS"
    )

    # OAuth 2.0 / OpenID provider (issue 6). Authorization codes live a minute (RFC 6749 4.1.2
    # recommends at most ten); access tokens of OAuth clients are RFC 9068 JWTs for the audience
    # below (default: the issuer), never the first-party JWT_AUDIENCE.
    oauth_code_ttl_seconds: int = Field(60, ge=1, le=600, validation_alias="OAUTH_CODE_TTL_SECONDS")
    oauth_access_token_ttl_seconds: int = Field(
        900, ge=60, le=24 * 3600, validation_alias="OAUTH_ACCESS_TOKEN_TTL_SECONDS"
    )
    oauth_id_token_ttl_seconds: int = Field(
        3600, ge=60, le=24 * 3600, validation_alias="OAUTH_ID_TOKEN_TTL_SECONDS"
    )
    oauth_refresh_token_expire_days: int = Field(
        30, ge=1, le=365, validation_alias="OAUTH_REFRESH_TOKEN_EXPIRE_DAYS"
    )
    oauth_access_token_audience: str = Field(
        "", max_length=2000, validation_alias="OAUTH_ACCESS_TOKEN_AUDIENCE"
    )

    # Mail: unset SMTP_HOST prints mails to the console (embedded default).
    smtp_host: str = Field("", validation_alias="SMTP_HOST")
    smtp_port: int = Field(587, ge=1, le=65535, validation_alias="SMTP_PORT")
    smtp_username: str = Field("", validation_alias="SMTP_USERNAME")
    smtp_password: str = Field("", validation_alias="SMTP_PASSWORD")
    smtp_from: str = Field("Janua <no-reply@localhost>", validation_alias="SMTP_FROM")
    smtp_starttls: bool = Field(False, validation_alias="SMTP_STARTTLS")
    smtp_tls: bool = Field(False, validation_alias="SMTP_TLS")
    smtp_timeout_seconds: float = Field(10.0, gt=0, validation_alias="SMTP_TIMEOUT_SECONDS")

    # NIST SP 800-63B: a minimum length, no composition rules, a breached-password list.
    password_min_length: int = Field(12, ge=8, le=128, validation_alias="PASSWORD_MIN_LENGTH")

    # Abuse resistance. X-Forwarded-For is honoured only from these proxies (comma-separated IPs
    # or CIDRs); by default it is ignored.
    trusted_proxies: str = Field("", validation_alias="TRUSTED_PROXIES")
    rate_limit_enabled: bool = Field(True, validation_alias="RATE_LIMIT_ENABLED")
    lockout_threshold: int = Field(5, ge=1, le=100, validation_alias="LOCKOUT_THRESHOLD")
    lockout_base_seconds: int = Field(30, ge=1, validation_alias="LOCKOUT_BASE_SECONDS")
    lockout_max_seconds: int = Field(3600, ge=1, validation_alias="LOCKOUT_MAX_SECONDS")

    # Browser mode cookies are `__Host-` cookies: Secure, Path=/, no Domain.
    cookie_samesite: Literal["strict", "lax"] = Field("strict", validation_alias="COOKIE_SAMESITE")

    # Signing-key rotation: a new key is published this long before it signs, so relying
    # parties' JWKS caches (max-age 300 s) have it in time.
    key_publish_ahead_seconds: int = Field(600, ge=0, validation_alias="KEY_PUBLISH_AHEAD_SECONDS")
    audit_retention_days: int = Field(365, ge=1, validation_alias="AUDIT_RETENTION_DAYS")

    # The first platform admin: with a password set and no admin yet, the first start creates
    # this account (email verified). Later starts leave it alone; the password is never reset.
    admin_bootstrap_email: str = Field(
        "admin@example.com", max_length=254, validation_alias="ADMIN_BOOTSTRAP_EMAIL"
    )
    admin_bootstrap_password: SecretStr | None = Field(
        None, validation_alias="ADMIN_BOOTSTRAP_PASSWORD"
    )

    # Second factors (mfa/). The app's name is the issuer authenticator apps show and the
    # sender named in SMS texts.
    app_name: str = Field(
        "Janua",
        min_length=1,
        max_length=64,
        pattern=r"^[^:\x00-\x1f]+$",
        validation_alias="APP_NAME",
    )
    # Encrypts TOTP secrets at rest and keys the hashes of recovery and SMS codes: one or more
    # comma-separated urlsafe-base64 32-byte keys (`openssl rand -base64 32`), the first one
    # current, the others still accepted (rotation). Unset: generated into DATA_DIR/keys/ on
    # first start, which suits one host; processes on several hosts must share one value.
    mfa_encryption_key: SecretStr | None = Field(None, validation_alias="MFA_ENCRYPTION_KEY")
    # SMS codes: `console` prints them to stdout (embedded default, for development);
    # `twilio` sends them with Twilio's Messages API.
    sms_sender: Literal["console", "twilio"] = Field("console", validation_alias="SMS_SENDER")
    twilio_account_sid: str = Field("", max_length=64, validation_alias="TWILIO_ACCOUNT_SID")
    twilio_auth_token: SecretStr | None = Field(None, validation_alias="TWILIO_AUTH_TOKEN")
    twilio_from_number: str = Field("", max_length=32, validation_alias="TWILIO_FROM_NUMBER")
    twilio_api_base: str = Field("https://api.twilio.com", validation_alias="TWILIO_API_BASE")
    twilio_timeout_seconds: float = Field(
        10.0, gt=0, le=60, validation_alias="TWILIO_TIMEOUT_SECONDS"
    )

    # Passkeys (passkeys/). The RP ID is the domain passkeys are bound to (default: the host of
    # PUBLIC_APP_URL); a browser creates and uses them only on pages of that domain or its
    # subdomains. WEBAUTHN_ORIGINS lists the exact origins whose pages may use them
    # (comma-separated; default: the origins of PUBLIC_APP_URL and BASE_URL).
    webauthn_rp_id: str = Field("", max_length=253, validation_alias="WEBAUTHN_RP_ID")
    webauthn_rp_name: str = Field(
        "Janua", min_length=1, max_length=64, validation_alias="WEBAUTHN_RP_NAME"
    )
    webauthn_origins: str = Field("", max_length=4000, validation_alias="WEBAUTHN_ORIGINS")

    @field_validator("mfa_encryption_key")
    @classmethod
    def _check_mfa_encryption_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            for key in value.get_secret_value().split(","):
                if len(_urlsafe_b64decode(key.strip())) != 32:
                    raise ValueError("MFA_ENCRYPTION_KEY: each key must be 32 bytes, base64")
        return value

    @model_validator(mode="after")
    def _check_sms_sender(self) -> Settings:
        if self.sms_sender == "twilio":
            missing = [
                name
                for name, value in (
                    ("TWILIO_ACCOUNT_SID", self.twilio_account_sid),
                    ("TWILIO_AUTH_TOKEN", self.twilio_auth_token),
                    ("TWILIO_FROM_NUMBER", self.twilio_from_number),
                )
                if not value
            ]
            if missing:
                raise ValueError(f"SMS_SENDER=twilio needs {', '.join(missing)}")
        return self

    @field_validator("trusted_proxies")
    @classmethod
    def _check_trusted_proxies(cls, value: str) -> str:
        parse_networks(value)  # raises ValueError naming the bad entry
        return value

    @model_validator(mode="after")
    def _derive_defaults(self) -> Settings:
        # frozen model: fill derived defaults once, here, so the rest of the code reads plain values
        derived = {
            "base_url": (self.base_url or f"http://localhost:{self.port}").rstrip("/"),
            "database_url": normalize_database_url(
                self.database_url or f"sqlite:///{self.data_dir / 'janua.db'}"
            ),
        }
        derived["jwt_issuer"] = self.jwt_issuer or derived["base_url"]
        derived["public_app_url"] = (self.public_app_url or derived["base_url"]).rstrip("/")
        derived["oauth_access_token_audience"] = (
            self.oauth_access_token_audience or derived["jwt_issuer"]
        )
        if derived["oauth_access_token_audience"] == self.jwt_audience:
            # Else a token issued to an OAuth client would pass as a first-party access token.
            raise ValueError("OAUTH_ACCESS_TOKEN_AUDIENCE must differ from JWT_AUDIENCE")
        for name, value in derived.items():
            object.__setattr__(self, name, value)
        return self

    @model_validator(mode="after")
    def _derive_webauthn(self) -> Settings:
        # After _derive_defaults: PUBLIC_APP_URL and BASE_URL are filled in by now.
        app, server = urlsplit(self.public_app_url), urlsplit(self.base_url)
        origins = [o.strip().rstrip("/") for o in self.webauthn_origins.split(",") if o.strip()]
        for origin in origins:
            parts = urlsplit(origin)
            if parts.scheme not in ("https", "http") or not parts.hostname or parts.path:
                raise ValueError(f"WEBAUTHN_ORIGINS: {origin!r} is not an origin (scheme://host)")
        derived = {
            "webauthn_rp_id": (self.webauthn_rp_id or app.hostname or "localhost").lower(),
            "webauthn_origins": ",".join(
                dict.fromkeys(
                    origins
                    or [f"{app.scheme}://{app.netloc}", f"{server.scheme}://{server.netloc}"]
                )
            ),
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)
        return self

    @property
    def webauthn_allowed_origins(self) -> list[str]:
        """The origins whose pages may create and use passkeys (clientDataJSON `origin`)."""
        return self.webauthn_origins.split(",")

    @property
    def database_backend(self) -> Literal["sqlite", "postgresql"]:
        return "sqlite" if self.database_url.startswith("sqlite") else "postgresql"

    @property
    def should_auto_migrate(self) -> bool:
        if self.auto_migrate is not None:
            return self.auto_migrate
        return self.database_backend == "sqlite"

    @property
    def private_key_path(self) -> Path:
        return self.jwt_private_key_path or self.data_dir / "keys" / "signing-key.pem"


@functools.cache
@functools.cache  # read on every request by client_ip; the setting never changes
def parse_networks(value: str) -> tuple[IPNetwork, ...]:
    """TRUSTED_PROXIES as networks: comma-separated IPs (`10.0.0.1`) or CIDRs (`10.0.0.0/8`)."""
    networks = []
    for entry in (part.strip() for part in value.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(
                f"TRUSTED_PROXIES: {entry!r} is not an IP address or CIDR (e.g. 10.0.0.0/8)"
            ) from None
    return tuple(networks)


def _urlsafe_b64decode(value: str) -> bytes:
    """Standard or urlsafe base64, padding optional; b"" when it is not base64 at all."""
    try:
        return base64.urlsafe_b64decode(
            value.replace("+", "-").replace("/", "_") + "=" * (-len(value) % 4)
        )
    except ValueError:
        return b""


def normalize_database_url(url: str) -> str:
    """Accept the URLs people paste (`postgres://`, `postgresql://`, `sqlite:///`) and pick the
    async driver the server runs on."""
    for prefix, driver in (
        ("postgres://", "postgresql+asyncpg://"),
        ("postgresql://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(prefix):
            return driver + url[len(prefix) :]
    if url.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
        return url
    raise ValueError(
        f"DATABASE_URL must be a postgresql:// or sqlite:// URL, got {url.split(':')[0]}:"
    )
