"""Golden test: the example site's whole output, byte for byte, against tests/golden/.

After an intended change to the output, regenerate with:
    PHUONGNEWS_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py
and review the diff in git before committing it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from phuongnews.build import BuildOptions, build
from phuongnews.writer import MARKER

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden" / "example"


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != MARKER
    }


def test_example_site_matches_golden_output(tmp_path):
    out = tmp_path / "public"
    result = build(BuildOptions(site_dir=REPO, out_dir=out))
    assert result.posts == 5
    built = _tree(out)
    if os.environ.get("PHUONGNEWS_UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for relative, data in built.items():
            (GOLDEN / relative).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / relative).write_bytes(data)
    expected = _tree(GOLDEN)
    assert sorted(built) == sorted(expected), "the set of output files changed"
    changed = [name for name in built if built[name] != expected[name]]
    assert not changed, f"output differs from tests/golden/example in: {changed[:10]}"
