"""A CSV file's bytes as text, or a refusal: an import never stores text read in the wrong encoding.

UTF-8 (with or without BOM) and UTF-16 with a BOM are read as they are. Any other file is read as
Windows-1252 (Western European; Latin-1 files read the same) only when the result looks like Western
text. A file in another encoding (Shift-JIS, GBK, Big5, EUC, Windows-1251 Cyrillic, Greek, Hebrew…) read
as Windows-1252 is mojibake, "“c’†‘¾˜Y" for 田中太郎, and shows signs no Western text has: a byte that
is no Windows-1252 character, symbols glued to accented letters or inside words, words made only of
accented letters. Such a file is refused with a request to save it as UTF-8; nothing is guessed.
(A detector's guess, charset-normalizer's for instance, is unreliable on a few short names: it takes a
Spanish Windows-1252 line for Central European and Chinese GBK for Korean. A wrong guess would store
mojibake; a refusal costs the user one "Save as UTF-8".)

What cannot be told apart: Central European or Turkish text whose letters map to other Western letters
(Czech ř read as ø, Turkish ş as þ) reads as plausible Western text. The README says to save such files
as UTF-8.
"""

from __future__ import annotations

import re

from services.imports.common import ImportFailed

SAVE_AS_UTF8 = ("Save the file as UTF-8 (in Excel: Save As, then \"CSV UTF-8 (Comma delimited)\") and import "
                "it again.")
# Western punctuation that touches words ("Zoë", “été”, O’Brien, Paris–Lyon, col·lega, 12 €).
_WORD_PUNCTUATION = frozenset("‘’‚“”„«»‹›–—…·•€")
_QUOTES = frozenset("‚“”„«»‹›")  # no apostrophes: ’ and ‘ stand between letters in names
# Symbols of the Windows-1252 range 0x80-0x9F that only Shift-JIS lead bytes put next to letters.
_RARE_SYMBOLS = frozenset("ƒˆ˜†‡‰")
_SHIFT_JIS_TRAIL = frozenset("{}\\^`~")
# Non-ASCII characters that are no letters (ƒ, a letter to Python, is a florin sign here), and letters.
_SYMBOL = re.compile(r"[^\w\s\x00-\x7f]|[ƒ²³¹¼½¾]")
_WORD = re.compile(r"[^\W\d_²³¹¼½¾]+")  # a run of letters
ACCENTED_SHARE = 0.6  # of the letters of words with accents: Western text has 10-30 %, mojibake 90-100 %


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name) of a CSV's bytes; ImportFailed when its encoding is not one read safely."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data[3:], "utf-8", skipped=3), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ImportFailed(f"The file is not in UTF-8, and byte 0x{data[exc.start]:02X} on line {line:,} is not "
                           "a character of Windows-1252 (Western European) either: the file is in another "
                           f"encoding, such as Shift-JIS. {SAVE_AS_UTF8}") from None
    sign = mojibake(text)
    if sign is not None:
        position, excerpt = sign
        line = text.count("\n", 0, position) + 1
        raise ImportFailed(f"The file is not in UTF-8, and read as Windows-1252 (Western European) line {line:,} "
                           f"would say '{excerpt}', which is not text: the file is in another encoding, such as "
                           f"Shift-JIS. {SAVE_AS_UTF8}")
    return text, "cp1252"


def _strict(data: bytes, encoding: str, *, skipped: int = 0) -> str:
    """``data`` decoded; a file whose byte-order mark promises an encoding its bytes break is refused."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        name = encoding.upper()
        raise ImportFailed(f"The file starts with the mark of {name}, but its byte {skipped + exc.start + 1:,} is not "
                           f"{name}. {SAVE_AS_UTF8}") from None


def _excerpt(text: str, position: int) -> str:
    """The whitespace-separated stretch of ``text`` around ``position``, at most 30 characters."""
    start = max(text.rfind(" ", 0, position), text.rfind("\n", 0, position), text.rfind(",", 0, position)) + 1
    ends = [end for end in (text.find(" ", position), text.find("\n", position), text.find(",", position))
            if end != -1]
    end = min(ends) if ends else len(text)
    return text[max(start, position - 15):min(end, position + 15)].strip()


def _symbol_sign(text: str, position: int) -> bool:
    """Whether the non-ASCII, non-letter character at ``position`` is where no Western text puts it."""
    symbol = text[position]
    before = text[position - 1] if position else " "
    after = text[position + 1] if position + 1 < len(text) else " "
    wide = [not neighbour.isascii() and not neighbour.isspace() for neighbour in (before, after)]
    letters = [neighbour.isalpha() for neighbour in (before, after)]
    if before in _SHIFT_JIS_TRAIL or after in _SHIFT_JIS_TRAIL:
        return True
    if symbol in _RARE_SYMBOLS:
        return any(letters) or any(wide)
    if symbol in "•…€":
        return all(not neighbour.isspace() for neighbour in (before, after)) and any(letters)
    if symbol in _QUOTES:
        return all(letters) or all(wide)
    if symbol in _WORD_PUNCTUATION:
        return all(wide)
    return any(wide) or all(letters)


def mojibake(text: str) -> tuple[int, str] | None:
    """(position, excerpt) of the first sign that ``text`` (read as Windows-1252) is another encoding, or None."""
    for match in _SYMBOL.finditer(text):
        if _symbol_sign(text, match.start()):
            return match.start(), _excerpt(text, match.start())
    words = [match for match in _WORD.finditer(text) if not match.group().isascii()]
    accented = letters = 0
    for match in words:
        word = match.group()
        ascii_letters = len(word.encode("ascii", "ignore"))
        if len(word) >= 4 and not ascii_letters:
            return match.start(), _excerpt(text, match.start())
        if len(word) >= 2:
            accented, letters = accented + len(word) - ascii_letters, letters + len(word)
    if letters >= 6 and accented > ACCENTED_SHARE * letters:
        return words[0].start(), _excerpt(text, words[0].start())
    return None
