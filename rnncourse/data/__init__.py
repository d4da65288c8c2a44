"""The course's data: real data sets shipped with the package, and synthetic tasks.

Everything loads from files installed with ``rnncourse``
(``rnncourse/data/files``, see its ``README.md`` for origins and licences);
nothing is downloaded.

Real data
    :func:`load_sunspots` (monthly sunspot numbers, 1749-1983),
    :func:`load_shakespeare` (tiny Shakespeare), :func:`load_names` (surnames
    in 18 languages), :func:`load_spoken_digits` (spoken digits, 8 kHz),
    :func:`load_tatoeba_cmn` (English-Mandarin sentence pairs).
Forecasting
    :func:`make_windows`, :func:`chronological_split`, :class:`Standardizer`.
Text
    :class:`CharVocab`, :func:`tbptt_batches`.
Classification
    :func:`stratified_split`, :func:`pad_batch`, :func:`collate_names`, :class:`NamesDataset`.
Translation
    :class:`SentencePair`, :func:`split_pairs`, :func:`english_words`, :func:`chinese_chars`.
Synthetic tasks
    :func:`adding_problem`, :func:`copy_task`, :func:`noisy_sine`.
Video (generated clips whose labels depend on the order of the frames)
    :func:`moving_dot_clips`, :func:`two_phase_clips`, :func:`meeting_clips`,
    :func:`closest_frame`, :func:`render_blobs`, :class:`VideoClips`.
"""
from rnncourse.data.digits import SpokenDigits, load_spoken_digits
from rnncourse.data.names import NamesDataset, collate_names, load_names, pad_batch, stratified_split
from rnncourse.data.shakespeare import TBPTTBatches, load_shakespeare, tbptt_batches
from rnncourse.data.sunspots import Standardizer, chronological_split, load_sunspots, make_windows
from rnncourse.data.tatoeba import SentencePair, chinese_chars, english_words, load_tatoeba_cmn, split_pairs
from rnncourse.data.synthetic import adding_problem, copy_task, noisy_sine
from rnncourse.data.video import (VideoClips, closest_frame, meeting_clips, moving_dot_clips,
                                  render_blobs, two_phase_clips)
from rnncourse.data.vocab import CharVocab

__all__ = [
    "load_sunspots", "make_windows", "chronological_split", "Standardizer",
    "load_shakespeare", "CharVocab", "tbptt_batches", "TBPTTBatches",
    "load_names", "stratified_split", "pad_batch", "collate_names", "NamesDataset",
    "load_spoken_digits", "SpokenDigits",
    "load_tatoeba_cmn", "SentencePair", "split_pairs", "english_words", "chinese_chars",
    "adding_problem", "copy_task", "noisy_sine",
    "moving_dot_clips", "two_phase_clips", "meeting_clips", "closest_frame", "render_blobs", "VideoClips",
]
