"""Split a post into its YAML front-matter and Markdown body, keeping line numbers."""

from __future__ import annotations

from dataclasses import dataclass

from phuongnews.errors import ErrorList

_FENCE = "---"
_CLOSERS = ("---", "...")


@dataclass(frozen=True)
class Split:
    yaml_text: str
    yaml_first_line: int  # line of the file where the YAML starts (after the opening ---)
    body: str
    body_first_line: int


def split_front_matter(text: str, source: str, errors: ErrorList) -> Split | None:
    """`text` is already decoded, NFC and with \\n line ends."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != _FENCE:
        first = next((i for i, line in enumerate(lines) if line.strip()), None)
        if first is not None and lines[first].rstrip() == _FENCE:
            errors.add(source, first + 1, "frontmatter.leading_blank")
        else:
            errors.add(source, 1, "frontmatter.missing")
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() in _CLOSERS:
            return Split(
                yaml_text="\n".join(lines[1:index]),
                yaml_first_line=2,
                body="\n".join(lines[index + 1 :]),
                body_first_line=index + 2,
            )
    errors.add(source, 1, "frontmatter.unterminated")
    return None
