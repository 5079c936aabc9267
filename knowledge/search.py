"""The card index: built once at start, then a lookup is a few dictionary reads.

Matching forgives what people type on a phone: accents, plurals, a typo or two,
a word cut short, and synonyms ("contrat" finds the convention). Words that name a whole
topic ("convention", "risques") land on the topic's overview; a detail ("TVA") on its card.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import extract

from knowledge.models import Card, KnowledgeBase
from knowledge.text import terms

# Where a word appears says how much it tells about the card.
TITLE, KEYWORD, TOPIC, BODY = 3.0, 3.0, 1.5, 1.0
# A word reached by a typo, a prefix or a synonym counts a little less than the word itself.
TYPO, PREFIX, SYNONYM = 0.8, 0.85, 0.6
# How many close words a typo may stand for: a short word has many neighbours ("tipe": tie,
# time, tire, type), and the one meant must not be crowded out by the others.
TYPO_CANDIDATES = 8
# What every card is about: these words neither name a topic nor keep a query from naming
# one ("convention de partenariat" still names the convention).
SUBJECT = frozenset(terms("partenariat partnership partenaire partner checklist fiche"))


@dataclass(frozen=True)
class Hit:
    card: Card
    score: float


class CardIndex:
    """Inverted index of every card, in both languages."""

    def __init__(self, base: KnowledgeBase):
        self.base = base
        self.cards = {card.id: card for card in base.cards()}
        self.rank = {card_id: position for position, card_id in enumerate(self.cards)}
        self.postings: dict[str, dict[str, float]] = defaultdict(dict)
        for topic in base.topics:
            for card in topic.every_card:
                self._add_card(card, topic.title.fr + " " + topic.title.en)
        # The terms that name each topic, by its overview's id.
        self.naming = {
            topic.overview.id: frozenset(terms(" ".join(topic.keywords.fr + topic.keywords.en)))
            for topic in base.topics
        }
        df_total = len(self.cards)
        self.idf = {
            term: math.log(1 + df_total / len(cards)) for term, cards in self.postings.items()
        }
        self.vocabulary = sorted(self.postings)
        self.synonyms = self._synonym_map(base.synonyms)
        self._expand = lru_cache(maxsize=4096)(self._expand_uncached)
        self._names = lru_cache(maxsize=4096)(self._names_uncached)

    def _add_card(self, card: Card, topic_title: str) -> None:
        """A term's weight in a card adds up the fields it appears in (title, keywords...).

        An overview is found by its topic's words only: its items have cards of their own.
        """
        body = [] if card.is_overview else [card.intro, card.gist, *card.points, *card.our_advice]
        fields = (
            (TITLE, card.title.fr + " " + card.title.en),
            (KEYWORD, " ".join(card.keywords.fr + card.keywords.en)),
            (TOPIC, topic_title),
            (BODY, " ".join(t.fr + " " + t.en for t in body if t is not None)),
        )
        for weight, text in fields:
            for term in set(terms(text)):
                postings = self.postings[term]
                postings[card.id] = postings.get(card.id, 0.0) + weight

    def _synonym_map(self, groups) -> dict[str, frozenset[str]]:
        mapping: dict[str, set[str]] = defaultdict(set)
        for group in groups:
            words = {term for word in group for term in terms(word)}
            for word in words:
                mapping[word] |= words - {word}
        return {word: frozenset(others) for word, others in mapping.items()}

    def search(self, query: str, limit: int = 5) -> list[Hit]:
        """The best cards for a query, best first; nothing for a query that matches nothing well."""
        scores: dict[str, float] = defaultdict(float)
        matched: dict[str, int] = defaultdict(int)
        # Cards where a word of the query stands in the title, keywords or topic, not only
        # somewhere in the text.
        strong: set[str] = set()
        query_terms = list(dict.fromkeys(terms(query)))[:12]
        # Words every card shares ("partenaire") neither make a match nor count as matched,
        # unless the query has nothing else.
        meaningful = frozenset(t for t in query_terms if t not in SUBJECT) or frozenset(query_terms)
        for query_term in query_terms:
            # A card matched by the word itself ignores its weaker matches (typo, synonym):
            # synonyms widen what is found, they do not outrank the word typed.
            best: dict[str, float] = {}
            found_at: dict[str, float] = {}
            for term, factor in sorted(self._expand(query_term), key=lambda tf: -tf[1]):
                idf = self.idf[term]
                for card_id, weight in self.postings[term].items():
                    if found_at.setdefault(card_id, factor) != factor:
                        continue
                    best[card_id] = max(best.get(card_id, 0.0), weight * idf * factor)
                    if weight > BODY and query_term in meaningful:
                        strong.add(card_id)
            for card_id, score in best.items():
                scores[card_id] += score
                matched[card_id] += query_term in meaningful
        # A card that only mentions some of the words in passing is a coincidence, not an
        # answer ("assurance responsabilité" is not about the brakes): better say nothing matches.
        found = [c for c in scores if c in strong or matched[c] >= len(meaningful)]
        # The overview of a topic the query names comes first, then the cards that match
        # every word of the query.
        named = self._named_overviews(query_terms)
        ranked = sorted(
            found,
            key=lambda c: (c not in named, -matched[c], -scores[c], self.rank[c]),
        )
        return [Hit(self.cards[c], scores[c]) for c in ranked[:limit]]

    def _named_overviews(self, query_terms: list[str]) -> frozenset[str]:
        """Overviews of the topics that each word of the query names ("risques", "contrat")."""
        words = [word for word in query_terms if word not in SUBJECT]
        named = frozenset(self.naming) if words else frozenset()
        for word in words:
            named = named & self._names(word)
        return named

    def _names_uncached(self, word: str) -> frozenset[str]:
        """The overviews of the topics a typed word names, through typos and synonyms too."""
        reached = {term for term, _factor in self._expand(word)}
        return frozenset(card_id for card_id, names in self.naming.items() if reached & names)

    def _expand_uncached(self, word: str) -> tuple[tuple[str, float], ...]:
        """The indexed terms a typed word stands for, each with how much it counts."""
        found: dict[str, float] = {word: 1.0}
        if word not in self.postings:
            found.update((term, PREFIX) for term in self._prefixed(word))
            cutoff = _typos_allowed(word)
            if cutoff:
                for term, _distance, _ in extract(
                    word,
                    self.vocabulary,
                    scorer=Levenshtein.distance,
                    score_cutoff=cutoff,
                    limit=TYPO_CANDIDATES,
                ):
                    found.setdefault(term, TYPO)
        for term, factor in list(found.items()):
            for synonym in self.synonyms.get(term, ()):
                found.setdefault(synonym, factor * SYNONYM)
        return tuple((term, factor) for term, factor in found.items() if term in self.postings)

    def _prefixed(self, word: str) -> list[str]:
        """Terms that start with a word of four letters or more ("resil" -> "resiliation")."""
        if len(word) < 4:
            return []
        start = bisect_left(self.vocabulary, word)
        found = []
        for term in self.vocabulary[start : start + 20]:
            if not term.startswith(word):
                break
            found.append(term)
        return found


def _typos_allowed(word: str) -> int:
    if len(word) < 4:
        return 0
    return 1 if len(word) < 8 else 2
