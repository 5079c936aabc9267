"""`alliance export` in each format, opened with its standard reader."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import openpyxl
import pytest

from bot.services import Actor, Services
from storage.db import make_engine
from tests.bot.checkins import evaluated_partnership, rounds_of
from tests.bot.client import Client
from tests.bot.test_checkins_e2e import EVERYONE, PULSE_ANSWERS, answer

DIMENSIONS = 8


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
