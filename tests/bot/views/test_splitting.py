"""Long HTML messages cut into well-formed chunks that Telegram accepts."""

from __future__ import annotations

import random
import re
from html.parser import HTMLParser

from bot.views.splitting import split_html, visible_length

LINK = '<a href="https://x.y/?a=1&amp;b=2">'
START_TAG = re.compile(r"<[^/][^>]*>")
ENTITY = re.compile(r"&(?:#[0-9]+|#x[0-9a-fA-F]+|[a-z]+);")


class _Reader(HTMLParser):
    """Reads HTML as Telegram does: the visible text, and whether the tags balance."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.shown: list[str] = []
        self.open: list[str] = []
        self.balanced = True

    def handle_starttag(self, tag, attrs):
        self.open.append(tag)

    def handle_endtag(self, tag):
        if not self.open or self.open.pop() != tag:
            self.balanced = False

    def handle_data(self, data):
        self.shown.append(data)


def read(html: str) -> tuple[str, bool]:
    """The visible text of some HTML, and whether it is well-formed."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return "".join(reader.shown), reader.balanced and not reader.open


def units(text: str) -> int:
    """Length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def assert_well_split(text: str, chunks: list[str], limit: int) -> None:
    """Checks every promise of `split_html` for one text."""
    original, balanced = read(text)
    assert balanced
    if units(original) <= limit:
        assert chunks == [text]
        return
    start_tags = set(START_TAG.findall(text))
    position = 0
    for chunk in chunks:
        shown, well_formed = read(chunk)
        assert well_formed, chunk
        assert shown.strip() == shown != "", chunk  # no blank chunk, no whitespace at its edges
        assert units(shown) <= limit, chunk
        assert visible_length(chunk) == units(shown)
        assert set(START_TAG.findall(chunk)) <= start_tags  # reopened as they were written
        assert "&" not in ENTITY.sub("", chunk)  # no entity cut in two
        # The chunks show the original text in order, missing only whitespace at cuts.
        found = original.find(shown, position)
        assert found >= 0 and original[position:found].strip() == "", chunk
        position = found + len(shown)
    assert original[position:].strip() == ""


def test_visible_length_counts_utf16_units_of_the_shown_text():
    assert visible_length(f"{LINK}&#x1F600; &amp; é</a>") == 6
    assert visible_length("<b>👍🏽</b>") == 4


def test_a_text_within_the_limit_comes_back_unchanged():
    text = "<b>Bonjour</b> &amp; bienvenue 😀\n\nSuite."
    assert split_html(text) == [text]
    # Written longer than the limit, but shown within it.
    assert split_html("&amp;" * 4096) == ["&amp;" * 4096]


def test_a_6000_unit_text_of_emoji_entities_and_bold_makes_two_valid_messages():
    text = "<b>😀 &amp;</b> word " * 600
    assert visible_length(text) == 6000
    chunks = split_html(text)
    assert len(chunks) == 2
    assert_well_split(text, chunks, 4096)


def test_a_blank_line_is_preferred_to_a_line_break_and_a_line_break_to_a_space():
    a, b, c, d = ("a" * 30, "b" * 30, "c" * 30, "d" * 30)
    assert split_html(f"{a}\n\n{b}\n{c} {d}", 100) == [a, f"{b}\n{c} {d}"]
    assert split_html(f"{a} {b}\n{c} {d}", 100) == [f"{a} {b}", f"{c} {d}"]
    assert split_html(f"{a} {b} {c} {d}", 100) == [f"{a} {b} {c}", d]
    # A line break just past the limit still counts: the whitespace at a cut is dropped.
    assert split_html(f"{a} {b}\n{c}", 61) == [f"{a} {b}", c]


def test_a_tag_open_at_a_cut_is_closed_and_reopened_with_its_attributes():
    text = f"<b>{LINK}{' '.join(['mot'] * 40)}</a></b>"
    chunks = split_html(text, 50)
    assert len(chunks) == 4
    assert all(chunk.startswith(f"<b>{LINK}mot") for chunk in chunks)
    assert all(chunk.endswith("mot</a></b>") for chunk in chunks)
    assert_well_split(text, chunks, 50)


def test_a_word_longer_than_the_limit_is_cut_hard_but_never_inside_an_entity():
    x = "x" * 4095
    assert split_html(x + "&#x1F600;yyy") == [x, "&#x1F600;yyy"]
    assert split_html(x + "😀😀") == [x, "😀😀"]
    assert split_html(x + "&amp;" + "y" * 5000) == [x + "&amp;", "y" * 4096, "y" * 904]


def test_a_text_made_of_entities_is_cut_between_them():
    assert split_html("&amp;" * 5000) == ["&amp;" * 4096, "&amp;" * 904]


WORDS = ["alliance", "partenariat", "mécénat", "convention", "été", "合作", "a", "I"]
EMOJI = ["😀", "👍🏽", "🤝", "❤️", "👨‍👩‍👧"]
ENTITIES = ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#x1F600;", "&#128512;"]
SEPARATORS = [" ", " ", " ", "  ", "\n", "\n\n", "\n \n", ""]
TAGS = ["b", "i", "u", "s", "code", "pre", "blockquote", "a"]


def random_html(rng: random.Random, depth: int = 0) -> str:
    """A text such as a template renders: words, emoji, entities, nested tags, newlines."""
    parts = [rng.choice(SEPARATORS)]
    for _ in range(rng.randint(1, 25)):
        roll = rng.random()
        if roll < 0.12 and depth < 3:
            tag = rng.choice(TAGS)
            start = LINK if tag == "a" else f"<{tag}>"
            parts.append(f"{start}{random_html(rng, depth + 1)}</{tag}>")
        elif roll < 0.25:
            parts.append(rng.choice(EMOJI))
        elif roll < 0.4:
            parts.append(rng.choice(ENTITIES))
        elif roll < 0.43:
            parts.append(rng.choice("wé😀") * rng.randint(10, 100))  # longer than some limits
        else:
            parts.append(rng.choice(WORDS))
        parts.append(rng.choice(SEPARATORS))
    return "".join(parts)


def test_random_texts_are_cut_within_the_limit_well_formed_and_complete():
    rng = random.Random(20240611)
    for _ in range(400):
        text = random_html(rng)
        limit = rng.choice([2, 3, 8, 20, 50, 120, 400])
        assert_well_split(text, split_html(text, limit), limit)
