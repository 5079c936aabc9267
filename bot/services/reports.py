"""What a closed round gives back: the evaluation report of both organisations, its chart,
and for a full review the report as DOCX and PDF; and what Alliance already knows of the
partnership, shown to respondents instead of asked again."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.services.naming import round_file_name, series
from bot.services.results import DocumentInfo, RoundReport
from bot.services.summaries import document_info
from bot.services.work import Work
from flows.convention import AGREED
from flows.evaluation import OURS, PARTNER, EvaluationReport, build_report, overall_scores
from flows.schedule import REVIEW
from storage import checkins as store
from storage import repository
from storage.models import CheckInRound, Partnership

# What the respondents are shown, in this order, when the partnership knows it.
KNOWN = ("objectives", "actions", "financial_means", "human_means", "material_means")


def known_facts(partnership: Partnership) -> list[tuple[str, str]]:
    """The convention's objectives, actions and means, and the referents, as recorded."""
    items = partnership.convention or {}
    facts = []
    for key in KNOWN:
        record = items.get(key) or {}
        if record.get("status") in AGREED and record.get("text"):
            facts.append((key, record["text"]))
    followup = partnership.followup or {}
    if followup.get("actions"):
        facts = [f for f in facts if f[0] != "actions"] + [("actions", followup["actions"])]
    referents = [followup.get("referent_ours"), followup.get("referent_partner")]
    if any(referents):
        facts.append(("referents", " · ".join(r for r in referents if r)))
    return facts


@dataclass
class Built:
    """A closed round's report, and its files built once per language when first needed."""

    work: Work
    partnership: Partnership
    round: CheckInRound
    report: EvaluationReport
    closed_on: date
    files: dict[str, tuple[DocumentInfo, ...]] = field(default_factory=dict)

    @property
    def summary(self) -> dict:
        """What the round keeps: the decision, the scores a later round's trend reads."""
        report = self.report
        return {
            "decision": report.decision,
            "scores": overall_scores(report),
            "answered": {side: list(counts) for side, counts in report.answered.items()},
            "votes": report.votes,
            # Each organisation's average per dimension: health compares them round to round.
            "sides": {
                side: {
                    d.question.id: getattr(d, side)
                    for d in report.dimensions
                    if getattr(d, side) is not None
                }
                for side in (OURS, PARTNER)
            },
        }

    def view(self, role: str, moved_to: str | None) -> RoundReport:
        return RoundReport(
            self.report,
            self.partnership.name,
            self.organisations,
            self.closed_on,
            role,
            moved_to,
            final=self.round.final,
        )

    @property
    def organisations(self) -> tuple[str, str]:
        partner = self.partnership.partner_name or ""
        return self.partnership.our_organisation, partner

    def documents(self, language: str) -> tuple[DocumentInfo, ...]:
        """The chart (and for a full review the report as DOCX and PDF), in that language."""
        if language not in self.files:
            self.files[language] = tuple(self._build(language))
        return self.files[language]

    def _build(self, language: str):
        for kind, content in render(self.to_render(), language):
            yield self._keep(kind, language, content)

    def to_render(self) -> ToRender:
        """What rendering the files needs, apart from the database."""
        ours, partner = self.organisations
        facts = {
            "partnership": self.partnership.name,
            "ours": ours,
            "partner": partner,
            "round_date": self.closed_on,
        }
        return ToRender(self.round.id, self.round.kind, self.report, facts)

    def keep_rendered(self, language: str, files: list[tuple[str, bytes]]) -> None:
        """Files rendered beforehand (outside the transaction), kept now for that language."""
        self.files[language] = tuple(self._keep(kind, language, c) for kind, c in files)

    def _keep(self, kind: str, language: str, content: bytes) -> DocumentInfo:
        document = repository.add_document(
            self.work.db,
            partnership_id=self.partnership.id,
            kind=kind,
            file_name=round_file_name(kind, self.partnership.name, self.closed_on, language),
            series=series(kind, language),
            content=content,
            created_by=self.partnership.created_by,
        )
        return document_info(document)


@dataclass(frozen=True)
class ToRender:
    """A round's report as its files are rendered from it: plain values, no database."""

    round_id: int
    kind: str
    report: EvaluationReport
    facts: dict
    languages: tuple[str, ...] = ()


def render(job: ToRender, language: str) -> list[tuple[str, bytes]]:
    """The chart (and for a full review the report as DOCX and PDF) in that language, as
    (document kind, content): seconds of CPU, done outside any transaction when it can."""
    # matplotlib and fpdf load with the first report, not with every process that starts
    # (a dispatcher run sends thousands of messages and rarely builds a report).
    from bot.documents import evaluation as rendering

    facts = dict(job.facts, language=language)
    chart = rendering.evaluation_chart(job.report, **facts)
    files = [(f"{job.kind}_chart", chart)]
    if job.kind == REVIEW:
        files.append(("review_report", rendering.evaluation_docx(job.report, **facts, chart=chart)))
        files.append(
            ("review_report_pdf", rendering.evaluation_pdf(job.report, **facts, chart=chart))
        )
    return files


def _both_answered(summary: dict | None) -> bool:
    """Whether both organisations answered a round: the trend of "both organisations"
    compares only such rounds."""
    answered = (summary or {}).get("answered")
    if not answered:
        return True  # a round kept before the counts were
    return all((answered.get(side) or [0])[0] > 0 for side in (OURS, PARTNER))


def build(work: Work, partnership: Partnership, round_: CheckInRound) -> Built:
    """The report of a round from every respondent's answers, finished or not."""
    invites = {i.user_id: i for i in store.invites_of(work.db, round_id=round_.id)}
    answers: dict[str, list[dict]] = {OURS: [], PARTNER: []}
    for user_id, given in store.answers_of(work.db, round_id=round_.id):
        if user_id in invites and given:
            answers[invites[user_id].side].append(given)
    invited = {side: sum(i.side == side for i in invites.values()) for side in (OURS, PARTNER)}
    earlier = [
        r.summary.get("scores") or {}
        for r in store.closed_rounds(work.db, partnership_id=partnership.id, kind=round_.kind)
        if r.id != round_.id and _both_answered(r.summary)
    ]
    questionnaire = work.core.flows[round_.kind].questionnaire
    report = build_report(questionnaire, answers, invited=invited, previous=earlier)
    closed_on = (round_.closed_at or work.now).astimezone(work.core.zone).date()
    return Built(work, partnership, round_, report, closed_on)
