"""Organisations: create, find the ones a user is linked with, correct their details (the
names of their partnerships follow in the same transaction), and their coordinators."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.models import Coordinator, Membership, Organisation, Partnership, utcnow
from storage.repository import without_step_data

NAME_LENGTH = 200
LIMITS = {"legal_form": 200, "seat": 300, "identifier": 64, "representative": 200}


def create_organisation(
    session: Session, *, name: str, created_by: int | None, kind: str | None = None, **details
) -> Organisation:
    organisation = Organisation(
        name=name.strip()[:NAME_LENGTH], created_by=created_by, kind=kind, **_fitted(details)
    )
    session.add(organisation)
    session.flush()
    return organisation


def organisation_by_id(session: Session, *, organisation_id: int | None) -> Organisation | None:
    return session.get(Organisation, organisation_id) if organisation_id is not None else None


def organisations_of_user(
    session: Session, *, user_id: int, our_roles: tuple[str, ...], partner_roles: tuple[str, ...]
) -> list[Organisation]:
    """The organisations the user belongs to: their side of each partnership they are a
    member of (ours for `our_roles`, the partner's for `partner_roles`: the rule is
    flows.roles.side_of), and those they coordinate."""
    ours = select(Partnership.our_organisation_id).join(
        Membership, Membership.partnership_id == Partnership.id
    )
    ours = ours.where(Membership.user_id == user_id, Membership.role.in_(our_roles))
    theirs = select(Partnership.partner_organisation_id).join(
        Membership, Membership.partnership_id == Partnership.id
    )
    theirs = theirs.where(Membership.user_id == user_id, Membership.role.in_(partner_roles))
    query = select(Organisation).where(
        or_(
            Organisation.id.in_(ours),
            Organisation.id.in_(theirs),
            Organisation.id.in_(_coordinated_ids(user_id)),
        )
    )
    return list(session.exec(query.order_by(Organisation.id)))


def organisations_known_to(
    session: Session, *, user_id: int, our_roles: tuple[str, ...], partner_roles: tuple[str, ...]
) -> list[Organisation]:
    """Every organisation the user may reuse by naming it: those they belong to first, then
    those they created and those of the partnerships they are in (whose details they
    already see). Never another user's organisation they have no link with."""
    theirs = organisations_of_user(
        session, user_id=user_id, our_roles=our_roles, partner_roles=partner_roles
    )
    in_partnerships = (
        select(Partnership.our_organisation_id, Partnership.partner_organisation_id)
        .join(Membership, Membership.partnership_id == Partnership.id)
        .where(Membership.user_id == user_id)
    )
    ids = {i for row in session.exec(in_partnerships) for i in row if i is not None}
    query = select(Organisation).where(
        or_(Organisation.created_by == user_id, Organisation.id.in_(sorted(ids)))
    )
    seen = {o.id for o in theirs}
    others = [o for o in session.exec(query.order_by(Organisation.id)) if o.id not in seen]
    return theirs + others


def update_organisation(session: Session, *, organisation: Organisation, **fields: Any) -> None:
    """Corrects an organisation's name, kind or details; a new name is written on every
    partnership it takes part in, in the same transaction (many screens read those)."""
    name = fields.pop("name", None)
    for key, value in _fitted(fields).items():
        setattr(organisation, key, value)
    if name and name.strip() and name.strip() != organisation.name:
        organisation.name = name.strip()[:NAME_LENGTH]
        _rename_partnerships(session, organisation)
    organisation.updated_at = utcnow()
    session.add(organisation)


def _rename_partnerships(session: Session, organisation: Organisation) -> None:
    for column, name_column in (
        (Partnership.our_organisation_id, "our_organisation"),
        (Partnership.partner_organisation_id, "partner_name"),
    ):
        session.execute(
            update(Partnership)
            .where(column == organisation.id)
            .values({name_column: organisation.name})
            .execution_options(synchronize_session="fetch")
        )


def used_by_another_partnership(
    session: Session, *, organisation_id: int, partnership_id: int | None
) -> bool:
    """Whether a partnership other than this one names the organisation, on either side."""
    query = select(Partnership.id).where(
        or_(
            Partnership.our_organisation_id == organisation_id,
            Partnership.partner_organisation_id == organisation_id,
        ),
        Partnership.id != partnership_id,
    )
    return session.exec(query.limit(1)).first() is not None


def _fitted(details: dict[str, Any]) -> dict[str, Any]:
    """Details cut to their column (nothing typed is trusted to fit)."""
    return {
        key: value[: LIMITS[key]] if isinstance(value, str) and key in LIMITS else value
        for key, value in details.items()
    }


# Coordinators: people who follow every partnership of an organisation (either side of it)
# without being a member of each.


def _coordinated_ids(user_id: int):
    """The ids of the organisations the user coordinates, as a subquery."""
    return select(Coordinator.organisation_id).where(Coordinator.user_id == user_id)


def organisations_coordinated_by(session: Session, *, user_id: int) -> list[int]:
    """The ids of the organisations this user coordinates, in id order."""
    return list(session.exec(_coordinated_ids(user_id).order_by(Coordinator.organisation_id)))


def add_coordinator(
    session: Session, *, organisation_id: int, user_id: int, invited_by: int | None
) -> bool:
    """Makes the user a coordinator of the organisation; False if they already were."""
    query = select(Coordinator.id).where(
        Coordinator.organisation_id == organisation_id, Coordinator.user_id == user_id
    )
    if session.exec(query).first() is not None:
        return False
    try:
        with session.begin_nested():
            session.add(
                Coordinator(organisation_id=organisation_id, user_id=user_id, invited_by=invited_by)
            )
    except IntegrityError:
        # The same person joined by another link at the same moment.
        return False
    return True


def _coordinated(user_id: int):
    """The condition "one of the partnership's two organisations is coordinated by the user"."""
    organisations = _coordinated_ids(user_id)
    return (Partnership.our_organisation_id.in_(organisations)) | (
        Partnership.partner_organisation_id.in_(organisations)
    )


def coordinated_partnership(
    session: Session, *, user_id: int, partnership_id: int | None
) -> Partnership | None:
    """The partnership if one of its organisations is coordinated by the user, else None:
    the coordinator's access check."""
    if partnership_id is None:
        return None
    query = select(Partnership).where(Partnership.id == partnership_id, _coordinated(user_id))
    return session.exec(query).first()


def coordinated_partnerships(
    session: Session, *, user_id: int, light: bool = False
) -> list[Partnership]:
    """Every partnership of the organisations the user coordinates (either side), by id;
    `light` leaves the step data unread (see repository.complete)."""
    query = select(Partnership).where(_coordinated(user_id)).order_by(Partnership.id)
    return list(session.exec(query.options(*without_step_data(light))))
