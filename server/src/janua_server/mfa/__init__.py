"""Second factors: TOTP with recovery codes, SMS codes, and the MFA step of sign-in."""
