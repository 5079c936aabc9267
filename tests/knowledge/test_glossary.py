"""One English term per French term (issue 18): every text a user reads holds to the glossary.

The texts: the knowledge files' {fr, en} pairs (questionnaires, method, cards), the messages
of the bot and its templates (English msgids of bot/locale/messages.pot, as `make catalogue`
extracts them, and their French in messages.po) and the wording of the documents.
"""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
import yaml
from babel.messages.pofile import read_po

from bot.documents import build_action_plan, build_convention
from bot.documents.render import _wording
from flows.convention import build_draft, party_from_text
from knowledge.check import check
from knowledge.glossary import bilingual_texts, dropped, misused
from knowledge.loader import DATA_DIR, load_convention_checklist, load_glossary
from knowledge.models import Glossary

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "bot" / "locale"
WORDING = ROOT / "bot" / "documents" / "wording"
# Not text to read: the glossary itself, and the search words people may type.
NOT_READ = ("glossary.yaml", "synonyms.yaml")

GLOSSARY = load_glossary()


def knowledge_pairs() -> list[tuple[str, str, str]]:
    pairs = []
    for path in sorted(DATA_DIR.rglob("*.yaml")):
        if path.name not in NOT_READ:
            tree = yaml.safe_load(path.read_text(encoding="utf-8"))
            name = path.relative_to(DATA_DIR)
            pairs += [(f"{name}: {where}", fr, en) for where, fr, en in bilingual_texts(tree)]
    return pairs


def wording_pairs() -> list[tuple[str, str, str]]:
    pairs = []
    for document in ("", "evaluation_"):
        en = yaml.safe_load((WORDING / f"{document}en.yaml").read_text(encoding="utf-8"))
        fr = yaml.safe_load((WORDING / f"{document}fr.yaml").read_text(encoding="utf-8"))
        pairs += [(f"wording/{document}en.yaml: {key}", fr.get(key, ""), en[key]) for key in en]
    return pairs


def catalogue_pairs() -> list[tuple[str, str, str]]:
    """Every English msgid of the template, with its French from messages.po ("" if none)."""
    with (LOCALE / "messages.pot").open("rb") as pot:
        template = read_po(pot)
    with (LOCALE / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        french = read_po(po, locale="fr")
    pairs = []
    for message in template:
        if not message.id:
            continue
        where = ", ".join(sorted({path for path, _ in message.locations})) or "messages.pot"
        entry = french.get(message.id)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = entry.string if entry is not None else ""
        strings = strings if isinstance(strings, tuple) else (strings,) * len(ids)
        pairs += [(where, fr or "", en) for en, fr in zip(ids, strings, strict=False)]
    return pairs


PAIRS = knowledge_pairs() + wording_pairs() + catalogue_pairs()


def test_the_texts_are_all_read():
    """The checks below see texts from every source (a moved file would make them vacuous)."""
    sources = {where.split(":")[0].split("/")[0] for where, _, _ in PAIRS}
    assert {"cards", "pulse.yaml", "review.yaml", "wording"} <= sources
    assert any(where.startswith("bot/templates/") for where, _, _ in PAIRS)
    assert len(PAIRS) > 1000


def test_no_english_text_uses_another_translation_of_a_glossary_term():
    offences = [
        f"{where}: {variant!r} instead of {term.en!r} ({term.fr}): {en.strip()}"
        for where, _, en in PAIRS
        for term, variant in misused(GLOSSARY, en, "en")
    ]
    assert offences == [], "\n".join(offences)


def test_no_french_text_uses_another_wording_of_a_glossary_term():
    offences = [
        f"{where}: {variant!r} instead of {term.fr!r}: {fr.strip()}"
        for where, fr, _ in PAIRS
        for term, variant in misused(GLOSSARY, fr, "fr")
    ]
    assert offences == [], "\n".join(offences)


def test_a_glossary_term_in_the_french_keeps_its_english_in_the_translation():
    offences = [
        f"{where}: {term.fr!r} is not rendered as {term.en!r}: {en.strip()}"
        for where, fr, en in PAIRS
        for term in dropped(GLOSSARY, fr, en)
    ]
    assert offences == [], "\n".join(offences)


def test_the_checks_catch_a_crafted_text():
    """The checks can fail: a text that breaks the glossary is named, one that keeps it is not."""
    wrong = misused(GLOSSARY, "The Convention checklist and the skills-based sponsorship.", "en")
    assert {(term.fr, variant) for term, variant in wrong} == {
        ("convention", "convention"),
        ("mécénat de compétences", "skills-based sponsorship"),
    }
    # The bot command keeps its contract name, and another word is not a term ("conventional").
    assert (
        misused(GLOSSARY, "/convention builds the draft agreement; a conventional step.", "en")
        == []
    )
    assert [v for _, v in misused(GLOSSARY, "Renew, change or stop the partnership", "en")] == [
        "change or stop"
    ]
    assert [v for _, v in misused(GLOSSARY, "Les points d’évaluation suivront", "fr")] == [
        "point d’évaluation"
    ]
    # The French names the term, the English gives it another rendering: named (plurals too).
    skills = dropped(GLOSSARY, "Mécénat de compétences", "Skills-based volunteering")
    assert "mécénat de compétences" in [term.fr for term in skills]
    assert dropped(GLOSSARY, "Intercommunalité ou pays", "Group of municipalities") != []
    assert dropped(GLOSSARY, "Des collectivités territoriales", "Local authorities") == []
    assert dropped(GLOSSARY, "Le bénévolat de compétences", "skills-based volunteering") == []


def test_the_glossary_refuses_to_avoid_a_rendering_it_chose(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for path in DATA_DIR.rglob("*.yaml"):
        copy = data / path.relative_to(DATA_DIR)
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    glossary = yaml.safe_load((data / "glossary.yaml").read_text(encoding="utf-8"))
    patronage = next(t for t in glossary["terms"] if t["fr"] == "mécénat de compétences")
    patronage["avoid"].append("skills-based volunteering")
    (data / "glossary.yaml").write_text(yaml.safe_dump(glossary, allow_unicode=True), "utf-8")
    problems = check(data, seeds_dir=None)
    assert any("glossary.yaml" in p and "skills-based volunteering" in p for p in problems)


def _draft(language: str):
    return build_draft(
        load_convention_checklist(),
        {},
        language=language,
        title="Alliance",
        ours=party_from_text("Tremplin", None),
        partner=party_from_text(None, None),
        territory=None,
        theme=None,
    )


def _titles(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs if p.style.name == "Title"]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_documents_titles_are_the_glossary_terms(language):
    assert _titles(build_convention(_draft(language))) == [
        GLOSSARY.heading("convention de partenariat", language)
    ]
    assert _titles(build_action_plan(_draft(language))) == [
        GLOSSARY.heading("plan d’action opérationnel", language)
    ]
    evaluation = _wording(language, "evaluation_")
    assert [evaluation[f"decision_{d}"] for d in ("renew", "modify", "end")] == [
        GLOSSARY.heading(term, language) for term in ("renouveler", "modifier", "arrêter")
    ]


def test_a_term_changed_in_the_glossary_changes_the_documents(monkeypatch):
    terms = [
        term.model_copy(update={"en": "alliance charter"})
        if term.fr == "convention de partenariat"
        else term
        for term in GLOSSARY.terms
    ]
    monkeypatch.setattr("bot.documents.render.load_glossary", lambda: Glossary(terms=terms))
    _wording.cache_clear()
    try:
        assert _titles(build_convention(_draft("en"))) == ["Alliance charter"]
    finally:
        _wording.cache_clear()
