"""Chapters' claims hold on seeds they were not written with.

Every chapter runs again, two at a time, each in a fresh kernel with
RNNCOURSE_SEED_SHIFT set, as ``make seeds`` does: other initial weights, batch
orders, generated data and splits; the same asserts. (Chapters draw every seed
through ``seed_everything`` and ``seeds``, so the shift moves them all.)
"""
import os

from _tools import tool

from rnncourse.book import SEED_SHIFT_VARIABLE

OTHER_SEEDS = tool("other_seeds")


def test_chapter_claims_hold_on_other_seeds():
    shift = OTHER_SEEDS.DEFAULT_SHIFT
    chapters = tool("notebooks").toc_chapters()
    assert len(chapters) >= 14
    failed = [f"{path.stem}: {problem}"
              for path, problem, _ in OTHER_SEEDS.run_shifted(chapters, shift, jobs=2)
              if problem is not None]
    assert not failed, f"with every seed shifted by {shift}:\n" + "\n".join(failed)
    assert SEED_SHIFT_VARIABLE not in os.environ  # restored for what runs next
