"""The video chapter's animations play in the built book.

Chapter 12 embeds its clips with matplotlib's ``to_jshtml``: PNG frames and a
small JavaScript player in the page. This opens the built page in headless
Chromium (served and driven as in ``test_site.py``, whose fixtures it uses),
presses each player's Play button and checks that the shown frame changes.

Skipped, saying why, when the page is not built or Chromium is missing. To
check a single-page build of the chapter instead of the book
(``jupyter-book build chapters/12_video.ipynb --path-output DIR``), set
``RNNCOURSE_HTML=DIR/_build/html``.
"""
import os
from pathlib import Path
from urllib.parse import urljoin

import pytest

import test_site
from test_site import CHROMEDRIVER, CHROMIUM, browser, load, site  # noqa: F401 (fixtures)

if os.environ.get("RNNCOURSE_HTML"):
    test_site.HTML = Path(os.environ["RNNCOURSE_HTML"])   # the site fixture serves test_site.HTML
CANDIDATES = ["chapters/12_video.html", "12_video.html"]   # in the book; in a single-page build
PAGE = next((p for p in CANDIDATES if (test_site.HTML / p).exists()), None)

pytestmark = [
    pytest.mark.skipif(PAGE is None, reason=f"no built chapter 12 in {test_site.HTML}: run `make book` first"),
    pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="chromium and chromedriver not installed (`make chromium`, as root)"),
]

PLAYERS = "return Array.from(document.querySelectorAll('img[id^=\"_anim_img\"]')).map(i => i.id.slice(9))"


def shown(browser, key: str) -> tuple[str, int]:
    """The frame a player shows (its image's data URL) and its slider's position."""
    return tuple(browser.execute_script(
        "const i = document.getElementById(arguments[0]), s = document.getElementById(arguments[1]);"
        "return [i.src, Number(s.value)];", f"_anim_img{key}", f"_anim_slider{key}"))


def test_animations_play(browser, site):
    from selenium.webdriver.support.ui import WebDriverWait

    load(browser, urljoin(site, PAGE))
    keys = browser.execute_script(PLAYERS)
    assert len(keys) >= 2, f"{PAGE}: {len(keys)} animation players, expected the chapter's 2"
    for key in keys:
        # the players start paused, on their first frame, with a real image
        WebDriverWait(browser, 10).until(lambda d: d.execute_script(
            "return window['anim' + arguments[0]] !== undefined", key))
        first, position = shown(browser, key)
        assert position == 0 and first.startswith("data:image/png;base64,")
        assert browser.execute_script(
            "return document.getElementById(arguments[0]).naturalWidth", f"_anim_img{key}") > 0
        n_frames = int(browser.execute_script(
            "return document.getElementById(arguments[0]).max", f"_anim_slider{key}")) + 1
        assert n_frames >= 8, f"player {key}: {n_frames} frames"

        play = browser.find_element("css selector", f"button[onclick='anim{key}.play_animation()']")
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", play)
        play.click()
        seen = {first}
        WebDriverWait(browser, 10, poll_frequency=0.05).until(
            lambda d: seen.add(shown(d, key)[0]) or len(seen) >= 3)
        browser.find_element("css selector", f"button[onclick='anim{key}.pause_animation()']").click()
        assert shown(browser, key)[1] > 0 or len(seen) >= 3      # it moved on from frame 0
