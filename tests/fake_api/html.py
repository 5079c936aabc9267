"""Telegram's HTML parse mode (a port of tdlib's parse_html), reduced to what it refuses."""

from __future__ import annotations

import string
from typing import Any

from tests.fake_api.errors import ApiError

# Tags Telegram's HTML parse mode accepts (tdlib's parse_html), tg-time included.
HTML_TAGS = frozenset(
    "a b strong i em u ins s strike del span tg-spoiler tg-emoji tg-time code pre "
    "blockquote".split()
)
_HTML_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
# tdlib's is_space() without "\0", which stands for the end of the text as in a C string.
_BLANKS = " \t\r\n\v"

# --------------------------------------------------------------------- Telegram's HTML rules


def _html_error(reason: str) -> ApiError:
    """The error Telegram answers for HTML it cannot parse."""
    return ApiError(400, f"Bad Request: can't parse entities: {reason}")


def _ascii_lower(text: str) -> str:
    """Lower-case ASCII letters only, as tdlib's to_lower does."""
    return "".join(c.lower() if c.isascii() else c for c in text)


def _is_space(char: str) -> bool:
    """tdlib's is_space(), for which the end of the text ("\\0") is a space too."""
    return char in _BLANKS or char == "\0"


def _char_at(text: str, pos: int) -> str:
    """text[pos], or "\\0" past the end, as when tdlib reads a C string."""
    return text[pos] if pos < len(text) else "\0"


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode the entity at text[pos] == "&" as tdlib does: (character, next pos) or None."""
    end = pos + 1
    if _char_at(text, end) == "#":
        hexadecimal = _char_at(text, end + 1) == "x"
        digits = string.hexdigits if hexadecimal else string.digits
        end = start = end + (2 if hexadecimal else 1)
        while _char_at(text, end) in digits:
            end += 1
        code = int(text[start:end], 16 if hexadecimal else 10) if end > start else 0
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return None
        char = chr(code)
    else:
        while _char_at(text, end).isascii() and _char_at(text, end).isalpha():
            end += 1
        if (char := _HTML_ENTITIES.get(text[pos + 1 : end])) is None:
            return None
    return char, end + 1 if _char_at(text, end) == ";" else end


def _tag_argument(tag: str, name: str, value: str) -> str | None:
    """The argument an attribute gives its tag (href, language, spoiler...), or None."""
    if (tag, name) in {("a", "href"), ("tg-emoji", "emoji-id"), ("tg-time", "format")}:
        return value
    if tag == "code" and name == "class" and value.startswith("language-"):
        return value.removeprefix("language-")
    if tag == "span" and name == "class" and value.startswith("tg-"):
        return value.removeprefix("tg-")
    return "1" if (tag, name) == ("blockquote", "expandable") else None


def _is_custom_emoji_id(value: str) -> bool:
    """Whether value is a non-zero int64 written canonically (tdlib's to_integer_safe)."""
    try:
        number = int(value)
    except ValueError:
        return False
    return str(number) == value and number != 0 and -(2**63) <= number < 2**63


class _TelegramHtml:
    """Telegram's HTML parse mode (a port of tdlib's parse_html), reduced to what it refuses."""

    def __init__(self, source: str):
        self.source = source
        self.pos = 0
        self.visible: list[str] = []
        # Open tags as (name, argument, len(visible) at the opening).
        self.open: list[tuple[str, str, int]] = []

    def parse(self) -> str:
        """The visible text; ApiError with Telegram's description where Telegram refuses."""
        while self.pos < len(self.source):
            if self.char() == "<":
                self._end_tag() if self.char(1) == "/" else self._start_tag()
            elif self.char() == "&" and (decoded := _decode_entity(self.source, self.pos)):
                self.visible.append(decoded[0])
                self.pos = decoded[1]
            else:
                self.visible.append(self.char())
                self.pos += 1
        if self.open:
            tag = self.open[-1][0]
            raise _html_error(f'Can\'t find end tag corresponding to start tag "{tag}"')
        visible = "".join(self.visible)
        if any(0xD800 <= ord(char) <= 0xDFFF for char in visible):
            raise _html_error(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            )
        return visible

    def char(self, ahead: int = 0) -> str:
        """The character at the cursor (plus ahead), "\\0" past the end."""
        return _char_at(self.source, self.pos + ahead)

    def offset(self, pos: int) -> int:
        """Telegram reports positions as UTF-8 byte offsets."""
        return len(self.source[:pos].encode("utf-8", "surrogatepass"))

    def _skip_blanks(self) -> None:
        """Move past spaces, tabs and newlines."""
        while self.char() in _BLANKS:
            self.pos += 1

    def _start_tag(self) -> None:
        """Parse "<tag attribute=value ...>" and open the tag."""
        begin = self.pos
        self.pos += 1
        while not _is_space(self.char()) and self.char() != ">":
            self.pos += 1
        if self.char() == "\0":
            raise _html_error(f"Unclosed start tag at byte offset {self.offset(begin)}")
        tag = _ascii_lower(self.source[begin + 1 : self.pos])
        if tag not in HTML_TAGS:
            raise _html_error(f'Unsupported start tag "{tag}" at byte offset {self.offset(begin)}')
        argument = self._attributes(tag, begin)
        if tag == "span" and argument != "spoiler":
            where = f"at byte offset {self.offset(begin)}"
            raise _html_error(f'Tag "span" must have class "tg-spoiler" {where}')
        self.open.append((tag, argument, len(self.visible)))
        self.pos += 1

    def _attributes(self, tag: str, begin: int) -> str:
        """Parse attributes up to ">"; return the tag's argument (href, class...)."""
        argument = ""
        unclosed = f'Unclosed start tag "{tag}" at byte offset {self.offset(begin)}'
        while self.char() != ">":
            self._skip_blanks()
            if self.char() == ">":
                break
            name = self._attribute_name(tag, begin)
            self._skip_blanks()
            if self.char() != "=":
                if self.char() == "\0":
                    raise _html_error(unclosed)
                # A bare attribute: only <blockquote expandable> means something.
                argument = "1" if (tag, name) == ("blockquote", "expandable") else argument
                continue
            self.pos += 1
            self._skip_blanks()
            if self.char() == "\0":
                raise _html_error(unclosed)
            value = self._attribute_value()
            if self.char() == "\0":
                raise _html_error(f"Unclosed start tag at byte offset {self.offset(begin)}")
            found = _tag_argument(tag, name, value)
            argument = argument if found is None else found
        return argument

    def _attribute_name(self, tag: str, begin: int) -> str:
        """Read an attribute name; Telegram refuses an empty one."""
        start = self.pos
        while not _is_space(self.char()) and self.char() not in "=>/\"'":
            self.pos += 1
        if self.pos == start:
            where = f"at byte offset {self.offset(begin)}"
            raise _html_error(f'Empty attribute name in the tag "{tag}" {where}')
        return self.source[start : self.pos]

    def _attribute_value(self) -> str:
        """Read a quoted string (entities decoded) or a bare name token (lower-cased)."""
        quote = self.char()
        if quote not in "'\"":
            start = self.pos
            while (self.char().isascii() and self.char().isalnum()) or self.char() in ".-":
                self.pos += 1
            if not _is_space(self.char()) and self.char() != ">":
                where = f"at byte offset {self.offset(start)}"
                raise _html_error(f"Unexpected end of name token {where}")
            return _ascii_lower(self.source[start : self.pos])
        self.pos += 1
        value: list[str] = []
        while self.char() not in (quote, "\0"):
            if self.char() == "&" and (decoded := _decode_entity(self.source, self.pos)):
                value.append(decoded[0])
                self.pos = decoded[1]
            else:
                value.append(self.char())
                self.pos += 1
        self.pos += self.char() == quote
        return "".join(value)

    def _end_tag(self) -> None:
        """Parse "</tag>" (or "</>") and close the innermost open tag."""
        begin = self.pos
        self.pos += 1
        if not self.open:
            raise _html_error(f"Unexpected end tag at byte offset {self.offset(begin)}")
        while not _is_space(self.char()) and self.char() != ">":
            self.pos += 1
        name = _ascii_lower(self.source[begin + 2 : self.pos])
        self._skip_blanks()
        if self.char() != ">":
            raise _html_error(f"Unclosed end tag at byte offset {self.offset(begin)}")
        tag, argument, start = self.open.pop()
        if name and name != tag:
            where = f"at byte offset {self.offset(begin)}"
            raise _html_error(f'Unmatched end tag {where}, expected "</{tag}>", found "</{name}>"')
        if tag == "tg-emoji" and len(self.visible) > start and not _is_custom_emoji_id(argument):
            raise _html_error("Invalid custom emoji identifier specified")
        self.pos += 1


def visible_text(params: dict[str, Any], key: str, entities_key: str) -> str:
    """What Telegram would display for params[key]: HTML is parsed when it is the parse mode."""
    text = str(params.get(key) or "")
    # The Bot API ignores parse_mode when explicit entities are given.
    html = str(params.get("parse_mode", "")).lower() == "html" and not params.get(entities_key)
    return _TelegramHtml(text).parse() if html else text
