"""The search page in headless Chromium: queries typed with and without marks, filters, the
address bar, highlights, links under a sub-path, and the script's folding and decoding
checked against search.py on the same cases.

Needs chromium, chromedriver and selenium: skipped with the reason when one is missing on a
clerk's laptop, a failure when CI is set."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import socket
import threading
from urllib.parse import parse_qs, urlsplit

import pytest

from phuongnews import search
from phuongnews.build import BuildOptions, build
from tests.conftest import make_site, post
from tests.test_search import (
    CCB,
    FOLD_CASES,
    HOI_NGHI,
    LE_HOI,
    MARK_CASES,
    POSTS,
    THANH_NIEN,
)

SUB_PATH = "/phuong-quynh-thien/"
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
# More than a page of results for "ban tin", all older than the posts of test_search.py.
EXTRA = {f"content/posts/2021/ban-tin-{n:02d}.md": post(f"Bản tin số {n}", f"2021-01-{n:02d}", "[hoi-ccb]", body="Tin vắn.")
         for n in range(1, 13)}


def missing_tool(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so the browser tests may not be skipped)")
    pytest.skip(reason)


def browser_paths() -> tuple[str, str]:
    browser = next((found for name in BROWSERS if (found := shutil.which(name))), None)
    if browser is None:
        missing_tool("no chromium found on PATH")
    driver = shutil.which("chromedriver")
    if driver is None:
        missing_tool("chromedriver not found on PATH")
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing_tool("selenium is not installed (pip install -e '.[test]')")
    return browser, driver


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The mini-site built under a sub-path and served over HTTP: its root URL."""
    root = tmp_path_factory.mktemp("search-browser")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}{SUB_PATH}"
    site = make_site(root / "site", {**POSTS, **EXTRA})
    build(BuildOptions(site_dir=site, out_dir=root / "www" / SUB_PATH.strip("/"), base_url=base))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port),
                                             functools.partial(QuietHandler, directory=str(root / "www")))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def driver():
    browser, chromedriver = browser_paths()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--lang=vi"):
        options.add_argument(arg)
    chrome = webdriver.Chrome(service=Service(chromedriver), options=options)
    chrome.set_script_timeout(20)
    yield chrome
    chrome.quit()


def wait_for(driver, condition, timeout=10):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(lambda d: condition(d))


def settle(driver):
    """Wait until the page's current search has finished and return the status text."""
    wait_for(driver, lambda d: d.execute_script(
        "var s = document.getElementById('tim-kiem-trang-thai').textContent;"
        "return s !== 'Đang tìm…' && (s !== '' || document.getElementById('tim-kiem-q').value.trim() === '');"))
    return driver.find_element("id", "tim-kiem-trang-thai").text


def results(driver) -> list[str]:
    """Result links as site URLs (the sub-path removed)."""
    links = driver.execute_script(
        "return Array.from(document.querySelectorAll('#tim-kiem-ket-qua h2 a')).map(a => a.getAttribute('href'))")
    assert all(link.startswith(SUB_PATH) for link in links), links
    return [link[len(SUB_PATH):] for link in links]


def type_query(driver, text: str):
    box = driver.find_element("id", "tim-kiem-q")
    box.clear()
    box.send_keys(text)
    # The page searches 150 ms after the last key; wait for that search to start, then end.
    wait_for(driver, lambda d: d.execute_script(
        "return new URLSearchParams(location.search).get('q') === arguments[0]", text.strip()))
    return settle(driver)


def open_search(driver, served, query: str = ""):
    driver.get(served + "tim-kiem/" + query)
    wait_for(driver, lambda d: d.execute_script("return !!(window.phuongnewsSearch && window.phuongnewsSearch.ready)"))
    return settle(driver)


def test_script_folds_and_decodes_exactly_like_search_py(driver, served):
    open_search(driver, served)
    typed = [case for case, _ in FOLD_CASES]
    folded = driver.execute_script("return arguments[0].map(window.phuongnewsSearch.fold)", typed)
    assert folded == [search.fold(t) for t in typed] == [f for _, f in FOLD_CASES]
    words = [w for w, _ in MARK_CASES]
    marked = driver.execute_script("return arguments[0].map(window.phuongnewsSearch.markedWord)", words)
    assert marked == [search.marked_word(w) for w in words]
    lists = [[0], [3, 4, 5, 900, 40000], list(range(0, 3000, 3)), list(range(31, 100)), [2 ** 20 + 7]]
    encoded = [search.encode_postings(ids) for ids in lists]
    decoded = driver.execute_script(
        "return arguments[0].map(t => window.phuongnewsSearch.decodeList(t, 2000000))", encoded)
    assert decoded == lists


def test_queries_with_and_without_marks(driver, served):
    assert "Tìm thấy 2 bài" in open_search(driver, served, "?q=quynh+thien")
    assert results(driver) == [LE_HOI, HOI_NGHI]
    assert "Tìm thấy 2 bài" in type_query(driver, "Quỳnh Thiện")
    assert results(driver) == [HOI_NGHI, LE_HOI]  # exact marks first
    type_query(driver, "QUỲNH THIỆN")
    assert results(driver) == [HOI_NGHI, LE_HOI]
    type_query(driver, "doan thanh nien")
    assert results(driver) == [THANH_NIEN, HOI_NGHI]  # title match first
    type_query(driver, "dang uy")
    assert results(driver) == [HOI_NGHI, CCB]  # Đảng ủy and Đảng uỷ
    assert "Không tìm thấy bài nào" in type_query(driver, "khong co tu nay")
    assert results(driver) == []


def test_results_show_date_units_and_highlighted_snippet(driver, served):
    open_search(driver, served, "?q=dang+uy")
    first = driver.find_element("css selector", "#tim-kiem-ket-qua li")
    assert first.find_element("css selector", "time").get_attribute("datetime") == "2023-12-22"
    assert first.find_element("css selector", "time").text == "22/12/2023"
    assert [t.text for t in first.find_elements("css selector", ".unit-tag")] == ["MTTQ", "Đoàn TN"]
    snippet = first.find_element("css selector", ".search-snippet")
    assert [m.text for m in snippet.find_elements("css selector", "mark")] == ["Đảng", "ủy"]
    type_query(driver, "Quynh Thien")
    title = driver.find_element("css selector", "#tim-kiem-ket-qua h2")
    assert [m.text for m in title.find_elements("css selector", "mark")] == ["Quỳnh", "Thiên"]
    # Titles are put in as text, never as HTML.
    assert driver.execute_script("return document.querySelectorAll('#tim-kiem-ket-qua script').length") == 0


def test_filters_by_unit_and_year_live_in_the_address(driver, served):
    from selenium.webdriver.support.ui import Select

    open_search(driver, served, "?q=phuong")
    everything = results(driver)
    # "phường" is in every unit's name; the title match first, then newest first.
    assert everything[:4] == [HOI_NGHI, LE_HOI, THANH_NIEN, CCB] and len(everything) == 10
    Select(driver.find_element("id", "tim-kiem-nam")).select_by_value("2023")
    settle(driver)
    assert results(driver) == [HOI_NGHI, THANH_NIEN]
    assert parse_qs(urlsplit(driver.current_url).query) == {"q": ["phuong"], "nam": ["2023"]}
    options = [o.text for o in Select(driver.find_element("id", "tim-kiem-nam")).options]
    assert options == ["Tất cả các năm", "2024 (1)", "2023 (2)", "2022 (1)", "2021 (12)"]
    Select(driver.find_element("id", "tim-kiem-don-vi")).select_by_value("mttq")
    status = settle(driver)
    assert results(driver) == [HOI_NGHI]
    assert "đơn vị MTTQ, năm 2023" in status
    shared = driver.current_url
    assert parse_qs(urlsplit(shared).query) == {"q": ["phuong"], "don-vi": ["mttq"], "nam": ["2023"]}
    # The shared address gives the same search.
    open_search(driver, served)
    driver.get(shared)
    settle(driver)
    assert results(driver) == [HOI_NGHI]
    assert driver.find_element("id", "tim-kiem-q").get_attribute("value") == "phuong"
    assert not driver.find_element("id", "tim-kiem-khong-js").is_displayed()


def test_more_results_are_loaded_on_demand(driver, served):
    assert "Tìm thấy 12 bài" in open_search(driver, served, "?q=ban+tin")
    assert results(driver) == [f"tin-tuc/2021/ban-tin-{n:02d}/" for n in range(12, 2, -1)]
    driver.find_element("id", "tim-kiem-them").click()
    wait_for(driver, lambda d: len(results(d)) == 12)
    assert results(driver)[10:] == ["tin-tuc/2021/ban-tin-02/", "tin-tuc/2021/ban-tin-01/"]
    assert not driver.find_element("id", "tim-kiem-them").is_displayed()


def test_missing_browser_skips_locally_but_fails_in_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="chromedriver"):
        missing_tool("chromedriver not found on PATH")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        missing_tool("chromedriver not found on PATH")
