"""WebAuthn passkeys: registration, management, and sign-in with a passkey alone or as the
second factor after a password (W3C Web Authentication Level 3, through py_webauthn)."""
