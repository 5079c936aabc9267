"""Text normalisation shared by answers and search: lower case, no accents, light stemming."""

from __future__ import annotations

import re
import unicodedata

# Words too common to tell cards apart, in French and English.
STOPWORDS = frozenset(
    """
    a au aux avec ce ces cette dans de des du elle en est et il ils je la le les leur leurs
    mais me mes mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te
    ton tu un une vos votre vous y l d s c j n m t quoi quel quelle quels quelles comment
    the an and are as at be by for from how in is it of on or that this to what which who
    with our your my we i do does
    """.split()
)


def normalise(text: str) -> str:
    """Lower case, no accents, single spaces: how typed text is compared."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", bare).split())


def stem(word: str) -> str:
    """Plural to singular, the cheap way that suits both languages (risques, critères)."""
    if len(word) > 4 and word.endswith("aux"):
        return word[:-3] + "al"
    if len(word) > 3 and word[-1] in "sx" and not word.endswith("ss"):
        return word[:-1]
    return word


def terms(text: str) -> list[str]:
    """The searchable words of a text: normalised, stemmed, without stopwords."""
    return [stem(word) for word in normalise(text).split() if word not in STOPWORDS]
