"""Reading a clerk's files: the only place that turns bytes on disk into text.

Whatever editor saved it (Word paste, macOS NFD, Windows CRLF, a BOM), the rest of
phuongnews sees NFC text with \\n line ends, or gets an error saying why it could not.
"""

from __future__ import annotations

from pathlib import Path

from phuongnews.errors import ErrorList
from phuongnews.vietnamese import nfc

MAX_SOURCE_BYTES = 10 * 1024 * 1024  # a post is a few KB; anything this big was saved by mistake


def decode_source(data: bytes, source: str, errors: ErrorList) -> str | None:
    if looks_utf16(data):
        errors.add(source, 1, "source.utf16")
        return None
    if b"\x00" in data:
        errors.add(source, data[: data.index(b"\x00")].count(b"\n") + 1, "source.binary")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        errors.add(source, data[: exc.start].count(b"\n") + 1, "source.not_utf8")
        return None
    if not text.strip():  # nothing but blanks: say so, rather than "no front-matter"
        errors.add(source, None, "source.empty")
        return None
    return nfc(text.replace("\r\n", "\n").replace("\r", "\n"))


def looks_utf16(data: bytes) -> bool:
    """A UTF-16 BOM, or (saved without one) NUL bytes on one side of every character only,
    as ASCII letters give in UTF-16; a binary file has NULs anywhere."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    even, odd = data[0::2].count(0), data[1::2].count(0)
    return len(data) % 2 == 0 and (even == 0) != (odd == 0) and 4 * (even + odd) >= len(data)


def read_source(path: Path, source: str, errors: ErrorList) -> str | None:
    try:
        if _too_large(path.stat().st_size, source, errors):
            return None
        data = path.read_bytes()
    except PermissionError:
        errors.add(source, None, "source.no_permission")
        return None
    except OSError as exc:
        errors.add(source, None, "source.unreadable", reason=exc.strerror or str(exc))
        return None
    return decode_source(data, source, errors)


def source_from_bytes(data: bytes, source: str, errors: ErrorList) -> str | None:
    """What read_source gives for a file whose bytes were read already (to digest them)."""
    if _too_large(len(data), source, errors):
        return None
    return decode_source(data, source, errors)


def _too_large(size: int, source: str, errors: ErrorList) -> bool:
    if size <= MAX_SOURCE_BYTES:
        return False
    errors.add(source, None, "source.too_large", megabytes=size // (1024 * 1024))
    return True


def relative_name(path: Path, site_dir: Path) -> str:
    """How a clerk names a file: relative to the site folder, with forward slashes."""
    try:
        return nfc(path.relative_to(site_dir).as_posix())
    except ValueError:
        return nfc(path.as_posix())
