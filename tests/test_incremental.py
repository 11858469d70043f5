"""Incremental builds are byte-identical to clean builds, and do only the work a change needs.

The property test applies random sequences of edits, additions, deletions, renames, photo,
template, settings and static-file changes, and mistakes, to a small site; after each step an
incremental build (cache on, two worker processes) and a clean build (no cache, an empty
folder) must agree: the same files with the same bytes, or the same errors (and then the
incremental output folder is left as it was)."""

from __future__ import annotations

import dataclasses
import io
import os
import pickle
import re
import shutil
import sqlite3
from pathlib import Path
from typing import NamedTuple

import jinja2
import pytest
from conftest import MINIMAL_CONFIG, REPO, make_site, post
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from PIL import Image

from phuongnews import build as build_module
from phuongnews import content as content_module
from phuongnews import incremental, workers, writer
from phuongnews import search as search_module
from phuongnews.build import BuildOptions, build, verify
from phuongnews import buildcache as buildcache_module
from phuongnews.buildcache import FOLDER, BuildCache
from phuongnews.cli import main
from phuongnews.errors import BuildFailed, SourceError
from phuongnews.fingerprint import FileDigests, known_reducers, signature
from phuongnews.models import Article, Page, Speaker, give_heavy, is_light
from phuongnews.people import Appearance, Person, gather_people
from phuongnews.plan import plan
from phuongnews.render import make_environment, read_names, read_names_kept

YEARS = ("2021", "2022", "2023")
UNITS = ("[mttq]", "[doan-tn]", "[mttq, hoi-ccb]", "[hoi-ccb, doan-tn]")
TITLES = ("Hội nghị tổng kết", "Ra quân Tháng Thanh niên", "Đại hội Chi hội", "Tập huấn nghiệp vụ")


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.stat().st_ino)
            for p in folder.rglob("*") if p.is_file()}


def photo(width: int, height: int, colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def changes_line(out: str) -> str:
    return next(line for line in out.splitlines() if line.startswith("Tệp thay đổi"))


# --- The property: every incremental build is a clean build ----------------------------------

class IncrementalEqualsClean(RuleBasedStateMachine):
    """Random change sequences; after each, the incremental and the clean build agree."""

    def __init__(self):
        super().__init__()
        self.root = Path(self._temporary())
        self.site = make_site(self.root / "site", {
            "content/posts/2023/hoi-nghi.md": post(),
            "content/posts/2022/ra-quan.md": post(title="Ra quân", date="2022-03-26", units="[doan-tn]"),
            "content/posts/2021/dai-hoi.md": post(title="Đại hội", date="2021-06-01", units="[hoi-ccb, mttq]",
                                                   body="Xem [bài ra quân](/tin-tuc/2022/ra-quan/)."),
            "content/pages/gioi-thieu.md": "---\ntitle: Giới thiệu\n---\nPhường Mẫu.\n",
        })
        self.out = self.root / "web"
        self.clean = self.root / "clean"
        self.count = 0
        self.last_good: dict[str, bytes] | None = None

    @staticmethod
    def _temporary() -> str:
        import tempfile
        return tempfile.mkdtemp(prefix="phuongnews-incremental-")

    def teardown(self):
        shutil.rmtree(self.root, ignore_errors=True)

    def _posts(self) -> list[Path]:
        return sorted((self.site / "content/posts").rglob("*.md"))

    def _write(self, relative: str, data: str | bytes) -> None:
        path = self.site / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))

    @initialize()
    def first_build(self):
        self.check()

    # Changes a clerk, an editor or a designer makes.

    @rule(index=st.integers(0, 50), text=st.sampled_from(["Thêm một câu.", "Đ/c Hồ Sỹ Tùng phát biểu.", "**Đậm**"]))
    def edit_body(self, index, text):
        posts = self._posts()
        if posts:
            path = posts[index % len(posts)]
            path.write_text(path.read_text(encoding="utf-8") + f"\n{text}\n", encoding="utf-8")

    @rule(index=st.integers(0, 50), title=st.sampled_from(TITLES), year=st.sampled_from(YEARS),
          units=st.sampled_from(UNITS))
    def rewrite_front_matter(self, index, title, year, units):
        posts = self._posts()
        if posts:
            path = posts[index % len(posts)]
            body = path.read_text(encoding="utf-8").split("---\n", 2)[2]
            path.write_text(post(title=title, date=f"{year}-05-0{index % 9 + 1}", units=units, body=body),
                            encoding="utf-8")

    @rule(year=st.sampled_from(YEARS), units=st.sampled_from(UNITS), title=st.sampled_from(TITLES),
          speaker=st.sampled_from([None, "Đ/c Hồ Sỹ Tùng", "Nguyễn Văn An"]),
          tasks=st.sampled_from([None, "all", "last"]), alias=st.booleans())
    def add_post(self, year, units, title, speaker, tasks, alias):
        self.count += 1
        extra = f"speakers:\n  - name: {speaker}\n    role: Bí thư\n" if speaker else ""
        if tasks is not None:  # a task list for all the post's units, or for its last one
            unit = f"    unit: {units.strip('[]').split(', ')[-1]}\n" if tasks == "last" else ""
            extra += f"tasks:\n  - year: {int(year) + 1}\n{unit}    title: Nhiệm vụ năm {int(year) + 1}\n    items:\n      - Việc {self.count}\n"
        if alias:  # an old address: a redirect page
            extra += f"aliases: [/index.php/tin/{self.count}.html]\n"
        self._write(f"content/posts/{year}/bai-moi-{self.count}.md", post(title=f"{title} {self.count}",
                                                                           date=f"{year}-09-1{self.count % 9}",
                                                                           units=units, extra=extra))

    @rule(index=st.integers(0, 50))
    def delete_post(self, index):
        posts = self._posts()
        if len(posts) > 1:
            posts[index % len(posts)].unlink()

    @rule(index=st.integers(0, 50))
    def rename_post(self, index):
        posts = self._posts()
        if posts:
            self.count += 1
            path = posts[index % len(posts)]
            path.rename(path.with_name(f"doi-ten-{self.count}.md"))

    @rule(index=st.integers(0, 50), draft=st.booleans())
    def toggle_draft(self, index, draft):
        posts = self._posts()
        if posts:
            path = posts[index % len(posts)]
            text = path.read_text(encoding="utf-8").replace("draft: true\n", "")
            if draft:
                text = text.replace("---\n", "---\ndraft: true\n", 1)
            path.write_text(text, encoding="utf-8")

    @rule(index=st.integers(0, 50), size=st.sampled_from([(64, 48), (48, 64), (80, 60)]))
    def show_a_photo(self, index, size):
        posts = self._posts()
        if posts:
            path = posts[index % len(posts)]
            (path.parent / "anh.jpg").write_bytes(photo(*size))
            path.write_text(path.read_text(encoding="utf-8") + "\n![Quang cảnh hội nghị](anh.jpg)\n",
                            encoding="utf-8")

    @rule(index=st.integers(0, 50), size=st.sampled_from([(64, 48), (96, 40)]))
    def replace_a_photo(self, index, size):
        photos = sorted((self.site / "content/posts").rglob("*.jpg"))
        if photos:
            photos[index % len(photos)].write_bytes(photo(*size, colour="blue"))

    @rule(index=st.integers(0, 50))
    def delete_a_photo(self, index):  # its posts now fail: a missing image is an error
        photos = sorted((self.site / "content/posts").rglob("*.jpg"))
        if photos:
            photos[index % len(photos)].unlink()

    @rule(index=st.integers(0, 50))
    def link_nowhere(self, index):  # a broken link is an error
        posts = self._posts()
        if posts:
            path = posts[index % len(posts)]
            path.write_text(path.read_text(encoding="utf-8") + "\n[xem](/khong-co-trang-nay/)\n", encoding="utf-8")

    @rule()
    def mend_links(self):
        for path in self._posts():
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace("[xem](/khong-co-trang-nay/)", "xem"), encoding="utf-8")

    @rule(text=st.sampled_from(["Giới thiệu chung.", "Phường Mẫu có 12 tổ dân phố."]))
    def edit_page(self, text):
        self._write("content/pages/gioi-thieu.md", f"---\ntitle: Giới thiệu\n---\n{text}\n")

    @rule(word=st.sampled_from(["Trang chủ", "Trang đầu"]))
    def edit_template(self, word):
        path = self.site / "templates/base.html"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("Trang chủ", word).replace("Trang đầu", word), encoding="utf-8")

    @rule(shown=st.booleans())
    def show_appearance_count(self, shown):  # a value the stock person.html does not read
        path = self.site / "templates/person.html"
        text = path.read_text(encoding="utf-8").replace("<p>{{ appearance_count }} lần</p>\n", "")
        if shown:
            text = text.replace("<ol class", "<p>{{ appearance_count }} lần</p>\n<ol class", 1)
        path.write_text(text, encoding="utf-8")

    @rule(per_page=st.sampled_from([1, 2, 5]), title=st.sampled_from(["Phường Mẫu", "Phường Mới"]))
    def edit_settings(self, per_page, title):
        config = (self.site / "site.yaml").read_text(encoding="utf-8")
        lines = [f"per_page: {per_page}" if line.startswith("per_page:") else
                 f"title: {title}" if line.startswith("title:") else line for line in config.splitlines()]
        (self.site / "site.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    @rule(present=st.booleans())
    def static_file(self, present):
        path = self.site / "static/files/ke-hoach.pdf"
        if present:
            self._write("static/files/ke-hoach.pdf", b"%PDF-1.4 ke hoach " + os.urandom(4).hex().encode())
        elif path.exists():
            path.unlink()

    @rule(how=st.sampled_from(["delete", "rewrite", "stray file", "stray folder"]), index=st.integers(0, 500))
    def tamper_with_the_output(self, how, index):
        # Someone changes the published folder by hand: the next build must still give the
        # clean build's files (a stray file goes), and a refused build leave it as it now is.
        pages = sorted(p for p in self.out.rglob("*.html")) if self.out.is_dir() else []
        if not pages:
            return
        page = pages[index % len(pages)]
        if how == "delete":
            page.unlink()
        elif how == "rewrite":
            page.write_bytes(page.read_bytes().replace(b"</body>", b"<!-- sua tay --></body>"))
        elif how == "stray file":
            (page.parent / "ghi-chu.txt").write_text("tay", encoding="utf-8")
        else:
            (page.parent / "thu-muc-tay").mkdir(exist_ok=True)
            (page.parent / "thu-muc-tay" / "index.html").write_text("tay", encoding="utf-8")
        if self.last_good is not None:
            self.last_good = tree(self.out)

    @rule()
    def touch_without_change(self):
        for path in self._posts()[:2]:
            path.write_bytes(path.read_bytes())  # the stamp moves, the bytes stay

    @rule()
    def nothing(self):
        pass

    # The property.

    @invariant()
    def check(self):
        incremental_result = self._build(BuildOptions(site_dir=self.site, out_dir=self.out, jobs=2))
        shutil.rmtree(self.clean, ignore_errors=True)
        clean_result = self._build(BuildOptions(site_dir=self.site, out_dir=self.clean, jobs=1, cache=False))
        assert incremental_result == clean_result
        if clean_result is None:  # built: the same files, byte for byte
            self.last_good = tree(self.out)
            assert self.last_good == tree(self.clean)
            self._recorded_dates_are_on_disk()
        elif self.last_good is not None:  # refused: the output folder is as the last good build left it
            assert tree(self.out) == self.last_good

    def _recorded_dates_are_on_disk(self):
        # What the next build goes by to know the folder is as left (incremental.as_left):
        # each folder's date as recorded, whichever folders the build looked at again.
        out = self.out.absolute()
        cache = BuildCache(self.site)
        try:
            records, folders = cache.outputs(out), cache.folders(out)
        finally:
            cache.close()
        if folders is not None:
            assert folders == incremental.folder_stamps(out, records)

    @staticmethod
    def _build(options: BuildOptions):
        """None if built, else the errors as a clerk reads them."""
        try:
            build(options)
        except BuildFailed as failed:
            return [error.format("vi") for error in failed.errors]
        return None


@pytest.fixture
def forking_small_sites(monkeypatch):
    """Worker processes even for a handful of pages, so the property covers the parallel path."""
    monkeypatch.setattr(workers, "MIN_ITEMS", 2)


def test_random_change_sequences_build_like_clean_builds(forking_small_sites):
    machine = settings(max_examples=6, stateful_step_count=10, deadline=None,
                       suppress_health_check=list(HealthCheck))(IncrementalEqualsClean)
    machine.TestCase().runTest()


# --- Only the work a change needs ------------------------------------------------------------

SITE = {
    "content/posts/2023/hoi-nghi.md": post(),
    "content/posts/2022/ra-quan.md": post(title="Ra quân", date="2022-03-26", units="[doan-tn]"),
    "content/posts/2021/dai-hoi.md": post(title="Đại hội", date="2021-06-01", units="[hoi-ccb]",
                                          body="Xem [bài ra quân](/tin-tuc/2022/ra-quan/)."),
}


def test_a_rebuild_without_changes_renders_and_writes_nothing(site_factory, tmp_path, capsys):
    site, out = site_factory(SITE), tmp_path / "web"
    assert run(capsys, "build", "--site", str(site), "--out", str(out))[0] == 0
    before = stamps(out)
    code, out_text, err = run(capsys, "build", "--site", str(site), "--out", str(out))
    assert (code, err) == (0, "")
    assert changes_line(out_text) == f"Tệp thay đổi: ghi 0, xóa 0; {len(before) - 1} tệp giữ nguyên (dựng lại 0 trang)."
    assert stamps(out) == before  # same dates, same files: a sync by date and size uploads nothing


def test_one_edited_post_rewrites_only_the_files_whose_bytes_change(site_factory, tmp_path, capsys):
    site, out = site_factory(SITE), tmp_path / "web"
    assert run(capsys, "build", "--site", str(site), "--out", str(out))[0] == 0
    old_bytes, old_stamps = tree(out), stamps(out)
    path = site / "content/posts/2022/ra-quan.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nĐ/c Bí thư Đoàn phát biểu.\n", encoding="utf-8")
    code, out_text, err = run(capsys, "build", "--site", str(site), "--out", str(out))
    assert (code, err) == (0, "")
    new_bytes, new_stamps = tree(out), stamps(out)
    differ = {name for name in new_bytes if new_bytes[name] != old_bytes.get(name)}
    assert "tin-tuc/2022/ra-quan/index.html" in differ
    assert differ == {name for name in new_stamps if new_stamps[name] != old_stamps.get(name)}
    assert changes_line(out_text).startswith(f"Tệp thay đổi: ghi {len(differ)}, xóa 0;")
    assert old_bytes.keys() == new_bytes.keys()


def test_posts_added_removed_or_changed_patch_the_search_index(site_factory, tmp_path, capsys, monkeypatch):
    # The index is patched from its files (indexpatch.py), never assembled from every post's
    # words: the numbers of the other days' posts do not move, so their chunks keep their bytes.
    others = {f"content/posts/2020/tin-{n}.md": post(title=f"Tin số {n}", date=f"2020-05-{n:02d}", units="[mttq]")
              for n in range(1, 13)}
    # Two posts on 1 May: two numbers a day, which the day of two posts added below needs too.
    others["content/posts/2020/tin-1b.md"] = post(title="Tin thêm", date="2020-05-01")
    site, out, clean = site_factory({**SITE, **others}), tmp_path / "web", tmp_path / "clean"
    assert run(capsys, "build", "--site", str(site), "--out", str(out))[0] == 0
    chunks = {path: data for path, data in tree(out).items() if path.startswith("tim-kiem/bai/")}
    assembled = search_module._steps
    patching = []

    def steps(*args):
        assert not patching, "the index was assembled afresh"
        return assembled(*args)

    monkeypatch.setattr(search_module, "_steps", steps)
    changes = [
        ("content/posts/2020/tin-13.md", post(title="Tin số 13", date="2020-05-13", units="[doan-tn]")),  # added
        ("content/posts/2020/tin-13b.md", post(title="Tin thứ hai", date="2020-05-13")),  # the same day
        ("content/posts/2020/tin-5.md", None),  # removed
        ("content/posts/2022/ra-quan.md", post(title="Ra quân tháng Ba", date="2022-03-27")),  # title and date
    ]
    for path, text in changes:
        if text is None:
            (site / path).unlink()
        else:
            (site / path).write_text(text, encoding="utf-8")
        patching.append(path)
        assert run(capsys, "build", "--site", str(site), "--out", str(out))[0] == 0
        patching.clear()
        shutil.rmtree(clean, ignore_errors=True)
        build(BuildOptions(site_dir=site, out_dir=clean, cache=False))
        assert tree(out) == tree(clean), path
    now = tree(out)
    kept = [path for path in chunks if now.get(path) == chunks[path]]
    assert len(kept) >= len(chunks) - 4  # the chunks of 13 and 5 May 2020, and of the moved post's two days


def signed_pages(monkeypatch) -> list[str]:
    """The templates of the pages the next builds sign (serialise), one entry per page."""
    signed: list[str] = []
    real = incremental.signature

    def counting(parts, context, reducers):
        signed.append(parts[-1])
        return real(parts, context, reducers)

    monkeypatch.setattr(incremental, "signature", counting)
    return signed


def test_after_a_few_posts_change_only_the_pages_they_reach_are_signed(site_factory, tmp_path, capsys,
                                                                           monkeypatch):
    others = {f"content/posts/2020/tin-{n}.md": post(title=f"Tin số {n}", date=f"2020-05-{n:02d}", units="[hoi-ccb]")
              for n in range(1, 16)}
    site, out = site_factory({**SITE, **others}), tmp_path / "web"
    # The full build's shortcut, for when the quick one (quickedit.py) cannot serve: many
    # posts edited, photos, an output file touched by hand.
    monkeypatch.setattr(build_module, "build_after_body_edits", lambda *args: None)
    signed = signed_pages(monkeypatch)
    # One process, so that every signing is counted here (workers sign in their own copy).
    build = ("build", "--site", str(site), "--out", str(out), "--jobs", "1")
    assert run(capsys, *build)[0] == 0
    everything, listings = len(signed), signed.count("listing.html")
    path = site / "content/posts/2022/ra-quan.md"
    signed.clear()
    path.write_text(path.read_text(encoding="utf-8") + "\nĐ/c Bí thư Đoàn phát biểu.\n", encoding="utf-8")
    code, out_text, _ = run(capsys, *build, "--verify")
    assert code == 0, out_text
    assert "article.html" in signed and "listing.html" in signed  # its page, the listings it is on …
    assert signed.count("article.html") <= 4  # … itself, its neighbours, the posts it is related to
    assert signed.count("listing.html") < listings / 2  # not the 2020 and hội CCB listings
    assert len(signed) < everything / 2
    signed.clear()  # a second edit: the holdings kept by the first still serve
    path.write_text(path.read_text(encoding="utf-8") + "\nHội nghị bế mạc.\n", encoding="utf-8")
    assert run(capsys, *build, "--verify")[0] == 0
    assert 0 < len(signed) < everything / 2
    signed.clear()  # a title is more than a body: the pages the post reaches (reach.py) are signed
    path.write_text(path.read_text(encoding="utf-8").replace("title: Ra quân", "title: Ra quân tháng Ba"), encoding="utf-8")
    assert run(capsys, *build, "--verify")[0] == 0
    assert "listing.html" in signed and len(signed) < everything
    signed.clear()  # a post added among the hội CCB's of 2020: not the other units' pages, nor 2022's
    added = site / "content/posts/2020/tin-moi.md"
    added.write_text(post(title="Tin mới", date="2020-05-20", units="[hoi-ccb]"), encoding="utf-8")
    code, out_text, _ = run(capsys, *build, "--verify")
    assert code == 0, out_text
    # Itself, its neighbours, the posts within three places of it among the hội CCB's.
    assert "article.html" in signed and signed.count("article.html") <= 1 + 2 + 2 * 3
    assert len(signed) < everything * 3 / 4
    signed.clear()  # and removed again
    added.unlink()
    assert run(capsys, *build, "--verify")[0] == 0
    assert 0 < len(signed) < everything * 3 / 4


def test_after_posts_come_and_go_the_holdings_are_those_of_a_build_that_signed_everything(site_factory, tmp_path):
    # The next build signs only the pages the holdings name for a changed post: after a
    # build that kept most signatures, they must still name every page that holds it.
    others = {f"content/posts/2020/tin-{n}.md": post(title=f"Tin số {n}", date=f"2020-05-{n:02d}", units="[hoi-ccb]",
                                                     extra=SPEAKER if n % 3 == 0 else "") for n in range(1, 16)}
    site = site_factory({**SITE, **others})
    monkeypatch = pytest.MonkeyPatch()
    with monkeypatch.context() as patched:
        patched.setattr(build_module, "build_after_body_edits", lambda *args: None)
        options = BuildOptions(site_dir=site, out_dir=tmp_path / "web", jobs=1)
        build(options)
        (site / "content/posts/2020/tin-moi.md").write_text(
            post(title="Tin mới", date="2020-05-07", units="[hoi-ccb, mttq]", extra=SPEAKER), encoding="utf-8")
        (site / "content/posts/2020/tin-4.md").unlink()
        build(options)
        build(dataclasses.replace(options, out_dir=tmp_path / "web2"))  # its first: every page signed
    cache = BuildCache(site)
    try:
        kept, fresh = cache.holdings(tmp_path / "web"), cache.holdings(tmp_path / "web2")
    finally:
        cache.close()
    assert (kept.env, kept.posts, kept.paths, kept.digests, kept.keys) == \
           (fresh.env, fresh.posts, fresh.paths, fresh.digests, fresh.keys)
    assert {source: set(paths) for source, paths in kept.held.items()} == \
           {source: set(paths) for source, paths in fresh.held.items()}
    assert set(kept.unheld) == set(fresh.unheld)
    # The people page lists names and counts (people_rows): it holds no post, so an added post
    # does not make every post's list of pages anew, and its name is on no post's list.
    assert "nhan-vat/index.html" in kept.unheld
    assert any("nhan-vat/" in path for paths in kept.held.values() for path in paths)  # the speaker's own pages
    assert not any(path == "nhan-vat/index.html" for paths in kept.held.values() for path in paths)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_page_the_change_does_not_reach_is_still_made_again_if_its_file_was_touched(site_factory, tmp_path,
                                                                                    monkeypatch, forking_small_sites,
                                                                                    jobs):
    # A post added plans only the pages it reaches with their values (plan's posts_planned);
    # a far page whose file someone edited by hand must be rendered, so it is planned whole.
    # With two jobs, the edit is found by the process that looks at the output folder while
    # the site loads (build.py).
    others = {f"content/posts/2020/tin-{n}.md": post(title=f"Tin số {n}", date=f"2020-05-{n:02d}", units="[hoi-ccb]")
              for n in range(1, 16)}
    site, out, clean = site_factory({**SITE, **others}), tmp_path / "web", tmp_path / "clean"
    monkeypatch.setattr(build_module, "build_after_body_edits", lambda *args: None)
    planned = []
    real_plan = build_module.plan
    monkeypatch.setattr(build_module, "plan", lambda *args, **kwargs: planned.append(kwargs) or real_plan(*args, **kwargs))
    build(BuildOptions(site_dir=site, out_dir=out, jobs=jobs))
    far = out / "tin-tuc/2020/tin-2/index.html"
    far.write_bytes(far.read_bytes().replace(b"</body>", b"<!-- sua tay --></body>"))
    (site / "content/posts/2020/tin-moi.md").write_text(post(title="Tin mới", date="2020-05-14", units="[hoi-ccb]"),
                                                         encoding="utf-8")
    planned.clear()
    build(BuildOptions(site_dir=site, out_dir=out, jobs=jobs))
    assert planned[0]["posts_planned"] is not None and "content/posts/2020/tin-2.md" not in planned[0]["posts_planned"]
    assert len(planned) == 2 and "posts_planned" not in planned[1]  # then planned whole, to render it
    build(BuildOptions(site_dir=site, out_dir=clean, cache=False))
    assert tree(out) == tree(clean)


SPEAKER = "speakers:\n  - name: Đ/c Hồ Sỹ Tùng\n    role: Bí thư Đảng ủy phường"


@pytest.mark.parametrize("shows_count", [False, True])
def test_a_value_a_page_cannot_read_does_not_render_it_again(site_factory, tmp_path, capsys, shows_count):
    # A person's pages carry the count of all their appearances, which the stock person.html
    # does not show: a post added on their last page renders that page, not the first one.
    talks = {f"content/posts/2021/hop-{n}.md": post(title=f"Họp lần {n}", date=f"2021-05-{n:02d}", extra=SPEAKER)
             for n in range(10, 15)}  # five: three pages, and a sixth fills the last
    site, out = site_factory({**SITE, **talks}), tmp_path / "web"
    if shows_count:  # a theme that shows it: every page of theirs changes, and is rendered
        person = site / "templates/person.html"
        person.write_text(person.read_text(encoding="utf-8").replace(
            "<ol class", "<p>{{ appearance_count }} lần phát biểu</p>\n<ol class"), encoding="utf-8")
    build = ("build", "--site", str(site), "--out", str(out))
    assert run(capsys, *build)[0] == 0
    first_page = out / "nhan-vat/ho-sy-tung/index.html"
    before = first_page.read_bytes()
    (site / "content/posts/2021/hop-09.md").write_text(
        post(title="Họp lần 9", date="2021-05-09", extra=SPEAKER), encoding="utf-8")
    code, out_text, err = run(capsys, *build, "--verify")
    assert (code, err) == (0, ""), out_text
    assert (first_page.read_bytes() != before) is shows_count
    written, rendered = re.fullmatch(r"Tệp thay đổi: ghi (\d+), xóa 0; \d+ tệp giữ nguyên \(dựng lại (\d+) trang\)\.",
                                     changes_line(out_text)).groups()
    assert written == rendered  # nothing rendered again only to give the bytes already there


def test_the_values_a_template_can_read_are_found_through_the_templates_it_uses(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    for name, text in {
        "page.html": "{% extends 'base.html' %}{% block main %}{{ title }}{% endblock %}",
        "base.html": "{% include '_head.html' %}{% block main %}{% endblock %}{{ footer }}",
        "_head.html": "{% import '_macros.html' as m with context %}{{ m.heading(meta) }}",
        "_macros.html": "{% macro heading(x) %}{{ x }}{{ lang|no_such_filter }}{% endmacro %}",
        "dynamic.html": "{% include chosen %}",
        "broken.html": "{% if %}",
        "missing.html": "{% include '_nowhere.html' %}",
    }.items():
        (templates / name).write_text(text, encoding="utf-8")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates)))
    reads = read_names(env, ["page.html", "_head.html", "dynamic.html", "broken.html", "missing.html"])
    assert {"title", "footer", "meta", "lang"} <= reads["page.html"]
    assert "title" not in reads["_head.html"] and "unused" not in reads["page.html"]
    # Where it cannot be told, every value counts.
    assert reads["dynamic.html"] is None
    assert reads["broken.html"] is None
    assert reads["missing.html"] is None
    # Kept between builds under a key (of the program and templates): found again only for another.
    kept_in, names = tmp_path / "kept", ["page.html", "_head.html", "dynamic.html"]
    found = read_names(env, names)
    assert read_names_kept(env, names, kept_in, "key 1") == found  # found, and kept
    parsed = []
    env.parse = lambda *args: parsed.append(args) or jinja2.Environment.parse(env, *args)
    assert read_names_kept(env, names, kept_in, "key 1") == found and not parsed  # read from the kept file
    assert read_names_kept(env, names, kept_in, "key 2") == found and parsed  # another key: parsed again
    assert len(list(kept_in.iterdir())) == 1  # and the first key's file is gone


def test_a_static_file_replaced_by_one_of_the_same_size_is_published(site_factory, tmp_path, capsys):
    """A clerk swaps the PDF of a plan for its corrected version: same name, same size."""
    site, out = site_factory(SITE), tmp_path / "web"
    document = site / "static/files/ke-hoach.pdf"
    document.parent.mkdir(parents=True)
    for version in (b"%PDF-1.4 ban 1", b"%PDF-1.4 ban 2", b"%PDF-1.4 ban 3"):
        document.write_bytes(version)
        assert run(capsys, "build", "--site", str(site), "--out", str(out))[0] == 0
        assert (out / "files/ke-hoach.pdf").read_bytes() == version


def test_a_clean_build_over_an_old_output_keeps_the_files_that_did_not_change(site_factory, tmp_path, capsys):
    site, out = site_factory(SITE), tmp_path / "web"
    assert run(capsys, "build", "--site", str(site), "--out", str(out), "--no-cache")[0] == 0
    before = stamps(out)
    code, out_text, _ = run(capsys, "build", "--site", str(site), "--out", str(out), "--no-cache")
    assert code == 0 and changes_line(out_text).startswith("Tệp thay đổi: ghi 0, xóa 0;")
    assert stamps(out) == before
    assert not (site / FOLDER).exists()


def test_deleting_a_post_is_refused_while_another_post_links_to_it(site_factory, tmp_path, capsys):
    site, out = site_factory(SITE), tmp_path / "web"
    assert run(capsys, "build", "--site", str(site), "--out", str(out))[0] == 0
    before = tree(out)
    (site / "content/posts/2022/ra-quan.md").unlink()
    code, out_text, err = run(capsys, "build", "--site", str(site), "--out", str(out))
    assert (code, out_text) == (1, "")
    assert err.startswith("content/posts/2021/dai-hoi.md:6: liên kết '/tin-tuc/2022/ra-quan/' không dẫn tới trang"), err
    assert tree(out) == before


def test_a_deleted_post_is_reported_in_every_page_that_still_links_to_it(site_factory, tmp_path, capsys):
    # Enough pages for the unchanged ones to be checked on two processes.
    fillers = {f"content/posts/2020/tin-{n}.md": post(title=f"Tin {n}", date=f"2020-05-{n % 28 + 1:02d}", units="[hoi-ccb]")
               for n in range(60)}
    far = post(title="Nhắc lại", date="2020-01-02", units="[hoi-ccb]",
               body="Xem [bài](/tin-tuc/2022/ra-quan/), [lần nữa](/tin-tuc/2022/ra-quan/).")
    site, out = site_factory({**SITE, **fillers, "content/posts/2020/nhac-lai.md": far}), tmp_path / "web"
    build = ("build", "--site", str(site), "--out", str(out), "--jobs", "2")
    assert run(capsys, *build)[0] == 0
    before = tree(out)
    (site / "content/posts/2022/ra-quan.md").unlink()
    code, out_text, err = run(capsys, *build)
    assert (code, out_text) == (1, "")
    # Its neighbour's page is rendered again and checked; the far post's page is not, and is
    # checked as it is on disk. Each once.
    broken = [line.split(": ")[0] for line in err.splitlines() if "không dẫn tới trang" in line]
    assert broken == ["content/posts/2020/nhac-lai.md:6", "content/posts/2021/dai-hoi.md:6"], err
    assert tree(out) == before


def test_removed_pages_leave_no_empty_folders(site_factory, tmp_path, capsys):
    site, out = site_factory(SITE), tmp_path / "web"
    assert run(capsys, "build", "--site", str(site), "--out", str(out))[0] == 0
    (site / "content/posts/2023/hoi-nghi.md").unlink()
    code, out_text, _ = run(capsys, "build", "--site", str(site), "--out", str(out))
    assert code == 0 and ", xóa 0;" not in changes_line(out_text)
    assert not (out / "tin-tuc/2023").exists()
    shutil.rmtree(tmp_path / "clean", ignore_errors=True)
    assert run(capsys, "build", "--site", str(site), "--out", str(tmp_path / "clean"), "--no-cache")[0] == 0
    assert tree(out) == tree(tmp_path / "clean")


def killed_at_rename(monkeypatch, site: Path, out: Path, rename: int) -> None:
    """A build into `out` that the power stops at its `rename`-th os.replace (its journal's is
    the first of an update's)."""
    real_replace, calls = os.replace, []

    def dies(source, target):
        calls.append(target)
        if len(calls) == rename:
            raise SystemExit("killed")
        return real_replace(source, target)

    monkeypatch.setattr(os, "replace", dies)
    with pytest.raises(SystemExit):
        build(BuildOptions(site_dir=site, out_dir=out, jobs=1))
    monkeypatch.setattr(os, "replace", real_replace)


def test_an_update_interrupted_midway_is_finished_by_the_next_build(site_factory, tmp_path, capsys, monkeypatch):
    site, out = site_factory(SITE), tmp_path / "web"
    assert run(capsys, "build", "--site", str(site), "--out", str(out))[0] == 0
    for name in ("hoi-nghi", "ra-quan"):
        path = next((site / "content/posts").rglob(f"{name}.md"))
        path.write_text(path.read_text(encoding="utf-8") + "\nCâu mới.\n", encoding="utf-8")
    killed_at_rename(monkeypatch, site, out, 4)  # the journal, then two files: then the power goes
    assert list(tmp_path.glob(".web.phuongnews-journal"))  # the half-done update is written down

    assert run(capsys, "build", "--site", str(site), "--out", str(tmp_path / "clean"), "--no-cache")[0] == 0
    writer.tidy(out)  # what every build does first: the update is finished from the journal alone
    assert tree(out) == tree(tmp_path / "clean")
    assert run(capsys, "build", "--site", str(site), "--out", str(out))[0] == 0
    assert tree(out) == tree(tmp_path / "clean")
    assert sorted(p.name for p in tmp_path.iterdir() if "phuongnews-" in p.name and "lock" not in p.name) == []


def test_a_journal_left_before_any_file_moved_is_carried_out_before_the_folder_is_judged(site_factory, tmp_path,
                                                                                         capsys, monkeypatch):
    # Killed once its journal was written but before it moved a file: the folder is still as
    # the last finished build left it. The next build must carry the journal out before it
    # judges the folder, or it trusts files that the journal then replaces.
    site, out = site_factory(SITE), tmp_path / "web"
    assert run(capsys, "build", "--site", str(site), "--out", str(out))[0] == 0
    edited = {name: next((site / "content/posts").rglob(f"{name}.md")) for name in ("hoi-nghi", "ra-quan")}
    before = {name: path.read_text(encoding="utf-8") for name, path in edited.items()}
    for name, path in edited.items():
        path.write_text(before[name] + "\nCâu sẽ bỏ.\n", encoding="utf-8")
    killed_at_rename(monkeypatch, site, out, 2)  # the journal written, no file moved yet
    assert list(tmp_path.glob(".web.phuongnews-journal"))
    # One post put back as it was, the other edited anew: a body edit, for the quick path.
    edited["ra-quan"].write_text(before["ra-quan"], encoding="utf-8")
    edited["hoi-nghi"].write_text(before["hoi-nghi"] + "\nCâu giữ lại.\n", encoding="utf-8")
    for jobs in ("1", "2"):
        assert run(capsys, "build", "--site", str(site), "--out", str(out), "--jobs", jobs)[0] == 0
        assert run(capsys, "build", "--site", str(site), "--out", str(tmp_path / "clean"), "--no-cache")[0] == 0
        assert tree(out) == tree(tmp_path / "clean")
        assert "Câu sẽ bỏ" not in "".join(path.read_text(encoding="utf-8") for path in out.rglob("*.html"))


def test_verify_catches_a_cache_that_lies(site_factory, tmp_path, capsys, monkeypatch):
    site, out = site_factory(SITE), tmp_path / "web"
    # A fault in the dependency tracking: every page keeps the signature the last build recorded.
    real_kept = incremental._kept_signatures

    def stale(outputs, paths, previous, last):
        _, reuse = real_kept(outputs, paths, previous, last)
        return {path: record.signature for path, record in previous.items() if record.signature is not None}, reuse

    monkeypatch.setattr(incremental, "_kept_signatures", stale)
    code, out_text, _ = run(capsys, "build", "--site", str(site), "--out", str(out), "--verify")
    assert code == 0 and out_text.splitlines()[-1].startswith("Kiểm chứng: giống hệt từng byte")
    path = site / "content/posts/2023/hoi-nghi.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Hội nghị tổng kết năm 2023", "Hội nghị sơ kết"),
                    encoding="utf-8")
    code, out_text, err = run(capsys, "build", "--site", str(site), "--out", str(out), "--verify")
    assert code == 1
    assert f"{out / 'tin-tuc/2023/hoi-nghi/index.html'}: tệp này khác với bản dựng từ đầu" in err, err


def test_a_damaged_cache_only_costs_a_full_build(site_factory, tmp_path, capsys):
    site, out = site_factory(SITE), tmp_path / "web"
    assert run(capsys, "build", "--site", str(site), "--out", str(out))[0] == 0
    database = site / FOLDER / "cache.sqlite"
    for leftover in database.parent.glob("cache.sqlite-*"):
        leftover.unlink()
    database.write_bytes(b"this is not a database" * 100)
    (site / "content/posts/2023/hoi-nghi.md").write_text(post(title="Tiêu đề mới"), encoding="utf-8")
    code, _, err = run(capsys, "build", "--site", str(site), "--out", str(out), "--verify")
    assert (code, err) == (0, "")
    sqlite3.connect(database).execute("SELECT count(*) FROM parses").fetchone()  # a working cache again


def test_a_cache_of_another_page_size_is_made_afresh(site_factory, tmp_path):
    # A cache an earlier version made on SQLite's 4 KB pages: a page size stays a file's, so
    # the build makes the file again on the pages it reads and writes large rows on.
    site, out = site_factory(SITE), tmp_path / "web"
    database = site / FOLDER / "cache.sqlite"
    database.parent.mkdir(parents=True)
    old = sqlite3.connect(database)
    old.execute("PRAGMA page_size=4096")
    old.execute("CREATE TABLE parses (key TEXT PRIMARY KEY, deps BLOB, value BLOB)")
    old.commit()
    old.close()
    first = build(BuildOptions(site_dir=site, out_dir=out))
    assert sqlite3.connect(database).execute("PRAGMA page_size").fetchone()[0] == buildcache_module.PAGE_SIZE == 65536
    again = build(BuildOptions(site_dir=site, out_dir=out))
    assert first.rendered == first.pages and again.rendered == 0  # a working cache at once


def test_what_workers_sign_and_keep_serves_a_rebuild_on_one_process(site_factory, tmp_path, monkeypatch):
    """A first build signs each page in the worker that renders it, and its parse workers keep
    their parses in the cache themselves: a full rebuild on one process, which signs every
    page here, finds each as the cache recorded it (none rendered) and each post parsed."""
    posts = {f"content/posts/{2020 + i % 4}/bai-{i:03d}.md": post(title=f"Bài số {i}", date=f"{2020 + i % 4}-0{i % 9 + 1}-1{i % 9}",
                                                                 units=UNITS[i % 4], body=f"Nội dung **{i}**.")
             for i in range(120)}
    site, out = site_factory(posts), tmp_path / "web"
    saved_here: list[int] = []
    real_save = BuildCache._save_parses
    monkeypatch.setattr(BuildCache, "_save_parses", lambda cache, new: saved_here.append(len(new)) or real_save(cache, new))
    first = build(BuildOptions(site_dir=site, out_dir=out, jobs=2))
    assert first.rendered == first.pages > 120
    assert saved_here == [0]  # the workers kept every parse
    parsed: list[str] = []
    real_parse = content_module.parse_post
    monkeypatch.setattr(content_module, "parse_post", lambda text, source, *rest: parsed.append(source) or real_parse(text, source, *rest))
    # A moment given: the full path, not the shortcut of a build that finds nothing changed.
    again = build(BuildOptions(site_dir=site, out_dir=out, jobs=1, now=first.now))
    assert (again.rendered, again.written, parsed) == (0, 0, [])


def test_check_keeps_its_parses_for_the_next_check_and_build(site_factory, tmp_path, monkeypatch):
    posts = {f"content/posts/{2020 + i % 4}/bai-{i:03d}.md": post(title=f"Bài số {i}", date=f"{2020 + i % 4}-0{i % 9 + 1}-1{i % 9}",
                                                                 units=UNITS[i % 4], body=f"Nội dung **{i}**.")
             for i in range(120)}
    site = site_factory(posts)
    parsed: list[str] = []
    real_parse = content_module.parse_post
    monkeypatch.setattr(content_module, "parse_post", lambda text, source, *rest: parsed.append(source) or real_parse(text, source, *rest))

    def check(jobs: int = 1) -> int:
        parsed.clear()
        return build_module.check_site(BuildOptions(site_dir=site, jobs=jobs)).pages

    pages = check()
    assert len(parsed) == 120
    assert check() == pages and parsed == []  # nothing parsed again
    edited = site / "content/posts/2021/bai-001.md"
    edited.write_text(posts["content/posts/2021/bai-001.md"] + "\nMột câu nữa.\n", encoding="utf-8")
    assert check() == pages and parsed == ["content/posts/2021/bai-001.md"]
    # A broken post: the check fails, and after the fix parses that file alone.
    broken = site / "content/posts/2022/bai-002.md"
    broken.write_text("---\ntitle: [\n---\n", encoding="utf-8")
    with pytest.raises(BuildFailed):
        check(jobs=2)
    broken.write_text(posts["content/posts/2022/bai-002.md"] + "\nĐã sửa.\n", encoding="utf-8")
    assert check() == pages and parsed == ["content/posts/2022/bai-002.md"]
    broken.write_text(posts["content/posts/2022/bai-002.md"], encoding="utf-8")  # as it was: its parse is kept
    assert check() == pages and parsed == []
    # The build that follows parses nothing, and makes what a build without the cache makes.
    parsed.clear()
    result = build(BuildOptions(site_dir=site, out_dir=tmp_path / "web", jobs=1))
    assert parsed == [] and result.pages == pages
    build(BuildOptions(site_dir=site, out_dir=tmp_path / "clean", jobs=1, cache=False))
    assert tree(tmp_path / "web") == tree(tmp_path / "clean")


def test_check_after_a_build_does_that_builds_work_again_and_writes_nothing(site_factory, tmp_path, capsys, monkeypatch):
    posts = {f"content/posts/{2020 + i % 4}/bai-{i:03d}.md": post(title=f"Bài số {i}", date=f"{2020 + i % 4}-0{i % 9 + 1}-1{i % 9}",
                                                                 units=UNITS[i % 4], body=f"Nội dung **{i}**.")
             for i in range(120)}
    site = site_factory(posts)
    out = site / "public"
    assert run(capsys, "build", "--site", str(site))[0] == 0

    def left() -> tuple:
        """The output folder (bytes and dates) and what the cache knows of it."""
        cache = BuildCache(site)
        try:
            known = (cache.last_build(out.absolute()).state, cache.outputs(out), cache.holdings(out.absolute()))
        finally:
            cache.close()
        return {path.relative_to(out).as_posix(): (path.read_bytes(), path.stat().st_mtime_ns)
                for path in out.rglob("*") if path.is_file()}, known

    def check():
        return build_module.check_site(BuildOptions(site_dir=site))

    before = left()
    pages = check().pages
    assert check().rendered == 0 and left() == before  # nothing changed since the build
    edited = site / "content/posts/2021/bai-001.md"
    edited.write_text(posts["content/posts/2021/bai-001.md"] + "\nMột câu nữa.\n", encoding="utf-8")
    result = check()
    assert 0 < result.rendered < 10 and result.written > 0 and left() == before  # the quick path, not written
    added = site / "content/posts/2023/bai-moi.md"
    added.write_text(post(title="Bài mới", date="2023-05-05", body="Xem [bài cũ](/tin-tuc/2019/khong-co/)."), encoding="utf-8")
    code, _, err = run(capsys, "check", "--site", str(site))
    assert (code, err) == run(capsys, "check", "--site", str(site), "--no-cache")[::2]  # as a check of every page
    assert code == 1 and "content/posts/2023/bai-moi.md:" in err and left() == before
    added.write_text(post(title="Bài mới", date="2023-05-05"), encoding="utf-8")
    result = check()
    assert 0 < result.rendered < pages < result.pages and left() == before
    # The build after the checks takes its own last build as its start, and is a clean build's.
    assert run(capsys, "build", "--site", str(site))[0] == 0
    assert run(capsys, "build", "--site", str(site), "--out", str(tmp_path / "clean"), "--no-cache")[0] == 0
    assert tree(out) == tree(tmp_path / "clean")
    # A killed build's update waiting: the check leaves it to the next build, and checks every page.
    edited.write_text(posts["content/posts/2021/bai-001.md"], encoding="utf-8")
    killed_at_rename(monkeypatch, site, out, 2)
    journal = list(site.glob(".public.phuongnews-journal"))
    assert journal and check().rendered == result.pages and journal[0].exists()


def test_check_reports_what_a_build_reports_on_any_number_of_processes(site_factory, tmp_path, capsys):
    posts = {f"content/posts/{2020 + i % 4}/bai-{i:03d}.md": post(title=f"Bài số {i}", date=f"{2020 + i % 4}-0{i % 9 + 1}-1{i % 9}",
                                                                 units=UNITS[i % 4], body=f"Nội dung **{i}**.")
             for i in range(120)}
    for i in (5, 60, 117):  # broken links in posts far apart: in different workers' chunks
        posts[f"content/posts/{2020 + i % 4}/bai-{i:03d}.md"] = post(title=f"Bài số {i}", date=f"{2020 + i % 4}-01-01",
                                                                    body="Xem [bài cũ](/tin-tuc/2019/khong-co/).")
    site = site_factory(posts)
    (site / "templates/_footer.html").write_text('<footer><a href="/lien-he/">Liên hệ</a></footer>\n', encoding="utf-8")
    built = run(capsys, "build", "--site", str(site), "--out", str(tmp_path / "web"), "--no-cache")
    assert built[0] == 1 and built[2].count("bai-") == 3 and "_footer.html" in built[2]
    for extra in (["--no-cache"], [], []):  # without the cache, then filling it, then from it
        assert run(capsys, "check", "--site", str(site), *extra) == built
    errors = []
    for jobs in (1, 2):
        with pytest.raises(BuildFailed) as failed:
            build_module.check_site(BuildOptions(site_dir=site, jobs=jobs))
        errors.append([(error.path, error.line, error.code) for error in failed.value.errors])
    assert errors[0] == errors[1]


def test_many_posts_on_two_processes_build_as_on_one(site_factory, tmp_path, capsys):
    posts = {f"content/posts/{2020 + i % 4}/bai-{i:03d}.md": post(title=f"Bài số {i}", date=f"{2020 + i % 4}-0{i % 9 + 1}-1{i % 9}",
                                                                 units=UNITS[i % 4], body=f"Nội dung **{i}**.")
             for i in range(120)}
    site = site_factory(posts)
    assert run(capsys, "build", "--site", str(site), "--out", str(tmp_path / "one"), "--jobs", "1", "--no-cache")[0] == 0
    assert run(capsys, "build", "--site", str(site), "--out", str(tmp_path / "two"), "--jobs", "2")[0] == 0
    assert tree(tmp_path / "one") == tree(tmp_path / "two")
    # Errors in many files: every one reported, as with one process.
    for i in (3, 57, 111):
        (site / f"content/posts/{2020 + i % 4}/bai-{i:03d}.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    one = run(capsys, "build", "--site", str(site), "--out", str(tmp_path / "one"), "--jobs", "1", "--no-cache")
    two = run(capsys, "build", "--site", str(site), "--out", str(tmp_path / "two"), "--jobs", "2")
    assert one == two and one[0] == 1 and one[2].count("bai-") == 3


# --- Signatures: what the fast reducers write must tell every value apart ---------------

@dataclasses.dataclass(frozen=True)
class _Card:
    title: str
    count: int


@dataclasses.dataclass(frozen=True)
class _OtherCard:  # the same fields as _Card
    title: str
    count: int


class _Link(NamedTuple):
    number: int
    url: str


def _sign(value) -> str:
    return signature(("env", "listing.html"), {"value": value}, known_reducers((), {}))


@pytest.mark.parametrize("first, second", [
    (_Card("Hội nghị", 1), _Card("Hội nghị", 2)),
    (_Card("Hội nghị", 1), _Card("Hội nghi", 1)),
    (_Card("Hội nghị", 1), _OtherCard("Hội nghị", 1)),  # the type counts
    (_Card("a", 1), ("a", 1)),
    (_Link(1, "/a/"), _Link(2, "/a/")),
    (_Link(1, "/a/"), (1, "/a/")),
    ((_Card("a", 1), _Link(1, "/a/")), (_Card("a", 1), _Link(1, "/b/"))),
])
def test_signatures_of_different_values_differ(first, second):
    assert _sign(first) != _sign(second)
    assert _sign(first) == _sign(dataclasses.replace(first) if dataclasses.is_dataclass(first) else first)


def test_an_attribute_set_beside_a_dataclass_fields_counts():
    # Nothing in phuongnews does this; if something ever did, the page would still be told apart.
    plain, marked = _Card("a", 1), _Card("a", 1)
    object.__setattr__(marked, "extra", "x")
    assert _sign(plain) != _sign(marked)


def test_posts_swapped_for_their_digests_sign_as_the_reducers_would_hold_them():
    # The signer swaps a page's posts (alone, or in a list or tuple) for their digests before
    # pickling (fingerprint.swap_digested); deeper ones go through the reducers. Either way a
    # page holds the same posts, and its signature moves with the digest of each one.
    site = build_module.load_site(BuildOptions(site_dir=REPO))
    outputs = plan(site)
    digests = FileDigests(REPO, None)
    # Every seventh post has no digest: it is serialised whole, and still held.
    digest_of = {id(a): f"d{i}" for i, a in enumerate(site.articles) if i % 7}
    env = make_environment(site, REPO / "templates")
    signer = incremental._Signer(site, digests, digest_of, env, (o.template for o in outputs))
    reducers_alone: list[set[int]] = [set()]
    reducers = incremental.signing_reducers(digest_of, reducers_alone)
    swapped_somewhere = 0
    for output in outputs:
        sig, held = signer(output)
        reducers_alone[0] = set()
        read = signer._reads.get(output.template)  # only the values the template can read are signed
        signature(("env", output.template), {name: value for name, value in output.context.items()
                                             if read is None or name in read}, reducers)
        assert held == reducers_alone[0], output.url
        for article_id in held & digest_of.keys():
            moved = {**digest_of, article_id: "another"}
            other = incremental._Signer(site, digests, moved, env, (o.template for o in outputs))
            assert other(output)[0] != sig, output.url
        swapped_somewhere += any(type(v) is Article or type(v) in (list, tuple) and v and type(v[0]) is Article
                                 for v in output.context.values())
    assert swapped_somewhere > len(site.articles)  # each post's page, and listings


def test_fast_reducers_tell_apart_what_pickle_tells_apart():
    # Against pickle's own way (a state dict): equal values give equal signatures, different
    # values different ones, for dataclasses, named tuples and a person.
    values = [_Card("a", 1), _Card("a", 2), _OtherCard("a", 1), _Link(1, "x"), _Link(1, "y"),
              Person("an", "An", ()), Person("an", "An", (Appearance(None, Speaker("An", "Bí thư", None, "an")),))]
    pickled = [pickle.dumps(value, 5) for value in values]
    signed = [signature((), {"value": value}, incremental.signing_reducers({}, [set()])) for value in values]
    for i in range(len(values)):
        for j in range(len(values)):
            assert (pickled[i] == pickled[j]) == (signed[i] == signed[j])


def test_a_person_is_signed_by_the_posts_and_places_of_their_appearances():
    site = build_module.load_site(BuildOptions(site_dir=REPO))
    people = gather_people(site.articles)
    person = next(p for p in people if len(p.appearances[0].article.speakers) > 1)
    digest_of = {id(a): f"d{i}" for i, a in enumerate(site.articles)}

    def sign(value, digests=digest_of) -> tuple[str, set[int]]:
        held = [set()]
        return signature((), {"value": value}, incremental.signing_reducers(digests, held)), held[0]

    sig, held = sign(person)
    assert held == {id(a.article) for a in person.appearances}
    first = person.appearances[0]
    assert sign(person, {**digest_of, id(first.article): "moved"})[0] != sig  # the post changed
    for speaker in first.article.speakers:  # another speaker of the same post
        if speaker is not first.speaker:
            other = dataclasses.replace(person, appearances=(Appearance(first.article, speaker), *person.appearances[1:]))
            assert sign(other)[0] != sig
    assert sign(dataclasses.replace(person, name=person.name + " A"))[0] != sig
    assert sign(dataclasses.replace(person, appearances=person.appearances[1:]))[0] != sig
    # A speaker that is not the post's own, or a post without a digest: written whole, still held.
    copied = dataclasses.replace(first.speaker)
    loose = dataclasses.replace(person, appearances=(Appearance(first.article, copied), *person.appearances[1:]))
    assert sign(loose)[0] != sig and sign(loose)[1] == held
    assert sign(loose)[0] != sign(dataclasses.replace(person, appearances=(
        Appearance(first.article, dataclasses.replace(first.speaker, role="x")), *person.appearances[1:])))[0]
    unsigned = {key: value for key, value in digest_of.items() if key != id(first.article)}
    assert sign(person, unsigned)[1] == held


@pytest.mark.skipif(not hasattr(os, "fork"), reason="workers fork")
def test_a_first_build_digests_its_sources_in_the_parse_workers_and_the_next_finds_nothing_changed(
        site_factory, tmp_path, monkeypatch):
    site = site_factory({f"content/posts/2023/bai-{n}.md": post(title=f"Bài {n}", date=f"2023-02-{n % 28 + 1:02d}")
                         for n in range(80)})
    notes = tmp_path / "read"
    realpath = FileDigests._realpath

    def noting(self, path):  # asked only when a file is read to be digested
        if "/content/" in path:
            with open(notes, "a") as file:
                file.write(f"{os.getpid()}\n")
        return realpath(self, path)

    monkeypatch.setattr(FileDigests, "_realpath", noting)
    read_again = tmp_path / "read again"
    read_source = content_module.read_source

    def reading(path, source, errors):  # a file read to be parsed, apart from its digest
        with open(read_again, "a") as file:
            file.write(f"{source}\n")
        return read_source(path, source, errors)

    monkeypatch.setattr(content_module, "read_source", reading)
    build(BuildOptions(site_dir=site, jobs=2))
    readers = notes.read_text().split()
    assert len(readers) == 80 and str(os.getpid()) not in readers  # each read once, by a worker
    assert not read_again.exists()  # and parsed from the bytes it was digested from
    notes.unlink()
    again = build(BuildOptions(site_dir=site, jobs=2))
    assert again.rendered == 0 and set(again.timings) == {"total"}  # the state it saved is the sources'
    assert not notes.exists()  # every digest known by its stamp
    (site / "content/posts/2023/bai-7.md").write_text(post(title="Bài bảy", date="2023-02-08"), encoding="utf-8")
    assert build(BuildOptions(site_dir=site, jobs=2)).rendered > 0
    assert notes.read_text().split() == [str(os.getpid())]  # a later build digests what changed, here


def test_cached_parses_read_by_key_or_by_reading_the_table_through_are_the_same(site_factory, tmp_path, monkeypatch):
    site = site_factory(SITE)
    build(BuildOptions(site_dir=site, out_dir=tmp_path / "web", jobs=1))
    cache = BuildCache(site)
    try:
        keys = [key for (key,) in cache.db.execute("SELECT key FROM parses")]
        asked = [*keys[1:], "no-such-key"]
        monkeypatch.setattr(buildcache_module, "SCAN_FROM", len(asked) + 1)
        by_key = cache.parses(asked)
        monkeypatch.setattr(buildcache_module, "SCAN_FROM", 1)
        read_through = cache.parses(asked)
    finally:
        cache.close()
    assert len(keys) >= 3 and by_key.keys() == set(keys[1:])
    assert {key: (deps, repr(value)) for key, (deps, value) in by_key.items()} == \
           {key: (deps, repr(value)) for key, (deps, value) in read_through.items()}


# --- Posts loaded light: bodies read for the pages rendered ----------------------------------

def test_a_light_post_and_its_heavy_part_make_the_post_again(site_factory, tmp_path):
    site = site_factory(SITE)
    built = build(BuildOptions(site_dir=site, out_dir=tmp_path / "web", jobs=1, cache=False))
    for article in built.site.articles:
        light, heavy = buildcache_module.parse_parts((article, (), ()))
        again = pickle.loads(light)[0]
        assert is_light(again) is False and "derived" not in vars(again)  # nothing of the heavy part yet
        give_heavy(again, heavy)
        assert is_light(again)
        assert again == article and again.body_html == article.body_html and again.derived == article.derived
        assert not is_light(again)
        assert pickle.loads(pickle.dumps(again)) == article  # whole again once its heavy part is taken


def test_cached_parses_read_light_are_the_parses_read_whole(site_factory, tmp_path):
    site = site_factory(SITE)
    build(BuildOptions(site_dir=site, out_dir=tmp_path / "web", jobs=1))
    cache = BuildCache(site)
    try:
        keys = [key for (key,) in cache.db.execute("SELECT key FROM parses")]
        whole, light = cache.parses(keys), cache.parses(keys, light=True)
        assert len(whole) == len(keys) == len(light) >= 3
        posts = [key for key in keys if type(light[key][1][0]) is Article]
        assert len(posts) == 3 and all(is_light(light[key][1][0]) for key in posts)
        assert all(light[key] == whole[key] for key in keys)  # bodies included: read from the cache now
        assert all(light[key][1][0].derived == whole[key][1][0].derived for key in posts)
    finally:
        cache.close()


def test_after_an_added_post_only_the_posts_on_pages_rendered_are_read_whole(site_factory, tmp_path):
    others = {f"content/posts/2020/tin-{n}.md": post(title=f"Tin số {n}", date=f"2020-05-{n:02d}", units="[hoi-ccb]")
              for n in range(1, 16)}
    site = site_factory({**SITE, **others, "site.yaml": MINIMAL_CONFIG + "feed_items: 3\n"})
    options = BuildOptions(site_dir=site, out_dir=tmp_path / "web", jobs=1)  # one process: its posts are these
    build(options)
    # The oldest post of all: in no feed, and on a day of its own (the search index is patched).
    (site / "content/posts/2019/tin-cu.md").parent.mkdir()
    (site / "content/posts/2019/tin-cu.md").write_text(post(title="Tin cũ", date="2019-04-30", units="[hoi-ccb]"),
                                                       encoding="utf-8")
    result = build(options)
    light = {article.source for article in result.site.articles if is_light(article)}
    # Its neighbour, and the posts it is related to, were rendered again with their bodies …
    assert not light & {"content/posts/2020/tin-1.md", "content/posts/2020/tin-2.md", "content/posts/2020/tin-3.md"}
    # … the others were planned from what the cache keeps light.
    assert {"content/posts/2022/ra-quan.md", "content/posts/2023/hoi-nghi.md", "content/posts/2020/tin-9.md"} <= light
    assert len(light) >= 12
    assert verify(options)[1] == []


def test_a_build_whose_cache_another_build_changed_meanwhile_stops_and_writes_nothing(site_factory, tmp_path, capsys,
                                                                                        monkeypatch):
    others = {f"content/posts/2020/tin-{n}.md": post(title=f"Tin số {n}", date=f"2020-05-{n:02d}", units="[hoi-ccb]")
              for n in range(1, 16)}
    site, out = site_factory({**SITE, **others}), tmp_path / "web"
    command = ("build", "--site", str(site), "--out", str(out))
    assert run(capsys, *command)[0] == 0
    before = tree(out)
    (site / "content/posts/2020/tin-moi.md").write_text(post(title="Tin mới", date="2020-05-08", units="[hoi-ccb]"),
                                                        encoding="utf-8")
    loaded = build_module.load_site

    def load_then_another_build_saves(*args, **kwargs):
        # Another build of the site, with other settings, keeps its own parses: this one's go.
        site_loaded = loaded(*args, **kwargs)
        db = sqlite3.connect(site / FOLDER / "cache.sqlite")
        db.execute("DELETE FROM parses")
        db.commit()
        db.close()
        return site_loaded

    monkeypatch.setattr(build_module, "load_site", load_then_another_build_saves)
    code, out_text, err = run(capsys, *command)
    assert code == 1, out_text
    assert ".phuongnews-cache/build/cache.sqlite: bộ nhớ đệm của trang đã bị một lần dựng khác thay đổi" in err
    assert "chạy lại lệnh dựng" in err and "Traceback" not in err
    assert tree(out) == before
    monkeypatch.setattr(build_module, "load_site", loaded)
    assert run(capsys, *command, "--verify")[0] == 0  # run again, as the message says


@pytest.mark.skipif(not hasattr(os, "fork"), reason="workers fork")
def test_light_posts_are_read_whole_by_forked_workers_or_stop_the_build_plainly(site_factory, tmp_path,
                                                                              forking_small_sites):
    site = site_factory(SITE)
    build(BuildOptions(site_dir=site, out_dir=tmp_path / "web", jobs=1))
    cache = BuildCache(site)
    try:
        keys = [key for (key,) in cache.db.execute("SELECT key FROM parses")]
        posts = [value[0] for _, value in cache.parses(keys, light=True).values() if type(value[0]) is Article]
        posts.sort(key=lambda article: article.source)
        # Each worker reads them on a connection of its own (one must not cross a fork).
        assert workers.run(lambda article: article.body_html, posts, 2) == \
               [post_whole.body_html for post_whole in sorted(build(BuildOptions(
                   site_dir=site, out_dir=tmp_path / "web2", jobs=1, cache=False)).site.articles,
                   key=lambda article: article.source)]
        assert all(is_light(article) for article in posts)  # the workers' copies were read, not these
        cache.db.execute("DELETE FROM parses")
        with pytest.raises(BuildFailed) as failed:
            workers.run(lambda article: article.body_html, posts, 2)
        assert [error.code for error in failed.value.errors] == ["cache.changed"]
    finally:
        cache.close()


def test_a_build_failure_travels_from_a_worker_whole():
    failed = BuildFailed([SourceError("content/posts/a.md", 3, "cache.changed")])
    again = pickle.loads(pickle.dumps(failed))
    assert type(again) is BuildFailed and again.errors == failed.errors
