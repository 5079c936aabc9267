"""Who may do what in a partnership."""

from flows.roles import (
    COORDINATOR,
    MEMBER,
    OBSERVER,
    PARTNER,
    RIGHTS,
    Right,
    coordinated_by_invitation,
    invitable_roles,
    may,
    may_invite,
    may_revoke,
    role_on,
)


def test_members_and_partner_contacts_act_observers_only_read():
    assert all(may(MEMBER, right) for right in Right)
    assert all(may(PARTNER, right) for right in Right)
    assert may(OBSERVER, Right.READ)
    assert not may(OBSERVER, Right.ACT) and not may(OBSERVER, Right.INVITE)
    assert not may(None, Right.READ)
    assert not may("intruder", Right.READ)


def test_each_side_invites_its_own_people_and_ours_brings_the_partner_in():
    assert invitable_roles(MEMBER) == (MEMBER, PARTNER, OBSERVER, COORDINATOR)
    assert invitable_roles(PARTNER) == (PARTNER,)
    assert invitable_roles(OBSERVER) == ()
    assert not may_invite(PARTNER, MEMBER)
    assert not may_invite(PARTNER, OBSERVER)
    assert may_invite(MEMBER, PARTNER)


def test_an_invitation_is_revoked_by_its_creator_or_a_member_of_our_side():
    owner, contact, other_contact = 1, 2, 3
    assert may_revoke(MEMBER, owner, created_by=contact)
    assert may_revoke(PARTNER, contact, created_by=contact)
    assert not may_revoke(PARTNER, contact, created_by=owner)
    assert not may_revoke(PARTNER, other_contact, created_by=contact)
    assert not may_revoke(OBSERVER, 4, created_by=4)


def test_a_coordinator_reads_and_acts_on_nothing_by_default():
    assert may(COORDINATOR, Right.READ)
    assert not may(COORDINATOR, Right.ACT)
    assert not may(COORDINATOR, Right.INVITE)
    assert RIGHTS[COORDINATOR] == frozenset({Right.READ})
    assert invitable_roles(COORDINATOR) == ()
    assert not may_revoke(COORDINATOR, 5, created_by=5)


def test_a_membership_wins_over_following_the_organisation():
    assert role_on(MEMBER, coordinates=True) == MEMBER
    assert role_on(OBSERVER, coordinates=True) == OBSERVER
    assert role_on(None, coordinates=True) == COORDINATOR
    assert role_on(None, coordinates=False) is None


def test_only_a_member_invites_a_coordinator_and_only_of_our_organisation():
    ours, theirs = 10, 20
    assert coordinated_by_invitation(MEMBER, ours, theirs) == ours
    # The partner's contacts were brought in by our side: they do not speak for theirs.
    assert coordinated_by_invitation(PARTNER, ours, theirs) is None
    assert coordinated_by_invitation(OBSERVER, ours, theirs) is None
    assert coordinated_by_invitation(COORDINATOR, ours, theirs) is None
    assert coordinated_by_invitation(None, ours, theirs) is None
    # A partnership not yet tied to an organisation has nobody to coordinate.
    assert coordinated_by_invitation(MEMBER, None, theirs) is None
    assert not may_invite(PARTNER, COORDINATOR)
