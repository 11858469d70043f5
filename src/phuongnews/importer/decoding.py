"""Bytes from the old portal -> NFC text, or a reason why not.

Accepted: UTF-8 (with or without BOM), UTF-16 (with a BOM, or without one when the NUL
pattern shows it), Windows-1258. Text in a legacy 8-bit *font* encoding (TCVN3/ABC, VNI)
is recognised and refused: decoded as anything else it would be imported as garbage.
"""

from __future__ import annotations

from dataclasses import dataclass

from phuongnews.sources import looks_utf16
from phuongnews.vietnamese import nfc

# Windows-1258 bytes that Vietnamese written in Windows-1258 never uses, but that TCVN3 (ABC)
# puts on its commonest letters: ă â ê ô ơ ư đ are 0xA8-0xAE, toned vowels fill 0xB5-0xBF.
_TCVN3_BYTES = frozenset(range(0xA1, 0xC0))
# VNI-Windows writes a base letter followed by a mark byte; in Windows-1258 those marks read as
# ä å ï ñ ö ø û (and capitals), none of which Vietnamese uses.
_VNI_BYTES = frozenset(b"\xe4\xe5\xef\xf1\xf6\xf8\xfb\xc4\xc5\xcf\xd1\xd6\xd8\xdb")
# The same glyphs after such text was pasted as Unicode (a TCVN3 font shows "Hội nghị" as "Héi nghÞ").
_TCVN3_CHARS = frozenset("¡¢£¤¥¦§¨©ª«¬®¯°±²³´µ¶·¸¹º»¼½¾¿ÆÇÎÏÞßæçîïþ")
_VNI_CHARS = frozenset("äåïñöøûÄÅÏÑÖØÛ")
_VIETNAMESE_LATIN1 = frozenset("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ")


@dataclass(frozen=True)
class Decoded:
    text: str | None
    encoding: str | None = None  # what it was read as: utf-8, utf-16, windows-1258
    refused: str | None = None  # message code when text is None
    params: tuple = ()


def decode(data: bytes) -> Decoded:
    if data.startswith(b"\xef\xbb\xbf"):
        return _checked(data[3:].decode("utf-8", errors="replace"), "utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _checked(data.decode("utf-16", errors="replace"), "utf-16")
    if len(data) >= 4 and looks_utf16(data):
        even_zero = data[0::2].count(0) > data[1::2].count(0)
        return _checked(data.decode("utf-16-be" if even_zero else "utf-16-le", errors="replace"), "utf-16")
    if b"\x00" in data:
        return Decoded(None, refused="import.binary")
    try:
        return _checked(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    legacy = _legacy_bytes(data)
    if legacy:
        return Decoded(None, refused="import.legacy_font", params=(("encoding", legacy),))
    return _checked(data.decode("cp1258", errors="replace"), "windows-1258")


def _checked(text: str, encoding: str) -> Decoded:
    legacy = legacy_font(text)
    if legacy:
        return Decoded(None, encoding, refused="import.legacy_font", params=(("encoding", legacy),))
    text = nfc(text.replace("\r\n", "\n").replace("\r", "\n")).lstrip("\ufeff")
    if not text.strip():
        return Decoded(None, encoding, refused="import.empty")
    return Decoded(text, encoding)


def _legacy_bytes(data: bytes) -> str | None:
    high = [b for b in data if b >= 0x80]
    if len(high) < 5:
        return None
    tcvn = sum(b in _TCVN3_BYTES for b in high) / len(high)
    vni = sum(b in _VNI_BYTES for b in high) / len(high)
    if tcvn >= 0.25 and tcvn >= vni:
        return "TCVN3"
    if vni >= 0.2:
        return "VNI"
    return None


def legacy_font(text: str) -> str | None:
    """TCVN3 or VNI when Unicode text shows the glyphs of a legacy-font document."""
    foreign = [ch for ch in text if ord(ch) >= 0x80 and ch.isalpha() or ch in _TCVN3_CHARS]
    if len(foreign) < 5:
        return None
    suspicious = [ch for ch in foreign if "\u00a0" < ch <= "\u00ff" and ch not in _VIETNAMESE_LATIN1]
    if len(suspicious) < 0.25 * len(foreign):
        return None
    vni = sum(ch in _VNI_CHARS for ch in suspicious)
    return "VNI" if vni > len(suspicious) / 2 else "TCVN3"
