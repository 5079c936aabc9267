"""Organisations as the partnerships and conventions see them: when two typed names are the
same organisation, a party's details as one line to confirm or correct, and its kind.

A convention asks each party's legal form, seat, identifier (SIREN or RNA) and
representative; they belong to the organisation, so they are asked once and used by every
convention it signs (guide, step 5: each party is identified precisely).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from flows.convention import PARTY_FIELDS, Party, party_from_text

KINDS = ("association", "foundation", "company", "local_authority", "academic")
# The self-diagnosis's profiles that name an organisation's kind ("association" stands for
# "association or foundation" there).
PROFILE_KINDS = {
    "association": "association",
    "company": "company",
    "local_authority": "local_authority",
    "academic": "academic",
}
SEPARATOR = " ; "


class Named(Protocol):
    id: int | None
    name: str


def name_key(name: str | None) -> str:
    """A name as compared: case and spacing do not tell two organisations apart."""
    return " ".join((name or "").casefold().split())


def same_name(first: str | None, second: str | None) -> bool:
    return bool(name_key(first)) and name_key(first) == name_key(second)


def named(organisations: Iterable[Named], name: str | None) -> Named | None:
    """The first of `organisations` (the ones the user may reuse) with that name, else None.
    Which ones may be reused is the caller's query: never one the user has no link with."""
    return next((o for o in organisations if same_name(o.name, name)), None)


KEEP, RENAME, SWITCH, NONE = "keep", "rename", "switch", "none"


def naming(current: str | None, new: str | None, *, known: bool, used_elsewhere: bool) -> str:
    """What a name typed for a side of a partnership does to its organisation (`current`:
    its name now, None when it has none): NONE (no organisation), KEEP, RENAME the
    organisation (a correction: the same name spelt otherwise, or an organisation no other
    partnership uses), or SWITCH to another one (`known`: one the user may reuse has that
    name; else a new one, so that the partnerships using this one keep it)."""
    if not name_key(new):
        return NONE
    if current is None:
        return SWITCH
    if current == new.strip():
        return KEEP
    if same_name(current, new) or not (known or used_elsewhere):
        return RENAME
    return SWITCH


def details_from_text(text: str | None) -> dict[str, str | None]:
    """A party's typed details ("legal form ; seat ; identifier ; representative") as the
    organisation's fields; labels such as "représentée par" are left out."""
    party = party_from_text(None, text)
    return {field: getattr(party, field) for field in PARTY_FIELDS}


def details_of(organisation: Any) -> dict[str, str | None]:
    return {field: getattr(organisation, field, None) for field in PARTY_FIELDS}


def has_details(details: Mapping[str, str | None]) -> bool:
    return any(details.get(field) for field in PARTY_FIELDS)


def details_text(details: Mapping[str, str | None]) -> str | None:
    """The details as the convention asks them, to confirm in one tap or correct: a missing
    detail keeps its place ("SAS ;  ; 812 345 678"); None when nothing is known."""
    parts = [details.get(field) or "" for field in PARTY_FIELDS]
    while parts and not parts[-1]:
        parts.pop()
    return SEPARATOR.join(parts) if parts else None


def changed_details(organisation: Any, text: str | None) -> dict[str, str | None] | None:
    """The details to save on the organisation from what was typed in a convention: all of
    them (the question offered the known ones, so the text is the whole new truth), or None
    when nothing was typed or nothing changes."""
    if not text or not text.strip():
        return None
    details = details_from_text(text)
    if not has_details(details) or details == details_of(organisation):
        return None
    return details


def kind_from_profile(profile: str | None) -> str | None:
    """The organisation's kind from the self-diagnosis's profile, when it names one."""
    return PROFILE_KINDS.get(profile or "")


def party(name: str | None, organisation: Any, text: str | None, kind: str | None) -> Party:
    """A party's block for the draft: the organisation's name and details when it has them
    (the truth, corrected once for every convention), else what this convention typed; the
    organisation's kind when known, else what a step said (`kind`)."""
    if organisation is None:
        return party_from_text(name, text, kind)
    details = details_of(organisation)
    if not has_details(details):
        details = details_from_text(text)
    return Party(name=organisation.name, kind=organisation.kind or kind, **details)
