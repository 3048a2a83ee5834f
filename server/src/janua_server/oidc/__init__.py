"""OpenID provider: discovery metadata and signing keys (the authorization endpoints come later)."""
