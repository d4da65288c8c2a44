"""Number exercises per chapter: "Exercise 5.2" is chapter 5's second exercise.

sphinx-exercise numbers exercises with Sphinx's figure counters, which run
across the whole book when the table of contents is not numbered (chapter 5's
exercises came out as 17-21 while its prose said "exercise 2"). After Sphinx
has assigned those numbers, this extension renumbers the exercises of every
``chapters/NN_topic`` page as ``(NN, k)``, k counted from 1 in page order;
``{numref}`` links and the exercises' own titles both read the new numbers.
"""
import re

from sphinx.application import Sphinx

CHAPTER = re.compile(r"(?:^|/)(\d\d)_[^/]+$")


def renumber(app: Sphinx, env) -> list:
    for docname, numbers in env.toc_fignumbers.items():
        chapter = CHAPTER.search(docname)
        exercises = numbers.get("exercise")
        if not chapter or not exercises:
            continue
        in_order = sorted(exercises, key=lambda node_id: exercises[node_id])
        numbers["exercise"] = {
            node_id: (int(chapter.group(1)), k) for k, node_id in enumerate(in_order, 1)
        }
    return []


def setup(app: Sphinx) -> dict:
    # after Sphinx's own TocTreeCollector (priority 500) has assigned the numbers
    app.connect("env-get-updated", renumber, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
