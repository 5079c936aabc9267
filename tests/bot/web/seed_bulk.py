"""Many partnerships at once, for the dashboard's benchmark: one organisation followed by one
coordinator, `n` partnerships across the seven steps, 4 to 12 closed check-in rounds for most
of those being evaluated (their summaries the real report's), written with bulk inserts; then
the real health refresh, so lights and alerts are the rules'."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert

from bot.services import Core, Services
from bot.services.health import BATCH, refresh
from flows.lifecycle import STAGES
from storage.db import make_engine
from storage.models import (
    CheckInRound,
    Coordinator,
    MeetingNote,
    Membership,
    Organisation,
    Partnership,
    StageMove,
    User,
)
from tests.bot.web.rounds import Voice, dimensions, summary

DAY = timedelta(days=1)
QUARTER = 91 * DAY
# How the partnerships spread over the stages: most are being carried out or evaluated.
STAGE_WEIGHTS = {
    "diagnosis": 4,
    "dialogue": 10,
    "partner_choice": 8,
    "content": 10,
    "formalisation": 6,
    "implementation": 44,
    "evaluation": 10,
    "ended": 8,
}
EVALUATED = ("implementation", "evaluation")
PARTNER_ORGANISATIONS = 30
MOST_ROUNDS = 12


@dataclass(frozen=True)
class Many:
    """What seed_many made: the coordinator who follows every partnership, and one
    partnership with twelve closed rounds (the partnership page to time)."""

    coordinator: str  # external id
    coordinator_id: int
    partnerships: tuple[int, ...]
    twelve_rounds: int
    rounds: int


def seed_many(database_url: str, n: int, now: datetime, core: Core | None = None) -> Many:
    """Fills a migrated, empty database with `n` partnerships (the first has 12 rounds)."""
    core = core or Core("Europe/Paris")
    engine = make_engine(database_url)
    try:
        with engine.begin() as db:
            made = _Bulk(db, core, now, random.Random(20)).fill(n)
        services = Services(engine, core, clock=lambda: now)
        after = 0
        while after is not None:
            after = services.run_system(refresh, after, BATCH).last_id
        return made
    finally:
        engine.dispose()


class _Bulk:
    def __init__(self, db, core: Core, now: datetime, rng: random.Random):
        self.db, self.core, self.now, self.rng = db, core, now, rng
        self.dims = dimensions(core, "pulse")

    def _ids(self, table, rows: list[dict]) -> list[int]:
        statement = insert(table).returning(table.id, sort_by_parameter_order=True)
        return [row[0] for row in self.db.execute(statement, rows)]

    def fill(self, n: int) -> Many:
        people = self._ids(
            User,
            [{"external_id": "tg:500000", "language": "fr", "display_name": "Coordination"}]
            + [
                {"external_id": f"tg:{500001 + i}", "language": "fr", "display_name": f"P {i}"}
                for i in range(2 * n)
            ],
        )
        coordinator, members, contacts = people[0], people[1::2], people[2::2]
        ours, *partners = self._ids(
            Organisation,
            [{"name": "Réseau Solidaire", "kind": "association"}]
            + [
                {"name": f"Partenaire {i}", "kind": "company"} for i in range(PARTNER_ORGANISATIONS)
            ],
        )
        self.db.execute(insert(Coordinator), [{"organisation_id": ours, "user_id": coordinator}])
        stages = ["implementation"] + self.rng.choices(
            list(STAGE_WEIGHTS), weights=list(STAGE_WEIGHTS.values()), k=n - 1
        )
        counts = [MOST_ROUNDS] + [self._round_count(stage) for stage in stages[1:]]
        rows = [
            self._partnership(i, stage, counts[i], members[i], ours, partners)
            for i, stage in enumerate(stages)
        ]
        ids = self._ids(Partnership, rows)
        self.db.execute(
            insert(Membership),
            [
                {"partnership_id": pid, "user_id": uid, "role": role, "respondent": True}
                for pid, member, contact in zip(ids, members, contacts, strict=True)
                for uid, role in ((member, "member"), (contact, "partner"))
            ],
        )
        self.db.execute(insert(StageMove), self._moves(ids, stages, members, counts))
        rounds = [
            r for pid, count in zip(ids, counts, strict=True) for r in self._rounds(pid, count)
        ]
        if rounds:
            self.db.execute(insert(CheckInRound), rounds)
        self.db.execute(insert(MeetingNote), self._steering(ids, stages, members))
        return Many("tg:500000", coordinator, tuple(ids), ids[0], len(rounds))

    def _round_count(self, stage: str) -> int:
        """4 to 12 closed rounds for most evaluated partnerships, none for a quarter of them
        (signed lately) and for every partnership before signature."""
        if stage not in EVALUATED or self.rng.random() < 0.25:
            return 0
        return self.rng.randint(4, MOST_ROUNDS)

    def _partnership(self, i, stage, count, member, ours, partners) -> dict:
        age = (count + 1) * QUARTER + self.rng.randint(20, 400) * DAY
        followup = {}
        if stage in EVALUATED or stage == "ended":
            signed = self.now - (count + 1) * QUARTER
            end = signed + self.rng.choice((3, 4, 5)) * 365 * DAY
            if stage == "evaluation":
                end = self.now + self.rng.randint(20, 200) * DAY
            followup = {
                "signature_date": signed.date().isoformat(),
                "end_date": end.date().isoformat(),
                "frequency": self.rng.choice(("quarterly", "half_yearly")),
            }
        partner = partners[i % len(partners)]
        return {
            "name": f"Partenariat {i + 1:04d} — {self.rng.choice(THEMES)}",
            "our_organisation": "Réseau Solidaire",
            "partner_name": f"Partenaire {i % len(partners)}",
            "our_organisation_id": ours,
            "partner_organisation_id": partner,
            "theme": self.rng.choice(THEMES),
            "territory": self.rng.choice(("Roubaix", "Lille", "Tourcoing", "Wattrelos")),
            "stage": stage,
            "revision": 1,
            "dialogue": [],
            "candidates": [],
            "convention": {},
            "followup": followup,
            "created_by": member,
            "created_at": self.now - age,
        }

    def _moves(self, ids, stages, members, counts) -> list[dict]:
        """Each partnership's walk to its stage: a step every month or so before signature,
        implementation at the signature, the evaluation and the end lately."""
        rows = []
        for pid, stage, member, count in zip(ids, stages, members, counts, strict=True):
            steps = STAGES[1 : STAGES.index(stage) + 1]
            source = "diagnosis"
            for dest, moment in zip(steps, self._moments(stage, steps, count), strict=True):
                rows.append(
                    {
                        "partnership_id": pid,
                        "user_id": None if dest == "evaluation" else member,
                        "trigger": "end" if dest == "ended" else "advance",
                        "source": source,
                        "dest": dest,
                        "moved_at": moment,
                    }
                )
                source = dest
        return rows

    def _moments(self, stage: str, steps: list[str], count: int) -> list[datetime]:
        if "implementation" not in steps:
            start = self.now - self.rng.randint(10, 400) * DAY - len(steps) * 30 * DAY
            return [start + (k + 1) * 30 * DAY for k in range(len(steps))]
        signed = self.now - (count + 1) * QUARTER
        before = steps.index("implementation")
        moments = [signed - (before - k) * 45 * DAY for k in range(before)] + [signed]
        if "evaluation" in steps:
            moments.append(self.now - self.rng.randint(10, 60) * DAY)
        if "ended" in steps:
            moments.append(self.now - 5 * DAY)
        return moments

    def _rounds(self, pid: int, count: int) -> list[dict]:
        """Quarterly closed pulses up to last month; a level that drifts as partnerships do."""
        level = self.rng.choice((4.6, 4.5, 4.3, 4.2, 4.0, 4.0, 3.8, 3.6, 3.2, 2.8))
        drift = self.rng.choice((0.05, 0.0, 0.0, -0.05, -0.15))
        rows, earlier = [], []
        for k in range(count):
            due = self.now - (count - k) * QUARTER + 20 * DAY
            ours = (self._voice(level + drift * k), self._voice(level + drift * k))
            partner = (self._voice(level + drift * k - self.rng.choice((0, 0, 0.5, 1.5))),)
            kept = summary(self.core, "pulse", ours, partner, earlier)
            earlier.append(kept["scores"])
            rows.append(
                {
                    "partnership_id": pid,
                    "kind": "pulse",
                    "due_at": due,
                    "final": False,
                    "origin": "schedule",
                    "status": "closed",
                    "opened_at": due,
                    "closed_at": due + 9 * DAY,
                    "summary": kept,
                }
            )
        return rows

    def _voice(self, level: float) -> Voice:
        scores = {d: min(5, max(1, round(level + self.rng.uniform(-0.7, 0.7)))) for d in self.dims}
        return Voice(3, scores)

    def _steering(self, ids, stages, members) -> list[dict]:
        return [
            {
                "partnership_id": pid,
                "user_id": member,
                "text": "Comité de pilotage",
                "kind": "steering",
                "held_at": self.now - self.rng.randint(10, 300) * DAY,
                "written_at": self.now - 5 * DAY,
            }
            for pid, stage, member in zip(ids, stages, members, strict=True)
            if stage in EVALUATED and self.rng.random() < 0.8
        ]


THEMES = (
    "Aide alimentaire",
    "Insertion professionnelle",
    "Inclusion numérique",
    "Mobilité solidaire",
    "Réussite éducative",
    "Économie circulaire",
    "Lien social",
    "Logement",
)
