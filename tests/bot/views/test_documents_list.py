"""Generated files as a user meets them: names cut between words, versions counted per kind
and language, and /documents naming each file in the reader's language."""

import unicodedata
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.services import naming
from bot.services.results import DocumentInfo, DocumentsListed, PartnershipSummary
from bot.views.partnerships import documents_screen
from storage import repository
from storage.db import session_scope

ZONE = ZoneInfo("Europe/Paris")
LONG_NAME = "Partenariat pour la rénovation énergétique des logements de Seine-Saint-Denis"
ROUND = date(2027, 3, 12)


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    "name",
    [
        LONG_NAME,
        "Alliance des Compagnons & d’ÉnerBat : rénovation-énergétique, précarité, 93",
        unicodedata.normalize("NFD", "Réseau d’économie sociale et solidaire pour l’été"),
    ],
)
def test_a_long_name_is_cut_between_two_words(name, language):
    file_name = naming.draft_file_name("convention", name, language)
    part = file_name.removeprefix(naming.series("convention", language)).removesuffix(".docx")
    words = part.split("-")
    whole = unicodedata.normalize("NFC", name).replace("’", " ").split()
    assert len(part) <= naming.MAX_SLUG and not part.endswith("-") and "" not in words
    # Every word kept is a whole word of the name, accents as written.
    assert all(any(word in w.split("-") or word == w.strip(":,&") for w in whole) for word in words)
    assert unicodedata.is_normalized("NFC", file_name)


def test_the_energy_renovation_partnership_keeps_its_last_word_whole():
    file_name = naming.draft_file_name("convention", LONG_NAME, "fr")
    assert file_name == "convention-Partenariat-pour-la-rénovation.docx"
    assert "énergétiqu." not in file_name


def test_a_single_word_longer_than_the_limit_keeps_its_beginning():
    part = naming.slug("Intercommunalité" * 4)
    assert part == ("Intercommunalité" * 4)[: naming.MAX_SLUG]


@pytest.mark.parametrize("kind", sorted(naming.PREFIXES))
def test_the_language_of_a_file_is_read_from_its_name(kind):
    names = {
        lang: (
            naming.draft_file_name(kind, LONG_NAME, lang)
            if kind in ("convention", "action_plan")
            else naming.round_file_name(kind, LONG_NAME, ROUND, lang)
        )
        for lang in ("fr", "en")
    }
    assert names["fr"] != names["en"]
    assert {naming.language_of(kind, name) for name in names.values()} == {"fr", "en"}
    assert all(naming.language_of(kind, name) == lang for lang, name in names.items())


def keep(db, pid, owner, kind, language, name="Alliance"):
    """A document stored as the bot stores it: named, then numbered in its series."""
    is_draft = kind in ("convention", "action_plan")
    file_name = (
        naming.draft_file_name(kind, name, language)
        if is_draft
        else naming.round_file_name(kind, LONG_NAME, ROUND, language)
    )
    document = repository.add_document(
        db,
        partnership_id=pid,
        kind=kind,
        file_name=file_name,
        content=b"x",
        created_by=owner,
        series=naming.series(kind, language),
    )
    return document.version


def test_versions_count_per_kind_and_language(engine):
    with session_scope(engine) as db:
        user = repository.get_or_create_user(db, external_id="tg:1", language="fr")
        partnership = repository.create_partnership(
            db, user=user, name="Alliance", our_organisation="Rebond", territory="Lyon"
        )
        owner, pid = user.id, partnership.id
    with session_scope(engine) as db:
        # One round, read in both languages: each chart and report is the first of its own.
        rounds = [keep(db, pid, owner, "review_chart", lang) for lang in ("fr", "en")]
        rounds += [keep(db, pid, owner, "review_report", lang) for lang in ("en", "fr")]
        drafts = [keep(db, pid, owner, "convention", lang) for lang in ("fr", "en", "fr")]
    assert rounds == [1, 1, 1, 1]
    assert drafts == [1, 1, 2]


def info(number, kind, language, version=1):
    is_draft = kind in ("convention", "action_plan")
    file_name = (
        naming.draft_file_name(kind, LONG_NAME, language)
        if is_draft
        else naming.round_file_name(kind, LONG_NAME, ROUND, language)
    )
    # Kept at 9:30 in Paris on the round's day.
    return DocumentInfo(number, kind, version, file_name, datetime(2027, 3, 12, 8, 30, tzinfo=UTC))


def listed(language, *documents):
    partnership = PartnershipSummary(
        1, "P", "Rebond", "ÉnerBat", None, None, "evaluation", 1, "member"
    )
    screen = documents_screen(DocumentsListed(partnership, documents), language, ZONE)
    return [button.label for row in screen.buttons for button in row]


def test_documents_are_named_by_kind_round_and_language_in_french():
    labels = listed(
        "fr",
        info(6, "review_report_pdf", "fr"),
        info(5, "review_report", "fr"),
        info(4, "review_report", "en"),
        info(3, "review_chart", "en"),
        info(2, "review_chart", "fr"),
        info(1, "convention", "fr", version=2),
    )
    assert labels == [
        "Rapport du bilan complet du 12/03/2027, PDF (FR)",
        "Rapport du bilan complet du 12/03/2027, Word (FR)",
        "Rapport du bilan complet du 12/03/2027, Word (EN)",
        "Graphique du bilan complet du 12/03/2027 (EN)",
        "Graphique du bilan complet du 12/03/2027 (FR)",
        "Projet de convention v2 (FR) · 12/03 09:30",
    ]


def test_documents_are_named_in_the_readers_language():
    labels = listed("en", info(2, "pulse_chart", "fr"), info(1, "action_plan", "en"))
    assert labels == [
        "Check-in chart of 12/03/2027 (FR)",
        "Draft action plan v1 (EN) · 12/03 09:30",
    ]
