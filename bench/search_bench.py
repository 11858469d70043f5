"""Search engines compared on synthetic ward sites of N posts (bench/sitegen.py): phuongnews'
own index (src/phuongnews/search.py + static/js/tim-kiem.js) against Pagefind.

For each size: index size on disk, bytes a browser fetches for a query (headless Chromium,
cold cache, a local HTTP server without compression; the gzip figure is the same files
compressed, as most static hosts serve JSON), and build time added (the index step, timed
inside one build; for Pagefind, its run over the output). Correctness on
Vietnamese queries is checked on a small site with the queries of tests/test_search.py.

    .venv/bin/pip install 'pagefind[extended]' selenium   # for the benchmark only
    .venv/bin/python bench/search_bench.py --sizes 1000,10000,50000

Pagefind indexes the built HTML, so its build time is its own run over the output folder.
Its "đ gap" (đ has no Unicode decomposition, so "dang" never matches "đảng") is handled the
only way open to it: before indexing, each page gets a hidden copy of its words containing
đ with đ written d; the figures below include that copy.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import http.server
import json
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from unittest import mock
from urllib.parse import unquote

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "src"), str(REPO)]

from bench.sitegen import make_site
from phuongnews import search
from phuongnews.build import BuildOptions, build

QUERIES = ["doan thanh nien", "Hồ Sỹ Tùng", "tong ket cong tac", "dang uy"]
HARNESS = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>pf</title></head><body>
<script type="module">
window.run = async (q) => {
  const pf = await import("./pagefind/pagefind.js");
  const r = await pf.search(q);
  const data = await Promise.all(r.results.slice(0, 10).map((x) => x.data()));
  return {count: r.results.length, urls: data.map((d) => d.url)};
};
window.ready = true;
</script></body></html>
"""
_D_WORD = re.compile(r"\b\w*[đĐ]\w*\b")


def folder_size(folder: Path, skip=()) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file() and p.name not in skip]
    return sum(p.stat().st_size for p in files), len(files)


def build_timed(site: Path, out: Path) -> tuple[float, float]:
    """(whole build, of which the search index) in seconds: one build, the index step timed
    where the planner calls it."""
    if out.exists():
        shutil.rmtree(out)
    spent = []
    real = search.build_index

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    started = time.perf_counter()
    with mock.patch.object(search, "build_index", timed):
        build(BuildOptions(site_dir=site, out_dir=out))
    return time.perf_counter() - started, sum(spent)


def pagefind_prepare(out: Path) -> None:
    """The đ gap: a hidden copy of every word with đ, written with d, on each article page."""
    for page in out.glob("tin-tuc/*/*/index.html"):
        text = page.read_text(encoding="utf-8")
        main = text[text.find("<main"):text.find("</main>")]
        plain = re.sub(r"<[^>]+>", " ", main)
        extra = sorted({w.replace("đ", "d").replace("Đ", "D") for w in _D_WORD.findall(plain)})
        if extra:
            text = text.replace("</main>", f'<p hidden>{" ".join(extra)}</p></main>', 1)
            page.write_text(text, encoding="utf-8")
    (out / "pf-harness.html").write_text(HARNESS, encoding="utf-8")


def pagefind_run(out: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(out), "--force-language", "vi"],
                   check=True, capture_output=True)
    return time.perf_counter() - started


@contextlib.contextmanager
def serve(folder: Path):
    log: list[str] = []

    class Quiet(http.server.SimpleHTTPRequestHandler):
        # Counted at the server: Pagefind fetches from a Web Worker, which the page's
        # resource timing does not see.
        def do_GET(self):
            log.append(self.path)
            super().do_GET()

        def log_message(self, *args):
            pass

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{port}/", log
    finally:
        server.shutdown()
        server.server_close()


def chrome():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.set_script_timeout(120)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    return driver


def fetched(out: Path, log: list[str], marker: str) -> tuple[int, int, int]:
    """(raw bytes, gzip bytes, requests) of the requests whose path contains `marker`."""
    raw = gz = count = 0
    for name in log:
        path = unquote(name.split("?")[0].lstrip("/"))
        if marker not in path or not (out / path).is_file():
            continue
        data = (out / path).read_bytes()
        raw += len(data)
        gz += len(gzip.compress(data, 6))
        count += 1
    return raw, gz, count


def own_query(driver, served, out: Path, query: str) -> dict:
    from urllib.parse import quote

    from selenium.webdriver.support.ui import WebDriverWait

    base, log = served
    driver.get("about:blank")
    log.clear()
    driver.get(base + "tim-kiem/?q=" + quote(query))
    WebDriverWait(driver, 120).until(lambda d: d.execute_script(
        "var s = document.getElementById('tim-kiem-trang-thai').textContent; return s && s !== 'Đang tìm…'"))
    status = driver.find_element("id", "tim-kiem-trang-thai").text
    count = int(re.search(r"(\d+) bài", status)[1]) if "Tìm thấy" in status else 0
    urls = driver.execute_script(
        "return Array.from(document.querySelectorAll('#tim-kiem-ket-qua h2 a')).map(a => a.getAttribute('href'))")
    raw, gz, requests = fetched(out, log, "tim-kiem")
    return {"count": count, "urls": urls, "raw": raw, "gzip": gz, "requests": requests}


def pagefind_query(driver, served, out: Path, query: str) -> dict:
    from selenium.webdriver.support.ui import WebDriverWait

    base, log = served
    driver.get("about:blank")
    log.clear()
    driver.get(base + "pf-harness.html")
    WebDriverWait(driver, 60).until(lambda d: d.execute_script("return window.ready === true"))
    from selenium.common.exceptions import TimeoutException

    try:
        result = driver.execute_async_script("window.run(arguments[0]).then(arguments[1])", query)
    except TimeoutException:  # seen at 50,000 posts: recorded, not fatal
        raw, gz, requests = fetched(out, log, "pagefind/")
        return {"count": None, "urls": [], "raw": raw, "gzip": gz, "requests": requests, "timeout": True}
    raw, gz, requests = fetched(out, log, "pagefind/")
    return {"count": result["count"], "urls": result["urls"], "raw": raw, "gzip": gz, "requests": requests}


def measure(size: int, work: Path, engines: list[str]) -> dict:
    site = make_site(work / f"site-{size}", size)
    row: dict = {"posts": size}
    own_out = work / f"out-{size}"
    total, index = build_timed(site, own_out)
    row["build_without_search"], row["own_index_step"] = total - index, index
    row["own_size"], row["own_files"] = folder_size(own_out / "tim-kiem", skip=("index.html",))
    driver = chrome()
    try:
        with serve(own_out) as served:
            row["own_queries"] = {q: own_query(driver, served, own_out, q) for q in QUERIES}
        print(json.dumps(row, ensure_ascii=False), flush=True)
        if "pagefind" in engines:
            pf_out = work / f"out-{size}-pf"
            if pf_out.exists():
                shutil.rmtree(pf_out)
            shutil.copytree(own_out, pf_out)
            started = time.perf_counter()
            pagefind_prepare(pf_out)
            row["pagefind_prepare"] = time.perf_counter() - started
            row["pagefind_run"] = pagefind_run(pf_out)
            row["pagefind_size"], row["pagefind_files"] = folder_size(pf_out / "pagefind")
            with serve(pf_out) as served:
                row["pagefind_queries"] = {q: pagefind_query(driver, served, pf_out, q) for q in QUERIES}
            shutil.rmtree(pf_out)
    finally:
        driver.quit()
    return row


def correctness(work: Path, engines: list[str]) -> dict:
    """The Vietnamese queries of tests/test_search.py through each engine, on the same site."""
    from tests.conftest import make_site as make_mini
    from tests.test_search import POSTS

    site = make_mini(work / "mini-site", POSTS)
    out = work / "mini-out"
    if out.exists():
        shutil.rmtree(out)
    build(BuildOptions(site_dir=site, out_dir=out))
    checks = {}
    driver = chrome()
    try:
        queries = ["quynh thien", "Quỳnh Thiện", "QUỲNH THIỆN", "doan thanh nien", "dang uy", "Đảng uỷ"]
        with serve(out) as served:
            checks["own"] = {q: own_query(driver, served, out, q)["urls"] for q in queries}
        if "pagefind" in engines:
            for variant, prepare in (("pagefind", False), ("pagefind+d", True)):
                pf_out = work / f"mini-{variant}"
                if pf_out.exists():
                    shutil.rmtree(pf_out)
                shutil.copytree(out, pf_out)
                if prepare:
                    pagefind_prepare(pf_out)
                else:
                    (pf_out / "pf-harness.html").write_text(HARNESS, encoding="utf-8")
                pagefind_run(pf_out)
                with serve(pf_out) as served:
                    checks[variant] = {q: pagefind_query(driver, served, pf_out, q)["urls"] for q in queries}
    finally:
        driver.quit()
    return checks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--engines", default="own,pagefind")
    parser.add_argument("--work", type=Path, default=Path("/tmp/phuongnews-search-bench"))
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--no-correctness", action="store_true", help="skip the Vietnamese queries check")
    args = parser.parse_args()
    engines = args.engines.split(",")
    args.work.mkdir(parents=True, exist_ok=True)
    report = {"correctness": {} if args.no_correctness else correctness(args.work, engines), "sizes": []}
    print(json.dumps(report["correctness"], ensure_ascii=False, indent=1), flush=True)
    for size in (int(s) for s in args.sizes.split(",")):
        row = measure(size, args.work, engines)
        report["sizes"].append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
        if args.json:
            args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
