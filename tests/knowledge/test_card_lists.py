"""What a card announces, it shows: "ces sept éléments" stands over seven items, not eight.

A number that announces a list ("sept éléments", "4 freins", "Three stages") is read in
every card, overviews included, in both languages. After a colon, the list is what follows
it ("Trois temps : rencontre, cadrage, négociation"); in a title or an intro without one, the
list is the card's points. Points numbered "1.", "2."... are counted by their numbers (a
remark may follow them); otherwise every point counts but a "…" line, which carries on the
one before it. An overview counts the cards it lists, less the summary card that announces
the same number ("Les 7 étapes d'un partenariat réussi" beside the seven steps).
"""

import re

import pytest

from knowledge.loader import load_convention_checklist, load_knowledge_base
from knowledge.models import Card
from knowledge.text import normalise

NUMBER_WORDS = {
    **dict.fromkeys(["deux", "two"], 2),
    **dict.fromkeys(["trois", "three"], 3),
    **dict.fromkeys(["quatre", "four"], 4),
    **dict.fromkeys(["cinq", "five"], 5),
    **dict.fromkeys(["six"], 6),
    **dict.fromkeys(["sept", "seven"], 7),
    **dict.fromkeys(["huit", "eight"], 8),
    **dict.fromkeys(["neuf", "nine"], 9),
    **dict.fromkeys(["dix", "ten"], 10),
    **dict.fromkeys(["onze", "eleven"], 11),
    **dict.fromkeys(["douze", "twelve"], 12),
}
# A number after these words names one thing ("étape 4", "guide 2012"), it counts nothing.
NAMING = {"etape", "etapes", "step", "steps", "an", "year", "perimetre", "scope", "guide", "top"}
# Quantities, not lists.
UNITS = {"mois", "ans", "annees", "jours", "semaines", "heures", "months", "years", "weeks"}
UNITS |= {"days", "hours", "fois", "times"}
# Plural nouns that do not end in s or x.
PLURALS = {"criteria", "people", "data"}
NUMBER = re.compile(r"(?<![\w.,])(\d{1,2}|" + "|".join(NUMBER_WORDS) + r")(?![\w.,%])", re.I)
NUMBERED = re.compile(r"^(\d{1,2})\. ")


def announced(text: str) -> list[tuple[int, int]]:
    """(count, end position) of each number in the text followed by a plural noun."""
    found = []
    for match in NUMBER.finditer(text):
        word = match.group(1).lower()
        count = int(word) if word.isdigit() else NUMBER_WORDS[word]
        before = normalise(text[: match.start()]).split()[-1:]
        if count < 2 or (before and before[0] in NAMING):
            continue
        following = re.match(r"((?:\s+[^\W\d_][\w’'-]*){1,2})", text[match.end() :])
        if following is None:
            continue
        nouns = normalise(following.group(1)).split()
        if any(noun in UNITS for noun in nouns):
            continue
        if any(noun in PLURALS or (len(noun) > 3 and noun[-1] in "sx") for noun in nouns):
            found.append((count, match.end()))
    return found


def inline_items(text: str) -> int:
    """How many items the text after a colon lists: "a ; b", "a, b, c", "a et b", "1. a 2. b"."""
    numbers = [int(n) for n in re.findall(r"(?<![\w.])(\d{1,2})\. ", text)]
    if numbers:
        return max(numbers)
    bare = re.sub(r"\([^)]*\)", "", text).strip(" .")
    if ";" in bare:
        return len([part for part in bare.split(";") if part.strip()])
    if "," in bare:
        return len([part for part in bare.split(",") if part.strip()])
    return len(re.split(r"\s(?:et|and)\s", bare))


def points_count(points: list[str]) -> int:
    numbers = [int(m.group(1)) for m in map(NUMBERED.match, points) if m]
    if numbers:
        return max(numbers)
    return len([point for point in points if not point.startswith("…")])


def mismatches(card: Card, language: str) -> list[str]:
    points = [point.in_(language) for point in card.points]
    listed = points_count(points)
    if card.is_overview:
        announcements = [count for count, _ in announced(card.title.in_(language))]
        listed -= sum(
            1
            for item in card.items
            if set(announcements) & {count for count, _ in announced(item.title.in_(language))}
        )
    headings = [card.title, card.intro]
    lines = [*card.points, *card.our_advice, card.gist]
    wrong = []
    for is_heading, text in [(True, t) for t in headings] + [(False, t) for t in lines]:
        if text is None:
            continue
        line = text.in_(language)
        inline: dict[int, int] = {}
        for count, end in announced(line):
            colon = line.find(":", end)
            if colon != -1:
                inline[colon] = inline.get(colon, 0) + count
            elif is_heading:
                inline[-1] = inline.get(-1, 0) + count
        for colon, count in inline.items():
            shown = listed if colon == -1 else inline_items(line[colon + 1 :])
            if shown != count:
                wrong.append(f"{line!r} announces {count}, shows {shown}")
    return wrong


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_number_announcing_a_list_matches_the_list(language):
    wrong = {
        card.id: problems
        for card in load_knowledge_base().cards()
        if (problems := mismatches(card, language))
    }
    assert wrong == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pour planifier, l’accord doit noter ces sept éléments.", [7]),
        ("Les 4 freins à lever", [4]),
        ("Five notions not to mix up, plus two cross-cutting ones.", [5, 2]),
        ("The 2012 guide lists eight criteria", [8]),
        ("Étape 4 : définir le contenu", []),
        ("Step 4 spells out everything", []),
        ("6 à 9 mois en moyenne", []),
        ("One meeting every six months", []),
        ("92 % des maires", []),
        ("Ne pas opposer les deux : les articuler", []),
    ],
)
def test_what_counts_as_announcing_a_list(text, expected):
    assert [count for count, _ in announced(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rencontre, cadrage, négociation", 3),
        ("financiers ; ressources humaines ; autres ressources (matérielles ou relationnelles)", 3),
        ("le don (déduction fiscale ou non, à décider), le prêt, la prise de participation", 3),
        ("un écrit clair et un engagement fort", 2),
        (" 1. mes objectifs ? 2. ses attentes ? 3. quel profil ?", 3),
    ],
)
def test_how_an_inline_list_is_counted(text, expected):
    assert inline_items(text) == expected


def test_the_duration_card_shows_the_seven_items_it_announces():
    card = load_knowledge_base().card("convention_duration")
    assert "sept" in card.intro.fr and "seven" in card.intro.en
    assert mismatches(card, "fr") == mismatches(card, "en") == []


# The guide's lists that had no card (issue 18): each item in its own numbered point, in the
# guide's order, and nothing else numbered. (card, French items, English items)
GUIDE_LISTS = [
    (
        "alliance_impacts",  # 001, Partie 1: the 3 impacts of alliances
        ["innovation", "performance", "confiance"],
        ["innovation", "performance", "trust"],
    ),
    (
        "iso26000_themes",  # 001, Partie 2, and 002, Thème 1: CSR's 7 themes under ISO 26000
        ["gouvernance", "droits de l homme", "conditions de travail", "environnement"]
        + ["loyaute des pratiques", "consommateurs", "developpement local"],
        ["governance", "human rights", "labour practices", "environment"]
        + ["fair operating practices", "consumer issues", "community involvement"],
    ),
    (
        "territorial_engineering",  # 001, Partie 2: the 3 territorial engineerings
        ["gestion publique", "projet transverse", "catalyse"],
        ["public management", "cross cutting project", "catalysis"],
    ),
    (
        "evaluation_listening",  # 001, Étape 7: the partners' listening path
        ["cadre", "bilan", "vision d avenir"],
        ["framework", "take stock", "forward view"],
    ),
    (
        "stakeholder_dialogue",  # 001, Étape 2: how to run the dialogue with stakeholders
        ["reperer", "le plus tot", "information claire", "avis", "reclamations", "beneficiaires"],
        ["identify", "early", "clear information", "views", "complaints", "benefit"],
    ),
]


@pytest.mark.parametrize(("card_id", "fr", "en"), GUIDE_LISTS, ids=[c for c, *_ in GUIDE_LISTS])
def test_each_item_of_the_guides_list_has_its_numbered_point(card_id, fr, en):
    card = load_knowledge_base().card(card_id)
    assert card is not None, f"no card {card_id}"
    for language, items in (("fr", fr), ("en", en)):
        numbered = [
            normalise(point.in_(language))
            for point in card.points
            if NUMBERED.match(point.in_(language))
        ]
        assert len(numbered) == len(items), (language, numbered)
        for position, (item, point) in enumerate(zip(items, numbered, strict=True), start=1):
            assert point.startswith(f"{position} "), point
            assert item in point, (language, item, point)
        assert mismatches(card, language) == []


def test_the_2012_guide_puts_two_types_on_each_side():
    """002, Thème 2: mécénat and innovation sociétale lean to the associative logic,
    coopération économique and pratiques responsables to the company's."""
    card = load_knowledge_base().card("types_two_logics")
    sides = {
        "fr": ("logique associative", "prisme de l entreprise"),
        "en": ("associative logic", "company s lens"),
    }
    types = {
        "fr": (
            ("mecenat", "innovation societale"),
            ("cooperation economique", "pratiques responsables"),
        ),
        "en": (
            ("patronage", "societal innovation"),
            ("economic cooperation", "responsible practices"),
        ),
    }
    for language, (associative, company) in sides.items():
        points = [normalise(point.in_(language)) for point in card.points]
        ours = next(p for p in points if associative in p)
        theirs = next(p for p in points if company in p)
        for named, other, point in ((0, 1, ours), (1, 0, theirs)):
            assert all(t in point for t in types[language][named]), point
            assert not any(t in point for t in types[language][other]), point


# What the guide says that the cards left out (issue 18), each said in one point (or help).
COMPLETED = [
    # 002, Thème 2: mécénat's counterparts are visibility, above all towards staff.
    (
        "type_patronage",
        ["contrepartie", "visibilite", "salaries"],
        ["counterparts", "visibility", "staff"],
    ),
    # 002, conclusion: six to nine months at least to build a partnership.
    ("figures_timing", ["au moins 6 a 9 mois"], ["at least 6 to 9 months"]),
    # 001, Étape 6: free to speak about the other, and exclusivity weighed.
    (
        "convention_formalise",
        ["s exprimer", "exclusivite"],
        ["speak about the other", "exclusivity"],
    ),
    ("communication_rules", ["libre de s exprimer"], ["free to speak"]),
    (
        "communication_rules",
        ["exclusivite", "avantage concurrentiel"],
        ["exclusivity", "competitive edge"],
    ),
    # 001, Partie 2: the partners' duty towards associations' fragile socio-economic models.
    (
        "risks_general_interest",
        ["fragilite", "modele socio economique"],
        ["fragile", "socio economic model"],
    ),
    ("risks_economic", ["fragile", "modele socio economique"], ["fragile", "socio economic model"]),
    ("risks_public", ["fragilite", "modele socio economique"], ["fragile", "socio economic model"]),
]


@pytest.mark.parametrize(("card_id", "fr", "en"), COMPLETED, ids=[c for c, *_ in COMPLETED])
def test_what_the_guide_adds_to_a_card_is_said_in_one_point(card_id, fr, en):
    card = load_knowledge_base().card(card_id)
    for language, words in (("fr", fr), ("en", en)):
        points = [normalise(point.in_(language)) for point in card.points]
        assert any(all(word in point for word in words) for point in points), (language, words)


def test_the_convention_checklist_says_why_free_speech_and_exclusivity_matter():
    item = next(i for i in load_convention_checklist().items if i.id == "communication")
    assert all(w in normalise(item.why.fr) for w in ("libre de s exprimer", "exclusivite"))
    assert all(w in normalise(item.why.en) for w in ("free to speak", "exclusivity"))
