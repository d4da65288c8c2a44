"""rnncourse.book.use_cjk_font: Chinese text in figures draws with the shipped font, not as empty boxes."""
import warnings

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.ft2font import FT2Font  # noqa: E402

import rnncourse.data as rd  # noqa: E402
from rnncourse.book import CJK_FAMILY, use_book_style, use_cjk_font  # noqa: E402


def draw(text):
    fig, ax = plt.subplots()
    ax.set_title(text)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    plt.close(fig)
    return [str(w.message) for w in caught if "missing from" in str(w.message)]


def test_without_the_font_chinese_is_missing():
    """The check below can fail: matplotlib's own fonts have no Chinese glyphs."""
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        assert draw("你好")


def test_chinese_draws_with_the_shipped_font():
    use_book_style()
    assert use_cjk_font() == CJK_FAMILY
    assert matplotlib.rcParams["font.family"][-1] == CJK_FAMILY
    assert draw("Hi. -> 你好。汤姆在哪儿？") == []
    path = font_manager.findfont(font_manager.FontProperties(family=CJK_FAMILY), fallback_to_default=False)
    assert path.endswith("RNNCourseSansSC-Regular.otf")
    use_cjk_font()                                                      # a second call changes nothing
    assert matplotlib.rcParams["font.family"].count(CJK_FAMILY) == 1


def test_the_font_covers_the_data_set():
    path = font_manager.findfont(font_manager.FontProperties(family=(use_cjk_font())))
    font = FT2Font(path)
    chars = set("".join(p.chinese for p in rd.load_tatoeba_cmn())) - {" "}
    missing = [c for c in chars if font.get_char_index(ord(c)) == 0]
    assert missing == [] and len(chars) == 2826
    assert font.get_char_index(ord("龘")) == 0                           # a subset: not every character


@pytest.fixture(autouse=True)
def restore_rc():
    with matplotlib.rc_context():
        yield
