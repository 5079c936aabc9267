"""Who may do what in a partnership."""

from flows.roles import (
    MEMBER,
    OBSERVER,
    PARTNER,
    Right,
    invitable_roles,
    may,
    may_invite,
    may_revoke,
)


def test_members_and_partner_contacts_act_observers_only_read():
    assert all(may(MEMBER, right) for right in Right)
    assert all(may(PARTNER, right) for right in Right)
    assert may(OBSERVER, Right.READ)
    assert not may(OBSERVER, Right.ACT) and not may(OBSERVER, Right.INVITE)
    assert not may(None, Right.READ)
    assert not may("intruder", Right.READ)


def test_each_side_invites_its_own_people_and_ours_brings_the_partner_in():
    assert invitable_roles(MEMBER) == (MEMBER, PARTNER, OBSERVER)
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
