"""OAuth clients: the applications that log in with Janua (RFC 6749 section 2)."""
