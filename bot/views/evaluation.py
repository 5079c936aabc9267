"""Screens of step 7: /evaluation, an invitation to a check-in, what Alliance knows of the
partnership, and a closed round's summary."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.callback_data import partnership_button, round_button
from bot.i18n import gettext_for, render
from bot.services.results import CheckInIntro, CheckInInvitation, EvaluationShown, RoundReport
from bot.views.screens import Button, Screen, local_date
from flows.evaluation import AMBER, DIVERGENCE, GREEN, OURS, PARTNER, trend_direction
from flows.roles import Right
from flows.schedule import kind_shown

LIGHTS = {"green": "🟢", "amber": "🟠", "red": "🔴", None: "⚪"}


def evaluation_screen(shown: EvaluationShown, language: str, zone: ZoneInfo) -> Screen:
    _ = gettext_for(language)
    p = shown.partnership
    rounds = [
        {
            "kind": r.kind,
            "date": local_date(r.due_at, zone),
            "status": r.status,
            "answered": r.answered,
            "invited": r.invited,
            "decision": r.decision,
        }
        for r in shown.rounds
    ]
    text = render(
        "evaluation.j2",
        language,
        name=p.name,
        rounds=rounds,
        respondents=shown.respondents,
        next_date=local_date(shown.next_due, zone) if shown.next_due else None,
        next_kind=shown.next_kind,
        evaluated=shown.evaluated,
        needs_both=shown.needs_both,
    )
    rows: list[tuple[Button, ...]] = [
        (
            Button(
                _("Answer the check-in of %(date)s") % {"date": local_date(r.due_at, zone)},
                round_button(r.id),
            ),
        )
        for r in shown.rounds
        if r.to_answer
    ]
    acts = Right.ACT in p.rights
    if acts and shown.needs_both:
        rows.append(
            (
                Button(
                    _("Invite the partner’s contact"),
                    partnership_button(p.id, p.revision, "invite"),
                ),
            )
        )
    elif acts and not shown.round_open:
        rows.append(
            (
                Button(_("Check-in now"), partnership_button(p.id, p.revision, "round", "pulse")),
                Button(
                    _("Full review now"), partnership_button(p.id, p.revision, "round", "review")
                ),
            )
        )
    if acts:
        rows += [
            (
                Button(
                    ("☑ " if r.respondent else "☐ ") + (r.name or _("a member"))[:40],
                    partnership_button(p.id, p.revision, "respondent", r.user_id),
                ),
            )
            for r in shown.respondents
        ]
    return Screen(text, tuple(rows))


def invitation_screen(invitation: CheckInInvitation, language: str) -> Screen:
    _ = gettext_for(language)
    text = render(
        "checkin_invitation.j2",
        language,
        name=invitation.partnership_name,
        kind=invitation.kind,
        reminder=invitation.reminder,
        count=invitation.scores,
    )
    return Screen(text, ((Button(_("Start"), round_button(invitation.round_id)),),))


def intro_screen(intro: CheckInIntro, language: str) -> Screen:
    return Screen(
        render(
            "checkin_intro.j2",
            language,
            name=intro.partnership_name,
            kind=intro.kind,
            facts=intro.facts,
        )
    )


def round_report_screen(shown: RoundReport, language: str) -> Screen:
    """The round in one screen: each dimension's light and both views, what diverges. Each
    organisation reads its own view first, both named."""
    _ = gettext_for(language)
    report = shown.report
    sides = (PARTNER, OURS) if shown.role == "partner" else (OURS, PARTNER)
    names = {OURS: shown.organisations[0], PARTNER: shown.organisations[1] or _("the partner")}
    dimensions = [
        {
            "light": LIGHTS[d.light],
            "label": (d.question.label or d.question.prompt).in_(language),
            "scores": [_score(getattr(d, side), language) for side in sides],
            "diverging": d.diverging,
            "trend": _trend(d.trend),
        }
        for d in report.dimensions
    ]
    diverging = [d.question.prompt.in_(language) for d in report.diverging]
    text = render(
        "round_report.j2",
        language,
        kind=kind_shown(report.kind, shown.final),
        name=shown.partnership_name,
        organisations=[names[side] for side in sides],
        answered=[report.answered.get(side, (0, 0)) for side in sides],
        date=shown.closed_on.strftime("%d/%m/%Y"),
        dimensions=dimensions,
        diverging=diverging,
        green=_score(GREEN, language),
        amber=_score(AMBER, language),
        gap=_score(DIVERGENCE, language),
        votes=report.votes,
        decision=report.decision,
        moved_to=shown.moved_to,
        comments=_comments(shown, language),
    )
    return Screen(text)


def _comments(shown: RoundReport, language: str) -> list[dict[str, str]]:
    """What respondents wrote beside their scores and, for a pulse, in its free question (a
    full review's texts are in its report). Each says which organisation wrote it."""
    report = shown.report
    who = {OURS: shown.organisations[0], PARTNER: shown.organisations[1] or PARTNER}

    def label(question) -> str:
        return (question.label or question.prompt).in_(language)

    found = [
        {"label": label(d.question), "who": who[side], "text": text}
        for d in report.dimensions
        for side, text in d.comments
    ]
    if report.kind == "pulse":
        found += [
            {"label": label(t.question), "who": who[side], "text": text}
            for section in report.sections
            for t in section.texts
            for side, text in t.answers
        ]
    return found


def _score(value: float | None, language: str) -> str:
    if value is None:
        return "–"
    text = f"{value:.1f}"
    return text.replace(".", ",") if language == "fr" else text


# The arrow of each trend direction (flows.evaluation.trend_direction).
ARROWS = {"up": "↗", "down": "↘", "steady": "→", None: ""}


def _trend(values: tuple[float | None, ...]) -> str:
    """↗, ↘ or → against the previous round, when there is one."""
    return ARROWS[trend_direction(values)]
