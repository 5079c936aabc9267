"""The whole chain, from the first question to the decision after the full review, as one
persona's two contacts live it; every step asserts what they would notice on screen."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from tests.bot.checkins import at, run_checkins
from tests.journeys.personas import PULSE, Persona
from tests.journeys.steps import (
    WAIT,
    Person,
    add_meeting_note,
    advance,
    answer_checkin,
    button,
    choose_candidate,
    create_partnership,
    documents,
    everything_received,
    files_sent,
    fill_convention,
    fill_followup,
    generate_drafts,
    invite,
    invite_partner_contact,
    join_by_invitation,
    moves_offered,
    next_line,
    open_card,
    open_evaluation,
    press,
    run_diagnostic,
    score_candidate,
    sent_texts,
    step_of,
    texts,
    tick_dialogue,
)

DECIDED = {"renew": ("Renouveler", 6), "modify": ("Modifier", 4), "end": ("Mettre fin", 7)}
# The moves step 7 offers on the card, once the full review is in.
STEP_7_MOVES = ("Arrêter", "Renouveler", "Modifier")


@dataclass
class Journal:
    """What the journey saw: the card at each step, the reports as each side received them."""

    cards: list[tuple[str, int, str]] = field(default_factory=list)
    reports: dict[str, str] = field(default_factory=dict)

    def card(self, when: str, text: str) -> int:
        step = step_of(text)
        self.cards.append((when, step, next_line(text)))
        return step

    def told(self, lines: int = 6) -> str:
        """The card at each step, then the first lines of each report: for the closing note."""
        shown = [f"{when}: Étape {step}/7 · {line}" for when, step, line in self.cards]
        for what, text in self.reports.items():
            first = [line for line in text.splitlines() if line.strip()][:lines]
            shown += [f"-- {what}", *first]
        return "\n".join(shown)


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
    if persona.colleague:
        # A second member of our organisation, invited as a member by the first.
        token = await invite(api, ours, persona.name, "member")
        card = await join_by_invitation(api, persona.colleague, token)
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
    record = await fill_convention(
        api, ours, persona.convention, stop_after=persona.convention_stopped_after
    )
    no_repeats(record)
    if persona.convention_stopped_after:
        _taken_up_where_it_stopped(record)
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


def _taken_up_where_it_stopped(record) -> None:
    """/annuler said the answers are kept and how to go on; /convention took the run up at
    the question left unanswered, after a word saying so (and asked nothing twice)."""
    assert "vos réponses sont conservées" in record.cancelled, record.cancelled
    assert "/convention le reprend là où vous vous êtes arrêté" in record.cancelled, (
        record.cancelled
    )
    assert any("voici où vous vous étiez arrêté" in t for t in record.taken_up), record.taken_up
    assert record.left_at and record.resumed_at == record.left_at, (
        f"stopped at {record.left_at}, taken up at {record.resumed_at}: {record.asked}"
    )


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
    await who_answers(api, persona)


async def who_answers(api, persona: Persona) -> None:
    """Each side's "Évaluation" lists the people who answer by their names, the viewer marked
    "(vous)", each with their organisation."""
    people = [(persona.ours, persona.organisation), (persona.partner, persona.partner_organisation)]
    if persona.colleague:
        people.append((persona.colleague, persona.organisation))
    for viewer in (persona.partner, persona.ours):
        screen = await open_evaluation(api, viewer, persona.name)
        assert "Qui répond (les deux organisations)" in screen, screen
        for person, organisation in people:
            you = " (vous)" if person is viewer else ""
            assert f"☑ {person.full_name}{you} — {organisation}" in screen, screen


async def pulse_round(api, database_url: str, persona: Persona, journal: Journal) -> None:
    """At the first pulse's due date, cron opens it; both sides answer; both get the report,
    each from its own point of view."""
    ours, theirs, colleague = persona.ours, persona.partner, persona.colleague
    everyone = _everyone(persona)
    due = at(persona.signed + timedelta(weeks=6))
    before = {p.chat: len(sent_texts(api, p)) for p in everyone}
    await run_checkins(api, database_url, due)
    for person in everyone:
        asked = [t for t in sent_texts(api, person, before[person.chat]) if "Point d’étape" in t]
        assert asked and persona.name in asked[0], sent_texts(api, person, before[person.chat])
    no_repeats(await answer_checkin(api, ours, "pulse", persona.pulse_ours))
    no_repeats(await answer_checkin(api, theirs, "pulse", persona.pulse_partner))
    if colleague:
        no_repeats(await answer_checkin(api, colleague, "pulse", persona.pulse_colleague))
    for person, side in _sides(persona):
        journal.reports[f"pulse {side}"] = await _report(api, person, "Résultats du point d’étape")
    _both_points_of_view(persona, journal.reports["pulse ours"], journal.reports["pulse partner"])
    if colleague:
        # The colleague reads what the first member reads: the same side.
        assert journal.reports["pulse colleague"] == journal.reports["pulse ours"]
        assert f"{persona.organisation} 2/2" in journal.reports["pulse ours"], journal.reports[
            "pulse ours"
        ]


def _everyone(persona: Persona) -> list[Person]:
    return [p for p in (persona.ours, persona.partner, persona.colleague) if p]


def _sides(persona: Persona) -> list[tuple[Person, str]]:
    sides = [(persona.ours, "ours"), (persona.partner, "partner")]
    return sides + ([(persona.colleague, "colleague")] if persona.colleague else [])


async def _report(api, person: Person, title: str) -> str:
    return await api.wait_for(
        lambda a: next((t for t in texts(a, person) if t.startswith(title)), None), timeout=WAIT
    )


def _our_score(persona: Persona, question: str) -> float:
    """Our organisation's score on a dimension: the mean of its members' answers."""
    given = [persona.pulse_ours] + ([persona.pulse_colleague] if persona.colleague else [])
    return sum(float(answers[question][0]) for answers in given) / len(given)


def _both_points_of_view(persona: Persona, ours: str, theirs: str) -> None:
    """Each side reads its own organisation first, with its own scores first."""
    us, them = persona.organisation, persona.partner_organisation
    assert us in ours and them in ours, ours
    assert ours.index(us) < ours.index(them), ours
    assert them in theirs and us in theirs, theirs
    assert theirs.index(them) < theirs.index(us), theirs
    # A dimension the two sides scored differently: each reads its own score first.
    mine, yours = next(
        (_our_score(persona, q), float(persona.pulse_partner[q][0]))
        for q in PULSE
        if _our_score(persona, q) != float(persona.pulse_partner[q][0])
    )
    assert f"{mine:.1f} / {yours:.1f}".replace(".", ",") in ours.replace(".", ","), ours
    assert f"{yours:.1f} / {mine:.1f}".replace(".", ",") in theirs.replace(".", ","), theirs
    # Different scores: the divergence shows on both sides.
    assert "⚠" in ours and "⚠" in theirs
    for report in (ours, theirs):
        assert "console:" not in report and "tg:" not in report, report


async def full_review(api, database_url: str, persona: Persona, journal: Journal) -> None:
    """The full review, a year after signature or started by hand from /evaluation: both
    answer; both receive its report and documents; the decision moves the stage (a split
    decision leaves it at step 7, where the members decide from the card)."""
    ours, theirs, colleague = persona.ours, persona.partner, persona.colleague
    if colleague:
        await _no_longer_asked(api, persona)
    before = {p.chat: len(sent_texts(api, p)) for p in _everyone(persona)}
    files_before = {p.chat: len(files_sent(api, p)) for p in _everyone(persona)}
    if persona.review_by_hand:
        await _start_review_now(api, persona)
    else:
        await run_checkins(
            api, database_url, at(persona.signed.replace(year=persona.signed.year + 1))
        )
    invitation = f"Bilan complet — {persona.name}"
    for person in (ours, theirs):
        await api.wait_for(
            lambda a, p=person: any(
                t.startswith(invitation) for t in sent_texts(a, p, before[p.chat])
            ),
            timeout=WAIT,
        )
    no_repeats(await answer_checkin(api, ours, "review", persona.review_ours))
    no_repeats(await answer_checkin(api, theirs, "review", persona.review_partner))
    label, step = DECIDED[persona.decision]
    for person, side in _sides(persona):
        report = await _report(api, person, "Résultats du bilan complet")
        journal.reports[f"review {side}"] = report
        if persona.split:
            assert "Pas encore de décision commune" in report, report
        else:
            assert f"Les deux organisations proposent de : {label}".lower() in report.lower(), (
                report
            )
        # Every member of both organisations receives the report as Word and PDF files.
        files = await _report_files(api, person, files_before[person.chat])
        assert all("bilan" in name.lower() for name in files), files
        (_name, document), *_ = documents(api, person, files_before[person.chat])
        journal.reports[f"review document {side}"] = document
        assert persona.organisation in document and persona.partner_organisation in document
    us, them = persona.organisation, persona.partner_organisation
    for side, first, second in (("ours", us, them), ("partner", them, us)):
        assert f"Notes de 1 à 5 : {first} / {second}." in journal.reports[f"review {side}"], (
            journal.reports[f"review {side}"]
        )
    if colleague:
        # Unticked, the colleague was not asked, and still has the results.
        assert journal.reports["review colleague"] == journal.reports["review ours"]
        asked = sent_texts(api, colleague, before[colleague.chat])
        assert not [t for t in asked if t.startswith(invitation)], asked
    card = await open_card(api, ours, persona.name)
    if persona.split:
        # No shared decision: the partnership waits at step 7, its three moves on the card.
        assert journal.card("review split", card) == 7, card
        offered = moves_offered(api, ours)
        assert all(move in offered for move in STEP_7_MOVES), offered
        card = await advance(api, ours, persona.name, persona.decision)
    assert journal.card("after the review", card) == step, card
    card = await open_card(api, theirs, persona.name)
    assert journal.card("partner, after the review", card) == step, card


async def _report_files(api, person: Person, since: int) -> list[str]:
    """The full review's report, as a Word file and a PDF, sent to the person."""

    def both(a) -> list[str] | None:
        found = files_sent(a, person, since)
        reports = [n for n in found if n.endswith((".docx", ".pdf"))]
        return reports if {n.rsplit(".", 1)[1] for n in reports} == {"docx", "pdf"} else None

    return await api.wait_for(both, timeout=WAIT)


async def _start_review_now(api, persona: Persona) -> None:
    """/evaluation's "Bilan complet maintenant": every respondent is asked at once."""
    ours = persona.ours
    await open_evaluation(api, ours, persona.name)
    before = len(sent_texts(api, ours))
    await press(
        api,
        ours,
        button(api, ours, label="Bilan complet maintenant", data_end=":round:review"),
        until=lambda a: any("Bilan complet lancé" in t for t in sent_texts(a, ours, before)),
    )


async def _no_longer_asked(api, persona: Persona) -> None:
    """The first member unticks the colleague in /evaluation: no longer asked to answer."""
    ours, colleague = persona.ours, persona.colleague
    await open_evaluation(api, ours, persona.name)
    await press(api, ours, button(api, ours, label=f"☑ {colleague.full_name}"))
    screen = texts(api, ours)[-1]
    assert f"☐ {colleague.full_name} — {persona.organisation}" in screen, screen


def nothing_shows_an_account_id(api) -> None:
    """No text any chat received during the journey names a person by an account id."""
    for text in everything_received(api):
        assert "tg:" not in text and "console:" not in text, text


async def live(api, database_url: str, persona: Persona) -> Journal:
    """The whole chain."""
    journal = Journal()
    await steps_1_to_3(api, persona, journal)
    await steps_4_and_5(api, persona, journal)
    await step_6(api, persona, journal)
    await pulse_round(api, database_url, persona, journal)
    await full_review(api, database_url, persona, journal)
    nothing_shows_an_account_id(api)
    return journal
