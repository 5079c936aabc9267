"""`alliance export`: partnerships, members, stage history, answers, check-in rounds and
scores as CSV (one table, a `section` column says what each row is), JSON (one object per
partnership) or XLSX (one sheet per section, openpyxl's write-only mode). Streamed: rows are
written as the partnerships are read, a batch at a time.

Without names, members are pseudonyms and the answers of the questions declared `personal`
beside their questionnaire (referents, representatives, committee members, meeting notes)
are replaced by a marker. A text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`,
tab, carriage return first) is written with a leading quote in CSV and XLSX, and every XLSX
text is written as a string."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.engine import Engine

from flows import questionnaires
from storage import export as source

SECTIONS: dict[str, tuple[str, ...]] = {
    "partnerships": (
        "partnership_id",
        "name",
        "our_organisation",
        "partner",
        "stage",
        "created_at",
    ),
    "members": ("partnership_id", "member", "role", "respondent"),
    "stage_history": ("partnership_id", "trigger", "from", "to", "by", "at"),
    "answers": ("partnership_id", "questionnaire", "round_id", "question", "value", "by", "at"),
    "rounds": (
        "partnership_id",
        "round_id",
        "kind",
        "final",
        "due_at",
        "status",
        "decision",
        "invited",
        "answered",
    ),
    "scores": ("partnership_id", "round_id", "dimension", "score"),
}
FORMATS = ("csv", "json", "xlsx")
# What an answer holding people's names or contacts becomes in an export without names.
WITHHELD = "(retiré : données personnelles)"
# OWASP's rule against spreadsheet formula injection: what a cell may not start with.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def export(
    engine: Engine,
    *,
    form: str,
    out: Path | None,
    partnership_id: int | None = None,
    names: bool = False,
) -> int:
    """Writes the export to `out` (standard output when None); returns the partnerships."""
    found = source.partnerships(engine, partnership_id=partnership_id, names=names)
    items = _Counted(found if names else map(_without_personal_answers, found))
    if form == "xlsx":
        _xlsx(items, out)
    else:
        with _text(out) as stream:
            (_json if form == "json" else _csv)(items, stream)
    return items.count


class _Counted:
    """The partnerships, counted as they are written."""

    def __init__(self, items: Iterator[dict[str, Any]]):
        self.items, self.count = items, 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for item in self.items:
            self.count += 1
            yield item


@cache
def personal_questions() -> dict[str, frozenset[str]]:
    """{questionnaire id: its questions declared personal}, from the questionnaires' data."""
    return {
        spec.id: frozenset(q.id for q in questionnaires.load(spec).questions if q.personal)
        for spec in questionnaires.QUESTIONNAIRES
    }


def _without_personal_answers(item: dict[str, Any]) -> dict[str, Any]:
    personal = personal_questions()
    answers = [
        {**row, "value": WITHHELD}
        if row["question"] in personal.get(row["questionnaire"], ())
        else row
        for row in item["answers"]
    ]
    return {**item, "answers": answers}


def inert(value: Any) -> Any:
    """A text a spreadsheet would read as a formula, quoted; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


@contextmanager
def _text(out: Path | None) -> Iterator[TextIO]:
    if out is None:
        yield sys.stdout
        return
    with out.open("w", encoding="utf-8", newline="") as stream:
        yield stream


def rows(item: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """A partnership as the rows of each section."""
    pid = item["id"]
    yield "partnerships", {"partnership_id": pid, **item}
    for key in ("members", "stage_history"):
        for row in item[key]:
            yield key, {"partnership_id": pid, **row}
    for row in item["answers"]:
        value = row["value"]
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        yield "answers", {"partnership_id": pid, **row, "value": text}
    for row in item["rounds"]:
        yield "rounds", {"partnership_id": pid, **row}
        for dimension, score in row["scores"].items():
            yield (
                "scores",
                {
                    "partnership_id": pid,
                    "round_id": row["round_id"],
                    "dimension": dimension,
                    "score": score,
                },
            )


def _csv(items, stream: TextIO) -> None:
    columns = ["section"] + list(dict.fromkeys(c for cs in SECTIONS.values() for c in cs))
    writer = csv.DictWriter(stream, columns, extrasaction="ignore")
    writer.writeheader()
    for item in items:
        for section, row in rows(item):
            writer.writerow({"section": section, **{k: inert(v) for k, v in row.items()}})


def _json(items, stream: TextIO) -> None:
    stream.write('{"partnerships": [')
    for index, item in enumerate(items):
        stream.write(",\n" if index else "\n")
        stream.write(json.dumps(item, ensure_ascii=False))
    stream.write("\n]}\n")


def _xlsx(items, out: Path | None) -> None:
    from openpyxl import Workbook

    if out is None:
        raise ValueError("an XLSX export needs a file: -o FILE")
    book = Workbook(write_only=True)
    sheets = {name: book.create_sheet(name) for name in SECTIONS}
    for name, sheet in sheets.items():
        sheet.append([_cell(sheet, column) for column in SECTIONS[name]])
    for item in items:
        for section, row in rows(item):
            sheet = sheets[section]
            sheet.append([_cell(sheet, row.get(c)) for c in SECTIONS[section]])
    book.save(out)


def _cell(sheet, value: Any) -> Any:
    """A number stays a number; any text is written as a string, never a formula."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None or isinstance(value, (bool, int, float)):
        return value
    # A control character openpyxl refuses would stop the whole export: it is dropped.
    cell = WriteOnlyCell(sheet, value=inert(ILLEGAL_CHARACTERS_RE.sub("", str(value))))
    cell.data_type = "s"
    return cell
