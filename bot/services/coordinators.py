"""A coordinator's partnerships: every partnership of the organisations they follow (either
side) and those they belong to, each in one line (step, health, next check-in), most urgent
first. The weekly digest can draw its lines with `statuses`."""

from __future__ import annotations

from bot.services import checkin_schedule, health
from bot.services.access import summary
from bot.services.results import FollowedList, PartnershipStatus, Result
from bot.services.work import Work
from flows.evaluation import EVALUATED_STAGES
from flows.health import URGENCY, Reason, advice
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
    rows = {
        p.id: (p, role) for p, role in repository.partnerships_of(work.db, user_id=work.user.id)
    }
    for partnership in organisations.coordinated_partnerships(work.db, user_id=work.user.id):
        rows.setdefault(partnership.id, (partnership, COORDINATOR))
    lines = statuses(work, list(rows.values()), limit=SHOWN)
    names = tuple(
        organisation.name
        for organisation in (work.db.get(Organisation, i) for i in organisation_ids)
        if organisation is not None
    )
    return FollowedList(
        organisations=names,
        rows=tuple(lines),
        more=max(0, len(rows) - len(lines)),
        active_id=work.user.active_partnership_id,
    )


def statuses(
    work: Work, rows: list[tuple[Partnership, str]], limit: int | None = None
) -> list[PartnershipStatus]:
    """Each partnership in one line, red before amber before green before not computed yet
    (then by name); only the first `limit` get their check-in dates (read per partnership)."""
    found = health.health_of(work, [p.id for p, _role in rows])

    def rank(row: tuple[Partnership, str]):
        light = found[row[0].id].light if row[0].id in found else None
        return URGENCY.get(light, len(URGENCY)), row[0].name.casefold(), row[0].id

    shown = sorted(rows, key=rank)[:limit]
    return [_status(work, p, role, found.get(p.id)) for p, role in shown]


def _status(work: Work, partnership: Partnership, role: str, shown) -> PartnershipStatus:
    upcoming, late_since = None, None
    if partnership.stage in EVALUATED_STAGES:
        upcoming = next_due(checkin_schedule.dues_of(work, partnership), work.now)
        late_since = _late_since(work, partnership)
    return PartnershipStatus(
        partnership=summary(partnership, role),
        light=shown.light if shown else None,
        reason=main_reason(shown.reasons) if shown else None,
        next_checkin=upcoming.at if upcoming else None,
        next_checkin_kind=upcoming.shown_kind if upcoming else None,
        late_since=late_since,
    )


def main_reason(reasons: tuple[Reason, ...]) -> Text | None:
    """The title of the reason that weighs most (red before amber), as health.yaml words it."""
    if not reasons:
        return None
    main = min(reasons, key=lambda reason: URGENCY.get(reason.level, len(URGENCY)))
    try:
        return advice(main.signal).title
    except KeyError:  # a signal health.yaml no longer has
        return None


def _late_since(work: Work, partnership: Partnership):
    """When the open round past its date was due, if there is one."""
    for round_ in store.rounds_of(work.db, partnership_id=partnership.id):
        if round_.status == store.OPEN and round_.due_at < work.now:
            return round_.due_at
    return None
