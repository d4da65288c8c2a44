"""One training step of K replicas (``rnncourse.torch.replicas``) against K runs of the single model.

The model is the chapters' ``SequenceRegressor`` (D = 2 inputs, one output,
a ``torch.nn`` core), the step is what ``fit`` and ``fit_replicas`` do per
batch: forward, MSE loss, backward, gradient clipping (per replica), Adam.
K sequential runs cost K single steps, so the single model is timed once and
multiplied. On one torch thread, float32, B = 32. Contenders are timed in
turn (single, K = 1, 5, 10, single, ...) and each keeps the least time of its
repeats, so that a busy machine slows them alike and its noise cannot flip a
ratio.

    python benchmarks/replicas.py [--quick] [--out benchmarks/results/replicas.md]
"""
from __future__ import annotations

import argparse
import os
import platform
from pathlib import Path

import torch
import torch.nn.functional as F

from rnncourse.torch.models import SequenceRegressor
from rnncourse.torch.replicas import ReplicaSequenceRegressor

from common import cpu_name, interleaved_times, write_report  # benchmarks/common.py

SIZES = [(32, 25), (32, 50), (64, 50), (128, 100)]  # (H, T)
QUICK_SIZES = [(32, 50)]
CELLS = ("rnn", "lstm", "gru")
REPLICAS = (1, 5, 10)
B, CLIP = 32, 1.0



def step_single(model, optimizer, x, y):
    loss = F.mse_loss(model(x), y)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
    optimizer.step()


def step_replicas(model, optimizer, x, y):
    K = model.replicas
    output = model(x)
    loss = torch.stack([F.mse_loss(output[k], y) for k in range(K)]).sum()
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    grads = [p.grad for p in model.parameters()]
    norms = torch.stack([g.reshape(K, -1).pow(2).sum(1) for g in grads]).sum(0).sqrt()
    scale = (CLIP / (norms + 1e-6)).clamp(max=1.0)
    for g in grads:
        g.mul_(scale.view(K, *([1] * (g.ndim - 1))))
    optimizer.step()


def contenders(cell, H, T):
    x, y = torch.rand(T, B, 2), torch.rand(B, 1)
    single = SequenceRegressor(2, H, 1, cell=cell)
    runs = {"single": lambda m=single, o=torch.optim.Adam(single.parameters()): step_single(m, o, x, y)}
    for K in REPLICAS:
        model = ReplicaSequenceRegressor(2, H, 1, cell=cell, replicas=K)
        optimizer = torch.optim.Adam(model.parameters())
        runs[K] = lambda m=model, o=optimizer: step_replicas(m, o, x, y)
    return runs


def bench(cell, H, T, rounds, per_round):
    times = interleaved_times(contenders(cell, H, T), rounds, per_round)
    return {name: min(t) for name, t in times.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one size, fewer repeats")
    parser.add_argument("--rounds", type=int, default=None, help="rounds of the contenders in turn (default 6)")
    parser.add_argument("--per-round", type=int, default=3, help="timed steps per contender and round")
    parser.add_argument("--out", type=Path, default=None, help="also write the table as markdown to this file")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    torch.manual_seed(0)
    sizes = QUICK_SIZES if args.quick else SIZES
    rounds = args.rounds or (2 if args.quick else 6)
    env = {k: os.environ[k] for k in sorted(os.environ) if k.startswith(("OPENBLAS_", "OMP_", "MKL_"))}
    header = [
        f"- machine: {cpu_name()}, {os.cpu_count()} cores; Python {platform.python_version()}; "
        f"torch {torch.__version__}, {torch.get_num_threads()} thread, oneDNN (mkldnn) "
        f"{'enabled' if torch.backends.mkldnn.enabled and torch.backends.mkldnn.is_available() else 'off'}",
        f"- environment: {', '.join(f'{k}={v}' for k, v in env.items()) or 'no OPENBLAS_/OMP_/MKL_ variables set'}",
        f"- one training step (forward, MSE, backward, clipping, Adam) of a SequenceRegressor, D = 2, B = {B}, "
        f"float32; least time of {rounds} x {args.per_round} steps, contenders in turn",
        f"- load average at start {os.getloadavg()[0]:.1f}: the machine was shared with other jobs, so the "
        "times are noisy; the ratios, measured in turn in one run, are what to read",
    ]
    rows = [
        "| cell | H | T | torch.nn, 1 run (ms) | K = 1 (ms) | K = 5 (ms) | K = 10 (ms) | K = 5 / K = 1 "
        "| 5 runs / K = 5 | 10 runs / K = 10 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    print("\n".join(header))
    print(rows[0], flush=True)
    for H, T in sizes:
        for cell in CELLS:
            t = bench(cell, H, T, rounds, args.per_round)
            row = (f"| {cell.upper()} | {H} | {T} | {1e3 * t['single']:.1f} | {1e3 * t[1]:.1f} | {1e3 * t[5]:.1f} "
                   f"| {1e3 * t[10]:.1f} | {t[5] / t[1]:.2f} | {5 * t['single'] / t[5]:.2f} "
                   f"| {10 * t['single'] / t[10]:.2f} |")
            rows.append(row)
            print(row, flush=True)
    write_report(args.out, header, rows)


if __name__ == "__main__":
    main()
