"""Documents: build the draft convention and action plan as a new version, send one again."""

from __future__ import annotations

from bot.documents import build_action_plan, build_convention
from bot.services.access import notice
from bot.services.drafts import draft_of
from bot.services.naming import draft_file_name, series
from bot.services.results import Result, Say
from bot.services.summaries import document_info
from bot.services.work import Work
from storage import repository
from storage.models import Partnership

BUILDERS = (("convention", build_convention), ("action_plan", build_action_plan))


def generate(work: Work, partnership: Partnership, _role, _arg, _acted) -> Result:
    """Builds both drafts (in the calling thread, off the event loop) and keeps them."""
    draft = draft_of(work, partnership)
    result = Result(work.language, [Say("documents_ready")])
    for kind, build in BUILDERS:
        document = repository.add_document(
            work.db,
            partnership_id=partnership.id,
            kind=kind,
            file_name=draft_file_name(kind, partnership.name, work.language),
            series=series(kind, work.language),
            content=build(draft),
            created_by=work.user.id,
        )
        result.documents.append(document_info(document))
    repository.touch(partnership)
    work.db.add(partnership)
    return result


def resend(work: Work, partnership: Partnership, _role, document_id, _acted) -> Result:
    """Sends one version again (the button's partnership went through the access check)."""
    document = None
    if document_id is not None:
        document = repository.document_of(
            work.db, partnership_id=partnership.id, document_id=document_id
        )
    if document is None:
        return notice(work)
    result = notice(work, "sending_document")
    result.documents.append(document_info(document))
    return result
