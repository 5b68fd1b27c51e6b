"""The docs site, as tools/build_docs.py builds it, works in a real browser: Debian's headless Chromium driven by selenium
through Debian's chromedriver, from file:// and with the network switched off.

One partial build (the index and the core chapter, with its workshop page, the API index and the search index) is
opened page by page. `make test` opens the whole site its docs step has just built instead (ML_DESIGN_DOCS_SITE),
so the site is not built twice; the API index is then checked to list every public name of the package, each
linking to an anchor on its page. Checked: the search box finds a public name and links to its anchor; the "show the
implementation" toggle opens; code is highlighted by Pygments (and the colours apply); api.html lists every public
name of the chapter with links that resolve to anchors; no pilcrow; long lines wrap; no console error; no request
leaves the machine.

Skipped when chromium or chromedriver is missing, except under CI=true, where a missing browser fails the test.
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = "00_foundations/core.html"
CHECKS = "00_foundations/checking.html"  # the checking layer continues core's module in a chapter of its own
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--window-size=1280,900"]


def whole_site(site: Path) -> bool:
    "Whether `site` holds a page for every notebook (the docs step's build), not the fixture's four."
    if str(ROOT / "tools") not in sys.path: sys.path.insert(0, str(ROOT / "tools"))
    import build_docs
    return all((site / build_docs.page_path(notebook)).is_file() for notebook in build_docs.notebooks())


def require_browser():
    "Skip (or, under CI=true, fail) when the browser, its driver or selenium is missing."
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not Path(path).is_file()]
    try: import selenium  # noqa: F401
    except ImportError: missing.append("the selenium package")
    if missing:
        message = f"browser test needs {', '.join(missing)}: apt-get install chromium chromium-driver; pip install selenium"
        if os.environ.get("CI") == "true": pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The index and core's three chapters built into a temporary folder by the docs builder's command line.
    ML_DESIGN_DOCS_SITE=<folder> opens a site built before instead: `make test` sets it to the _docs its docs step has
    just built, and it serves to work on the browser checks without rebuilding."""
    if os.environ.get("ML_DESIGN_DOCS_SITE"): return Path(os.environ["ML_DESIGN_DOCS_SITE"]).resolve()
    out = tmp_path_factory.mktemp("docs") / "site"
    env = {**os.environ, "ML_DESIGN_QUIET": "1", "MPLBACKEND": "Agg"}
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "build_docs.py"), "--only", "nbs/index.ipynb",
                           "nbs/00_foundations/00_core.ipynb", "nbs/00_foundations/06_checking.ipynb",
                           "nbs/00_foundations/09_checking_models_files.ipynb", "--out", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def browser(site, tmp_path_factory):
    "Headless Chromium, offline; yields (driver, open) where open(page) loads a page and returns its new console entries."
    require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    options = Options()
    options.binary_location = CHROMIUM
    for flag in FLAGS + [f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"]: options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    console, requests = [], []

    def open_page(page):
        driver.get((site / page).as_uri())
        assert driver.execute_script("return document.readyState") == "complete"
        collect()
        return driver

    def collect():
        console.extend(driver.get_log("browser"))
        events = [json.loads(entry["message"])["message"] for entry in driver.get_log("performance")]
        requests.extend(e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent")

    try:
        driver.set_page_load_timeout(60)
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.emulateNetworkConditions",
                               {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0})
        yield driver, open_page, collect, console, requests
    finally:
        driver.quit()


def wait_for(driver, condition, timeout=10):
    from selenium.webdriver.support.ui import WebDriverWait
    return WebDriverWait(driver, timeout).until(condition)


def test_the_search_box_finds_a_public_name_and_links_to_its_anchor(browser, site):
    from selenium.webdriver.common.by import By
    driver, open_page, *_ = browser
    open_page("index.html")
    box = driver.find_element(By.ID, "search-input")
    assert box.is_displayed()
    box.send_keys("check_frame")
    first = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results a.result"))[0]
    assert first.is_displayed()
    assert "check_frame" in first.text
    assert first.get_attribute("href") == (site / CHECKS).as_uri() + "#check_frame"
    first.click()
    wait_for(driver, lambda d: d.current_url.endswith("#check_frame"))
    assert urlparse(driver.current_url).path.endswith(CHECKS)
    assert driver.find_element(By.ID, "check_frame").is_displayed()
    # a phrase of prose finds its section too, and a query matching nothing says so
    box = driver.find_element(By.ID, "search-input")
    box.send_keys("result protocol")
    results = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results a.result"))
    assert any("core.html" in r.get_attribute("href") for r in results)
    box.clear()
    box.send_keys("zzqx nothing here")
    assert wait_for(driver, lambda d: d.find_element(By.ID, "search-results").text) == "No match"


def test_the_implementation_is_folded_after_its_api_and_opens(browser):
    from selenium.webdriver.common.by import By
    driver, open_page, *_ = browser
    open_page(CHECKS)
    folds = driver.find_elements(By.CSS_SELECTOR, "details.implementation")
    assert len(folds) >= 8
    assert all(fold.get_attribute("open") is None for fold in folds)  # closed by default
    assert {fold.find_element(By.TAG_NAME, "summary").text for fold in folds} == {"show the implementation"}
    # check_frame's implementation comes after its rendered API (the heading show_doc makes), which stays visible
    heading = driver.find_element(By.ID, "check_frame")
    fold = next(f for f in folds if "def check_frame(" in f.get_attribute("textContent"))
    assert heading.is_displayed() and heading.location["y"] < fold.location["y"]
    code = fold.find_element(By.TAG_NAME, "pre")
    assert not code.is_displayed()
    driver.execute_script("arguments[0].scrollIntoView()", fold)
    fold.find_element(By.TAG_NAME, "summary").click()
    assert fold.get_attribute("open") is not None
    assert code.is_displayed() and "def check_frame(" in code.text
    # nbdev's `#| hide` cells stay out: the notebook's hidden import of the test helpers is not on the page
    assert "from fastcore.test import" not in driver.find_element(By.TAG_NAME, "main").get_attribute("textContent")


def test_classes_show_their_methods(browser):
    from selenium.webdriver.common.by import By
    driver, open_page, *_ = browser
    open_page(CHAPTER)
    for name in ["Result.plot", "Result.to_dict", "Result.findings_frame", "Finding.to_dict"]:
        assert driver.find_element(By.ID, name).is_displayed(), name
    assert driver.find_element(By.ID, "Result").location["y"] < driver.find_element(By.ID, "Result.plot").location["y"]


def test_code_is_highlighted_by_pygments(browser):
    from selenium.webdriver.common.by import By
    driver, open_page, *_ = browser
    open_page(CHAPTER)
    spans = driver.find_elements(By.CSS_SELECTOR, ".input_area .highlight pre span.n, .input_area .highlight pre span.s2")
    assert len(spans) > 50
    keyword = driver.find_element(By.CSS_SELECTOR, ".highlight span.k")
    colour = lambda e: driver.execute_script("return getComputedStyle(arguments[0]).color", e)
    assert colour(keyword) != colour(driver.find_element(By.TAG_NAME, "main"))  # Pygments' CSS is in the page


def test_api_index_lists_every_public_name_with_links_that_resolve(browser, site):
    from selenium.webdriver.common.by import By
    import ml_design
    import ml_design.core
    driver, open_page, *_ = browser
    open_page("index.html")
    api_link = driver.find_element(By.LINK_TEXT, "API index")
    api_link.click()
    wait_for(driver, lambda d: d.current_url.endswith("api.html"))
    # one script call for every link (a WebDriver round trip per element costs 15 s on the whole site's index)
    links = dict(driver.execute_script("return [...document.querySelectorAll('a.api-name')].map(a => [a.innerText, a.href])"))
    assert set(ml_design.core.__all__) <= set(links)
    if whole_site(site):  # every public name of the package is listed, and each link's anchor is on its page
        public = {name for name, module in ml_design._exported_names().items() if module != f"ml_design.{name}"}
        assert public <= set(links), sorted(public - set(links))[:10]
        pages = {}
        for name, href in links.items():
            url = urlparse(href)
            if not url.fragment: continue  # a constant: its link is the chapter page
            text = pages.setdefault(url.path, Path(unquote(url.path)).read_text(encoding="utf-8"))
            assert f'id="{url.fragment}"' in text, f"{name}: no anchor #{url.fragment} on {url.path}"
    assert "Result.to_dict" in links
    assert "The most serious severity among" in driver.find_element(By.TAG_NAME, "main").text  # one-line summaries
    core = [*ml_design.core.__all__, *(name for name in links if name.split(".")[0] in ml_design.core.__all__)]
    by_page = {}
    for name, href in ((name, links[name]) for name in dict.fromkeys(core)):
        url = urlparse(href)
        by_page.setdefault(url.path, []).append((name, url.fragment))
    # core's names are listed under the chapter that defines each: the result protocol, the checking layer, models and files
    assert sorted(Path(p).name for p in by_page) == ["checking.html", "checking_models_files.html", "core.html"]
    assert urlparse(links["check_frame"]).path.endswith(CHECKS) and urlparse(links["Result"]).path.endswith(CHAPTER)
    for path, names in by_page.items():
        open_page(Path(path).relative_to(site).as_posix())
        for name, fragment in names:
            if not fragment: continue  # a constant has no show_doc heading: its link is the chapter page
            assert driver.find_elements(By.ID, fragment), f"{name}: no anchor #{fragment}"
    linked = sum(bool(fragment) for names in by_page.values() for _, fragment in names)
    assert linked >= len(ml_design.core.__all__) - 1  # every function and class links to its own anchor


def test_pages_read_cleanly(browser, site):
    from selenium.webdriver.common.by import By
    driver, open_page, *_ = browser
    for page in ["index.html", CHAPTER, "api.html", "workshop/00_core.html"]:
        open_page(page)
        text = driver.find_element(By.TAG_NAME, "body").text
        assert "¶" not in text, page
        assert "it/s]" not in text and "%|" not in text, page  # no progress bar
    open_page(CHAPTER)
    pre = driver.find_element(By.CSS_SELECTOR, ".input_area pre")
    assert driver.execute_script("return getComputedStyle(arguments[0]).whiteSpace", pre) == "pre-wrap"
    width = driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert width <= 0  # nothing overflows the page sideways: long lines wrap, wide tables scroll in their own box
    exercises = driver.find_element(By.CSS_SELECTOR, "p.exercises a")
    assert exercises.text == "workshop/00_core"
    exercises.click()
    wait_for(driver, lambda d: d.current_url.endswith("workshop/00_core.html"))
    back = driver.find_element(By.CSS_SELECTOR, "p.chapter-link a")  # the workshop page links back to its chapter
    assert back.get_attribute("href") == (site / CHAPTER).as_uri()


def test_no_console_error_and_no_request_leaves_the_machine(browser):
    driver, open_page, collect, console, requests = browser
    for page in ["index.html", CHAPTER, "api.html", "workshop/00_core.html"]: open_page(page)
    collect()
    assert [entry for entry in console if entry["level"] == "SEVERE"] == []
    assert {"search_index.js", "search.js", "style.css"} <= {Path(urlparse(u).path).name for u in requests if u.startswith("file:")}
    assert [url for url in requests if url.startswith(("http:", "https:", "ws:", "wss:", "ftp:"))] == []
