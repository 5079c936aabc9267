"""Data for end-to-end tests, made through the repository as a user's earlier work would be."""

from __future__ import annotations

from storage import repository
from storage.db import make_engine, session_scope
from storage.models import Partnership

TEXT = "Texte convenu entre les parties."


def partnership_ready_for_drafts(
    database_url: str,
    chat: int | None = None,
    *,
    external_id: str | None = None,
    name: str = "Alliance Emploi",
) -> tuple[int, int]:
    """A partnership of Telegram user `chat` (or of `external_id`) whose convention checklist
    is complete: (partnership id, revision)."""
    from knowledge.loader import load_convention_checklist

    engine = make_engine(database_url)
    with session_scope(engine) as db:
        external_id = external_id or f"tg:{chat}"
        user = repository.get_or_create_user(db, external_id=external_id, language="fr")
        partnership = repository.create_partnership(
            db,
            user=user,
            name=name,
            our_organisation="Association Rebond",
            partner_name="Boulangeries Martin",
            theme="Insertion",
            territory="Lyon",
        )
        partnership.convention = {
            item.id: {"status": "in_place", "text": TEXT}
            for item in load_convention_checklist().items
        }
        db.add(partnership)
        db.flush()
        found = (partnership.id, partnership.revision)
    engine.dispose()
    return found


def documents_of(database_url: str, partnership_id: int) -> list[tuple[str, int]]:
    engine = make_engine(database_url)
    with session_scope(engine) as db:
        rows = [
            (d.kind, d.version) for d in repository.documents_of(db, partnership_id=partnership_id)
        ]
    engine.dispose()
    return rows


def revision_of(database_url: str, partnership_id: int) -> int:
    engine = make_engine(database_url)
    with session_scope(engine) as db:
        revision = db.get(Partnership, partnership_id).revision
    engine.dispose()
    return revision
