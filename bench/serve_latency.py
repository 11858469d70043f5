"""Save-to-screen latency of `phuongnews serve`: the time from saving a post to the browser
showing the new text, on the example site and on a generated site of 1,000 posts.

    .venv/bin/python bench/serve_latency.py [--posts 1000] [--edits 20] [--saves body,title,new]

For each site: copies it into a temporary folder, starts `phuongnews serve` as an editor
would (a separate process), opens a page in headless Chromium (Debian's chromium and
chromium-driver), then saves ~20 times the way vim and VS Code do (write a temp file, rename
it over the post), and measures from the moment the rename returned to the moment the
reloaded page had the new text (`DOMContentLoaded` of the new document, on the same clock).
Three kinds of save, each with its own server:

- body: a new sentence in the post's body; the post's page is open;
- title: a new title in the post's front matter (its listings, feeds and neighbours change
  too); the post's page is open;
- new: a new post, dated yesterday, in the post's units (the first save of a post that
  `phuongnews new` started): the home page is open, which lists it first.

Prints p50/p95 per site and kind, and the server's own rebuild time. Then builds the generated
site with `phuongnews build` and starts the preview on it again: how long its first build takes
once there is a build to take pages from. Nothing is written outside the temporary folders.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from sitegen import make_site  # bench/ is not a package: found through sys.path

CHROMIUM = os.environ.get("PHUONGNEWS_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("PHUONGNEWS_CHROMEDRIVER", "/usr/bin/chromedriver")
EXAMPLE_POST = "content/posts/2023/ub-mttq-xa-doi-can-tong-ket-cong-tac-mat-tran-nam-2023.md"
WARM_UP = 2  # saves not counted: the browser, the templates and the parse memo warm up


def example_site(root: Path) -> tuple[Path, str]:
    root.mkdir(parents=True)
    for name in ("site.yaml", "content", "templates", "static"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / name)
    return root, EXAMPLE_POST


def generated_site(root: Path, posts: int) -> tuple[Path, str]:
    make_site(root, posts)
    return root, "content/posts/2020/bai-viet-so-0005.md"


class Server:
    """`phuongnews serve` in its own process; its printed rebuild times are collected."""

    REBUILT = re.compile(r"Rebuilt after a save: \d+ page\(s\) changed \((\d+\.\d+) s\)")
    BUILT = re.compile(r"Built \d+ posts into (\d+) pages in (\d+\.\d+) s")

    def __init__(self, site: Path):
        env = {**os.environ, "PYTHONUTF8": "1", "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "phuongnews", "serve", "--site", str(site), "--port", "0", "--lang", "en"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8", env=env)
        self.rebuilds: list[float] = []
        self.pages, self.first_build = 0, 0.0
        self.url = None
        self.started = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        if not self.started.wait(300) or self.url is None:
            raise SystemExit("phuongnews serve did not start")

    def _read(self) -> None:
        for line in self.process.stdout:
            if self.url is None and "http://" in line:
                self.url = re.search(r"http://\S+", line)[0]
                self.started.set()
            found = self.REBUILT.search(line)
            if found:
                self.rebuilds.append(float(found[1]))
            built = self.BUILT.search(line)
            if built:
                self.pages, self.first_build = int(built[1]), float(built[2])
        self.started.set()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1200,900"):
        options.add_argument(argument)
    return webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))


def save_by_rename(path: Path, text: str) -> float:
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)
    return time.time()


SHOWN = """
const marker = arguments[0];
if (!document.body || !document.body.innerText.includes(marker)) return null;
const nav = performance.getEntriesByType("navigation")[0];
return performance.timeOrigin + nav.domContentLoadedEventEnd;
"""


SAVES = ("body", "title", "new")


def measure(driver, site: Path, post: str, edits: int, kind: str) -> tuple[list[float], Server]:
    """`edits` saves of `kind` (see SAVES), after WARM_UP more: their save-to-screen times."""
    server = Server(site)
    added: list[Path] = []
    path = site / post
    original = path.read_text(encoding="utf-8")
    try:
        url, units = post_url(server.url, site, post)
        driver.get(server.url if kind == "new" else url)
        head, separator, body = original.partition("\n---\n")
        yesterday = (date.today() - timedelta(days=1)).isoformat()
        latencies = []
        for number in range(WARM_UP + edits):
            marker = f"Câu đo thời gian số {number} được thêm vào lúc lưu."
            if kind == "body":
                saved = save_by_rename(path, head + separator + marker + "\n\n" + body)
            elif kind == "title":
                saved = save_by_rename(path, re.sub(r"(?m)^title: .*$", f"title: {marker}", head, count=1)
                                       + separator + body)
            else:
                added.append(path.with_name(f"bai-do-thoi-gian-{number}.md"))
                saved = save_by_rename(added[-1], f"---\ntitle: {marker}\ndate: {yesterday}\nunits: [{', '.join(units)}]\n"
                                                  "---\nBài mới, thêm vào khi đo thời gian.\n")
            deadline = time.monotonic() + 30
            shown = None
            while shown is None:
                if time.monotonic() > deadline:
                    raise SystemExit(f"the browser did not show save {number} ({kind}) within 30 s")
                shown = driver.execute_script(SHOWN, marker)
                if shown is None:
                    time.sleep(0.005)
            if number >= WARM_UP:
                latencies.append(shown / 1000 - saved)
            time.sleep(0.3)  # an editor does not save twice in the same instant
        return latencies, server
    finally:
        server.stop()
        path.write_text(original, encoding="utf-8")
        for new_post in added:
            new_post.unlink(missing_ok=True)


def opened_after_build(site: Path) -> tuple[float, float]:
    """`phuongnews build` the site, then start the preview on it: the build's wall time and
    the preview's first build (it takes the pages the build left where they are unchanged)."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "phuongnews", "build", "--site", str(site)], check=True,
                   stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONUTF8": "1"})
    built = time.perf_counter() - started
    server = Server(site)
    try:
        deadline = time.monotonic() + 300
        while not server.first_build and time.monotonic() < deadline:
            time.sleep(0.05)
        return built, server.first_build
    finally:
        server.stop()


def post_url(base: str, site: Path, post: str) -> tuple[str, tuple[str, ...]]:
    """The article's URL, as the build gives it, and its units."""
    from phuongnews.build import BuildOptions, load_site

    article = next(a for a in load_site(BuildOptions(site_dir=site)).articles if a.source == post)
    return base + article.url, article.units


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value with at least `share` of them at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000, help="posts in the generated site (default 1000)")
    parser.add_argument("--edits", type=int, default=20, help="measured saves per site and kind (default 20)")
    parser.add_argument("--saves", default=",".join(SAVES), help=f"kinds of save, of {', '.join(SAVES)} (default: all)")
    args = parser.parse_args()
    kinds = [kind for kind in args.saves.split(",") if kind]
    if not kinds or set(kinds) - set(SAVES):
        parser.error(f"--saves takes kinds of {', '.join(SAVES)}")
    driver = browser()
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="phuongnews-bench-") as temp:
            temp = Path(temp)
            for name, (site, post) in (("example site", example_site(temp / "example")),
                                       (f"{args.posts}-post site", generated_site(temp / "big", args.posts))):
                from phuongnews.build import BuildOptions, load_site

                count = len(load_site(BuildOptions(site_dir=site)).articles)
                for kind in kinds:
                    print(f"{name}: {count} posts, {args.edits} saves ({kind}) …", file=sys.stderr, flush=True)
                    latencies, server = measure(driver, site, post, args.edits, kind)
                    rows.append((name, count, server.pages, server.first_build, kind, latencies,
                                 server.rebuilds[WARM_UP:]))
            print("the generated site once `phuongnews build` has built it …", file=sys.stderr, flush=True)
            built, reopened = opened_after_build(site)
    finally:
        driver.quit()
    print()
    print("| site | posts | pages | first build | save | saves | save → shown p50 | p95 | max | server's rebuild p50 |")
    print("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|")
    for name, count, pages, first, kind, latencies, rebuilds in rows:
        rebuild = f"{statistics.median(rebuilds):.2f} s" if rebuilds else "–"
        print(f"| {name} | {count} | {pages} | {first:.2f} s | {kind} | {len(latencies)} | {percentile(latencies, 0.5):.2f} s "
              f"| {percentile(latencies, 0.95):.2f} s | {max(latencies):.2f} s | {rebuild} |")
    print(f"\nThe {args.posts}-post site built by `phuongnews build` ({built:.1f} s): the preview's first build "
          f"took {reopened:.2f} s (above, before any build: {rows[-1][3]:.2f} s).")
    chromium = subprocess.run([CHROMIUM, "--version"], check=False, capture_output=True, text=True).stdout.strip()
    print(f"\n{os.cpu_count()} cores; Python {sys.version.split()[0]}; {chromium}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
