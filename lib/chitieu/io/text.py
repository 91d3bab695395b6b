"""Text as chitieu reads it: decoding files (UTF-8, UTF-16, Windows-1258), one-line cells, folded words for
matching names, ascii ids. Shared by every reader (tables, documents, drafts, audits)."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from chitieu.errors import InputError

__all__ = ["normalise", "visible_text", "match_form", "fold", "syllables", "slugify", "clean_cell", "decode_text",
           "read_text_file"]

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))  # removed (soft hyphen too)
_SPACES = re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000]")  # non-breaking, thin, narrow … spaces
_MINUS = re.compile("[\u2212\ufe63\uff0d]\\s?(?=\\d)")  # a minus sign before a number
# a dash before a number at the start of the text or after ( , ; : = — not between two numbers (a range)
_DASH_MINUS = re.compile("(^|[(,;:=]\\s*)[\u2013\u2014\u2012]\\s?(?=\\d)")


def normalise(text: str) -> str:
    """Text as every reader of chitieu sees it: NFC (composed Vietnamese, whatever the file used), zero-width
    characters removed, non-breaking and thin spaces as plain spaces, a Unicode minus before a number as ``-``, and
    a dash opening the text or following ``( , ; : =`` before a number (``– 4,13``) as ``-``. A dash between two
    numbers (a range, ``55 – 60``) or after a word stays: the cell grammar decides what it is.

    >>> normalise("\u2212 4,13%"), normalise("2\u200b815 ha"), normalise("1\u00a0234"), normalise("55 \u2013 60")
    ('-4,13%', '2815 ha', '1 234', '55 – 60')
    """
    text = unicodedata.normalize("NFC", str(text)).translate(_ZERO_WIDTH)
    text = _SPACES.sub(" ", text)
    text = _MINUS.sub("-", text)
    return _DASH_MINUS.sub(lambda m: m.group(1) + "-", text)


def visible_text(text: str) -> str:
    """The parts of :func:`normalise` that never depend on context, for a whole file (a CSV, a document): NFC and
    zero-width characters removed. A file saved in NFD, or with a zero-width space pasted into a number, reads as
    the same text as its clean twin; line breaks and separators are untouched.

    >>> visible_text("Mu\u031bo\u031b\u0300ng 28\u200b15") == "Mường 2815"
    True
    """
    return unicodedata.normalize("NFC", str(text)).translate(_ZERO_WIDTH)


_ALL_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d"), "-")


def match_form(text: str) -> str:
    """A form for *finding* one text in another whatever each went through: :func:`visible_text`, every dash and
    minus sign as ``-``, every space (non-breaking, thin, tab, line break) removed. ``raw`` of a data row is looked
    for on its cited source line in this form, so a cell normalised on the way in (``−5%`` → ``-5%``,
    ``2\u00a0815`` → ``2 815``) is still found on the line it came from.

    >>> match_form("\u2212 2\u00a0815 ha") == match_form("- 2 815 ha") == "-2815ha"
    True
    """
    return re.sub(r"\s+", "", visible_text(text).translate(_ALL_DASHES))


def fold(text: str) -> str:
    """NFC, lower case, whitespace collapsed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", str(text))).strip().lower()


def syllables(text: str) -> list[str]:
    """The words (syllables) of a Vietnamese text, folded: ``'Diện tích cà phê'`` → ``['diện', 'tích', 'cà', 'phê']``."""
    return re.findall(r"[^\W_]+", fold(text))


def slugify(text: str, max_len: int = 48) -> str:
    """An ascii id: ``'Diện tích cà phê có hiệu quả'`` → ``'dien_tich_ca_phe_co_hieu_qua'``."""
    text = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    words = re.findall(r"[a-z0-9]+", text)
    out = ""
    for w in words:
        if len(out) + len(w) + (1 if out else 0) > max_len:
            break
        out = f"{out}_{w}" if out else w
    return out or "chi_tieu"


def clean_cell(text: object) -> str:
    """A cell's text on one line, through :func:`normalise` (NFC, no zero-width characters, odd spaces as spaces,
    a minus sign as ``-``), tabs and line breaks as spaces, runs of spaces collapsed, trimmed."""
    if text is None:
        return ""
    return re.sub(r"\s+", " ", normalise(str(text))).strip()


def decode_text(raw: bytes, name: str) -> tuple[str, str]:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16 (BOM, or the NUL bytes of ASCII text), else
    Windows-1258 (Vietnamese). Returns ``(text, encoding)``; raises :class:`InputError` when empty or unreadable."""
    if not raw.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise InputError(f"{name}: tệp rỗng (empty file)")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return unicodedata.normalize("NFC", raw.decode("utf-16")), "utf-16"
        except UnicodeDecodeError as exc:
            raise InputError(f"{name}: tệp UTF-16 hỏng ở byte {exc.start} (broken UTF-16 file)") from None
    sample = raw[:4000]
    if sample.count(b"\x00") > len(sample) // 4:  # UTF-16 without a BOM: every other byte of ASCII text is 0
        enc = "utf-16-le" if sample[1:2] == b"\x00" else "utf-16-be"
        try:
            return unicodedata.normalize("NFC", raw.decode(enc)), enc
        except UnicodeDecodeError:
            raise InputError(f"{name}: không đọc được (có byte 0 nhưng không phải UTF-16)") from None
    try:
        return unicodedata.normalize("NFC", raw.decode("utf-8-sig")), "utf-8"
    except UnicodeDecodeError as exc:
        bad_at = exc.start
    try:
        text = raw.decode("cp1258")
    except UnicodeDecodeError:
        line = raw[:bad_at].count(b"\n") + 1
        raise InputError(f"{name}, dòng {line}: tệp không phải UTF-8, UTF-16 hay Windows-1258 "
                         "(save it as UTF-8)") from None
    text = unicodedata.normalize("NFC", text)
    if not re.search(r"[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", text.lower()):
        line = raw[:bad_at].count(b"\n") + 1
        raise InputError(f"{name}, dòng {line}: tệp không phải UTF-8 và không giống tiếng Việt Windows-1258 "
                         "(save it as UTF-8)")
    return text, "cp1258"


def read_text_file(path: Path) -> tuple[list[str], str]:
    """The lines of a text file (any of the encodings :func:`decode_text` knows) and the encoding used."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: không có tệp này (file not found)") from None
    except OSError as exc:
        raise InputError(f"{path}: không đọc được tệp ({exc.strerror})") from None
    text, enc = decode_text(raw, path.name)
    return text.splitlines(), enc  # as chitieu.data reads data/sources/: line numbers agree


