"""Which of the commune's own units a report is about, from site.yaml's names and aliases.

The title decides when it names any unit; otherwise the opening paragraphs do. A mention
qualified by a higher level ("Hội LHPN huyện", "MTTQ thành phố") or used as a person's role
("Bí thư Đảng ủy", "lãnh đạo Đảng ủy") is a guest, not a unit of the post. "các đoàn thể"
(the mass organisations) stands for every unit whose name starts with Hội…/Đoàn…/Công đoàn….
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from phuongnews.config import resolver
from phuongnews.models import SiteConfig
from phuongnews.vietnamese import fold

_HIGHER = re.compile(r"^\s*(?:viet nam\s+)?(?:huyen|thi xa|thanh pho|tinh|quan|trung uong|cap tren|cac cap|tp\b)")
_ROLE_BEFORE = re.compile(r"(?:bi thu|chu tich|lanh dao|dai dien|uy vien|can bo|truong|pho|thuong truc)\s*$")
_MASS = re.compile(r"\b(?:cac\s+)?doan the\b")
_MASS_NAME = re.compile(r"^(?:hoi|doan|cong doan)\b")


def fold_chars(text: str) -> str:
    """fold() that keeps every character in place, so positions match the original text."""
    out = []
    for ch in text:
        low = ch.lower()
        if low == "đ":
            out.append("d")
            continue
        base = "".join(c for c in unicodedata.normalize("NFD", low) if not unicodedata.combining(c))
        out.append(base[:1] if base else " ")
    return "".join(out)


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    key: str
    label: str  # as written in the text


class UnitMatcher:
    def __init__(self, config: SiteConfig):
        self.config = config
        table = resolver(config)
        labels = sorted(table, key=len, reverse=True)  # "hoi cuu chien binh" before "cuu chien binh"
        self.table = table
        self.pattern = re.compile(r"(?<![a-z0-9])(?:" + "|".join(re.escape(label) for label in labels) + r")(?![a-z0-9])")
        self.mass = tuple(unit.key for unit in config.units if _MASS_NAME.match(fold(unit.name)))

    def mentions(self, text: str, own_only: bool = True) -> list[Mention]:
        folded = fold_chars(text)
        found = []
        for match in self.pattern.finditer(folded):
            after = folded[match.end():match.end() + 20]
            before = folded[max(0, match.start() - 25):match.start()]
            if own_only and (_HIGHER.match(after) or _ROLE_BEFORE.search(before)):
                continue
            found.append(Mention(match.start(), match.end(), self.table[match.group(0)], text[match.start():match.end()]))
        return found

    def resolve(self, label: str) -> str | None:
        """The unit a heading like "* Đoàn Thanh niên phường" or "Đối với Hội CCB phường" names."""
        found = self.mentions(label, own_only=False)
        return found[0].key if found else None

    def units_of(self, title: str, lead: list[str]) -> tuple[list[str], list[str]]:
        """(unit keys, notes): from the title, else from the opening paragraphs."""
        for texts in ([title], lead):
            keys: list[str] = []
            for text in texts:
                keys.extend(mention.key for mention in self.mentions(text))
            grouped = [key for key in self.mass if key not in keys] if any(_MASS.search(fold(t)) for t in texts) else []
            if keys or grouped:
                return list(dict.fromkeys(keys + grouped)), grouped
        return [], []
