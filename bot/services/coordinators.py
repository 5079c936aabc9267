"""A coordinator's partnerships: every partnership of the organisations they follow (either
side) and those they belong to, each in one line (step, health, next check-in), most urgent
first. The weekly digest draws its lines with `statuses` too."""

from __future__ import annotations

from bot.services import checkin_schedule, health
from bot.services.access import summary
from bot.services.results import FollowedList, PartnershipStatus, Result
from bot.services.work import Work
from flows.digest import urgency
from flows.evaluation import EVALUATED_STAGES, FOLLOWED_FROM
from flows.health import Reason, advice
from flows.roles import COORDINATOR
from flows.schedule import next_due
from knowledge import Text
from storage import checkins as store
from storage import organisations, repository
from storage.models import Organisation, Partnership

# Lines in one message: 25 lines of at most ~150 characters keep it under Telegram's 4,096
# with the heading; the rest is counted ("and 12 more").
SHOWN = 25


def follows_any(work: Work) -> bool:
    """Whether the user coordinates an organisation (their /partenariats is this list)."""
    return bool(organisations.organisations_coordinated_by(work.db, user_id=work.user.id))


def list_followed(work: Work) -> Result:
    """/partenariats for a coordinator."""
    return Result(work.language, [followed(work)])


def followed(work: Work) -> FollowedList:
    """The partnerships the user follows or belongs to (a membership's role wins), most
    urgent first, the first SHOWN of them in full."""
    organisation_ids = organisations.organisations_coordinated_by(work.db, user_id=work.user.id)
    rows = visible(work, light=True)
    shown = statuses(work, rows, limit=SHOWN)
    names = tuple(
        organisation.name
        for organisation in (work.db.get(Organisation, i) for i in organisation_ids)
        if organisation is not None
    )
    return FollowedList(
        organisations=names,
        rows=tuple(shown),
        more=max(0, len(rows) - len(shown)),
        active_id=work.user.active_partnership_id,
    )


def visible(work: Work, light: bool = False) -> list[tuple[Partnership, str]]:
    """(partnership, role) of every partnership the user belongs to or follows as a
    coordinator; a membership's role wins. The reach of /partenariats and the dashboard.
    `light` leaves the step data unread: `lines` reads it for those it shows."""
    user_id = work.user.id
    rows = {
        p.id: (p, role)
        for p, role in repository.partnerships_of(work.db, user_id=user_id, light=light)
    }
    for partnership in organisations.coordinated_partnerships(
        work.db, user_id=user_id, light=light
    ):
        rows.setdefault(partnership.id, (partnership, COORDINATOR))
    return list(rows.values())


def ranked(
    work: Work, rows: list[tuple[Partnership, str]]
) -> list[tuple[Partnership, str, str | None]]:
    """(partnership, role, light) most urgent first: red before amber before green before
    not computed yet, then by name. Reads only the lights, so it is cheap for many."""
    lights = health.lights_of(work, [p.id for p, _role in rows])

    def rank(row: tuple[Partnership, str, str | None]):
        return urgency(row[2]), row[0].name.casefold(), row[0].id

    return sorted(((p, role, lights.get(p.id)) for p, role in rows), key=rank)


def statuses(
    work: Work, rows: list[tuple[Partnership, str]], limit: int | None = None
) -> list[PartnershipStatus]:
    """Each partnership in one line, most urgent first (`ranked`); only the first `limit`."""
    return lines(work, [(p, role) for p, role, _light in ranked(work, rows)[:limit]])


def lines(work: Work, shown: list[tuple[Partnership, str]]) -> list[PartnershipStatus]:
    """These partnerships' lines in their order: health and its main reason, next check-in
    or how late, whether the partner's side is ready; each fact read for all at once."""
    repository.complete(work.db, partnerships=[p for p, _role in shown])
    found = health.health_of(work, [p.id for p, _role in shown])
    followed = [p for p, _role in shown if p.stage in EVALUATED_STAGES]
    ids = [p.id for p in followed]
    undated = [p.id for p in followed if not (p.followup or {}).get("signature_date")]
    entered = store.entered_stage(work.db, stage=FOLLOWED_FROM, partnership_ids=undated)
    ready = checkin_schedule.sides_ready(work, ids)
    late = store.late_since(work.db, partnership_ids=ids, now=work.now)
    drawn = []
    for partnership, role in shown:
        health_shown, upcoming = found.get(partnership.id), None
        if partnership.stage in EVALUATED_STAGES:
            dues = checkin_schedule.dues_of(work, partnership, entered.get(partnership.id))
            upcoming = next_due(dues, work.now)
        drawn.append(
            PartnershipStatus(
                partnership=summary(partnership, role),
                light=health_shown.light if health_shown else None,
                reason=main_reason(health_shown.reasons) if health_shown else None,
                next_checkin=upcoming.at if upcoming else None,
                next_checkin_kind=upcoming.shown_kind if upcoming else None,
                late_since=late.get(partnership.id),
                waits_for_partner=partnership.stage in EVALUATED_STAGES
                and partnership.id not in ready,
            )
        )
    return drawn


def main_reason(reasons: tuple[Reason, ...]) -> Text | None:
    """The title of the reason that weighs most (red before amber), as health.yaml words it."""
    if not reasons:
        return None
    main = min(reasons, key=lambda reason: urgency(reason.level))
    try:
        return advice(main.signal).title
    except KeyError:  # a signal health.yaml no longer has
        return None
