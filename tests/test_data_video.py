"""rnncourse.data.video: generated clips whose labels depend on the order of the frames."""
import numpy as np
import pytest
import torch

import rnncourse.data as rd
from rnncourse.data.video import closest_frame, render_blobs

PAIRED = [rd.moving_dot_clips, rd.two_phase_clips]
ALL = PAIRED + [rd.meeting_clips]


@pytest.mark.parametrize("make", ALL, ids=lambda f: f.__name__)
def test_deterministic_shapes_dtypes_balance(make):
    a, b, c = make(40, seed=3), make(40, seed=np.random.default_rng(3)), make(40, seed=4)
    assert torch.equal(a.x, b.x) and torch.equal(a.y, b.y) and np.array_equal(a.positions, b.positions)
    assert not torch.equal(a.x, c.x)
    T, n, C, S, S2 = a.x.shape
    assert n == 40 and S == S2 == 24 and C == (2 if make is rd.meeting_clips else 1)
    assert a.x.dtype == torch.float32 and a.y.dtype == torch.int64 and a.y.shape == (40,)
    assert a.positions.shape == (T, n, C, 2) and a.positions.dtype == np.float64
    assert int(a.y.sum()) == 20                        # exactly balanced
    assert len(a.classes) == 2 and set(a.y.tolist()) == {0, 1}
    assert 0.9 < float(a.x.max()) < 1.5                # objects peak near 1, plus noise


@pytest.mark.parametrize("make", PAIRED, ids=lambda f: f.__name__)
def test_pairs_are_time_reversals_with_flipped_labels(make):
    clips = make(200, seed=1)
    assert torch.equal(clips.x[:, 1::2], clips.x[:, 0::2].flip(0))
    assert torch.equal(clips.y[1::2], 1 - clips.y[0::2])
    assert np.array_equal(clips.positions[:, 1::2], clips.positions[:, 0::2][::-1])


@pytest.mark.parametrize("make", PAIRED, ids=lambda f: f.__name__)
def test_order_free_views_carry_no_label_information(make):
    """The mean frame, the bag of frames and (T odd) the middle frame of a clip
    are those of its partner, which has the other label."""
    clips = make(200, seed=2)
    x, y = clips.x, clips.y
    T = x.shape[0]
    mean = x.mean(dim=0)                                                     # (n, C, S, S)
    assert torch.allclose(mean[0::2], mean[1::2], atol=1e-6)
    bag = x.sort(dim=0).values                          # each pixel's values, order forgotten
    assert torch.equal(bag[:, 0::2], bag[:, 1::2])
    assert T % 2 == 1 and torch.equal(x[T // 2, 0::2], x[T // 2, 1::2])
    # hence the label-conditional mean frames are the same
    assert torch.allclose(x[:, y == 0].mean(dim=(0, 1)), x[:, y == 1].mean(dim=(0, 1)), atol=1e-6)
    # while the order does carry it: the first frames differ between the labels' partners
    assert not torch.equal(x[0, 0::2], x[0, 1::2])


def test_moving_dot_label_is_the_horizontal_direction():
    clips = rd.moving_dot_clips(300, seed=5, noise=0.0)
    step = np.diff(clips.positions[:, :, 0, 0], axis=0)                     # horizontal steps
    assert np.all(np.sign(step) == np.where(clips.y.numpy() == 1, 1, -1))
    assert (clips.positions > 1.9).all() and (clips.positions < 24 - 2.9).all()   # inside the frame
    # without noise the frames are the positions, rendered; reversed, the label flips
    assert torch.equal(clips.x, torch.from_numpy(render_blobs(clips.positions, 24)))
    backwards = clips.positions[::-1]
    assert np.all((backwards[-1, :, 0, 0] > backwards[0, :, 0, 0]) == (clips.y.numpy() == 0))


def test_moving_dot_wrap_makes_every_frame_uninformative():
    clips = rd.moving_dot_clips(4000, seed=6, wrap=True, speed=(0.8, 1.6), T=12)
    first = clips.positions[0, :, 0, 0] % 24
    right = clips.y.numpy() == 1
    # where the dot starts does not depend on where it goes (it does without wrap)
    assert abs(first[right].mean() - first[~right].mean()) < 0.6
    bounded = rd.moving_dot_clips(4000, seed=6)
    start = bounded.positions[0, :, 0, 0]
    assert start[bounded.y.numpy() == 1].mean() < start[bounded.y.numpy() == 0].mean() - 3


def test_two_phase_poses_come_in_the_labelled_order():
    clips = rd.two_phase_clips(200, seed=7, noise=0.0)
    x = clips.x[:, :, 0]                                                    # (T, n, S, S)
    # a horizontal bar puts its mass in few rows: its row sums peak higher than its column sums
    ratio = x.sum(dim=-1).amax(dim=-1) / x.sum(dim=-2).amax(dim=-1)         # row sums / column sums
    pose = torch.zeros_like(ratio, dtype=torch.long)                        # 0: at rest, a round dot
    pose[ratio > 2] = 1                                                     # horizontal
    pose[ratio < 0.5] = 2                                                   # vertical
    t = torch.arange(len(x))[:, None].expand_as(pose)
    first_h = torch.where(pose == 1, t, 99).amin(dim=0)
    first_v = torch.where(pose == 2, t, 99).amin(dim=0)
    assert (first_h < 99).all() and (first_v < 99).all()
    assert torch.equal((first_v < first_h).long(), clips.y)
    assert (pose[0] == 0).all() and (pose[-1] == 0).all()                   # it starts and ends at rest
    assert torch.equal(pose.flip(0)[:, 0::2], pose[:, 1::2])


def test_meeting_clips_labels_and_closest_frame():
    clips = rd.meeting_clips(400, seed=8, noise=0.0)
    p = clips.positions
    distance = np.linalg.norm(p[:, :, 0] - p[:, :, 1], axis=-1)
    assert np.array_equal(clips.y.numpy(), (distance < 2.5).any(axis=0).astype(np.int64))
    assert (distance[0] > 2.5).all()                                       # apart at the start
    k = closest_frame(p)
    assert k.shape == (400,) and np.array_equal(distance[k, np.arange(400)], distance.min(axis=0))
    assert np.median(k) > 16 / 2                                            # the event comes late
    # object A in channel 0, B in channel 1
    assert torch.equal(clips.x, torch.from_numpy(render_blobs(p, 24, channels=True)))
    # without jitter the paths are straight lines
    straight = rd.meeting_clips(50, seed=8, jitter=0.0).positions
    assert np.allclose(np.diff(straight, n=2, axis=0), 0, atol=1e-9)


def test_render_blobs():
    frame = render_blobs(np.array([[[5.0, 9.0]]]), 16)[0, 0]               # (S, S): row 9, column 5
    assert frame.shape == (16, 16) and frame.dtype == np.float32
    assert np.unravel_index(frame.argmax(), frame.shape) == (9, 5) and frame.max() == 1.0
    wrapped = render_blobs(np.array([[15.5, 8.0]]), 16, wrap=True)[0]
    assert wrapped[8, 0] == pytest.approx(wrapped[8, 15])                   # the torus joins the edges
    with pytest.raises(ValueError, match=r"\(\.\.\., K, 2\)"):
        render_blobs(np.zeros((3, 3)), 16)


@pytest.mark.parametrize("make", ALL, ids=lambda f: f.__name__)
def test_bad_arguments(make):
    with pytest.raises(TypeError, match="n must be an int"):
        make(10.0)
    with pytest.raises(ValueError, match="T must be at least"):
        make(10, T=1)
    with pytest.raises(ValueError, match="size must be at least 8"):
        make(10, size=4)
    with pytest.raises(ValueError, match="noise must be >= 0"):
        make(10, noise=-0.1)


@pytest.mark.parametrize("make", PAIRED, ids=lambda f: f.__name__)
def test_odd_n_is_refused(make):
    with pytest.raises(ValueError, match="even number"):
        make(11)


def test_moving_dot_path_that_does_not_fit():
    with pytest.raises(ValueError, match="does not fit"):
        rd.moving_dot_clips(10, T=40)
    rd.moving_dot_clips(10, T=40, wrap=True)        # on a torus any path fits
    with pytest.raises(ValueError, match="speed must be"):
        rd.moving_dot_clips(10, speed=(1.0, 0.5))


def test_closest_frame_checks_its_input():
    with pytest.raises(ValueError, match=r"\(T, n, 2, 2\)"):
        closest_frame(np.zeros((5, 3, 1, 2)))
