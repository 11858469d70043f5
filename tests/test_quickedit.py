"""A build after edits of posts' bodies alone (quickedit.py) loads and plans nothing of the
rest of the site, and gives byte for byte what a clean build gives; every other change, and
every doubt, goes to the full build."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from unittest import mock

import jinja2
import pytest
from conftest import post
from hypothesis import given, settings
from hypothesis import strategies as st
from test_incremental import tree
from test_search import _UNITS, _doc, _entry, _Units

from phuongnews import build as build_module
from phuongnews import search
from phuongnews.build import BuildOptions, build
from phuongnews.buildcache import BuildCache
from phuongnews.errors import BuildFailed
from phuongnews.render import BodyReadingEnvironment

SITE = {
    "content/posts/2023/hoi-nghi.md": post(body="Hội nghị tổng kết công tác năm 2023."),
    "content/posts/2022/ra-quan.md": post(title="Ra quân", date="2022-03-26", units="[doan-tn]",
                                          body="Ra quân Tháng Thanh niên."),
    "content/posts/2021/dai-hoi.md": post(title="Đại hội", date="2021-06-01", units="[hoi-ccb, mttq]",
                                          body="Xem [bài ra quân](/tin-tuc/2022/ra-quan/)."),
    "content/pages/gioi-thieu.md": "---\ntitle: Giới thiệu\n---\nPhường Mẫu.\n",
    **{f"content/posts/2020/tin-{n}.md": post(title=f"Tin số {n}", date=f"2020-05-{n:02d}", units="[mttq]",
                                            body=f"Tin ngắn số {n}.") for n in range(1, 8)},
}


class Builds:
    """Builds of one site into one folder, telling which took the quick path."""

    def __init__(self, site: Path, out: Path):
        self.site, self.out = site, out
        self.full = 0
        real = build_module.load_site

        def counting(*args, **kwargs):
            self.full += 1
            return real(*args, **kwargs)

        self._patch = mock.patch.object(build_module, "load_site", counting)
        self._patch.start()

    def __call__(self, **options):
        return build(BuildOptions(site_dir=self.site, out_dir=self.out, jobs=1, **options))

    def quick(self) -> bool:
        """Build; whether the site was built without loading it."""
        before = self.full
        self()
        return self.full == before

    def clean(self, tmp_path: Path) -> dict[str, bytes]:
        folder = tmp_path / "clean"
        shutil.rmtree(folder, ignore_errors=True)
        build(BuildOptions(site_dir=self.site, out_dir=folder, jobs=1, cache=False))
        return tree(folder)

    def stop(self):
        self._patch.stop()


@pytest.fixture
def builds(site_factory, tmp_path):
    made = Builds(site_factory(SITE), tmp_path / "web")
    made()
    yield made
    made.stop()


def append(site: Path, relative: str, text: str) -> None:
    path = site / relative
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


# --- The quick path ---------------------------------------------------------------------------

def test_a_body_edit_is_built_without_loading_the_site_and_as_a_clean_build(builds, tmp_path):
    before = tree(builds.out)
    append(builds.site, "content/posts/2023/hoi-nghi.md", "\nĐ/c Hồ Sỹ Tùng phát biểu chỉ đạo quyết liệt.\n")
    assert builds.quick()
    after = tree(builds.out)
    assert after == builds.clean(tmp_path)
    changed = {path for path in after if after[path] != before.get(path)}
    # The post's page, the feeds that carry its body, and the search index (new words).
    assert "tin-tuc/2023/hoi-nghi/index.html" in changed
    assert "feed.xml" in changed and "don-vi/mttq/feed.xml" in changed
    assert "tim-kiem/chi-muc.json" in changed
    assert not any(path.startswith(("don-vi/mttq/index", "nam/", "sitemap")) for path in changed)


def test_quick_builds_in_a_row_and_a_full_build_after_them_stay_clean(builds, tmp_path):
    for text in ("\nThêm một câu.\n", "\nThêm một câu nữa, có chữ mới: phường Quỳnh Thiện.\n", "\n**Đậm**\n"):
        append(builds.site, "content/posts/2022/ra-quan.md", text)
        assert builds.quick()
        assert tree(builds.out) == builds.clean(tmp_path)
    append(builds.site, "content/posts/2020/tin-3.md", "\nMột câu.\n")
    append(builds.site, "content/posts/2021/dai-hoi.md", "\nHai câu.\n")
    assert builds.quick()  # two posts at once
    assert tree(builds.out) == builds.clean(tmp_path)
    path = builds.site / "content/posts/2022/ra-quan.md"
    path.write_text(path.read_text(encoding="utf-8").replace("title: Ra quân", "title: Ra quân đầu năm"),
                    encoding="utf-8")
    assert not builds.quick()  # a title: planned again
    assert tree(builds.out) == builds.clean(tmp_path)
    append(builds.site, "content/posts/2022/ra-quan.md", "\nLại một câu.\n")
    assert builds.quick()  # what the full build noted serves the next edit
    assert tree(builds.out) == builds.clean(tmp_path)


def test_an_edit_that_removes_words_from_the_index_is_built_quickly(builds, tmp_path):
    path = builds.site / "content/posts/2020/tin-5.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Tin ngắn số 5.", "Khác."), encoding="utf-8")
    assert builds.quick()
    assert tree(builds.out) == builds.clean(tmp_path)


@pytest.mark.parametrize("change", [
    "title", "date", "units", "speakers", "new post", "deleted post", "draft", "page", "template", "settings",
    "static", "hidden file", "broken link", "output edited", "output removed", "output added", "many posts",
])
def test_every_other_change_goes_to_the_full_build(builds, tmp_path, change):
    site = builds.site
    target = site / "content/posts/2022/ra-quan.md"
    text = target.read_text(encoding="utf-8")
    if change == "title":
        target.write_text(text.replace("title: Ra quân", "title: Ra quân năm 2022"), encoding="utf-8")
    elif change == "date":
        target.write_text(text.replace("2022-03-26", "2022-03-27"), encoding="utf-8")
    elif change == "units":
        target.write_text(text.replace("[doan-tn]", "[doan-tn, mttq]"), encoding="utf-8")
    elif change == "speakers":
        target.write_text(text.replace("units:", "speakers:\n  - name: Hồ Sỹ Tùng\n    role: Bí thư\nunits:"),
                          encoding="utf-8")
    elif change == "new post":
        (site / "content/posts/2022/moi.md").write_text(post(title="Mới", date="2022-04-01"), encoding="utf-8")
    elif change == "deleted post":
        (site / "content/posts/2020/tin-2.md").unlink()
    elif change == "draft":  # a post no other links to
        other = site / "content/posts/2020/tin-2.md"
        other.write_text(other.read_text(encoding="utf-8").replace("---\n", "---\ndraft: true\n", 1), encoding="utf-8")
    elif change == "page":
        append(site, "content/pages/gioi-thieu.md", "Thêm.\n")
    elif change == "template":
        append(site, "templates/article.html", "\n")
    elif change == "settings":
        append(site, "site.yaml", "\n# ghi chú\n")
    elif change == "static":
        (site / "static/files").mkdir(exist_ok=True)
        (site / "static/files/ke-hoach.pdf").write_bytes(b"%PDF-1.4")
    elif change == "hidden file":
        (site / "content/posts/2022/.ra-quan.md.swp").write_bytes(b"swap")
        append(site, "content/posts/2022/ra-quan.md", "\nThêm.\n")
    elif change == "broken link":
        append(site, "content/posts/2022/ra-quan.md", "\n[xem](/khong-co-trang-nay/)\n")
    elif change == "output edited":
        append(site, "content/posts/2022/ra-quan.md", "\nThêm.\n")
        (builds.out / "nam/index.html").write_text("sửa tay", encoding="utf-8")
    elif change == "output removed":
        append(site, "content/posts/2022/ra-quan.md", "\nThêm.\n")
        (builds.out / "nam/index.html").unlink()
    elif change == "output added":  # a stray file deep in the output: a clean build has none
        append(site, "content/posts/2022/ra-quan.md", "\nThêm.\n")
        (builds.out / "tin-tuc/2021/dai-hoi/ghi-chu.txt").write_text("tay", encoding="utf-8")
    elif change == "many posts":
        for n in range(1, 8):
            append(site, f"content/posts/2020/tin-{n}.md", "\nThêm.\n")
        append(site, "content/posts/2022/ra-quan.md", "\nThêm.\n")
        append(site, "content/posts/2021/dai-hoi.md", "\nThêm.\n")
    if change == "broken link":  # the full build reports it, as a clean build does
        with pytest.raises(BuildFailed) as failed:
            builds()
        assert [error.code for error in failed.value.errors] == ["link.broken"]
        assert builds.full == 2
        return
    assert not builds.quick()
    assert tree(builds.out) == builds.clean(tmp_path)


def test_a_scheduled_post_coming_due_goes_to_the_full_build(site_factory, tmp_path):
    from datetime import datetime
    site = site_factory({**SITE, "content/posts/2023/hen-gio.md": post(
        title="Hẹn giờ", date="2023-12-01", extra="published: 2030-01-01 08:00")})
    builds = Builds(site, tmp_path / "web")
    try:
        builds()
        append(site, "content/posts/2022/ra-quan.md", "\nThêm.\n")
        assert builds.quick()
        append(site, "content/posts/2022/ra-quan.md", "\nThêm nữa.\n")
        later = datetime(2030, 1, 2, 9, 0).astimezone()
        build_before = builds.full
        build(BuildOptions(site_dir=site, out_dir=builds.out, jobs=1, now=later))
        assert builds.full == build_before + 1
    finally:
        builds.stop()


def test_a_cache_without_readings_never_takes_the_quick_path(builds, tmp_path):
    cache = BuildCache(builds.site)
    cache.db.execute("DELETE FROM sources")
    cache.close()
    append(builds.site, "content/posts/2022/ra-quan.md", "\nThêm.\n")
    assert not builds.quick()
    assert tree(builds.out) == builds.clean(tmp_path)
    append(builds.site, "content/posts/2022/ra-quan.md", "\nThêm nữa.\n")
    assert builds.quick()


def test_the_pages_noted_as_reading_a_body_are_all_that_change_with_it(builds, tmp_path):
    """For every post of the site: a clean build after its body changed differs from the
    last one only in the pages noted as reading that body, and the search index."""
    cache = BuildCache(builds.site)
    readers = {source: set(cache.readers(builds.out.absolute(), [source]))
               for source in sorted(SITE) if source.startswith("content/posts/")}
    cache.close()
    before = builds.clean(tmp_path)
    for source, pages in readers.items():
        assert f"tin-tuc/{source.split('/')[2]}/{Path(source).stem}/index.html" in pages
        original = (builds.site / source).read_text(encoding="utf-8")
        append(builds.site, source, "\nMột câu hoàn toàn mới.\n")
        after = builds.clean(tmp_path)
        (builds.site / source).write_text(original, encoding="utf-8")
        changed = {path for path in after if after[path] != before[path]}
        assert changed - {path for path in changed if path.startswith("tim-kiem/")} <= pages, source


# --- Which pages read a body ------------------------------------------------------------------

@pytest.mark.parametrize(("template", "reads", "shows"), [
    ("{{ post.title }}", False, False),
    ("{{ post }}", False, False),  # a post printed whole shows no body
    ("{{ post.body_html }}", True, True),
    ("{{ post['body_html'] }}", True, True),
    ("{{ post|attr('body_html') }}", True, True),
    ("{{ [post]|map(attribute='body_html')|join }}", True, True),
    ("{{ post.__dict__ }}", True, True),
    ("{{ post.derived }}", True, False),  # made from the body
    ("{% for p in [post] %}{{ p.body_html|length }}{% endfor %}", True, False),
])
def test_a_page_is_noted_as_reading_a_body_whatever_way_the_template_reads_it(template, reads, shows):
    from phuongnews.models import Article
    article = Article(source="content/posts/a.md", slug="a", url="tin-tuc/a/", title="Tiêu đề", date=None,
                      date_has_time=False, published=None, units=(), location=None, author=None, source_name=None,
                      summary=None, cover=None, draft=False, speakers=(), tasks=(), body_html="<p>Thân bài</p>")
    env = BodyReadingEnvironment(undefined=jinja2.StrictUndefined)
    env.body_reads = noted = set()
    text = env.from_string(template).render(post=article)
    assert ("Thân bài" in text) == shows
    assert noted == ({"content/posts/a.md"} if reads else set())


# --- The search index patched from its files --------------------------------------------------

_step = st.lists(st.tuples(st.sampled_from(["words", "words", "add", "remove", "units", "move"]), st.integers(0, 1000),
                           _doc), min_size=1, max_size=3)


@settings(max_examples=150, deadline=None)
@given(st.lists(_doc, min_size=1, max_size=25), st.lists(_step, min_size=1, max_size=6))
def test_an_index_patched_from_its_files_is_a_fresh_one(start, steps):
    """Whatever posts come, go, move to another day or change their words and units, the
    patched files are those assembled afresh, and the patch names every file that changed
    or went; it gives up only when the numbering changes (a day holds more posts than its
    numbers, or so few that fewer numbers do)."""
    made = iter(range(10_000))

    def doc(spec) -> search.SearchEntry:
        year, day, units, title, other = spec
        return _entry(f"tin-tuc/{next(made)}/", year, tuple(sorted(units)), title, other, day)

    docs = [doc(spec) for spec in start]
    config = _Units(_UNITS)
    with mock.patch.object(search, "SHARD_BYTES", 60):
        files = search.assemble(docs, config, "tim-kiem/")
        for step in steps:
            numbering, numbers = search.numbered(docs)
            before = dict(zip(numbers, docs))
            for kind, at, spec in step:
                at %= len(docs)
                year, day, units, title, other = spec
                if kind == "words":
                    docs[at] = _entry(docs[at].url, docs[at].year, docs[at].units, title, other,
                                      int(docs[at].iso_date[-2:]))
                elif kind == "units":
                    docs[at] = dataclasses.replace(docs[at], units=tuple(sorted(units)))
                elif kind == "move":  # another date: another place in the site's order
                    moved = _entry(docs.pop(at).url, year, tuple(sorted(units)), title, other, day)
                    docs.insert(at % (len(docs) + 1), moved)
                elif kind == "add":
                    docs.insert(at % (len(docs) + 1), doc(spec))
                elif len(docs) > 1:
                    docs.pop(at)
            docs.sort(key=lambda d: d.iso_date, reverse=True)  # the site's order: newest first
            now, numbers = search.numbered(docs)
            after = dict(zip(numbers, docs))
            changes = [(n, before.get(n), after.get(n)) for n in sorted(before.keys() | after.keys())
                       if before.get(n) != after.get(n)]
            fresh = search.assemble(docs, config, "tim-kiem/")
            patched = search.patched_files(files.__getitem__, files.keys(), "tim-kiem/", config.units, changes, now)
            if patched is None:
                assert now != numbering
            else:
                assert patched.files == fresh
                assert {name for name in fresh if files.get(name) != fresh[name]} <= patched.changed <= fresh.keys()
                assert patched.gone == files.keys() - fresh.keys()
            files = fresh


def test_an_index_patch_gives_up_when_the_files_are_not_what_it_is_told():
    docs = [_entry(f"tin-tuc/{n}/", 2023, ("mttq",), ["hội", "nghị"], ["phường"], day=10 - n) for n in range(5)]
    config = _Units(_UNITS)
    files = search.assemble(docs, config, "tim-kiem/")
    numbering, numbers = search.numbered(docs)
    new = dataclasses.replace(docs[2], title="Hội nghị mới", title_keys=search._packed_keys("Hội nghị mới"))

    def patch(changes, units=config.units, now=None):
        return search.patched_files(files.__getitem__, files.keys(), "tim-kiem/", units, changes, now)

    assert patch([(numbers[2], docs[2], new)]).files == search.assemble([*docs[:2], new, *docs[3:]], config, "tim-kiem/")
    assert patch([(numbers[2], docs[3], new)]) is None  # another post is at that number
    assert patch([(numbers[2] + 1, docs[2], new)]) is None  # no post is there
    assert patch([(numbers[2], None, new)]) is None  # one is
    renamed = (dataclasses.replace(config.units[0], name="Ủy ban MTTQ"), *config.units[1:])
    assert patch([(numbers[2], docs[2], new)], units=renamed) is None  # the manifest names the units
    assert patch([(numbers[2], docs[2], new)], now=search.Numbering(numbering.day0, 2)) is None  # renumbered


# --- The output folder as the last build left it ----------------------------------------------

def test_the_output_folder_is_known_as_left_by_a_stat_per_file_and_folder(builds):
    from phuongnews.incremental import as_left, folder_stamps
    out = builds.out.absolute()
    cache = BuildCache(builds.site)
    records, folders = cache.outputs(out), cache.folders(out)
    cache.close()
    assert as_left(out, records, folders)
    assert "" in folders and "tin-tuc/2021/dai-hoi" in folders and "tin-tuc" in folders
    stray = out / "tin-tuc/2021/dai-hoi/ghi-chu.txt"
    stray.write_text("tay", encoding="utf-8")
    assert not as_left(out, records, folders)
    stray.unlink()
    assert not as_left(out, records, folders)  # the folder's date moved all the same: not sure, so no
    assert as_left(out, records, folder_stamps(out, records))
    (out / "nam/index.html").write_bytes(b"x")
    assert not as_left(out, records, folder_stamps(out, records))
    # A folder holding none of the files (made by hand): a file put in it would not move a
    # recorded date, so there are no folder stamps to go by.
    (out / "rieng").mkdir()
    assert folder_stamps(out, records, ["rieng"]) is None


def test_a_build_with_no_change_still_finds_a_stray_file_in_the_output(builds, tmp_path):
    (builds.out / "tin-tuc/2021/dai-hoi/ghi-chu.txt").write_text("tay", encoding="utf-8")
    result = builds()
    assert result.removed == 1
    assert tree(builds.out) == builds.clean(tmp_path)


def test_quick_builds_keep_their_changes_as_patches_until_a_full_build_writes_all(builds, tmp_path, monkeypatch):
    from phuongnews import buildcache
    monkeypatch.setattr(buildcache, "MAX_PATCHES", 12)
    quick = []
    for n in range(4):
        append(builds.site, "content/posts/2020/tin-4.md", f"\nCâu {n}.\n")
        quick.append(builds.quick())
        assert tree(builds.out) == builds.clean(tmp_path)
    # Each quick build patches a few entries; past 12 the next build is a full one, which
    # writes every value whole and drops the patches, and quick builds follow again.
    assert quick[0] and not all(quick)
    cache = BuildCache(builds.site)
    assert cache.db.execute("SELECT count(*) FROM patches").fetchone()[0] <= 12
    cache.close()
    append(builds.site, "content/posts/2020/tin-4.md", "\nCâu cuối.\n")
    assert builds.quick()
    assert tree(builds.out) == builds.clean(tmp_path)


def test_every_page_of_the_example_site_thaws_as_it_was_frozen():
    """Frozen with its posts, units and JSON-LD as references, a page thaws to the very values
    the plan made, the posts being the site's own objects again."""
    from phuongnews import pagevalues
    from phuongnews.plan import plan
    repo = Path(__file__).resolve().parent.parent
    site = build_module.load_site(BuildOptions(site_dir=repo))
    posts = {article.source: article for article in site.articles}
    outputs = plan(site)
    for output in outputs:
        data = pagevalues.freeze(output)
        thawed = pagevalues.thaw(data, posts.__getitem__, site.config.unit, lambda source: posts[source].derived.json_ld)
        assert (thawed.url, thawed.template, thawed.source) == (output.url, output.template, output.source)
        assert thawed.context == output.context, output.url
        if output.template == "article.html":
            assert thawed.context["article"] is output.context["article"]
            assert b"schema.org" not in data and b"\x8c\x04Unit\x94" not in data  # no JSON-LD, no units kept


@pytest.mark.parametrize("options", [{"relative": True}, {"drafts": True}, {"base_url": "https://tinh.example.vn/phuong-mau/"}])
def test_a_quick_build_keeps_the_options_of_the_build_it_follows(site_factory, tmp_path, options):
    site = site_factory({**SITE, "content/posts/2020/nhap.md": post(title="Nháp", date="2020-06-01", extra="draft: true")})
    builds = Builds(site, tmp_path / "web")
    try:
        builds(**options)
        append(site, "content/posts/2020/tin-6.md", "\nMột câu nữa cho bài.\n")
        before = builds.full
        builds(**options)
        assert builds.full == before  # quick
        clean = tmp_path / "clean"
        build(BuildOptions(site_dir=site, out_dir=clean, jobs=1, cache=False, **options))
        assert tree(builds.out) == tree(clean)
        assert not builds.quick()  # other options than the last build's: a full build
    finally:
        builds.stop()


def test_a_theme_that_shows_bodies_in_its_listings_gets_them_rendered_again(site_factory, tmp_path):
    """A ward's own theme that puts the start of each post's text in the lists (drawn with
    shared(), rendered once and shown on many pages): every list showing an edited post is
    made again."""
    site = site_factory(SITE)
    item = site / "templates/_post_item.html"
    item.write_text(item.read_text(encoding="utf-8").replace(
        "</li>", "  <p>{{ item.body_html|striptags|truncate(60) }}</p>\n</li>"), encoding="utf-8")
    builds = Builds(site, tmp_path / "web")
    try:
        builds()
        path = site / "content/posts/2020/tin-4.md"
        path.write_text(path.read_text(encoding="utf-8").replace("Tin ngắn số 4.", "Nội dung mới hẳn của tin số bốn."),
                        encoding="utf-8")
        before = tree(builds.out)
        assert builds.quick()
        after = tree(builds.out)
        assert after == builds.clean(tmp_path)
        assert any(path.startswith("don-vi/mttq/") and after[path] != before[path] for path in after)
    finally:
        builds.stop()
