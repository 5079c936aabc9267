"""Whether an invitation still admits someone."""

from dataclasses import dataclass
from datetime import UTC, datetime

from flows.invitations import LIFETIME, clean_token, new_token, problem_with, token_hash

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


@dataclass
class Invitation:
    expires_at: datetime
    revoked_at: datetime | None = None
    used_at: datetime | None = None


def test_a_fresh_invitation_admits_until_it_expires():
    invitation = Invitation(expires_at=NOW + LIFETIME)
    assert problem_with(invitation, NOW) is None
    assert problem_with(invitation, NOW + LIFETIME) == "expired"
    # Moments come from the database aware on SQLite too (tests/storage/test_types.py).


def test_unknown_revoked_and_used_invitations_admit_nobody():
    assert problem_with(None, NOW) == "unknown"
    assert problem_with(Invitation(NOW + LIFETIME, revoked_at=NOW), NOW) == "revoked"
    assert problem_with(Invitation(NOW + LIFETIME, used_at=NOW), NOW) == "used"


def test_tokens_carry_at_least_128_random_bits_and_only_their_hash_is_kept():
    tokens = {new_token() for _ in range(100)}
    assert len(tokens) == 100
    assert all(len(t) >= 22 and len(t) <= 64 for t in tokens)
    token = tokens.pop()
    assert token_hash(token) != token and len(token_hash(token)) == 64
    assert clean_token(f"  {token}  ") == token
