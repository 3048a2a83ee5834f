"""Configuration from the environment. Every default is the embedded mode: SQLite, an
in-process store and signing keys generated into `DATA_DIR`, so `janua serve` needs nothing else.
"""

from __future__ import annotations

import functools
import ipaddress
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
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
        for name, value in derived.items():
            object.__setattr__(self, name, value)
        return self

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
