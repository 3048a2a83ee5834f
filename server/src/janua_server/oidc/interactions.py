"""An authorization request waiting for the user: to sign in, to pass a second factor, or to
consent (what panva's oidc-provider calls an interaction).

`/oauth/authorize` validates the request, stores its parameters here under a random id, and
sends the browser to a hosted page naming that id. The record is bound to the browser that
started it (the digest of its `__Host-janua_browser` cookie), so a link to someone else's
interaction is useless. It remembers what the user has done so far, so that resuming the
request does not ask again for what was just given (`prompt=login` and `max_age=0` would
otherwise loop). It lives in the shared store, so any server process can continue it.
"""

from __future__ import annotations

import hmac
import json
import re
from dataclasses import asdict, dataclass, field

from janua_server.core import secret_tokens
from janua_server.core.runtime import Runtime

TTL_SECONDS = 900
_ID = re.compile(r"^[A-Za-z0-9_-]{43}$")


@dataclass
class Interaction:
    # The authorization request's parameters, as sent (one value each: checked before storing).
    params: dict[str, str]
    browser: str
    # The first-party session the user signed in to during this interaction, if any.
    signed_in_session: str | None = None
    consented: bool = False
    # A sign-in waiting for its second factor (the `mfa_token` of sessions.pending: a secret,
    # so it stays here, never in a page) and the methods the account offers.
    mfa_token: str | None = None
    mfa_methods: list[str] = field(default_factory=list)
    # What the last form should show again: an error message, the email typed.
    flash: str | None = None
    email: str | None = None

    @property
    def client_id(self) -> str:
        return self.params.get("client_id", "")


def _key(interaction_id: str) -> str:
    return f"oauth-interaction:{secret_tokens.digest(interaction_id)}"


async def start(rt: Runtime, params: dict[str, str], browser: str) -> str:
    interaction_id = secret_tokens.new_token()
    await save(rt, interaction_id, Interaction(params=params, browser=browser))
    return interaction_id


async def load(rt: Runtime, interaction_id: str | None, browser: str) -> Interaction | None:
    """The interaction, if it exists, has not expired and belongs to this browser."""
    if not interaction_id or not _ID.match(interaction_id):
        return None
    raw = await rt.store.get(_key(interaction_id))
    if raw is None:
        return None
    interaction = Interaction(**json.loads(raw))
    if not hmac.compare_digest(interaction.browser.encode(), browser.encode()):
        return None
    return interaction


async def save(rt: Runtime, interaction_id: str, interaction: Interaction) -> None:
    await rt.store.set(_key(interaction_id), json.dumps(asdict(interaction)).encode(), TTL_SECONDS)


async def finish(rt: Runtime, interaction_id: str) -> None:
    await rt.store.delete(_key(interaction_id))
