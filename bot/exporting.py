"""`alliance export`: what a coordinator reads of their partnerships, as tables — the
partnerships (both organisations, step, days in the stage, last activity, next check-in,
convention completeness, health and open alerts), the organisations, members, stage moves,
answers (each code with its label), check-in rounds (each organisation's decision), scores
(per round, organisation and dimension), documents and open alerts.

XLSX: one sheet per table, a frozen header row, filters and column widths, dates as dates.
CSV: one file per table, in a zip (standard output or `-o FILE.zip`) or a folder
(`-o DIR`). JSON: one object per partnership holding its rows of every table. Dates are
shown in ALLIANCE_TIMEZONE, to the second. Streamed: rows are written as the partnerships
are read, a batch at a time (the CSV tables go to files first, then into the zip).

Without names, members are pseudonyms, an organisation's representative is withheld, and
the answers of the questions declared `personal` beside their questionnaire (referents,
representatives, committee members, meeting notes) are replaced by a marker. A text a
spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage return first) is
written with a leading quote in CSV and XLSX, and every XLSX text is written as a string."""

from __future__ import annotations

import csv
import html
import json
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from bot.i18n import gettext_for, render
from bot.views.questions import answer_label
from flows import questionnaires, roles
from flows.convention import agreed_points, unsettled_items
from flows.evaluation import (
    DECISIONS,
    EVALUATED_STAGES,
    FOLLOWED_FROM,
    OURS,
    PARTNER,
    SIDES,
    build_report,
    majority,
)
from flows.lifecycle import step_number
from flows.schedule import followup_schedule, kind_shown, next_due
from knowledge.loader import load_convention_checklist, load_health_rules
from storage import export as source
from storage.models import utcnow

FORMATS = ("csv", "json", "xlsx")
# What an answer holding people's names or contacts becomes in an export without names.
WITHHELD = "(retiré : données personnelles)"
# OWASP's rule against spreadsheet formula injection: what a cell may not start with.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# How a moment reads in XLSX (a real date cell) and in CSV (ISO 8601, local time).
XLSX_MOMENT = "yyyy-mm-dd hh:mm"
XLSX_DAY = "yyyy-mm-dd"


@dataclass(frozen=True)
class Column:
    """A column of a table: its name (the header), its width in XLSX, and what it holds:
    "text", "int", "number", "bool" or "moment" (a date and time)."""

    name: str
    width: int = 14
    kind: str = "text"


def _columns(*specs: tuple) -> tuple[Column, ...]:
    return tuple(Column(*spec) for spec in specs)


PID = ("partnership_id", 9, "int")
# Partnerships are named in a few words, often forty characters (a place, a season).
NAME = ("partnership", 40)
TABLES: dict[str, tuple[Column, ...]] = {
    "partnerships": _columns(
        PID,
        NAME,
        ("our_organisation", 24),
        ("partner_organisation", 24),
        ("theme", 28),
        ("territory", 20),
        ("step", 6, "int"),
        ("step_name", 24),
        ("stage", 14),
        ("in_stage_since", 18, "moment"),
        ("days_in_stage", 9, "int"),
        ("last_activity", 18, "moment"),
        ("next_checkin", 18, "moment"),
        ("next_checkin_kind", 18),
        ("convention_agreed", 11),
        ("convention_missing", 11, "int"),
        ("health", 9),
        ("health_reasons", 60),
        ("open_alerts", 8, "int"),
        ("our_organisation_id", 9, "int"),
        ("partner_organisation_id", 9, "int"),
        ("created_at", 18, "moment"),
    ),
    "organisations": _columns(
        ("organisation_id", 9, "int"),
        ("name", 26),
        ("kind", 16),
        ("legal_form", 18),
        ("seat", 24),
        ("identifier", 16),
        ("representative", 28),
    ),
    "members": _columns(
        PID,
        NAME,
        ("member", 16),
        ("role", 10),
        ("role_name", 18),
        ("organisation", 24),
        ("respondent", 10, "bool"),
        ("joined_at", 18, "moment"),
    ),
    "stage_history": _columns(
        PID,
        NAME,
        ("at", 18, "moment"),
        ("trigger", 10),
        ("from", 14),
        ("from_name", 22),
        ("to", 14),
        ("to_name", 22),
        ("by", 16),
    ),
    "answers": _columns(
        PID,
        NAME,
        ("questionnaire", 14),
        ("round_id", 8, "int"),
        ("question", 18),
        ("question_label", 36),
        ("value", 24),
        ("value_label", 36),
        ("by", 16),
        ("at", 18, "moment"),
    ),
    "rounds": _columns(
        PID,
        NAME,
        ("round_id", 8, "int"),
        ("kind", 8),
        ("kind_name", 18),
        ("due_at", 18, "moment"),
        ("status", 8),
        ("closed_at", 18, "moment"),
        ("our_organisation", 24),
        ("invited_ours", 8, "int"),
        ("answered_ours", 8, "int"),
        ("decision_ours", 14),
        ("partner_organisation", 24),
        ("invited_partner", 8, "int"),
        ("answered_partner", 8, "int"),
        ("decision_partner", 14),
        ("decision", 36),
    ),
    "scores": _columns(
        PID,
        NAME,
        ("round_id", 8, "int"),
        ("kind", 8),
        ("due_at", 18, "moment"),
        ("side", 8),
        ("organisation", 24),
        ("dimension", 18),
        ("dimension_name", 28),
        ("score", 7, "number"),
        ("scored_by", 9, "int"),
    ),
    "documents": _columns(
        PID,
        NAME,
        ("kind", 18),
        ("version", 8, "int"),
        ("file_name", 48),
        ("created_at", 18, "moment"),
    ),
    "alerts": _columns(
        PID,
        NAME,
        ("signal", 20),
        ("signal_name", 50),
        ("subject", 14),
        ("level", 8),
        ("state", 8),
        ("raised_at", 18, "moment"),
    ),
}
KIND_NAMES = {"pulse": "check-in", "review": "full review", "final": "final evaluation"}


def export(
    engine: Engine,
    *,
    form: str,
    out: Path | None,
    partnership_id: int | None = None,
    organisation_id: int | None = None,
    names: bool = False,
    language: str = "fr",
    zone: ZoneInfo | None = None,
    now: datetime | None = None,
) -> int:
    """Writes the export to `out` (standard output when None); returns the partnerships.
    CSV goes to a folder when `out` is one (or has no suffix), else to a zip."""
    found = source.partnerships(
        engine, partnership_id=partnership_id, organisation_id=organisation_id, names=names
    )
    view = _View(language, zone or ZoneInfo("Europe/Paris"), now or utcnow(), names)
    items = _Counted(view.tables(item) for item in found)
    if form == "xlsx":
        if out is None:
            raise ValueError("an XLSX export needs a file: -o FILE.xlsx")
        _xlsx(items, out, view)
    elif form == "json":
        _json(items, out, view)
    else:
        _csv(items, out, view)
    return items.count


class _Counted:
    """The partnerships' tables, counted as they are written."""

    def __init__(self, items: Iterator[dict[str, list[dict]]]):
        self.items, self.count = items, 0

    def __iter__(self) -> Iterator[dict[str, list[dict]]]:
        for item in self.items:
            self.count += 1
            yield item


def csv_folder(out: Path | None) -> bool:
    """Whether a CSV export goes to a folder: an existing one, or a path without suffix."""
    return out is not None and (out.is_dir() or not out.suffix)


# -- what each table holds --------------------------------------------------------------------


@cache
def personal_questions() -> dict[str, frozenset[str]]:
    """{questionnaire id: its questions declared personal}, from the questionnaires' data."""
    return {
        spec.id: frozenset(q.id for q in _questionnaire(spec.id).questions if q.personal)
        for spec in questionnaires.QUESTIONNAIRES
    }


@cache
def _questionnaire(flow: str):
    spec = questionnaires.SPECS.get(flow)
    return questionnaires.load(spec) if spec is not None else None


@cache
def _checklist():
    return load_convention_checklist()


@cache
def _stage_name(stage: str | None, language: str) -> str | None:
    """The step's name as the card says it, in that language."""
    if not stage:
        return None
    return html.unescape(render("stage_name.j2", language, stage=stage))


@cache
def _role_name(role: str, language: str) -> str:
    """A membership role as the cards say it, in that language."""
    return html.unescape(render("role_name.j2", language, role=role))


@cache
def _decision_name(decision: str, language: str) -> str:
    """A round's decision (renew, modify, end) as its report says it, in that language."""
    return html.unescape(render("decision_name.j2", language, r={"decision": decision}))


class _View:
    """Turns a partnership as read into the rows of each table, in one language and zone."""

    def __init__(self, language: str, zone: ZoneInfo, now: datetime, names: bool):
        self.language, self.zone, self.now, self.names = language, zone, now, names
        self._ = gettext_for(language)
        self.organisations_seen: set[int] = set()

    def moment(self, value: datetime | None) -> datetime | None:
        """A moment as a local date and time, to the second, without zone (spreadsheets
        have none)."""
        if value is None:
            return None
        local = value.astimezone(self.zone)
        return local.replace(tzinfo=None, microsecond=0)

    def tables(self, item: dict[str, Any]) -> dict[str, list[dict]]:
        p = item["partnership"]
        pid = p["id"]
        names = self._organisation_names(item)
        answers = item["answers"] if self.names else [_withheld(row) for row in item["answers"]]
        head = {"partnership_id": pid, "partnership": p["name"]}
        tables: dict[str, list[dict]] = {
            "partnerships": [self._partnership(item, names)],
            "organisations": self._organisations(item),
            "members": [
                {
                    **head,
                    "member": m["member"],
                    "role": m["role"],
                    "role_name": _role_name(m["role"], self.language),
                    "organisation": names[roles.side_of(m["role"]) or OURS],
                    "respondent": m["respondent"],
                    "joined_at": self.moment(m["joined_at"]),
                }
                for m in item["members"]
            ],
            "stage_history": [
                {
                    **head,
                    "at": self.moment(move["at"]),
                    "trigger": move["trigger"],
                    "from": move["from"],
                    "from_name": _stage_name(move["from"], self.language),
                    "to": move["to"],
                    "to_name": _stage_name(move["to"], self.language),
                    "by": move["by"],
                }
                for move in item["stage_history"]
            ],
            "answers": [{**head, **self._answer(row)} for row in answers],
            "rounds": [],
            "scores": [],
            "documents": [
                {**head, **d, "created_at": self.moment(d["created_at"])} for d in item["documents"]
            ],
            "alerts": [
                {
                    **head,
                    **{k: a[k] for k in ("signal", "subject", "level", "state")},
                    "signal_name": _signal_title(a["signal"], self.language),
                    "raised_at": self.moment(a["raised_at"]),
                }
                for a in item["alerts"]
            ],
        }
        for round_ in item["rounds"]:
            shown, scores = self._round(round_, item["answers"], names)
            tables["rounds"].append({**head, **shown})
            tables["scores"].extend({**head, **score} for score in scores)
        return tables

    def _organisation_names(self, item: dict[str, Any]) -> dict[str, str | None]:
        """Each side's organisation name: the organisation's, else the partnership's text."""
        p, organisations = item["partnership"], item["organisations"]
        typed = {OURS: p["our_organisation"], PARTNER: p["partner_name"]}
        return {side: (organisations.get(side) or {}).get("name") or typed[side] for side in SIDES}

    def _partnership(self, item: dict[str, Any], names: dict[str, str | None]) -> dict:
        p, moves = item["partnership"], item["stage_history"]
        entered = next((m["at"] for m in reversed(moves) if m["to"] == p["stage"]), None)
        since = self.moment(entered or p["created_at"])
        upcoming = self._next_checkin(p, moves)
        agreed, points = agreed_points(_checklist(), p["convention"] or {})
        health = item["health"] or {}
        organisations = item["organisations"]
        return {
            "partnership_id": p["id"],
            "partnership": p["name"],
            "our_organisation": names[OURS],
            "partner_organisation": names[PARTNER],
            "theme": p["theme"],
            "territory": p["territory"],
            "step": step_number(p["stage"]),
            "step_name": _stage_name(p["stage"], self.language),
            "stage": p["stage"],
            "in_stage_since": since,
            "days_in_stage": (self.moment(self.now).date() - since.date()).days,
            "last_activity": self.moment(_last_activity(item)),
            "next_checkin": self.moment(upcoming.at) if upcoming else None,
            "next_checkin_kind": self._(KIND_NAMES[upcoming.shown_kind]) if upcoming else None,
            "convention_agreed": f"{agreed}/{points}",
            "convention_missing": len(unsettled_items(_checklist(), p["convention"] or {})),
            "health": health.get("light"),
            "health_reasons": "; ".join(
                _reason(r, self.language) for r in health.get("reasons") or ()
            )
            or None,
            "open_alerts": len(item["alerts"]),
            "our_organisation_id": (organisations.get(OURS) or {}).get("id"),
            "partner_organisation_id": (organisations.get(PARTNER) or {}).get("id"),
            "created_at": self.moment(p["created_at"]),
        }

    def _next_checkin(self, p: dict, moves: list[dict]):
        """The check-in to come, at the rhythm /suivi set, once the partnership is evaluated."""
        if p["stage"] not in EVALUATED_STAGES:
            return None
        entered = next((m["at"] for m in reversed(moves) if m["to"] == FOLLOWED_FROM), None)
        return next_due(followup_schedule(p["followup"], entered, self.zone), self.now)

    def _organisations(self, item: dict[str, Any]) -> list[dict]:
        """Each organisation once in the whole export, its representative withheld without
        names."""
        rows = []
        for organisation in item["organisations"].values():
            if organisation is None or organisation["id"] in self.organisations_seen:
                continue
            self.organisations_seen.add(organisation["id"])
            row = {"organisation_id": organisation["id"], **organisation}
            if not self.names and row.get("representative"):
                row["representative"] = WITHHELD
            rows.append(row)
        return rows

    def _answer(self, row: dict[str, Any]) -> dict[str, Any]:
        """An answer's code and, next to it, its label in the export's language."""
        value = row["value"]
        questionnaire = _questionnaire(row["questionnaire"])
        question = questionnaire.question(row["question"]) if questionnaire else None
        label = None
        if question is not None and value != WITHHELD:
            try:
                label = answer_label(question, value, self.language) or None
            except (TypeError, ValueError, AttributeError):
                label = None  # an answer kept in an older shape: its code says it
        text = _code(value)
        return {
            "questionnaire": row["questionnaire"],
            "round_id": row["round_id"],
            "question": row["question"],
            "question_label": _question_label(question, self.language),
            "value": text,
            "value_label": label if label != text else None,
            "by": row["by"],
            "at": self.moment(row["at"]),
        }

    def _round(self, round_: dict, answers: list[dict], names: dict[str, str | None]):
        """A round with each organisation's count, choice and agreed decision; and its
        scores per organisation and dimension, from the respondents' answers."""
        sides = {invite["user_id"]: invite["side"] for invite in round_["invites"]}
        given: dict[int, dict[str, Any]] = {}
        for row in answers:
            if row["round_id"] == round_["round_id"] and row["user_id"] in sides:
                given.setdefault(row["user_id"], {})[row["question"]] = row["value"]
        by_side: dict[str, list[dict]] = {side: [] for side in SIDES}
        for user_id, values in given.items():
            by_side[sides[user_id]].append(values)
        invited = {side: sum(s == side for s in sides.values()) for side in SIDES}
        answered = {
            side: sum(
                1
                for invite in round_["invites"]
                if invite["side"] == side and invite["answered_at"] is not None
            )
            for side in SIDES
        }
        questionnaire = _questionnaire(round_["kind"])
        report = build_report(questionnaire, by_side, invited=invited) if questionnaire else None
        votes = (report.votes if report else {}) or round_["summary"].get("votes") or {}
        # Each organisation's own choice: the choice its respondents mostly made.
        chosen = {side: majority(votes.get(side) or {}) for side in SIDES}
        kind = kind_shown(round_["kind"], round_["final"])
        shown = {
            "round_id": round_["round_id"],
            "kind": round_["kind"],
            "kind_name": self._(KIND_NAMES.get(kind, kind)),
            "due_at": self.moment(round_["due_at"]),
            "status": round_["status"],
            "closed_at": self.moment(round_["closed_at"]),
            "our_organisation": names[OURS],
            "invited_ours": invited[OURS],
            "answered_ours": answered[OURS],
            "decision_ours": self._decision(chosen[OURS]),
            "partner_organisation": names[PARTNER],
            "invited_partner": invited[PARTNER],
            "answered_partner": answered[PARTNER],
            "decision_partner": self._decision(chosen[PARTNER]),
            "decision": self._agreed(chosen, names),
        }
        head = {
            "round_id": round_["round_id"],
            "kind": round_["kind"],
            "due_at": shown["due_at"],
        }
        scores = []
        for dimension in report.dimensions if report else ():
            for side in SIDES:
                score = getattr(dimension, side)
                if score is None:
                    continue
                question = dimension.question
                scores.append(
                    {
                        **head,
                        "side": side,
                        "organisation": names[side],
                        "dimension": question.id,
                        "dimension_name": _question_label(question, self.language),
                        "score": score,
                        "scored_by": sum(
                            1 for values in by_side[side] if _scored(values.get(question.id))
                        ),
                    }
                )
        return shown, scores

    def _decision(self, code: str | None) -> str | None:
        return _decision_name(code, self.language) if code in DECISIONS else None

    def _agreed(self, chosen: dict[str, str | None], names: dict[str, str | None]) -> str | None:
        """The decision both organisations chose; when they differ, each one's choice."""
        if chosen[OURS] is None and chosen[PARTNER] is None:
            return None
        if chosen[OURS] == chosen[PARTNER]:
            return self._decision(chosen[OURS])
        return " / ".join(
            f"{names[side] or side}: {self._decision(chosen[side]) or '–'}" for side in SIDES
        )


def header_width(column: Column) -> float:
    """Wide enough for its values and for its header, in bold."""
    return max(column.width, round(len(column.name) * 1.1) + 2)


def _code(value: Any) -> str | None:
    """An answer as kept, in one cell: a choice's code, codes joined, a rating's score."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict) and "score" in value:
        return _code(value["score"])
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _withheld(row: dict[str, Any]) -> dict[str, Any]:
    if row["question"] in personal_questions().get(row["questionnaire"], ()):
        return {**row, "value": WITHHELD}
    return row


def _question_label(question, language: str) -> str | None:
    if question is None:
        return None
    return (question.label or question.prompt).in_(language)


def _scored(value: Any) -> bool:
    if isinstance(value, dict):
        value = value.get("score")
    return isinstance(value, int)


def _reason(reason: Any, language: str) -> str:
    """A health reason as kept: its signal's title and what it is about."""
    if not isinstance(reason, dict):
        return str(reason)
    title = _signal_title(reason.get("signal") or "", language)
    subject = reason.get("subject")
    return f"{title} ({subject})" if subject else title


@cache
def _health_rules():
    return load_health_rules()


@cache
def _signal_title(signal: str, language: str) -> str:
    """A health signal's title in that language (health.yaml); its code when unknown."""
    try:
        return _health_rules().signal(signal).title.in_(language)
    except KeyError:
        return signal


def _last_activity(item: dict[str, Any]) -> datetime | None:
    """The latest thing done on the partnership: a move, an answer, a round answered, a
    document, a meeting note, or its creation."""
    moments = [item["partnership"]["created_at"], item["last_note_at"]]
    moments += [m["at"] for m in item["stage_history"]]
    moments += [a["at"] for a in item["answers"]]
    moments += [d["created_at"] for d in item["documents"]]
    moments += [i["answered_at"] for r in item["rounds"] for i in r["invites"]]
    return max((m for m in moments if m is not None), default=None)


def inert(value: Any) -> Any:
    """A text a spreadsheet would read as a formula, quoted; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


# -- writers ----------------------------------------------------------------------------------


def _csv_value(value: Any) -> Any:
    if value is None or isinstance(value, (int, float)):
        return value
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return inert(value)


def _csv(items, out: Path | None, view: _View) -> None:
    if csv_folder(out):
        out.mkdir(parents=True, exist_ok=True)
        _csv_tables(items, out)
        return
    with tempfile.TemporaryDirectory(prefix="alliance-export-") as folder:
        _csv_tables(items, Path(folder))
        if out is None:
            _zip(Path(folder), sys.stdout.buffer)
            sys.stdout.buffer.flush()
        else:
            with out.open("wb") as stream:
                _zip(Path(folder), stream)


def _csv_tables(items, folder: Path) -> None:
    """One CSV file per table, with a BOM so that spreadsheets read it as UTF-8."""
    with ExitStack() as stack:
        writers = {}
        for table, columns in TABLES.items():
            stream = stack.enter_context(
                (folder / f"{table}.csv").open("w", encoding="utf-8-sig", newline="")
            )
            writer = csv.writer(stream)
            writer.writerow([c.name for c in columns])
            writers[table] = writer, [c.name for c in columns]
        for item in items:
            for table, rows in item.items():
                writer, names = writers[table]
                writer.writerows([_csv_value(row.get(name)) for name in names] for row in rows)


def _zip(folder: Path, stream: BinaryIO) -> None:
    """The tables' files into a zip, each copied in chunks (a stream that cannot seek, such
    as a pipe, is fine)."""
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in TABLES:
            with (
                (folder / f"{table}.csv").open("rb") as source_file,
                archive.open(f"{table}.csv", "w", force_zip64=True) as target,
            ):
                shutil.copyfileobj(source_file, target, 1 << 20)


def _json_value(value: Any, view: _View) -> Any:
    if isinstance(value, datetime):
        # Local time with its offset: unambiguous for a program.
        return value.replace(tzinfo=view.zone).isoformat(timespec="seconds")
    return value


def _json(items, out: Path | None, view: _View) -> None:
    with ExitStack() as stack:
        if out is None:
            stream = sys.stdout
        else:
            stream = stack.enter_context(out.open("w", encoding="utf-8", newline=""))
        stream.write('{"partnerships": [')
        for index, item in enumerate(items):
            (partnership,) = item["partnerships"]
            record = {**partnership}
            for table, rows in item.items():
                if table != "partnerships":
                    record[table] = [
                        {k: v for k, v in row.items() if k not in ("partnership_id", "partnership")}
                        for row in rows
                    ]
            record = {k: _walk(v, view) for k, v in record.items()}
            stream.write(",\n" if index else "\n")
            stream.write(json.dumps(record, ensure_ascii=False))
        stream.write("\n]}\n")


def _walk(value: Any, view: _View) -> Any:
    if isinstance(value, list):
        return [{k: _json_value(v, view) for k, v in row.items()} for row in value]
    return _json_value(value, view)


def _xlsx(items, out: Path, view: _View) -> None:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    book = Workbook(write_only=True)
    sheets, counts, cells = {}, {}, _Cells()
    for table, columns in TABLES.items():
        sheet = book.create_sheet(table)
        # Before the first row: write-only sheets write their head then.
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = header_width(column)
        sheet.freeze_panes = "A2"
        # Printed, each table fits the page's width, its header on every page.
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.print_title_rows = "1:1"
        sheet.append([cells.cell(sheet, column.name, column, header=True) for column in columns])
        sheets[table], counts[table] = sheet, 1
    for item in items:
        for table, rows in item.items():
            sheet, columns = sheets[table], TABLES[table]
            for row in rows:
                sheet.append([cells.cell(sheet, row.get(c.name), c) for c in columns])
            counts[table] += len(rows)
    for table, columns in TABLES.items():
        # The filter is written with the sheet's tail, once its extent is known.
        last = get_column_letter(len(columns))
        sheets[table].auto_filter.ref = f"A1:{last}{counts[table]}"
    book.save(out)


class _Cells:
    """XLSX cells: a number stays a number, a moment a date cell; any text is written as a
    string, never a formula. Numbers and dates are centred: right-aligned, they would run
    into the text of the next column. Each style is built once (openpyxl hashes a style
    each time one is set: a third of the export's time)."""

    def __init__(self):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

        self.illegal, self.make = ILLEGAL_CHARACTERS_RE, Cell
        self.styles: dict[tuple, Any] = {}

    def style(self, sheet, kind: str, number_format: str | None, header: bool):
        key = (kind != "text", number_format, header)
        if key not in self.styles:
            from openpyxl.styles import Alignment, Font

            template = self.make(sheet, row=1, column=1)
            if number_format:
                template.number_format = number_format
            if kind != "text":
                template.alignment = Alignment(horizontal="center")
            if header:
                template.font = Font(bold=True)
            self.styles[key] = template._style
        return self.styles[key]

    def cell(self, sheet, value: Any, column: Column, header: bool = False) -> Any:
        if value is None:
            return None
        number_format = None
        if isinstance(value, datetime):
            number_format = XLSX_MOMENT
        elif isinstance(value, date):
            number_format = XLSX_DAY
        elif not isinstance(value, (bool, int, float)):
            # A control character openpyxl refuses would stop the whole export: dropped.
            value = inert(self.illegal.sub("", str(value)))
            if column.kind == "text" and not header:
                # Plain: openpyxl writes it as a string (inert, it cannot start with "="),
                # reusing one cell (a cell of ours costs it an exception per value).
                return value
        style = self.style(sheet, column.kind, number_format, header)
        cell = self.make(sheet, row=1, column=1, value=value, style_array=style)
        if isinstance(value, str):
            cell.data_type = "s"
        return cell
