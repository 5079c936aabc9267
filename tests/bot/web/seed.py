"""A dashboard's worth of data, built through the real code where it exists: one organisation,
"Réseau Solidaire", with a coordinator, a field worker, a colleague and a partner contact,
and a dozen partnerships in every step of the method; check-in rounds whose summaries are
the real report's; draft documents built by the real use case; the health and alerts the
real refresh computes at `now`. Partnerships of another organisation sit beside them, which
Réseau Solidaire's coordinator must never see.

`seed_many` fills a database in bulk for the benchmark (module seed_bulk.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import select

from bot.services import Actor, Core, Services
from bot.services.alerts import mark
from bot.services.documents import generate
from bot.services.health import BATCH, refresh
from flows.lifecycle import STAGES
from storage import organisations, repository
from storage.db import make_engine, session_scope
from storage.models import (
    Alert,
    CheckInInvite,
    CheckInRound,
    MeetingNote,
    Partnership,
    PartnershipHealth,
    StageMove,
    User,
)
from tests.bot.web.rounds import Voice, summary, voice

DAY = timedelta(days=1)
ZONE = "Europe/Paris"
OURS = "Réseau Solidaire"
OTHER = "Horizon Vert"
# A partnership whose health the dispatcher has not computed yet.
NOT_ASSESSED = "none"


@dataclass(frozen=True)
class Person:
    id: int
    external_id: str
    language: str
    name: str


@dataclass(frozen=True)
class SeededAlert:
    id: int
    partnership: str  # the partnership's key
    signal: str
    subject: str
    state: str


@dataclass(frozen=True)
class Seeded:
    """What `seed` made: people, partnerships by short key, their documents and alerts."""

    now: datetime
    organisation: int
    other_organisation: int
    coordinator: Person
    member: Person
    colleague: Person
    partner: Person
    # A member of the other organisation, and the coordinator who follows it.
    outsider: Person
    other_coordinator: Person
    partnerships: dict[str, int]
    names: dict[str, str]
    stages: dict[str, str]
    # The light the rules computed ("none": not computed yet), by key.
    lights: dict[str, str]
    # The other organisation's partnerships, by key.
    others: dict[str, int]
    documents: dict[str, tuple[int, ...]]
    alerts: tuple[SeededAlert, ...]

    def key_of(self, pid: int) -> str:
        return next(key for key, found in self.partnerships.items() if found == pid)


@dataclass(frozen=True)
class Round:
    """A closed round due `due` days ago, answered by our side and the partner's."""

    due: int
    ours: tuple[Voice, ...]
    partner: tuple[Voice, ...]
    kind: str = "pulse"


@dataclass(frozen=True)
class Spec:
    """One partnership to seed. `path`: days ago it entered each stage after diagnosis, in
    the method's order (an ended one ends with its "end"); `signed`, `ends`: the convention's
    dates in days from now (negative: past), as /suivi records them."""

    key: str
    name: str
    stage: str
    partner: str  # the partner organisation
    theme: str
    territory: str
    created: float  # days ago
    path: tuple[int, ...] = ()
    creator: str = "member"
    signed: int | None = None
    ends: int | None = None
    frequency: str | None = None
    rounds: tuple[Round, ...] = ()
    # An open round due (and opened) that many days ago, answered by our side only.
    open_round: int | None = None
    steering: tuple[int, ...] = ()  # steering meetings held, days ago
    documents: bool = False
    # Made after the dispatcher last ran: its health is not computed yet.
    after_refresh: bool = False


GOOD = voice(4, performance=5, meaning=5)
FINE = voice(4)
GOOD_PARTNER = voice(4, clarity=5)

SPECS = (
    Spec(
        "diagnosis",
        "Diagnostic territorial Roubaix-Nord",
        "diagnosis",
        "Ville de Roubaix",
        "Précarité alimentaire",
        "Roubaix",
        created=0.1,
        after_refresh=True,
    ),
    Spec(
        "dialogue",
        "Jardins partagés des Hauts-Champs",
        "dialogue",
        "Bailleur Habitat Nord",
        "Lien social",
        "Roubaix",
        created=60,
        path=(40,),
        creator="colleague",
    ),
    Spec(
        "stalled",
        "Mécénat de compétences Kiabi",
        "partner_choice",
        "Kiabi",
        "Insertion professionnelle",
        "Lille",
        created=420,
        path=(400, 250),
    ),
    Spec(
        "content",
        "Insertion par l'emploi — Chantiers du Nord",
        "content",
        "Chantiers du Nord",
        "Emploi",
        "Tourcoing",
        created=320,
        path=(300, 200, 90),
    ),
    Spec(
        "formalisation",
        "Épicerie solidaire du Pile",
        "formalisation",
        "Fondation Carrefour",
        "Aide alimentaire",
        "Roubaix",
        created=170,
        path=(150, 110, 70, 20),
        documents=True,
    ),
    Spec(
        "green",
        "Repair café de l'Epeule",
        "implementation",
        "Boulangeries Martin",
        "Économie circulaire",
        "Roubaix",
        created=400,
        path=(380, 330, 290, 240, 200),
        signed=-200,
        ends=530,
        frequency="quarterly",
        rounds=(
            Round(110, (GOOD, FINE), (GOOD_PARTNER,)),
            Round(20, (GOOD, GOOD), (GOOD_PARTNER,)),
        ),
        steering=(120, 30),
        documents=True,
    ),
    Spec(
        "red_dimension",
        "Aide aux devoirs Alma",
        "implementation",
        "Fondation SNCF",
        "Réussite éducative",
        "Roubaix",
        created=500,
        path=(480, 430, 390, 340, 300),
        signed=-300,
        ends=430,
        frequency="quarterly",
        rounds=(
            Round(210, (voice(4, meaning=4), FINE), (voice(4, meaning=4),)),
            Round(120, (voice(4, meaning=3), FINE), (voice(4, meaning=3),)),
            Round(30, (voice(4, meaning=2), voice(4, meaning=2)), (voice(3, meaning=2),)),
        ),
        steering=(130, 40),
    ),
    Spec(
        "diverging",
        "Mobilité solidaire Transpole",
        "implementation",
        "Transpole",
        "Mobilité",
        "Métropole lilloise",
        created=450,
        path=(430, 380, 340, 290, 250),
        signed=-250,
        ends=480,
        frequency="quarterly",
        rounds=(
            Round(
                160,
                (voice(4, value_exchange=5), voice(4, value_exchange=5)),
                (voice(4, value_exchange=3),),
            ),
            Round(
                70,
                (voice(4, value_exchange=5), voice(5, value_exchange=5)),
                (voice(4, value_exchange=3),),
            ),
        ),
        steering=(110, 20),
    ),
    Spec(
        "late",
        "Chantier d'insertion Boulangerie",
        "implementation",
        "Boulangeries Martin",
        "Emploi",
        "Roubaix",
        created=330,
        path=(320, 280, 240, 190, 150),
        signed=-150,
        ends=580,
        frequency="quarterly",
        rounds=(Round(60, (GOOD, FINE), (FINE,)),),
        open_round=12,
        steering=(70, 10),
    ),
    Spec(
        "ending",
        "Banque alimentaire — collecte de printemps",
        "evaluation",
        "Crédit Coopératif",
        "Aide alimentaire",
        "Lille",
        created=900,
        path=(880, 840, 800, 760, 700, 50),
        signed=-700,
        ends=60,
        frequency="half_yearly",
        rounds=(
            Round(600, (FINE, FINE), (voice(4, clarity=3),)),
            Round(420, (GOOD, FINE), (FINE,)),
            Round(240, (GOOD, GOOD), (FINE,)),
            Round(60, (voice(4), voice(4)), (voice(4),), kind="review"),
        ),
        steering=(280, 100),
    ),
    Spec(
        "ended",
        "Collecte de vêtements d'hiver",
        "ended",
        "Emmaüs Connect",
        "Solidarité",
        "Roubaix",
        created=1000,
        path=(990, 960, 930, 900, 850, 60, 30),
        creator="colleague",
        signed=-850,
        ends=-40,
        frequency="half_yearly",
        rounds=(Round(400, (FINE,), (FINE,)), Round(70, (FINE,), (FINE,), kind="review")),
        steering=(200,),
    ),
    Spec(
        "steering",
        "Accompagnement numérique des seniors",
        "implementation",
        "Orange Solidarité",
        "Inclusion numérique",
        "Tourcoing",
        created=470,
        path=(450, 400, 360, 320, 280),
        signed=-280,
        ends=450,
        frequency="quarterly",
        rounds=(
            Round(190, (FINE, FINE), (FINE,)),
            Round(100, (GOOD, FINE), (FINE,)),
            Round(10, (FINE, voice(4, steering=3)), (FINE,)),
        ),
    ),
)

OTHER_SPECS = (
    Spec(
        "other_implementation",
        "Potager d'entreprise Horizon",
        "implementation",
        "Les Amis du Quartier",
        "Alimentation durable",
        "Villeneuve-d'Ascq",
        created=300,
        path=(290, 260, 230, 200, 180),
        creator="outsider",
        signed=-180,
        frequency="quarterly",
        rounds=(Round(90, (voice(4, performance=2),), (voice(4, performance=2),)),),
    ),
    Spec(
        "other_dialogue",
        "Nettoyage des berges Horizon",
        "dialogue",
        "Les Amis du Quartier",
        "Environnement",
        "Villeneuve-d'Ascq",
        created=30,
        path=(20,),
        creator="outsider",
    ),
)

# Telegram ids of the people.
PEOPLE = {
    "coordinator": (9001, "fr", "Claire Coordinatrice"),
    "member": (9002, "en", "Malik Field"),
    "colleague": (9003, "fr", "Sophie Terrain"),
    "partner": (9004, "fr", "Paul Martin"),
    "outsider": (9101, "fr", "Olivier Horizon"),
    "other_coordinator": (9102, "fr", "Odile Horizon"),
}
# Each partner organisation's contact beyond the main one (Boulangeries Martin's).
FIRST_CONTACT_CHAT = 9200


def seed(database_url: str, now: datetime, core: Core | None = None) -> Seeded:
    """Fills a migrated, empty database; returns what a test needs to find it again."""
    core = core or Core(ZONE)
    engine = make_engine(database_url)
    try:
        return _Seeder(engine, now, core).run()
    finally:
        engine.dispose()


@dataclass
class _Seeder:
    engine: object
    now: datetime
    core: Core
    people: dict[str, Person] = field(default_factory=dict)
    orgs: dict[str, int] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)

    def run(self) -> Seeded:
        with session_scope(self.engine) as db:
            self._people(db)
            ours = self._organisation(db, OURS, "association", "coordinator")
            other = self._organisation(db, OTHER, "company", "other_coordinator")
        for spec in SPECS + OTHER_SPECS:
            if not spec.after_refresh:
                self._partnership(spec, other if spec.creator == "outsider" else ours)
        documents = {spec.key: self._documents(spec) for spec in SPECS if spec.documents}
        self._refresh()
        for spec in SPECS:
            if spec.after_refresh:
                self._partnership(spec, ours)
        alerts = self._mark_alerts()
        keys = [spec.key for spec in SPECS]
        return Seeded(
            now=self.now,
            organisation=ours,
            other_organisation=other,
            partnerships={key: self.ids[key] for key in keys},
            names={spec.key: spec.name for spec in SPECS},
            stages={spec.key: spec.stage for spec in SPECS},
            lights=self._lights(keys),
            others={spec.key: self.ids[spec.key] for spec in OTHER_SPECS},
            documents=documents,
            alerts=alerts,
            **self.people,
        )

    def _ago(self, days: float) -> datetime:
        return self.now - days * DAY

    def _people(self, db) -> None:
        for role, (chat, language, name) in PEOPLE.items():
            user = repository.get_or_create_user(
                db, external_id=f"tg:{chat}", language=language, name=name
            )
            user.created_at = self._ago(1100)
            db.flush()
            self.people[role] = Person(user.id, user.external_id, language, name)

    def _organisation(self, db, name: str, kind: str, coordinator: str) -> int:
        found = organisations.create_organisation(
            db, name=name, kind=kind, created_by=self.people["member"].id
        )
        organisations.add_coordinator(
            db, organisation_id=found.id, user_id=self.people[coordinator].id, invited_by=None
        )
        return found.id

    def _partner_org(self, db, name: str) -> int:
        if name not in self.orgs:
            self.orgs[name] = organisations.create_organisation(
                db, name=name, created_by=self.people["member"].id
            ).id
        return self.orgs[name]

    def _contact(self, db, partner: str) -> User:
        """The partner organisation's contact: Paul Martin for the bakeries, one each else."""
        if partner == "Boulangeries Martin":
            return db.get(User, self.people["partner"].id)
        chat = FIRST_CONTACT_CHAT + sorted({s.partner for s in SPECS + OTHER_SPECS}).index(partner)
        return repository.get_or_create_user(
            db, external_id=f"tg:{chat}", language="fr", name=f"Contact {partner}"
        )

    def _partnership(self, spec: Spec, our_org: int) -> None:
        with session_scope(self.engine) as db:
            creator = db.get(User, self.people[spec.creator].id)
            row = repository.create_partnership(
                db,
                user=creator,
                name=spec.name,
                our_organisation=OTHER if spec.creator == "outsider" else OURS,
                partner_name=spec.partner,
                theme=spec.theme,
                territory=spec.territory,
            )
            row.our_organisation_id = our_org
            row.partner_organisation_id = self._partner_org(db, spec.partner)
            row.created_at = self._ago(spec.created)
            row.followup = self._followup(spec)
            db.flush()
            if spec.creator == "member":
                # The colleague works on the field worker's partnerships, not the reverse.
                colleague = db.get(User, self.people["colleague"].id)
                repository.add_member(db, partnership_id=row.id, user=colleague, role="member")
            if spec.stage not in ("diagnosis", "dialogue"):
                contact = self._contact(db, spec.partner)
                repository.add_member(db, partnership_id=row.id, user=contact, role="partner")
            self._moves(db, row, spec)
            self._rounds(db, row.id, spec)
            for days in spec.steering:
                held = self._ago(days)
                db.add(
                    MeetingNote(
                        partnership_id=row.id,
                        user_id=creator.id,
                        text="Comité de pilotage",
                        kind="steering",
                        held_at=held,
                        written_at=held,
                    )
                )
            self.ids[spec.key] = row.id

    def _followup(self, spec: Spec) -> dict:
        if spec.signed is None:
            return {}
        found = {"signature_date": (self.now + spec.signed * DAY).date().isoformat()}
        if spec.ends is not None:
            found["end_date"] = (self.now + spec.ends * DAY).date().isoformat()
        if spec.frequency:
            found["frequency"] = spec.frequency
        found["referent_ours"] = "Malik Field"
        found["referent_partner"] = f"Contact {spec.partner}"
        return found

    def _moves(self, db, row: Partnership, spec: Spec) -> None:
        """The stage history: forward one step at a time, a full review taking it into step 7
        (no one moved it), then the members' decision to end."""
        source = "diagnosis"
        user_id = row.created_by
        for days, dest in zip(spec.path, STAGES[1:], strict=False):
            trigger, by = "advance", user_id
            if dest == "evaluation":
                by = None
            if dest == "ended":
                trigger = "end"
            db.add(
                StageMove(
                    partnership_id=row.id,
                    user_id=by,
                    trigger=trigger,
                    source=source,
                    dest=dest,
                    moved_at=self._ago(days),
                )
            )
            source = dest
        assert source == spec.stage, f"{spec.key}: path ends at {source}, not {spec.stage}"
        row.stage = spec.stage
        repository.touch(row)
        db.add(row)

    def _rounds(self, db, pid: int, spec: Spec) -> None:
        earlier: dict[str, list] = {}
        for given in spec.rounds:
            due = self._ago(given.due)
            kept = summary(
                self.core, given.kind, given.ours, given.partner, earlier.get(given.kind, [])
            )
            earlier.setdefault(given.kind, []).append(kept["scores"])
            db.add(
                CheckInRound(
                    partnership_id=pid,
                    kind=given.kind,
                    due_at=due,
                    final=given.kind == "review" and spec.ends is not None and spec.ends <= 90,
                    status="closed",
                    opened_at=due,
                    closed_at=due + 9 * DAY,
                    summary=kept,
                )
            )
        if spec.open_round is not None:
            self._open_round(db, pid, self._ago(spec.open_round))

    def _open_round(self, db, pid: int, due: datetime) -> None:
        """Asked of every respondent; our side answered the next day, the partner's not yet."""
        row = CheckInRound(partnership_id=pid, kind="pulse", due_at=due, opened_at=due)
        db.add(row)
        db.flush()
        for member in repository.memberships_of(db, partnership_id=pid):
            side = "partner" if member.role == "partner" else "ours"
            answered = due + DAY if side == "ours" else None
            db.add(
                CheckInInvite(
                    round_id=row.id,
                    user_id=member.user_id,
                    side=side,
                    invited_at=due,
                    answered_at=answered,
                )
            )

    def _documents(self, spec: Spec) -> tuple[int, ...]:
        """The draft convention and action plan, built by the real use case for the member."""
        pid = self.ids[spec.key]

        def build(work):
            return generate(work, work.db.get(Partnership, pid), "member", None, None)

        result = self._services().run(Actor(self.people["member"].external_id), build)
        return tuple(document.id for document in result.documents)

    def _services(self) -> Services:
        return Services(self.engine, self.core, clock=lambda: self.now)

    def _refresh(self) -> None:
        """The dispatcher's health refresh at `now`, every batch."""
        after = 0
        while after is not None:
            after = self._services().run_system(refresh, after, BATCH).last_id

    def _mark_alerts(self) -> tuple[SeededAlert, ...]:
        """The field worker has seen the red dimension's alert and handled the diverging
        one; the others are new."""
        marked = {
            ("red_dimension", "dimension_red"): "seen",
            ("diverging", "perceptions_diverging"): "handled",
        }
        keys = {pid: key for key, pid in self.ids.items()}
        with session_scope(self.engine) as db:
            rows = [(a.id, a.partnership_id, a.signal) for a in db.exec(select(Alert))]
        for aid, pid, signal in rows:
            state = marked.get((keys[pid], signal))
            if state is not None:
                self._mark(aid, pid, state)
        with session_scope(self.engine) as db:
            found = db.exec(select(Alert).order_by(Alert.id)).all()
            return tuple(
                SeededAlert(a.id, keys[a.partnership_id], a.signal, a.subject, a.state)
                for a in found
            )

    def _mark(self, aid: int, pid: int, state: str) -> None:
        def press(work):
            return mark(state, work, work.db.get(Partnership, pid), "member", str(aid), None)

        self._services().run(Actor(self.people["member"].external_id), press)

    def _lights(self, keys: list[str]) -> dict[str, str]:
        with session_scope(self.engine) as db:
            found = {row.partnership_id: row.light for row in db.exec(select(PartnershipHealth))}
        return {key: found.get(self.ids[key], NOT_ASSESSED) for key in keys}


def seed_many(database_url: str, n: int, now: datetime, core: Core | None = None):
    """`n` partnerships followed by one coordinator, in bulk (see seed_bulk.py)."""
    from tests.bot.web.seed_bulk import seed_many as bulk

    return bulk(database_url, n, now, core)
