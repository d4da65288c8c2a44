"""The built book as a reader sees it: every page of _build/html loaded in
headless Chromium, served from localhost.

Skipped, saying why, when the book is not built (`make book` first) or when
Chromium and its driver are not installed (`make chromium` installs them as root).
Screenshots of every page go to test-artifacts/screenshots/.
"""
import functools
import http.server
import re
import shutil
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")

pytestmark = [
    pytest.mark.skipif(not (HTML / "index.html").exists(), reason="no built book in _build/html: run `make book` first"),
    pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="chromium and chromedriver not installed (`make chromium`, as root)"),
]

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())


def toc_pages() -> list[str]:
    """The book's pages in table-of-contents order, as paths without suffix."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", [{"chapters": toc.get("chapters", [])}]):
        pages += [entry["file"] for entry in part["chapters"]]
    return pages


PAGES = toc_pages()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site():
    """Base URL of _build/html served on a free localhost port."""
    handler = functools.partial(QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-quic", "--no-first-run", "--window-size=1280,1600"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@functools.lru_cache(maxsize=None)
def fetch(url: str) -> tuple[int, str]:
    """HTTP status and text of a URL on the local server."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""


def load(browser, url: str):
    """Open ``url`` and wait until MathJax has typeset the page's math."""
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(url)
    WebDriverWait(browser, 20).until(lambda d: d.execute_script("return document.readyState") == "complete")
    if browser.execute_script("return document.querySelectorAll('.math').length"):
        WebDriverWait(browser, 20).until(
            lambda d: d.execute_script("return document.querySelectorAll('mjx-container').length") > 0
        )


@pytest.mark.parametrize("page", PAGES)
def test_page_as_a_reader_sees_it(browser, site, page):
    url = urljoin(site, page + ".html")
    status, _ = fetch(url)
    assert status == 200, f"{page}.html: HTTP {status}"
    load(browser, url)

    SHOTS.mkdir(parents=True, exist_ok=True)
    height = browser.execute_script("return document.body.scrollHeight")
    browser.set_window_size(1280, max(800, min(height, 12000)))
    browser.save_screenshot(str(SHOTS / (page.replace("/", "__") + ".png")))

    broken = browser.execute_script(
        "return Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
    )
    assert broken == [], f"images that did not load: {broken}"

    math = browser.execute_script("return document.querySelectorAll('.math').length")
    typeset = browser.execute_script("return document.querySelectorAll('mjx-container').length")
    assert typeset >= (1 if math else 0), f"{math} math elements, {typeset} typeset by MathJax"

    text = browser.find_element("tag name", "body").text
    assert "Traceback (most recent call last)" not in text
    errors = browser.execute_script(
        "return document.querySelectorAll('.output.traceback, .output.error, .cell_output .stderr').length"
    )
    assert errors == 0, f"{errors} error outputs on the page"


@pytest.mark.parametrize("page", PAGES)
def test_internal_links_resolve(browser, site, page):
    url = urljoin(site, page + ".html")
    load(browser, url)
    hrefs = browser.execute_script("return Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
    dead = []
    for href in sorted(set(hrefs)):
        if urlparse(href).netloc != urlparse(site).netloc:
            continue
        target, fragment = urldefrag(href)
        status, body = fetch(target)
        if status != 200:
            dead.append(f"{href} (HTTP {status})")
        elif fragment and not re.search(rf'id="{re.escape(fragment)}"', body):
            dead.append(f"{href} (no element with id {fragment!r})")
    assert dead == [], f"{page}: dead internal links: {dead}"


CHAPTERS = [p for p in PAGES if p.startswith("chapters/")]


@pytest.mark.parametrize("page", CHAPTERS)
def test_colab_button_opens_this_chapter(browser, site, page):
    load(browser, urljoin(site, page + ".html"))
    links = browser.execute_script(
        "return Array.from(document.querySelectorAll('a[href*=\"colab.research.google.com\"]')).map(a => a.href)"
    )
    repo = urlparse(CONFIG["repository"]["url"]).path.strip("/")
    branch = CONFIG["repository"]["branch"]
    expected = f"https://colab.research.google.com/github/{repo}/blob/{branch}/{page}.ipynb"
    assert links == [expected], f"Colab links {links}, expected [{expected}]"


def test_every_page_was_checked():
    """No built page is left out of the checks above."""
    built = {p.relative_to(HTML).with_suffix("").as_posix() for p in HTML.rglob("*.html")
             if not p.relative_to(HTML).parts[0].startswith("_")}   # _static holds the theme's templates
    assert built - {"index", "genindex", "search", "py-modindex"} <= set(PAGES), sorted(built - set(PAGES))


# What may not scroll sideways at a 1280 px window: code, outputs, display math, tables.
OVERFLOW_JS = """
const wide = [];
for (const e of document.querySelectorAll(
        'pre, div.math, mjx-container[display="true"], .cell_output, table')) {
    if (e.scrollWidth > e.clientWidth + 1) {
        wide.push([e.tagName.toLowerCase(), e.scrollWidth, e.clientWidth, e.textContent]);
    }
}
return wide;
"""


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def verbatim_quotes(page: str) -> set[str]:
    """The code a page quotes from the seed articles, announced as "`NNN_<hash>.txt`,
    lines A-B, as written:" (tests/test_seed_quotes.py checks each against the
    file). A quote keeps its lines as written, so it may scroll sideways."""
    import nbformat
    from test_seed_quotes import quotes

    path = ROOT / (page + ".ipynb")
    if not path.exists():
        return set()
    nb = nbformat.read(path, as_version=4)
    text = "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return {squeeze("\n".join(body)) for _, _, _, body in quotes(text)}


@pytest.mark.parametrize("page", PAGES)
def test_nothing_scrolls_sideways_at_1280_px(browser, site, page):
    browser.set_window_size(1280, 1000)
    load(browser, urljoin(site, page + ".html"))
    quoted = verbatim_quotes(page)
    wide = [f"{tag} ({scroll} > {client} px): {squeeze(text)[:70]}"
            for tag, scroll, client, text in browser.execute_script(OVERFLOW_JS)
            if not (tag == "pre" and squeeze(text) in quoted)]
    assert wide == []


def test_only_announced_quotes_may_scroll():
    """The exemption above covers the quoted lines, not any code on that page."""
    quoted = verbatim_quotes("chapters/14_faq_errata")
    assert len(quoted) >= 15
    assert squeeze("for step in range(1000):\n    loss = 0") not in quoted


@pytest.mark.parametrize("page", CHAPTERS)
def test_figures_of_column_width_are_not_shrunk(browser, site, page):
    """rnncourse.book.COLUMN_PX, which the figure-text check assumes, is what a
    figure really gets: an image that narrow shows at its natural size."""
    from rnncourse.book import COLUMN_PX

    browser.set_window_size(1280, 1000)
    load(browser, urljoin(site, page + ".html"))
    images = browser.execute_script(
        "return Array.from(document.querySelectorAll('.cell_output img')).map("
        "i => [i.naturalWidth, i.getBoundingClientRect().width])")
    shrunk = [(natural, shown) for natural, shown in images if natural <= COLUMN_PX and shown < natural - 1]
    assert shrunk == [], f"(natural, shown) widths in px: {shrunk}"
    room = browser.execute_script(
        "const o = document.querySelector('.cell_output'); return o ? o.clientWidth : null")
    assert room is None or room >= COLUMN_PX, f"a cell's output area is {room} px wide, COLUMN_PX is {COLUMN_PX}"
