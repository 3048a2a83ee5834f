"""Sessions: sign-in, access tokens, refresh-token rotation, sign-out."""
