"""Forward + backward of ``rnncourse.numpy.LSTM`` against ``torch.nn.LSTM`` on the CPU.

Both run in this process, float32, on the same weights (``LSTM.from_torch``),
the same input and the same upstream gradients (of ``y`` and of the final
state); both compute the gradients of the input and of every weight. Blocks
of trials alternate between the two, so that a noisy machine slows both
alike, with a pause before each block: the worker threads of OpenBLAS
(NumPy's) and of OpenMP (torch's) spin for a while after their last
product, and on two cores the ones left spinning would steal a core from the
other library. The table gives median times, their ratio, and the GFLOP/s
each reaches, next to a plain NumPy matmul that does the LSTM's flops in
products of the same shapes (its "ceiling" on this machine).

    python benchmarks/numpy_vs_torch.py [--quick] [--out benchmarks/results/numpy_vs_torch.md]
"""
from __future__ import annotations

import argparse
import os
import platform
from pathlib import Path

import numpy as np
import torch

from rnncourse.numpy import LSTM

from common import cpu_name, interleaved_times, write_report  # benchmarks/common.py

SIZES = [  # (T, B, D, H)
    (32, 16, 32, 64),
    (64, 32, 64, 128),
    (64, 128, 128, 256),
    (128, 64, 128, 256),
]
QUICK_SIZES = SIZES[1:3]
PAUSE = 0.3  # seconds between blocks of trials


def lstm_flops(T, B, D, H):
    """Matrix-product flops of forward + backward: 3 passes of 2 T B 4H (D + H)."""
    return 3 * 2 * T * B * 4 * H * (D + H)


def blas_name():
    """NumPy's BLAS, from ``np.show_config``."""
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas['name']} {blas.get('version', '')}".strip()
    except Exception:  # older NumPy: no dict mode
        return "unknown"



def bench(T, B, D, H, rounds, per_round):
    torch.manual_seed(0)
    module = torch.nn.LSTM(D, H)  # float32
    layer = LSTM.from_torch(module)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((T, B, D), dtype=np.float32)
    dy = rng.standard_normal((T, B, H), dtype=np.float32)
    dh, dc = rng.standard_normal((2, B, H), dtype=np.float32)
    x_t = torch.from_numpy(x).requires_grad_()
    dy_t, dh_t, dc_t = (torch.from_numpy(a) for a in (dy, dh, dc))

    def run_torch():
        y, (h_T, c_T) = module(x_t)
        torch.autograd.backward([y, h_T[0], c_T[0]], [dy_t, dh_t, dc_t])
        module.zero_grad(set_to_none=True)
        x_t.grad = None

    def run_numpy():
        layer.forward(x)
        layer.backward(dy, (dh, dc))

    # The ceiling: the same flops as plain products of the LSTM's shapes,
    # (T B, D + H) @ (D + H, 4H), three times (forward, and two in backward).
    a = rng.standard_normal((T * B, D + H), dtype=np.float32)
    w = rng.standard_normal((D + H, 4 * H), dtype=np.float32)
    da = rng.standard_normal((T * B, 4 * H), dtype=np.float32)

    def run_matmul():
        a @ w
        da @ w.T
        da.T @ a

    runs = {"torch": run_torch, "numpy": run_numpy, "matmul": run_matmul}
    # OpenBLAS's and OpenMP's worker threads spin for a while after a product:
    # PAUSE lets the other library's go idle before each block.
    times = interleaved_times(runs, rounds, per_round, pause=PAUSE)
    return {name: float(np.median(t)) for name, t in times.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the two reference sizes, fewer repeats")
    parser.add_argument("--rounds", type=int, default=None, help="alternating blocks per size (default 8, quick 4)")
    parser.add_argument("--per-round", type=int, default=5, help="timed trials per block")
    parser.add_argument("--out", type=Path, default=None, help="also write the table as markdown to this file")
    args = parser.parse_args(argv)
    sizes = QUICK_SIZES if args.quick else SIZES
    rounds = args.rounds or (4 if args.quick else 8)

    env = {k: os.environ[k] for k in sorted(os.environ) if k.startswith(("OPENBLAS_", "OMP_", "MKL_"))}
    header = [
        f"- machine: {cpu_name()}, {os.cpu_count()} cores; Python {platform.python_version()}",
        f"- numpy {np.__version__} with {blas_name()}; torch {torch.__version__} "
        f"({torch.get_num_threads()} threads, MKL: {torch.backends.mkl.is_available()})",
        f"- environment: {', '.join(f'{k}={v}' for k, v in env.items()) or 'no OPENBLAS_/OMP_/MKL_ variables set'}",
        f"- float32, forward + backward (input and weight gradients); median of {rounds} x {args.per_round} trials, "
        f"in {rounds} alternating blocks; load average at start {os.getloadavg()[0]:.1f}",
    ]
    rows = [
        "| T | B | D | H | torch.nn ms | numpy ms | numpy / torch | torch GFLOP/s | numpy GFLOP/s | matmul GFLOP/s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    print("\n".join(header))
    print(rows[0])
    for T, B, D, H in sizes:
        t = bench(T, B, D, H, rounds, args.per_round)
        gflop = lstm_flops(T, B, D, H) / 1e9
        row = (
            f"| {T} | {B} | {D} | {H} | {1e3 * t['torch']:.2f} | {1e3 * t['numpy']:.2f} | "
            f"{t['numpy'] / t['torch']:.2f} | {gflop / t['torch']:.0f} | {gflop / t['numpy']:.0f} | {gflop / t['matmul']:.0f} |"
        )
        rows.append(row)
        print(row, flush=True)
    write_report(args.out, header, rows)


if __name__ == "__main__":
    main()
