"""The whole chain, from the first question to the decision after the full review, as one
persona's two contacts live it; every step asserts what they would notice on screen."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from tests.bot.checkins import at, run_checkins
from tests.journeys.personas import PULSE, Persona
from tests.journeys.steps import (
    WAIT,
    add_meeting_note,
    advance,
    answer_checkin,
    choose_candidate,
    create_partnership,
    fill_convention,
    fill_followup,
    generate_drafts,
    invite_partner_contact,
    join_by_invitation,
    next_line,
    open_card,
    run_diagnostic,
    score_candidate,
    sent_texts,
    step_of,
    texts,
    tick_dialogue,
)

DECIDED = {"renew": ("Renouveler", 6), "modify": ("Modifier", 4), "end": ("Mettre fin", 7)}


@dataclass
class Journal:
    """What the journey saw: the card at each step, the reports as each side received them."""

    cards: list[tuple[str, int, str]] = field(default_factory=list)
    reports: dict[str, str] = field(default_factory=dict)

    def card(self, when: str, text: str) -> int:
        step = step_of(text)
        self.cards.append((when, step, next_line(text)))
        return step


def no_repeats(record) -> None:
    assert not record.duplicates(), f"asked twice in {record.questionnaire}: {record.asked}"


async def steps_1_to_3(api, persona: Persona, journal: Journal) -> None:
    """Diagnosis, the partnership, the partner's contact invited, dialogue, partner chosen."""
    ours, theirs = persona.ours, persona.partner
    record = await run_diagnostic(api, ours, persona.diagnostic)
    no_repeats(record)
    card = await create_partnership(api, ours, persona.partnership)
    # The diagnosis is done: the new partnership starts at the dialogue.
    assert journal.card("created", card) == 2, card
    assert persona.organisation in card and persona.territory in card

    token = await invite_partner_contact(api, ours, persona.name)
    card = await join_by_invitation(api, theirs, token)
    assert persona.name in card and step_of(card) == 2, card

    checklist = await tick_dialogue(api, ours, persona.name, persona.dialogue_points)
    assert f"{len(persona.dialogue_points)}/9" in checklist, checklist
    record = await add_meeting_note(api, ours, persona.name, persona.meeting_note)
    first_line = persona.meeting_note.splitlines()[0]
    assert first_line in record.end, record.end
    card = await advance(api, ours, persona.name)
    assert journal.card("dialogue done", card) == 3, card
    assert "/criteres" in next_line(card)

    for candidate in persona.candidates:
        no_repeats(await score_candidate(api, ours, candidate))
    ranking = texts(api, ours)[-1]
    best, other = (
        persona.partner_organisation,
        next(c.name for c in persona.candidates if c.name != persona.partner_organisation),
    )
    assert ranking.index(best) < ranking.index(other), ranking
    moved = await choose_candidate(api, ours, best)
    assert "4/7" in moved, moved
    card = await open_card(api, ours, persona.name)
    assert journal.card("partner chosen", card) == 4, card
    assert best in card and "/convention" in next_line(card)


async def steps_4_and_5(api, persona: Persona, journal: Journal) -> list[tuple[str, str]]:
    """The convention's content, then the drafts: returns (file name, text) of each."""
    ours = persona.ours
    record = await fill_convention(api, ours, persona.convention)
    no_repeats(record)
    # What the partnership knows already is offered, not asked afresh.
    assert "t_geography" not in persona.convention or "t_geography" in record.offered, record
    summary = await api.wait_for(
        lambda a: next((t for t in texts(a, ours)[-4:] if "Points de la convention" in t), None),
        timeout=WAIT,
    )
    assert "Tous les points indispensables sont convenus" in summary, summary
    # A complete convention moves the partnership to step 5, formalisation, by itself.
    assert "passe à l’étape 5/7" in record.end, record.end
    drafts = await generate_drafts(api, ours)
    convention, plan = _draft(drafts, "convention"), _draft(drafts, "plan")
    for words in persona.in_convention:
        assert words in convention, f"{words!r} not in the draft convention"
    for words in persona.in_action_plan:
        assert words in plan, f"{words!r} not in the draft action plan"
    # One territory throughout: the preamble's and article 1's.
    assert convention.count(persona.territory) >= 2
    # A complete convention moves the partnership to step 5, formalisation.
    card = await open_card(api, ours, persona.name)
    assert journal.card("convention complete", card) == 5, card
    return drafts


def _draft(drafts, kind: str) -> str:
    names = {"convention": ("convention",), "plan": ("plan", "action")}[kind]
    found = [text for name, text in drafts if any(n in name.lower() for n in names)]
    assert found, [name for name, _ in drafts]
    return found[0]


async def step_6(api, persona: Persona, journal: Journal) -> None:
    """The drafts signed: into implementation, then the steering set with /suivi; the date of
    the first check-in (6 weeks after signature) is shown."""
    ours = persona.ours
    card = await advance(api, ours, persona.name)
    assert journal.card("drafts signed", card) == 6, card
    assert "/suivi" in next_line(card)
    record = await fill_followup(api, ours, persona.followup)
    no_repeats(record)
    first_pulse = persona.signed + timedelta(weeks=6)
    shown = "\n".join(texts(api, ours)[-3:])
    assert first_pulse.strftime("%d/%m/%Y") in shown, (
        f"the first check-in's date ({first_pulse:%d/%m/%Y}) is not shown after /suivi:\n{shown}"
    )


async def pulse_round(api, database_url: str, persona: Persona, journal: Journal) -> None:
    """At the first pulse's due date, cron opens it; both sides answer; both get the report,
    each from its own point of view."""
    ours, theirs = persona.ours, persona.partner
    due = at(persona.signed + timedelta(weeks=6))
    before = {p.chat: len(sent_texts(api, p)) for p in (ours, theirs)}
    await run_checkins(api, database_url, due)
    for person in (ours, theirs):
        asked = [t for t in sent_texts(api, person, before[person.chat]) if "Point d’étape" in t]
        assert asked and persona.name in asked[0], sent_texts(api, person, before[person.chat])
    no_repeats(await answer_checkin(api, ours, "pulse", persona.pulse_ours))
    no_repeats(await answer_checkin(api, theirs, "pulse", persona.pulse_partner))
    for person, side in ((ours, "ours"), (theirs, "partner")):
        report = await api.wait_for(
            lambda a, p=person: next(
                (t for t in texts(a, p) if t.startswith("Résultats du point d’étape")), None
            ),
            timeout=WAIT,
        )
        journal.reports[f"pulse {side}"] = report
    _both_points_of_view(persona, journal.reports["pulse ours"], journal.reports["pulse partner"])


def _both_points_of_view(persona: Persona, ours: str, theirs: str) -> None:
    """Each side reads its own organisation first, with its own scores first."""
    us, them = persona.organisation, persona.partner_organisation
    assert us in ours and them in ours, ours
    assert ours.index(us) < ours.index(them), ours
    assert them in theirs and us in theirs, theirs
    assert theirs.index(them) < theirs.index(us), theirs
    # A dimension the two sides scored differently: each reads its own score first.
    mine, yours = next(
        (float(persona.pulse_ours[q][0]), float(persona.pulse_partner[q][0]))
        for q in PULSE
        if persona.pulse_ours[q][0] != persona.pulse_partner[q][0]
    )
    assert f"{mine:.1f} / {yours:.1f}".replace(".", ",") in ours.replace(".", ","), ours
    assert f"{yours:.1f} / {mine:.1f}".replace(".", ",") in theirs.replace(".", ","), theirs
    # Different scores: the divergence shows on both sides.
    assert "⚠" in ours and "⚠" in theirs
    for report in (ours, theirs):
        assert "console:" not in report and "tg:" not in report, report


async def full_review(api, database_url: str, persona: Persona, journal: Journal) -> None:
    """A year after signature, the full review: both answer; the decision moves the stage."""
    ours, theirs = persona.ours, persona.partner
    due = at(persona.signed.replace(year=persona.signed.year + 1))
    before = {p.chat: len(sent_texts(api, p)) for p in (ours, theirs)}
    await run_checkins(api, database_url, due)
    for person in (ours, theirs):
        asked = [t for t in sent_texts(api, person, before[person.chat]) if "Bilan complet" in t]
        assert asked, sent_texts(api, person, before[person.chat])
    no_repeats(await answer_checkin(api, ours, "review", persona.review_ours))
    no_repeats(await answer_checkin(api, theirs, "review", persona.review_partner))
    for person, side in ((ours, "ours"), (theirs, "partner")):
        report = await api.wait_for(
            lambda a, p=person: next(
                (t for t in texts(a, p) if t.startswith("Résultats du bilan complet")), None
            ),
            timeout=WAIT,
        )
        journal.reports[f"review {side}"] = report
        label, _step = DECIDED[persona.decision]
        assert label.lower() in report.lower(), report
    card = await open_card(api, ours, persona.name)
    assert journal.card("after the review", card) == DECIDED[persona.decision][1], card


async def live(api, database_url: str, persona: Persona) -> Journal:
    """The whole chain."""
    journal = Journal()
    await steps_1_to_3(api, persona, journal)
    await steps_4_and_5(api, persona, journal)
    await step_6(api, persona, journal)
    await pulse_round(api, database_url, persona, journal)
    await full_review(api, database_url, persona, journal)
    return journal
