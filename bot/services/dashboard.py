"""The dashboard's use cases: the portfolio (every partnership the user follows or belongs to,
one row each, filtered), one partnership's page (its moves, documents, evaluation trends and
alerts), a document to download, an alert marked seen or handled. The same reach as the bot:
a member sees their partnerships, a coordinator their organisations'."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, cached_property
from typing import Any

from bot.services import alerts as alert_cases
from bot.services.access import membership
from bot.services.coordinators import lines, ranked, visible
from bot.services.core import Core
from bot.services.results import DocumentInfo, PartnershipStatus, StageChange
from bot.services.summaries import document_info
from bot.services.work import Work
from flows.dashboard import (
    HEALTH_VALUES,
    Filters,
    largest_gap,
    matches,
    parse_filters,
    trend,
)
from flows.evaluation import OURS, PARTNER, light_of, scored_questions
from flows.lifecycle import STAGES, step_number
from flows.roles import Right, may
from flows.schedule import followup_date
from knowledge import Text
from storage import dashboard as store
from storage import repository
from storage.models import Partnership

# Rows on one page of the portfolio: a page stays light on a phone (under 100 KB).
PAGE_SIZE = 50
# The questionnaires whose scores a round keeps, in the order their dimensions are shown.
SCORED_FLOWS = ("pulse", "review")


@dataclass(frozen=True)
class DimensionScore:
    """A dimension of a round: each organisation's average and its light."""

    dimension: str
    label: Text
    ours: float | None
    partner: float | None

    @cached_property  # read for every mark and count of the row
    def lights(self) -> tuple[str | None, str | None]:
        return light_of(self.ours), light_of(self.partner)


@dataclass(frozen=True)
class PortfolioRow:
    status: PartnershipStatus  # the partnership, its health, its next check-in
    our_organisation: str
    partner_organisation: str
    step: int
    days_in_stage: int
    last_round: tuple[DimensionScore, ...]
    trend: str | None  # "up", "down", "steady"
    gap: tuple[Text, float] | None  # the dimension where the views differ most, and by how much
    convention_end: date | None
    open_alerts: int
    organisation_ids: tuple[int | None, int | None]

    @property
    def partnership(self):
        return self.status.partnership


@dataclass(frozen=True)
class Portfolio:
    rows: tuple[PortfolioRow, ...]  # the page shown
    matching: int  # rows the filters keep, on every page
    total: int  # partnerships the user reaches
    counts: dict[str, int]  # by light, over every partnership reached
    filters: Filters
    organisations: tuple[tuple[int, str], ...]  # to filter by
    stages: tuple[str, ...]
    page: int
    pages: int


@dataclass(frozen=True)
class TrendPoint:
    on: date
    ours: float | None
    partner: float | None


@dataclass(frozen=True)
class DimensionTrend:
    dimension: str
    label: Text
    points: tuple[TrendPoint, ...]


@dataclass(frozen=True)
class AlertShown:
    id: int
    signal: str
    level: str
    state: str
    raised_at: datetime
    title: Text | None
    next: Text | None
    details: dict[str, Any]


@dataclass(frozen=True)
class PartnershipPage:
    row: PortfolioRow
    history: tuple[StageChange, ...]
    documents: tuple[DocumentInfo, ...]
    trends: tuple[DimensionTrend, ...]
    alerts: tuple[AlertShown, ...]
    may_act: bool


@dataclass(frozen=True)
class DocumentFile:
    file_name: str
    content: bytes


def portfolio(work: Work, query: dict[str, str], page: int = 1) -> Portfolio:
    """The partnerships the user reaches, most urgent first, kept by the query's filters; one
    page of them. Counts and filter choices are over all of them. Only the page's rows are
    drawn in full: sorting and filtering read the lights, stages, organisations and alerts."""
    reach = _Reach.of(work)
    filters = parse_filters(query, STAGES, [oid for oid, _name in reach.organisations])
    kept = reach.kept(filters)
    pages = max(1, -(-len(kept) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    counts = {light: 0 for light in HEALTH_VALUES}
    for _p, _role, light in reach.ranked:
        counts[light or "none"] += 1
    return Portfolio(
        rows=tuple(reach.rows(work, kept[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])),
        matching=len(kept),
        total=len(reach.ranked),
        counts=counts,
        filters=filters,
        organisations=reach.organisations,
        stages=tuple(STAGES),
        page=page,
        pages=pages,
    )


def portfolio_table(work: Work, query: dict[str, str]) -> tuple[PortfolioRow, ...]:
    """Every row the filters keep, on every page: what the CSV download holds."""
    reach = _Reach.of(work)
    filters = parse_filters(query, STAGES, [oid for oid, _name in reach.organisations])
    return tuple(reach.rows(work, reach.kept(filters)))


def partnership_page(work: Work, partnership_id: int) -> PartnershipPage | None:
    """One partnership's page, or None when the user does not reach it (a forged id)."""
    found = _reach(work, partnership_id)
    if found is None:
        return None
    partnership, role = found
    (row,) = _Reach.of(work, [found]).rows(work, [(partnership, role, None)])
    moves = store.stage_moves(work.db, partnership_id=partnership.id)
    documents = repository.documents_of(work.db, partnership_id=partnership.id)
    return PartnershipPage(
        row=row,
        history=tuple(StageChange(m.dest, m.moved_at) for m in moves),
        documents=tuple(document_info(d) for d in documents),
        trends=_trends(work, partnership.id),
        alerts=tuple(_alert(a) for a in store.open_alerts(work.db, partnership_id=partnership.id)),
        may_act=may(role, Right.ACT),
    )


def document(work: Work, partnership_id: int, document_id: int) -> DocumentFile | None:
    """A document of a partnership the user reaches, else None."""
    if _reach(work, partnership_id) is None:
        return None
    found = repository.document_of(work.db, partnership_id=partnership_id, document_id=document_id)
    return DocumentFile(found.file_name, found.content) if found else None


def mark_alert(work: Work, alert_id: int, state: str) -> tuple[str, int | None]:
    """Marks an alert seen or handled as its message's buttons do: ("done" | "cleared" |
    "unchanged" | "not_allowed" | "not_found", its partnership's id when reached)."""
    partnership_id = store.partnership_of_alert(work.db, alert_id=alert_id)
    found = _reach(work, partnership_id) if partnership_id else None
    if found is None or state not in ("seen", "handled"):
        return "not_found", None
    partnership, role = found
    if not may(role, Right.ACT):
        return "not_allowed", partnership.id
    result = alert_cases.mark(state, work, partnership, role, str(alert_id), None)
    said = result.notice.what if result.notice is not None else None
    outcome = {"alert_cleared": "cleared", "alert_unchanged": "unchanged"}.get(said, "done")
    return ("not_found" if said == "stale_button" else outcome), partnership.id


# -- the rows ----------------------------------------------------------------------------------


def _reach(work: Work, partnership_id: int | None) -> tuple[Partnership, str] | None:
    found = membership(work, partnership_id) if partnership_id else None
    return found if found is not None and may(found[1], Right.READ) else None


@dataclass(frozen=True)
class _Reach:
    """The partnerships a user reaches, ranked, with what filtering them needs."""

    ranked: list[tuple[Partnership, str, str | None]]  # most urgent first, with the light
    alerts: dict[int, int]  # open alerts by partnership
    names: dict[int, str]  # organisations' names by id

    @classmethod
    def of(cls, work: Work, reached: list[tuple[Partnership, str]] | None = None) -> _Reach:
        reached = visible(work, light=True) if reached is None else reached
        ids = [p.id for p, _role in reached]
        organisation_ids = {p.our_organisation_id for p, _ in reached}
        organisation_ids |= {p.partner_organisation_id for p, _ in reached}
        return cls(
            ranked=ranked(work, reached),
            alerts=store.open_alert_counts(work.db, partnership_ids=ids),
            names=store.organisation_names(
                work.db, ids=sorted(i for i in organisation_ids if i is not None)
            ),
        )

    def sides(self, p: Partnership) -> tuple[str, str]:
        """Both organisations' names (the free text of before organisations, when unlinked)."""
        ours = self.names.get(p.our_organisation_id) or p.our_organisation or ""
        return ours, self.names.get(p.partner_organisation_id) or p.partner_name or ""

    @cached_property
    def organisations(self) -> tuple[tuple[int, str], ...]:
        """The organisations of the partnerships, by name: what they can be filtered by."""
        found: dict[int, str] = {}
        for p, _role, _light in self.ranked:
            ours, theirs = self.sides(p)
            if p.our_organisation_id is not None:
                found[p.our_organisation_id] = ours
            if p.partner_organisation_id is not None:
                found[p.partner_organisation_id] = theirs
        return tuple(sorted(found.items(), key=lambda item: (item[1].casefold(), item[0])))

    def kept(self, filters: Filters) -> list[tuple[Partnership, str, str | None]]:
        return [
            (p, role, light)
            for p, role, light in self.ranked
            if matches(
                filters,
                stage=p.stage,
                light=light,
                organisation_ids=(p.our_organisation_id, p.partner_organisation_id),
                open_alerts=self.alerts.get(p.id, 0),
            )
        ]

    def rows(
        self, work: Work, chosen: list[tuple[Partnership, str, str | None]]
    ) -> list[PortfolioRow]:
        """The chosen partnerships as rows, in their order, from one query per kind of fact."""
        shown = [(p, role) for p, role, _light in chosen]
        ids = [p.id for p, _role in shown]
        entries = store.stage_entries(work.db, partnership_ids=ids)
        rounds = store.last_closed_rounds(work.db, partnership_ids=ids)
        zone = work.core.zone
        today = work.now.astimezone(zone).date()
        drawn = []
        for status, (p, _role) in zip(lines(work, shown), shown, strict=True):
            since = entries.get((p.id, p.stage)) or p.created_at
            latest = rounds.get(p.id, [])
            sides = (latest[0].get("sides") if latest else None) or {}
            gap = largest_gap(sides)
            ours, theirs = self.sides(p)
            drawn.append(
                PortfolioRow(
                    status=status,
                    our_organisation=ours,
                    partner_organisation=theirs,
                    step=step_number(p.stage),
                    days_in_stage=(today - since.astimezone(zone).date()).days,
                    last_round=_scores(work.core, sides),
                    trend=trend([r.get("scores") or {} for r in latest]),
                    gap=(_label(work.core, gap[0]), gap[1]) if gap else None,
                    convention_end=followup_date(p.followup, "end_date"),
                    open_alerts=self.alerts.get(p.id, 0),
                    organisation_ids=(p.our_organisation_id, p.partner_organisation_id),
                )
            )
        return drawn


def _scores(core: Core, sides: dict[str, dict[str, float]]) -> tuple[DimensionScore, ...]:
    """A round's dimensions in the questionnaires' order, each organisation's average."""
    ours, partner = sides.get(OURS) or {}, sides.get(PARTNER) or {}
    return tuple(
        DimensionScore(d, label, ours.get(d), partner.get(d))
        for d, label in _dimensions(core).items()
        if d in ours or d in partner
    )


def _trends(work: Work, partnership_id: int) -> tuple[DimensionTrend, ...]:
    """Each dimension over the closed rounds, both organisations, oldest round first."""
    rounds = store.closed_rounds(work.db, partnership_id=partnership_id)
    trends = []
    for dimension, label in _dimensions(work.core).items():
        points = []
        for r in rounds:
            sides = r.summary.get("sides") or {}
            ours, partner = (sides.get(OURS) or {}), (sides.get(PARTNER) or {})
            if dimension in ours or dimension in partner:
                on = r.due_at.astimezone(work.core.zone).date()
                points.append(TrendPoint(on, ours.get(dimension), partner.get(dimension)))
        if points:
            trends.append(DimensionTrend(dimension, label, tuple(points)))
    return tuple(trends)


def _alert(alert) -> AlertShown:
    advice = alert_cases.signal_advice(alert.signal)  # None: a signal the rules no longer have
    title, next_step = (advice.title, advice.next) if advice else (None, None)
    return AlertShown(
        id=alert.id,
        signal=alert.signal,
        level=alert.level,
        state=alert.state,
        raised_at=alert.raised_at,
        title=title,
        next=next_step,
        details=alert.details or {},
    )


@cache
def _dimensions(core: Core) -> dict[str, Text]:
    """Every scored dimension's short name, pulse first then the full review's own."""
    found: dict[str, Text] = {}
    for flow in SCORED_FLOWS:
        for question in scored_questions(core.flows[flow].questionnaire):
            found.setdefault(question.id, question.label or question.prompt)
    return found


def _label(core: Core, dimension: str) -> Text:
    return _dimensions(core).get(dimension) or Text(fr=dimension, en=dimension)
