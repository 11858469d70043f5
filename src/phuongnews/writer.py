"""The only writer. New files are written next to the output folder and put in place only
when complete, so a failed or killed build leaves the previous site as it was: a first build
swaps the whole folder in; later builds replace just the files that changed, through a
journal (see `Staging`), so that unchanged files keep their dates and a deploy that syncs by
date and size uploads only what changed."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

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
    """Replace the output folder with exactly these files."""
    with Staging.open(out_dir, fresh=True) as staging:
        for relative, source in statics.items():
            staging.copy(relative, source)
        for relative, data in files.items():
            staging.put(relative, data)
        staging.commit(removed=())


class Staging:
    """Files of the next site, written beside the output folder until `commit`.

    A *fresh* staging holds the whole site and is swapped in with two renames. An *update*
    holds only the files that changed: `commit` first writes a journal of what it will replace
    and remove, then does it file by file, then drops the journal. If the build is killed before
    the journal is written, the output is untouched; if after, the next build (which must take
    the same lock) finishes the update from the journal before doing anything else. Either
    way nobody ever builds on a half-written site."""

    def __init__(self, out_dir: Path, folder: Path, fresh: bool):
        self.out_dir, self.folder, self.fresh = out_dir, folder, fresh
        self.written: list[str] = []
        self._made: set[str] = set()  # folders put() has made

    @classmethod
    @contextmanager
    def open(cls, out_dir: Path, fresh: bool, dry: bool = False):
        """`dry`: an Unwritten in its place, for a build that writes nothing."""
        if dry:
            yield Unwritten()
            return
        out_dir = out_dir.absolute()
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        with _locked(out_dir):
            _recover(out_dir)
            fresh = fresh or not (out_dir / MARKER).is_file()
            folder = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.phuongnews-tmp-", dir=out_dir.parent))
            try:
                folder.chmod(0o755)  # mkdtemp makes it private; web servers must read it
                yield cls(out_dir, folder, fresh)
            finally:
                # Once its journal is written, the update is finished by whoever comes next.
                if not _journal_path(out_dir).exists():
                    shutil.rmtree(folder, ignore_errors=True)

    def put(self, relative: str, data: bytes) -> os.stat_result:
        """Write the file; its stat once written, which moving it into place does not change
        (taken here, a worker's, rather than by a stat of every path once all are written)."""
        # Plain os calls on strings: Path.write_bytes adds a file object and three system
        # calls (fstat, ioctl, lseek) to each of 14,000 pages.
        target = f"{self.folder}/{relative}"
        folder = target.rpartition("/")[0]
        if folder not in self._made:
            _make_folder(folder)
            self._made.add(folder)
        handle = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(handle, view):]
            info = os.fstat(handle)
        finally:
            os.close(handle)
        self.written.append(relative)
        return info

    def copy(self, relative: str, source: Path) -> None:
        target = self.folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        self.written.append(relative)

    def commit(self, removed) -> None:
        """Make the output folder the new site; `removed`: its files the new site no longer has."""
        if self.fresh:
            (self.folder / MARKER).write_text("phuongnews\n", encoding="utf-8")
            _swap(self.folder, self.out_dir)
            return
        journal = _journal_path(self.out_dir)
        entries = {"staging": self.folder.name, "replace": sorted(set(self.written)), "remove": sorted(set(removed))}
        temporary = journal.with_name(journal.name + ".new")
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(entries, handle, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, journal)  # from here on, the update is as good as done
        _apply(journal)


class _Stat(NamedTuple):
    st_size: int
    st_mtime_ns: int


class Unwritten:
    """Staging's stand-in for a build that writes nothing (`phuongnews check`, build's
    BuildOptions.dry): it notes what would be written, and writes it nowhere."""

    fresh = False

    def __init__(self):
        self.written: list[str] = []

    def put(self, relative: str, data: bytes) -> _Stat:
        self.written.append(relative)
        return _Stat(len(data), 0)

    def copy(self, relative: str, source: Path) -> None:
        self.written.append(relative)

    def commit(self, removed) -> None:
        pass


def interrupted(out_dir: Path) -> bool:
    """Whether a killed build left an update of `out_dir` for the next build to finish."""
    return _journal_path(out_dir.absolute()).exists()


def _make_folder(folder: str) -> None:
    """os.makedirs(folder, exist_ok=True), less its look at the parent before each folder it
    makes (a stat call for each of a site's 13,500 folders): the parent is made only when
    making the folder says it is missing."""
    try:
        os.mkdir(folder)
    except FileExistsError:
        pass  # made by another worker; if it is a file, writing into it says so
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)


def tidy(out_dir: Path) -> None:
    """Finish or clean up after a build that was killed, as every build does first."""
    out_dir = out_dir.absolute()
    if out_dir.parent.is_dir():
        with _locked(out_dir):
            _recover(out_dir)


def _journal_path(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}.phuongnews-journal"


def _apply(journal: Path) -> None:
    """Carry out a journal's update; safe to repeat from any point it was interrupted at."""
    entries = json.loads(journal.read_text(encoding="utf-8"))
    out_dir = journal.parent / journal.name[1:].removesuffix(".phuongnews-journal")
    staging = journal.parent / entries["staging"]
    for relative in entries["replace"]:
        source = staging / relative
        if source.exists():  # else moved already, before an interruption
            target = out_dir / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
    for relative in entries["remove"]:
        target = out_dir / relative
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
        _prune_empty(target.parent, out_dir)
    shutil.rmtree(staging, ignore_errors=True)
    journal.unlink()


def _prune_empty(folder: Path, root: Path) -> None:
    """Remove folders left empty by removed pages, up to the output folder itself."""
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _swap(staging: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    retired = out_dir.parent / f".{out_dir.name}.phuongnews-old-{staging.name.rsplit('-', 1)[-1]}"
    os.rename(out_dir, retired)
    os.rename(staging, out_dir)
    shutil.rmtree(retired, ignore_errors=True)


def _recover(out_dir: Path) -> None:
    """Clean up after a build that was killed: finish an update whose journal was written,
    drop half-written staging folders, and if it died between the two renames of a swap, put
    the previous site back."""
    parent = out_dir.parent
    journal = _journal_path(out_dir)
    if journal.exists():
        _apply(journal)
    journal.with_name(journal.name + ".new").unlink(missing_ok=True)
    for leftover in parent.glob(f".{out_dir.name}.phuongnews-tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    # Newest last: if several swaps died, the most recent complete site goes back.
    retired = sorted(parent.glob(f".{out_dir.name}.phuongnews-old-*"), key=lambda p: p.stat().st_mtime_ns)
    if retired and not out_dir.exists():
        os.rename(retired.pop(), out_dir)
    for leftover in retired:
        shutil.rmtree(leftover, ignore_errors=True)
