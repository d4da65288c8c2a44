"""Generated video clips whose labels depend on the order of the frames.

Real video data sets are too large to ship; these clips are drawn from a seed
(a few milliseconds a clip at most, on one CPU core) and isolate what a recurrent network adds to video:
memory of the order of frames. A clip is a float32 tensor ``(T, n, C, S, S)``,
time-major as everywhere in the course: ``T`` frames of ``C`` channels and
``S x S`` pixels, values about 0 (background) to 1 (an object's centre), plus
Gaussian pixel noise. Objects are Gaussian blobs drawn at sub-pixel positions.

:func:`moving_dot_clips` and :func:`two_phase_clips` come in *time-reversed
pairs*: clip ``2 i + 1`` is clip ``2 i`` played backwards (noise included) and
has the other label. Any classifier that ignores the order of the frames (one
that sees the mean frame, or the bag of frames in any order) gives a clip and
its partner the same answer, so it is right on exactly half of a paired data
set. With an odd ``T``, a clip and its partner share their middle frame, so a
classifier of the middle frame is at chance exactly too. (A frame at a known
time, the first say, is not order-free: where a dot starts says something
about where it is going, since its path must stay in the frame. With
``wrap=True`` the dot moves on a torus and no single frame knows anything.)

:func:`meeting_clips` is an event to predict: two objects, one per channel,
drift towards each other, and the label says whether they touch.

Every function draws from ``np.random.default_rng(seed)`` (an int or a
``np.random.Generator``): the same seed gives the same clips on any machine.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch

__all__ = ["VideoClips", "moving_dot_clips", "two_phase_clips", "meeting_clips", "closest_frame", "render_blobs"]

DIRECTION_CLASSES = ("leftwards", "rightwards")
PHASE_CLASSES = ("horizontal, then vertical", "vertical, then horizontal")
MEETING_CLASSES = ("miss", "meet")


class VideoClips(NamedTuple):
    """Clips, labels and the objects' true positions: ``(x, y, positions, classes)``.

    ``x`` is a float32 tensor ``(T, n, C, S, S)``, the frames, time-major; ``y``
    a long tensor ``(n,)``, the labels (indices into ``classes``);
    ``positions`` a float64 array ``(T, n, K, 2)``, the centres of the ``K``
    objects as (column, row) in pixels (with ``wrap=True``, before wrapping
    around the edges); ``classes`` a tuple of str, the label names.
    """

    x: torch.Tensor
    y: torch.Tensor
    positions: np.ndarray
    classes: tuple


def _check_sizes(name: str, n: int, T: int, size: int, noise: float, min_T: int = 2, even: bool = True):
    for arg, value in (("n", n), ("T", T), ("size", size)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
            raise TypeError(f"{name}: {arg} must be an int, got {type(value).__name__}")
    if n < 2 or (even and n % 2):
        kind = "an even number >= 2 (clips come in time-reversed pairs)" if even else "at least 2"
        raise ValueError(f"{name}: n must be {kind}, got n={n}")
    if T < min_T:
        raise ValueError(f"{name}: T must be at least {min_T}, got T={T}")
    if size < 8:
        raise ValueError(f"{name}: size must be at least 8 pixels, got size={size}")
    if not noise >= 0:
        raise ValueError(f"{name}: noise must be >= 0, got noise={noise}")


def render_blobs(positions, size: int, sigma: float = 1.2, wrap: bool = False, channels: bool = False):
    """Draw Gaussian blobs at sub-pixel ``positions``.

    Parameters
    ----------
    positions : array ``(..., K, 2)``, the (column, row) centres of ``K`` blobs
    size : int, frames are ``size x size`` pixels
    sigma : float, or array ``(..., K, 2)`` of (column, row) standard deviations
        in pixels, one pair per blob (an elongated blob); the peak value is 1
    wrap : bool, measure distances around the edges (the frame is a torus)
    channels : bool, draw blob ``k`` in channel ``k`` (``C = K``); otherwise all
        blobs share one channel (``C = 1``, values added)

    Returns
    -------
    ndarray ``(..., C, size, size)`` float32
    """
    p = np.asarray(positions, dtype=np.float64)
    if p.ndim < 2 or p.shape[-1] != 2:
        raise ValueError(f"positions must have shape (..., K, 2), got {p.shape}")
    sd = np.broadcast_to(np.asarray(sigma, dtype=np.float64), p.shape[:-1] + (2,)) if np.ndim(sigma) else None
    grid = np.arange(size, dtype=np.float64)
    d_col = grid - p[..., 0, None]                       # (..., K, S)
    d_row = grid - p[..., 1, None]
    if wrap:
        d_col = (d_col + size / 2) % size - size / 2
        d_row = (d_row + size / 2) % size - size / 2
    s_col, s_row = (sigma, sigma) if sd is None else (sd[..., 0, None], sd[..., 1, None])
    g_col = np.exp(-0.5 * (d_col / s_col) ** 2).astype(np.float32)
    g_row = np.exp(-0.5 * (d_row / s_row) ** 2).astype(np.float32)
    frames = g_row[..., :, None] * g_col[..., None, :]   # (..., K, S, S): separable
    if not channels:
        frames = frames.sum(axis=-3, keepdims=True)
    return frames


def _paired(name, rng, positions, size, noise, wrap, label_of, sigma=1.2):
    """Render ``positions`` (T, m, 1, 2), add noise, and append each clip's reversal."""
    T, m = positions.shape[:2]
    frames = render_blobs(positions, size, sigma=sigma, wrap=wrap)
    frames += noise * rng.standard_normal(frames.shape, dtype=np.float32)
    y = label_of(positions)
    x = np.empty((T, 2 * m) + frames.shape[2:], dtype=np.float32)
    x[:, 0::2], x[:, 1::2] = frames, frames[::-1]
    p = np.empty((T, 2 * m) + positions.shape[2:])
    p[:, 0::2], p[:, 1::2] = positions, positions[::-1]
    labels = np.empty(2 * m, dtype=np.int64)
    labels[0::2], labels[1::2] = y, 1 - y
    return torch.from_numpy(x), torch.from_numpy(labels), p


def moving_dot_clips(n: int, T: int = 9, size: int = 24, seed=0, speed=(0.8, 1.6), noise: float = 0.05,
                     wrap: bool = False):
    """A dot moving in a straight line: leftwards (label 0) or rightwards (1)?

    The dot moves at a constant velocity whose speed is drawn from ``U(speed)``
    pixels per frame and whose direction lies within 60 degrees of the
    horizontal; its whole path lies in the frame, at least 2 pixels from the
    edges, placed at random. With ``wrap=True`` it starts anywhere and wraps
    around the edges instead. The label is the sign of the horizontal
    velocity. Clips come in time-reversed pairs (see the module docstring): the
    mean frame and the bag of frames carry no information about the label.

    Returns
    -------
    :class:`VideoClips` with ``x`` ``(T, n, 1, size, size)``, ``classes`` ``("leftwards", "rightwards")``
    """
    _check_sizes("moving_dot_clips", n, T, size, noise)
    lo, hi = speed
    if not 0 < lo <= hi:
        raise ValueError(f"moving_dot_clips: speed must be (low, high) with 0 < low <= high, got {speed}")
    rng = np.random.default_rng(seed)
    m = n // 2
    angle = rng.uniform(-np.pi / 3, np.pi / 3, size=m) + np.pi * rng.integers(0, 2, size=m)
    v = rng.uniform(lo, hi, size=m)[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=-1)
    t = np.arange(T, dtype=np.float64)[:, None, None] - (T - 1) / 2
    if wrap:
        middle = rng.uniform(0, size, size=(m, 2))
    else:   # the whole path inside the frame, 2 pixels from the edges
        half = np.abs(v) * (T - 1) / 2 + 2
        if np.any(half > size / 2):
            raise ValueError(f"moving_dot_clips: a path of {T} frames at speed up to {hi} does not fit in "
                             f"{size} pixels; lower T or speed, raise size, or pass wrap=True")
        middle = rng.uniform(half, size - 1 - half)
    positions = (middle + t * v)[:, :, None, :]          # (T, m, 1, 2)
    x, y, p = _paired("moving_dot_clips", rng, positions, size, noise, wrap,
                      lambda pos: (pos[-1, :, 0, 0] > pos[0, :, 0, 0]).astype(np.int64))
    return VideoClips(x, y, p, DIRECTION_CLASSES)


def two_phase_clips(n: int, T: int = 13, size: int = 24, seed=0, noise: float = 0.05):
    """An action in two phases: a horizontal then a vertical pose (label 0), or the other order (1)?

    An object stands at a random place. It rests as a round dot, takes one
    pose (a horizontal or a vertical bar) for 3 or 4 frames, rests, takes the
    other pose for 3 or 4 frames, and rests again, like a signal made with
    one arm. Every rest lasts at least one frame and the three rests share the
    remaining frames at random, so the poses come at varying times and a clip
    may end with a long rest: the network must remember which pose came first.
    Every frame shows its pose plainly; only their order tells the label.
    Played backwards, a clip of one label is a clip of the other; clips come in
    time-reversed pairs (see the module docstring).

    Returns
    -------
    :class:`VideoClips` with ``x`` ``(T, n, 1, size, size)``; ``positions`` holds
    the object's place (it does not move)
    """
    _check_sizes("two_phase_clips", n, T, size, noise, min_T=11)
    rng = np.random.default_rng(seed)
    m = n // 2
    L1, L2 = rng.integers(3, 5, size=(2, m))             # the two poses, in frames
    rest = T - L1 - L2 - 3                               # frames of rest beyond one per rest
    cuts = np.sort(rng.integers(0, rest[:, None] + 1, size=(m, 2)), axis=1)
    a = 1 + cuts[:, 0]                                   # the first rest, then the first pose
    b = a + L1 + 1 + cuts[:, 1] - cuts[:, 0]             # the second pose starts
    t = np.arange(T)[:, None]
    first = (t >= a) & (t < a + L1)
    second = (t >= b) & (t < b + L2)
    horizontal_first = rng.integers(0, 2, size=m).astype(bool)
    horizontal = np.where(horizontal_first, first, second)
    vertical = np.where(horizontal_first, second, first)
    sigma = np.full((T, m, 1, 2), 1.2)                   # (column, row) widths: a round dot at rest
    sigma[horizontal] = (3.0, 0.8)
    sigma[vertical] = (0.8, 3.0)
    place = size / 2 - 0.5 + rng.uniform(-2, 2, size=(m, 2))   # near the centre
    positions = np.broadcast_to(place[None, :, None, :], (T, m, 1, 2))
    x, y, p = _paired("two_phase_clips", rng, positions, size, noise, False,
                      lambda pos: (~horizontal_first).astype(np.int64), sigma=sigma)
    return VideoClips(x, y, p, PHASE_CLASSES)


def meeting_clips(n: int, T: int = 16, size: int = 24, seed=0, radius: float = 2.5,
                  jitter: float = 0.05, noise: float = 0.05):
    """Two objects drift towards each other: will they meet (label 1) or miss (0)?

    Object A is drawn in channel 0, object B in channel 1. Each starts near
    the edge and heads for a point near the centre, which it would reach at a
    time ``t_c`` drawn from ``U(0.5 T, 0.75 T)``, at 0.4 to 0.7 pixels per frame,
    B from a direction at least 45 degrees away from A's. A planned miss
    distance, drawn from ``U(0, 2.4 radius)``, offsets B's course. On the way,
    each velocity takes a random step of standard deviation ``jitter`` pixels
    per frame at every frame, so the future is not fixed by the first frames.
    The label is whether the centres come closer than ``radius`` pixels at any
    frame; half of the clips meet (drawn by rejection). The frames do not wrap.

    Returns
    -------
    :class:`VideoClips` with ``x`` ``(T, n, 2, size, size)`` and
    ``positions`` ``(T, n, 2, 2)``; the frame of closest approach of each clip
    is ``closest_frame(clips.positions)``.
    """
    _check_sizes("meeting_clips", n, T, size, noise, min_T=8)
    if not (radius > 0 and jitter >= 0):
        raise ValueError(f"meeting_clips: radius must be > 0 and jitter >= 0, got radius={radius}, jitter={jitter}")
    rng = np.random.default_rng(seed)
    want = {0: n - n // 2, 1: n // 2}
    kept = {0: [], 1: []}
    t = np.arange(T, dtype=np.float64)[:, None, None, None]
    while any(sum(k.shape[1] for k in kept[c]) < want[c] for c in (0, 1)):
        m = 2 * n
        centre = size / 2 - 0.5 + rng.uniform(-1.5, 1.5, size=(m, 2))
        t_c = rng.uniform(0.5 * T, 0.75 * T, size=(m, 1))
        angle_a = rng.uniform(0, 2 * np.pi, size=m)
        angle_b = angle_a + rng.choice([-1, 1], size=m) * rng.uniform(np.pi / 4, np.pi, size=m)
        v = rng.uniform(0.4, 0.7, size=(m, 2, 1)) * np.stack(
            [np.stack([np.cos(angle_a), np.sin(angle_a)], -1), np.stack([np.cos(angle_b), np.sin(angle_b)], -1)], 1)
        # offset B perpendicular to the relative velocity by the planned miss distance
        rel = v[:, 1] - v[:, 0]
        normal = np.stack([-rel[:, 1], rel[:, 0]], -1) / np.linalg.norm(rel, axis=-1, keepdims=True)
        offset = rng.uniform(0, 2.4 * radius, size=(m, 1)) * normal
        kicks = jitter * rng.standard_normal((T, m, 2, 2))
        kicks[0] = 0.0
        drift = np.cumsum(np.cumsum(kicks, axis=0), axis=0)   # kicks to the velocity, summed twice
        positions = centre[None, :, None] + (t - t_c[None, :, None]) * v[None] + drift
        positions[:, :, 1] += offset
        distance = np.linalg.norm(positions[:, :, 0] - positions[:, :, 1], axis=-1)   # (T, m)
        meet = (distance < radius).any(axis=0)
        for c in (0, 1):
            kept[c].append(positions[:, meet == c])
    pos = {c: np.concatenate(kept[c], axis=1)[:, :want[c]] for c in (0, 1)}
    positions = np.concatenate([pos[0], pos[1]], axis=1)
    y = np.repeat([0, 1], [want[0], want[1]])
    order = rng.permutation(n)
    positions, y = positions[:, order], y[order]
    x = render_blobs(positions, size, channels=True)
    x += noise * rng.standard_normal(x.shape, dtype=np.float32)
    return VideoClips(torch.from_numpy(x), torch.from_numpy(y), positions, MEETING_CLASSES)


def closest_frame(positions) -> np.ndarray:
    """The frame at which two objects are closest, ``(n,)`` int64, from ``positions`` ``(T, n, 2, 2)``."""
    p = np.asarray(positions)
    if p.ndim != 4 or p.shape[2:] != (2, 2):
        raise ValueError(f"positions must have shape (T, n, 2, 2), got {p.shape}")
    return np.linalg.norm(p[:, :, 0] - p[:, :, 1], axis=-1).argmin(axis=0)
