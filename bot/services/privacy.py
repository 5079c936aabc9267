"""Personal data rights: /mesdonnees sends what is stored about the user; /supprimer, once
confirmed, erases it (what partnerships others use keeps its history, without the person)."""

from __future__ import annotations

import json

from bot.callback_data import deletion_button
from bot.services.results import DeletionAsked, Result, Say, ScreenRef
from bot.services.summaries import document_info
from bot.services.work import Work
from storage import personal
from storage.addresses import chat_of

CONFIRM, KEEP = deletion_button(True), deletion_button(False)


def my_data(work: Work) -> Result:
    """/mesdonnees: everything the database holds about the user, as a JSON file."""
    data = personal.collect(work.db, user=work.user)
    content = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()
    file_name = "mes-donnees-alliance.json" if work.language == "fr" else "my-alliance-data.json"
    document = personal.add_personal_file(
        work.db, user=work.user, file_name=file_name, content=content
    )
    result = Result(work.language, [Say("my_data")])
    result.documents.append(document_info(document))
    return result


def ask_deletion(work: Work) -> Result:
    """/supprimer: what erasing means, and a button to confirm."""
    return Result(work.language, [DeletionAsked(CONFIRM, KEEP)])


def confirm_deletion(work: Work, confirmed: bool | None, _acted: ScreenRef | None) -> Result:
    """The answer to /supprimer's question (in place of it): erase, or keep everything."""
    if confirmed is not True:
        return Result(work.language, in_place=Say("deletion_cancelled"))
    chat_id = chat_of(work.user.external_id)
    erased = personal.erase(work.db, user=work.user, chat_id=chat_id, at=work.now)
    return Result(work.language, in_place=Say("deleted", erased))
