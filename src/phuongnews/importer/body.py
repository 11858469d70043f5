"""Turning a portal page's text into clean Markdown: portal chrome out, paragraphs and lists in."""

from __future__ import annotations

import re

from phuongnews.vietnamese import fold

# Whole lines that are portal furniture, matched on the folded line (no marks, lower case).
_CHROME = re.compile(
    r"^(?:skip to (?:main )?content|image banner|banner|anh tin bai|anh minh hoa|about|menu|trang chu|"
    r"dang nhap|dang ky|dang xuat|quen mat khau|thong ke truy cap|dang online:?.*|dang truy cap:?.*|"
    r"hom nay:?\s*\d*|hom qua:?\s*\d*|trong tuan:?\s*\d*|trong thang:?\s*\d*|tat ca:?\s*\d*|"
    r"tong so (?:luot truy cap|diem cua bai viet).*|xep hang:.*|click de danh gia bai viet|"
    r"y kien ban doc|cac tin khac|tin lien quan|bai viet lien quan|tin moi hon|tin cu hon|"
    r"nhung tin moi hon|nhung tin cu hon|chia se|in bai viet|in trang|gui bai viet|luu bai viet|"
    r"gui cho ban be|xem them|len dau trang|ve dau trang|quay lai|tweet|share|like|binh luan|"
    r"ban da khong su dung site.*|luot xem:?\s*\d*|so luot xem:?\s*\d*|tu khoa:?.*|"
    r"ma bao mat|gui y kien|ho va ten|email|noi dung|[a-z]?|\.[a-z])$"
)
# After one of these lines nothing more belongs to the article.
_TRAILER = re.compile(
    r"^(?:thong ke truy cap|y kien ban doc|cac tin khac|tin lien quan|bai viet lien quan|"
    r"nhung tin moi hon|nhung tin cu hon|tong so diem cua bai viet.*|ban da khong su dung site.*)$"
)
# Camera file names left where a photo was: "z4012705827385 e0f894bb90c38e5d43cf99fa6932d4a7 (1)",
# "IMG_20230104_101010.jpg", "DSC01234".
_PHOTO_NAME = re.compile(
    r"^(?:z\d{8,}[ _][0-9a-f]{16,}(?:\s*\(\d+\))?|(?:img|dsc|dscn|dji|pxl|mvimg)[_ -]?\d[\w -]*(?:\.\w{3,4})?|"
    r"[\w -]+\.(?:jpe?g|png|gif|webp|heic))$",
    re.IGNORECASE,
)
# Gambling spam that hacked portals carry ("Kubet11", "nhà cái uy tín").
_SPAM = re.compile(
    r"\b(?:ku\s?bet\d*|ku\s?casino|ku11|8xbet|fb88|w88|188bet|m88|fun88|jun88|okvip|new88|shbet|hi88|f8bet|"
    r"mu88|789bet|sv388|bk8|v9bet|12bet|vn88|nhà\s+cái(?:\s+uy\s+tín)?|cá\s+cược|cá\s+độ|casino|nổ\s+hũ|"
    r"bắn\s+cá|tài\s+xỉu|lô\s+đề|soi\s+cầu|game\s+bài|đá\s+gà\s+trực\s+tuyến)\b",
    re.IGNORECASE,
)
_LIST_ITEM = re.compile(r"^\s*(?:[-–+•*]\s*(?=\S)|(?P<n>\d{1,2})\s*[.)]\s*(?=\D))")


def is_chrome(line: str) -> bool:
    folded = fold(line).strip(" .:|•*")
    return bool(_CHROME.match(folded) or _PHOTO_NAME.match(line.strip()))


def is_trailer(line: str) -> bool:
    return bool(_TRAILER.match(fold(line).strip(" .:")))


def spam_words(text: str) -> list[str]:
    return list(dict.fromkeys(match.group(0) for match in _SPAM.finditer(text)))


def remove_spam(text: str) -> str:
    return tidy(_SPAM.sub(" ", text))


def tidy(text: str) -> str:
    """One paragraph's text: single spaces, no space before punctuation, old tone placement
    'uỷ' written 'ủy' as the site does, 'CT – XH' kept as one abbreviation."""
    text = " ".join(text.split())
    text = text.replace("uỷ", "ủy").replace("Uỷ", "Ủy").replace("UỶ", "ỦY")
    text = re.sub(r"\s+([,.;:!?…)”])", r"\1", text)
    text = re.sub(r"([(“])\s+", r"\1", text)
    text = re.sub(r"\b([A-ZĐ]{1,4})\s*[-–]\s*([A-ZĐ]{1,4})\b", r"\1-\2", text)  # CT – XH -> CT-XH
    text = re.sub(r"([.!?])\s*[a-z]$", r"\1", text)  # a stray key hit after the last full stop: "2024 .z"
    text = re.sub(r"\./\.$", ".", text)  # the "./." that ends official texts
    text = re.sub(r"([,;])(?=[^\s\d])", r"\1 ", text)  # "văn minh;góp phần"
    return text.strip()


def list_marker(line: str) -> tuple[str | None, str]:
    """("-", rest) for a dashed item, ("1", rest) for a numbered one, (None, line) otherwise."""
    match = _LIST_ITEM.match(line)
    if not match:
        return None, line
    return (match["n"] or "-"), line[match.end():].strip()


def escape(text: str) -> str:
    """Text that Markdown must show as written: no accidental emphasis, links or HTML."""
    text = text.replace("\\", "\\\\")
    for ch in "`*_[]":
        text = text.replace(ch, "\\" + ch)
    text = text.replace("<", "&lt;")
    if re.match(r"^(?:#|>|\d+[.)]\s|[-+]\s)", text):
        text = "\\" + text if not text[0].isdigit() else re.sub(r"^(\d+)([.)])", r"\1\\\2", text)
    return text


def to_markdown(blocks: list[str]) -> str:
    """Paragraphs separated by blank lines; consecutive list items kept together as a list."""
    out: list[str] = []
    previous_item = False
    for block in blocks:
        marker, rest = list_marker(block)
        if marker is not None and rest:
            item = f"- {escape(tidy(rest))}" if marker == "-" else f"{marker}. {escape(tidy(rest))}"
            if out and not previous_item:
                out.append("")
            out.append(item)
            previous_item = True
        else:
            if out:
                out.append("")
            out.append(escape(tidy(block)))
            previous_item = False
    return "\n".join(out).strip() + "\n" if out else ""
