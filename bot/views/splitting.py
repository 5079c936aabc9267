"""Cuts HTML written for Telegram's parse mode into messages within its length limit.

Telegram counts a message's visible text (tags removed, entities decoded) in UTF-16
code units. A text is read once as tokens (tags, entities, runs of text), each chunk
ends at the best boundary before the limit, and tags open at a cut are closed there
and reopened, with their attributes, at the start of the next chunk.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import NamedTuple

MESSAGE_LIMIT = 4096

_TAG = r"<(/?)([A-Za-z][^\s/>]*)(?:[^>\"']|\"[^\"]*\"|'[^']*')*>"
_ENTITY = r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);"
_MARKUP = re.compile(f"({_TAG})|{_ENTITY}")
# Text runs between markup; a lone "<" or "&" that starts no markup is text too.
_TOKEN = re.compile(f"(?P<tag>{_TAG})|(?P<entity>{_ENTITY})|[^<&]+|[<&]")
# Places to cut, best first.
_BOUNDARIES = (
    re.compile(r"\n[^\S\n]*\n"),  # a blank line
    re.compile(r"\n"),  # a line break
    re.compile(r"[^\S\xa0\u2007\u202f]"),  # a space, but not a no-break one
)
_SPACES = re.compile(r"\s*")

# Token kinds. Text may be cut between two characters; an entity never.
OPEN, CLOSE, ENTITY, TEXT = "open", "close", "entity", "text"


class _Token(NamedTuple):
    kind: str
    raw: str
    width: int = 0  # UTF-16 units shown
    name: str = ""  # the tag's name, for OPEN and CLOSE


def _utf16(text: str) -> int:
    """Length of a string in UTF-16 code units, as Telegram counts it."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


# Messages repeat the same few entities and tags: decode each once.
@lru_cache(maxsize=1024)
def _unescape(entity: str) -> str:
    """The character an entity stands for."""
    return html.unescape(entity)


def _decode(match: re.Match[str]) -> str:
    """The visible text of a tag (nothing) or of an entity (its character)."""
    return "" if match[1] else _unescape(match[0])


def visible_length(text: str) -> int:
    """Length of the text Telegram shows for this HTML, in UTF-16 code units."""
    return _utf16(_MARKUP.sub(_decode, text))


def _text(raw: str) -> _Token:
    """A run of text, measured."""
    return _Token(TEXT, raw, _utf16(raw))


@lru_cache(maxsize=1024)
def _entity(raw: str) -> _Token:
    """An entity, measured by the character it stands for."""
    return _Token(ENTITY, raw, _utf16(_unescape(raw)))


@lru_cache(maxsize=1024)
def _tag(raw: str, closing: str, name: str) -> _Token:
    """A start tag, with its attributes, or an end tag."""
    return _Token(CLOSE if closing else OPEN, raw, name=name.lower())


def _tokenize(text: str) -> list[_Token]:
    """Reads the text as tags, entities and runs of text."""
    tokens = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind is None:
            tokens.append(_text(match[0]))
        elif kind == "entity":
            tokens.append(_entity(match[0]))
        else:
            tokens.append(_tag(match[0], match[2], match[3]))
    return tokens


def _fitting_prefix(text: str, room: int) -> int:
    """How many characters of the text fit in `room` UTF-16 units."""
    units = text[:room].encode("utf-16-le")[: 2 * room]
    # "ignore" drops the half of a surrogate pair that did not fit.
    return len(units.decode("utf-16-le", "ignore"))


def _last(boundary: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The last place in the text matching the boundary."""
    match = None
    for match in boundary.finditer(text):  # noqa: B007 - only the last one is wanted
        pass
    return match


def _split(tokens: list[_Token], index: int, cut: int, resume: int) -> int:
    """Splits a text token at `cut`, dropping up to `resume`; returns the tail's index."""
    raw = tokens[index].raw
    tokens[index : index + 1] = [_text(raw[:cut]), _text(raw[resume:])]
    return index + 1


def _cut(tokens: list[_Token], start: int, over: int, room: int) -> int:
    """Cuts at the best boundary before token `over` overflows the `room` left for it."""
    last = tokens[over]
    keep = _fitting_prefix(last.raw, room) if last.kind == TEXT else 0
    # Whitespace right at the limit still qualifies: it is dropped at the cut.
    reach = _SPACES.match(last.raw, keep).end() if last.kind == TEXT else 0
    for boundary in _BOUNDARIES:
        for index in range(over, start - 1, -1):
            token = tokens[index]
            if token.kind != TEXT:
                continue
            match = _last(boundary, token.raw[:reach] if index == over else token.raw)
            if match:
                # Dropping the whitespace at the cut also makes every cut move forward.
                resume = _SPACES.match(token.raw, match.start()).end()
                return _split(tokens, index, match.start(), resume)
    # No boundary at all: a hard cut, inside the text if it is text, else before it.
    return _split(tokens, over, keep, keep) if keep else over


def _find_cut(tokens: list[_Token], start: int, limit: int) -> int:
    """Index where the chunk from `start` ends and the next one begins."""
    width = 0
    for index in range(start, len(tokens)):
        if width + tokens[index].width > limit:
            return _cut(tokens, start, index, limit - width)
        width += tokens[index].width
    return len(tokens)


def _track(stack: list[_Token], token: _Token) -> None:
    """Keeps the stack of open tags up to date with one token."""
    if token.kind == OPEN:
        stack.append(token)
    elif token.kind == CLOSE and stack and stack[-1].name == token.name:
        stack.pop()


def _shows(token: _Token) -> bool:
    """Whether the token shows something other than whitespace."""
    return token.kind == ENTITY or (token.kind == TEXT and token.raw.strip() != "")


def _render(tokens: list[_Token], opened: list[_Token]) -> tuple[str, list[_Token]]:
    """One well-formed chunk, given the tags still open; returns it and the tags left open."""
    stack = list(opened)
    shown = [index for index, token in enumerate(tokens) if _shows(token)]
    if not shown:
        for token in tokens:
            _track(stack, token)
        return "", stack
    first, last = shown[0], shown[-1]
    # A chunk neither starts nor ends with whitespace; tags after its text open the next one.
    for token in tokens[:first]:
        _track(stack, token)
    reopen = "".join(tag.raw for tag in stack)
    body = []
    for token in tokens[first : last + 1]:
        _track(stack, token)
        body.append(token.raw)
    body[0] = body[0].lstrip()
    body[-1] = body[-1].rstrip()
    close = "".join(f"</{tag.name}>" for tag in reversed(stack))
    for token in tokens[last + 1 :]:
        _track(stack, token)
    return reopen + "".join(body) + close, stack


def split_html(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Cuts HTML into well-formed chunks of at most `limit` visible UTF-16 units each."""
    if limit < 2:
        raise ValueError("limit must be at least 2 UTF-16 units, the width of one emoji")
    if _utf16(text) <= limit:  # markup never shows longer than it is written
        return [text]
    tokens = _tokenize(text)
    if sum(token.width for token in tokens) <= limit:
        return [text]
    chunks: list[str] = []
    opened: list[_Token] = []
    start = 0
    while start < len(tokens):
        end = _find_cut(tokens, start, limit)
        chunk, opened = _render(tokens[start:end], opened)
        if chunk:
            chunks.append(chunk)
        start = end
    return chunks
