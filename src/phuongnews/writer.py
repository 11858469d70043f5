"""The only writer: the whole site is written next to the output folder and swapped in only
when complete, so a failed or killed build leaves the previous site as it was."""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

MARKER = ".phuongnews-output"  # marks a folder as ours, so we may replace it next time
_JUNK = {".DS_Store", "Thumbs.db", "desktop.ini"}


class OutputRefused(Exception):
    """The output folder is not ours to replace; `code` names the message."""

    def __init__(self, code: str, folder: Path):
        super().__init__(code)
        self.code, self.folder = code, folder


def check_output_folder(out_dir: Path, site_dir: Path) -> None:
    """Refuse, before anything is touched, an output folder whose replacement would lose work."""
    out, site = out_dir.resolve(), site_dir.resolve()
    home = Path.home().resolve()
    if out == site or out in site.parents or out == home or out == Path(out.anchor):
        raise OutputRefused("output.contains_site", out_dir)
    for protected in ("content", "templates", "static"):
        if out == site / protected or (site / protected) in out.parents:
            raise OutputRefused("output.inside_sources", out_dir)
    if out.exists():
        if not out.is_dir():
            raise OutputRefused("output.not_folder", out_dir)
        # An empty folder, or one holding only what Finder or Explorer leave, loses nothing.
        if any(p.name not in _JUNK for p in out.iterdir()) and not (out / MARKER).is_file():
            raise OutputRefused("output.not_ours", out_dir)


def static_files(static_dir: Path) -> dict[str, Path]:
    """Site-relative path -> file, for everything under static/ but hidden and OS junk files."""
    if not static_dir.is_dir():
        return {}
    found = {}
    for path in sorted(static_dir.rglob("*")):
        relative = path.relative_to(static_dir)
        if path.is_file() and path.name not in _JUNK and not any(p.startswith(".") for p in relative.parts):
            found[relative.as_posix()] = path
    return found


@contextmanager
def _locked(out_dir: Path):
    """Two builds into one folder at once would interleave their swaps: the second waits."""
    lock_path = out_dir.parent / f".{out_dir.name}.phuongnews-lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def write_site(files: dict[str, bytes], statics: dict[str, Path], out_dir: Path) -> None:
    out_dir = out_dir.absolute()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with _locked(out_dir):
        _recover(out_dir)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.phuongnews-tmp-", dir=out_dir.parent))
        try:
            staging.chmod(0o755)  # mkdtemp makes it private; web servers must read it
            for relative, source in statics.items():
                target = staging / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
            for relative, data in files.items():
                target = staging / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            (staging / MARKER).write_text("phuongnews\n", encoding="utf-8")
            _swap(staging, out_dir)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise


def _swap(staging: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    retired = out_dir.parent / f".{out_dir.name}.phuongnews-old-{staging.name.rsplit('-', 1)[-1]}"
    os.rename(out_dir, retired)
    os.rename(staging, out_dir)
    shutil.rmtree(retired, ignore_errors=True)


def _recover(out_dir: Path) -> None:
    """Clean up after a build that was killed: drop its half-written staging folders, and if
    it died between the two renames of a swap, put the previous site back."""
    parent = out_dir.parent
    for leftover in parent.glob(f".{out_dir.name}.phuongnews-tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    # Newest last: if several swaps died, the most recent complete site goes back.
    retired = sorted(parent.glob(f".{out_dir.name}.phuongnews-old-*"), key=lambda p: p.stat().st_mtime_ns)
    if retired and not out_dir.exists():
        os.rename(retired.pop(), out_dir)
    for leftover in retired:
        shutil.rmtree(leftover, ignore_errors=True)
