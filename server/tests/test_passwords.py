from __future__ import annotations

from argon2 import extract_parameters
from janua_server.core import passwords


async def test_argon2id_with_owasp_parameters() -> None:
    stored = await passwords.hash_password("correct horse battery staple")
    params = extract_parameters(stored)
    assert stored.startswith("$argon2id$")
    assert (params.memory_cost, params.time_cost, params.parallelism) == (19456, 2, 1)


async def test_verify_and_the_timing_dummy() -> None:
    stored = await passwords.hash_password("correct horse battery staple")
    assert await passwords.verify_password(stored, "correct horse battery staple")
    assert not await passwords.verify_password(stored, "correct horse battery stapl")
    # No account: the dummy hash is verified (same cost) and the answer is always False,
    # even for the dummy's own plaintext.
    assert not await passwords.verify_password(None, "janua-timing-equaliser")
    assert not await passwords.verify_password("not-a-hash", "anything")


def test_stale_parameters_ask_for_a_rehash() -> None:
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("pw")
    assert passwords.needs_rehash(weak)
