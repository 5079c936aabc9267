"""The rules of organisations: which side a role is on, when two names are one organisation,
what a typed name does, a party's details as one line, and the draft's party block."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from flows import organisations as rules
from flows.roles import MEMBER, OBSERVER, OURS, PARTNER, PARTNERS, ROLES, side_of


@dataclass
class Org:
    id: int
    name: str
    kind: str | None = None
    legal_form: str | None = None
    seat: str | None = None
    identifier: str | None = None
    representative: str | None = None


def test_members_and_observers_are_ours_partner_contacts_the_partners():
    assert {role: side_of(role) for role in ROLES} == {
        MEMBER: OURS,
        OBSERVER: OURS,
        PARTNER: PARTNERS,
    }
    assert side_of(None) is None and side_of("coordinator") is None and side_of("admin") is None


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("Association Rebond", "  association   REBOND ", True),
        ("Ville de Lyon", "Ville\tde\nLyon", True),
        ("Straße", "STRASSE", True),  # casefold, not lower
        ("Association Rebond", "Association Rebonds", False),
        ("", "", False),  # no name is no organisation
        (None, None, False),
    ],
)
def test_two_names_are_one_organisation_when_only_case_and_spacing_differ(first, second, same):
    assert rules.same_name(first, second) is same


def test_a_name_reaches_only_the_organisations_it_is_given():
    mine = [Org(1, "Association Rebond"), Org(2, "Boulangeries Martin")]
    assert rules.named(mine, "boulangeries  martin").id == 2
    assert rules.named(mine, "Ville de Lyon") is None
    assert rules.named([], "Association Rebond") is None


@pytest.mark.parametrize(
    ("current", "new", "known", "elsewhere", "move"),
    [
        (None, "Asso", False, False, rules.SWITCH),  # first named: found or made
        ("Asso", "  ", False, False, rules.NONE),
        ("Asso", None, False, True, rules.NONE),
        ("Asso", "Asso ", False, True, rules.KEEP),
        ("Asso", "ASSO", False, True, rules.RENAME),  # case: a correction, for all
        ("Asociation", "Association", False, False, rules.RENAME),  # used nowhere else
        ("Asociation", "Association", False, True, rules.SWITCH),  # the others keep theirs
        ("Asociation", "Association", True, False, rules.SWITCH),  # one the user has
    ],
)
def test_what_a_typed_name_does_to_the_organisation(current, new, known, elsewhere, move):
    assert rules.naming(current, new, known=known, used_elsewhere=elsewhere) == move


def test_details_read_from_the_typed_line_without_their_labels():
    details = rules.details_from_text(
        "association loi 1901 ; Siège social : 12 rue de la Paix ; W691234567 ; "
        "représentée par Claire Durand, présidente"
    )
    assert details == {
        "legal_form": "association loi 1901",
        "seat": "12 rue de la Paix",
        "identifier": "W691234567",
        "representative": "Claire Durand, présidente",
    }


@pytest.mark.parametrize(
    "details",
    [
        {"legal_form": "SAS", "seat": "Lyon", "identifier": "812", "representative": "Marc"},
        {"legal_form": "SAS", "seat": None, "identifier": "812", "representative": None},
        {"legal_form": None, "seat": None, "identifier": None, "representative": "Marc"},
        {"legal_form": "SAS", "seat": None, "identifier": None, "representative": None},
    ],
)
def test_details_offered_as_one_line_read_back_the_same(details):
    line = rules.details_text(details)
    assert rules.details_from_text(line) == details


def test_no_details_offer_nothing_and_change_nothing():
    empty = dict.fromkeys(("legal_form", "seat", "identifier", "representative"))
    assert rules.details_text(empty) is None
    organisation = Org(1, "Asso", legal_form="SAS")
    assert rules.changed_details(organisation, None) is None
    assert rules.changed_details(organisation, "   ") is None
    # Kept in one tap: the same details, nothing to save.
    assert rules.changed_details(organisation, "SAS") is None
    # Corrected: the whole new line is the truth, a detail left out is no longer known.
    assert rules.changed_details(organisation, "SARL ; Lyon") == {
        "legal_form": "SARL",
        "seat": "Lyon",
        "identifier": None,
        "representative": None,
    }


def test_the_partys_block_reads_the_organisation_first():
    organisation = Org(1, "Association Rebond", kind="association", seat="Lyon")
    party = rules.party("association rebond", organisation, "SAS ; Paris", "company")
    # The organisation's name, details and kind; what this convention typed is not used.
    assert (party.name, party.seat, party.legal_form, party.kind) == (
        "Association Rebond",
        "Lyon",
        None,
        "association",
    )
    assert not party.is_company
    # An organisation with no details yet: the convention's typed ones, its kind still.
    bare = Org(2, "ÉnerBat")
    party = rules.party("ÉnerBat", bare, "SAS ; Bobigny", "general_interest")
    assert (party.legal_form, party.seat, party.kind) == ("SAS", "Bobigny", "general_interest")
    bare.kind = "company"
    assert rules.party("ÉnerBat", bare, None, None).is_company
    # No organisation (no partner named): the typed details alone.
    assert rules.party(None, None, "SARL ; Lyon", None).legal_form == "SARL"


def test_the_self_diagnosis_profile_gives_our_kind():
    assert rules.kind_from_profile("company") == "company"
    assert rules.kind_from_profile("association") == "association"
    assert rules.kind_from_profile(None) is None
    assert rules.kind_from_profile("economic") is None  # a candidate's profile is no kind
    assert set(rules.PROFILE_KINDS.values()) <= set(rules.KINDS)
