"""Janua: a self-hosted identity platform."""

import email_validator

__version__ = "0.1.0"

# Self-hosted deployments sign people in with internal addresses (`ops@corp.local`,
# `ci@build.test`, `root@localhost`). By default email-validator refuses special-use and
# single-label domains, which would make the server stricter than the contract's
# `format: email` (schemathesis found it). Both switches are the library's documented
# module-level settings; the address syntax is still checked in full.
email_validator.GLOBALLY_DELIVERABLE = False
email_validator.SPECIAL_USE_DOMAIN_NAMES = []
