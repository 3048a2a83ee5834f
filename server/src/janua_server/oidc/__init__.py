"""OpenID provider: discovery metadata and signing keys, OAuth clients, the authorization
endpoint and hosted pages, and the back channel (token, introspection, revocation, userinfo).
docs/oauth.md and docs/hosted-pages.md describe them."""
