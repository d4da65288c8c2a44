"""Build the CJK font that rnncourse ships for figures with Chinese text.

    python tools/make_cjk_font.py [path/to/NotoSansCJK-Regular.ttc]

Takes Noto Sans CJK SC Regular (SIL Open Font License 1.1; Debian's package
``fonts-noto-cjk`` installs it at the default path below), keeps only the
glyphs of the characters that the Chinese side of the Tatoeba pairs uses
(``rnncourse.data.load_tatoeba_cmn``), and renames the family, as the OFL asks
of a modified font, to ``RNN Course Sans SC``. Writes
``rnncourse/fonts/RNNCourseSansSC-Regular.otf``; ``rnncourse.book.use_cjk_font``
registers it with matplotlib.
"""
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

from rnncourse.data import load_tatoeba_cmn

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FAMILY, POSTSCRIPT = "RNN Course Sans SC", "RNNCourseSansSC-Regular"
OUT = ROOT / "rnncourse" / "fonts" / f"{POSTSCRIPT}.otf"


def main(source: str = SOURCE):
    (font,) = [f for f in TTCollection(source).fonts if f["name"].getDebugName(1) == "Noto Sans CJK SC"]
    version = font["name"].getDebugName(5)
    chars = sorted(set("".join(p.chinese for p in load_tatoeba_cmn())) - {" "})
    options = subset.Options()
    options.layout_features = []          # no OpenType features: matplotlib draws one glyph per character
    options.hinting = False
    options.name_IDs = [0, 7, 8, 9, 10, 11, 12, 13, 14]   # keep copyright, trademark, designers, licence
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in chars])
    subsetter.subset(font)
    names = font["name"]
    for record_id, value in {1: FAMILY, 2: "Regular", 4: f"{FAMILY} Regular", 6: POSTSCRIPT,
                             3: f"{POSTSCRIPT};subset of Noto Sans CJK SC {version}"}.items():
        names.setName(value, record_id, 3, 1, 0x409)
    font["CFF "].cff.fontNames = [POSTSCRIPT]
    font.save(OUT)
    print(f"{OUT.relative_to(ROOT)}: {len(chars)} characters, {OUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(*sys.argv[1:])
