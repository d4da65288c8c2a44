"""A small training loop shared by the chapters: :func:`fit` and :func:`evaluate`.

Batches follow one convention: a batch is a tuple ``(inputs..., target)``;
the model is called as ``model(*inputs)`` and the loss as
``loss(output, target)``. If the model returns a tuple (as a recurrent model
returning ``(output, state)`` does), its first element is the output. With
``stateful=True`` (truncated BPTT over consecutive batches, e.g. from
:func:`rnncourse.data.tbptt_batches`) the model is called as
``model(*inputs, state)`` and must return ``(output, state)``; the state is
detached and carried to the next batch, and reset at every pass over the data.

Tensors of a batch are moved to the device; ``train`` and ``valid`` are any
re-iterable collections of batches (a list of tuples, a ``DataLoader``).
"""
from __future__ import annotations

import copy
import math
import os
import time
from dataclasses import dataclass, field

import numpy as np
import torch
from tqdm.auto import tqdm

from rnncourse.book import default_device, seed_everything

__all__ = [
    "fit", "evaluate", "History", "accuracy", "sequence_cross_entropy", "detach_state",
    "fit_replicas", "evaluate_replicas", "ReplicaHistory",
    "seed_everything", "default_device",
]


@dataclass
class History:
    """What :func:`fit` measured.

    Attributes
    ----------
    train_loss : list of float, one per epoch, the mean training loss over the epoch's batches
    valid_loss : list of float, one per epoch, the validation loss after the epoch
    metrics : dict name -> list of float, one per epoch, the validation metrics
    grad_norm : list of float, one per optimizer step, the total gradient norm *before* clipping
    best_epoch : int or None, the (0-based) epoch with the lowest validation loss
    stopped_early : bool, whether the patience ran out before ``epochs``
    seconds : float, the wall time of the fit
    """

    train_loss: list = field(default_factory=list)
    valid_loss: list = field(default_factory=list)
    metrics: dict = field(default_factory=dict)
    grad_norm: list = field(default_factory=list)
    best_epoch: int | None = None
    stopped_early: bool = False
    seconds: float = 0.0

    @property
    def epochs(self) -> int:
        """The number of epochs run."""
        return len(self.train_loss)


def detach_state(state):
    """Cut the graph behind a recurrent state: a tensor, a tuple of tensors (LSTM), or ``None``."""
    if state is None:
        return None
    if isinstance(state, (tuple, list)):
        return type(state)(detach_state(s) for s in state)
    return state.detach()


def accuracy(logits, target) -> torch.Tensor:
    """The share of ``logits.argmax(-1)`` equal to ``target``; ``logits`` ``(..., C)``, ``target`` ``(...)``."""
    return (logits.argmax(-1) == target).double().mean()


def sequence_cross_entropy(logits, target) -> torch.Tensor:
    """Mean cross-entropy over every step: ``logits`` ``(T, B, V)``, ``target`` ``(T, B)`` ids."""
    return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1))


def _quiet(progress) -> bool:
    if os.environ.get("RNNCOURSE_QUIET") == "1" or progress is False:
        return True
    return progress is None and "PYTEST_CURRENT_TEST" in os.environ


def _check_batches(data, name: str):
    if iter(data) is data:
        raise TypeError(f"{name} must be re-iterable (a list of batches or a DataLoader), got a one-shot "
                        f"{type(data).__name__}; wrap it in list(...)")


def _split(batch, device):
    """``(inputs..., target)`` on ``device``."""
    if not isinstance(batch, (tuple, list)) or len(batch) < 2:
        raise TypeError(f"a batch must be a tuple (inputs..., target) of at least 2 items, got {type(batch).__name__}")
    *inputs, target = (b.to(device) if torch.is_tensor(b) else b for b in batch)
    return inputs, target


def _forward(model, inputs, state, stateful: bool):
    """The model's output on one batch, and the (detached) state to carry when ``stateful``."""
    if stateful:
        output, state = model(*inputs, state)
        return output, detach_state(state)
    output = model(*inputs)
    return (output[0] if isinstance(output, tuple) else output), None


def _model_device(model):
    p = next(model.parameters(), None)
    return p.device if p is not None else torch.device("cpu")


def _weighted_means(caller: str, model, data, device, on_batch) -> dict:
    """Means over ``data`` of the values ``on_batch(inputs, target)`` returns with
    its element count ``n``, each batch weighted by ``n``; in eval mode."""
    device = _model_device(model) if device is None else torch.device(device)
    was_training = model.training
    model.eval()
    totals, count = {}, 0
    try:
        for batch in data:
            values, n = on_batch(*_split(batch, device))
            for name, value in values.items():
                totals[name] = totals.get(name, 0.0) + value * n
            count += n
    finally:
        model.train(was_training)
    if count == 0:
        raise ValueError(f"{caller}: the data yielded no batches")
    return {name: total / count for name, total in totals.items()}


@torch.no_grad()
def evaluate(model, data, loss, metrics: dict | None = None, device=None, stateful: bool = False):
    """Mean loss (and metrics) of ``model`` over the batches of ``data``, in eval mode, without gradients.

    Each batch counts in proportion to ``target.numel()``, so with a loss that
    averages over the target's elements the result is the mean over all of
    them. ``device=None`` uses the model's device.

    Returns the mean loss (float) when ``metrics`` is ``None``, else a dict
    ``{"loss": ..., name: ...}`` for each ``metrics[name](output, target)``.
    """
    state = None

    def on_batch(inputs, target):
        nonlocal state
        output, state = _forward(model, inputs, state, stateful)
        values = {name: float(fn(output, target))
                  for name, fn in {"loss": loss, **(metrics or {})}.items()}
        return values, target.numel()

    means = _weighted_means("evaluate", model, data, device, on_batch)
    return means["loss"] if metrics is None else means


def fit(model, train, valid, loss, optimizer, epochs: int, clip: float | None = None, *,
        patience: int | None = None, restore_best: bool = True, metrics: dict | None = None,
        device=None, stateful: bool = False, progress: bool | None = None) -> History:
    """Train ``model`` for up to ``epochs`` passes over ``train``; return a :class:`History`.

    Parameters
    ----------
    model : nn.Module
    train, valid : re-iterable collections of batches ``(inputs..., target)``;
        ``valid`` may be ``None`` (no validation, no early stopping)
    loss : callable ``loss(output, target) -> scalar tensor``
    optimizer : a ``torch.optim`` optimizer over the model's parameters
    epochs : int, the most passes over ``train``
    clip : float, optional
        Clip the total gradient norm to ``clip`` before each step
        (``torch.nn.utils.clip_grad_norm_``). The history records the norm
        before clipping, so a plot shows how often clipping acted.
    patience : int, optional
        Stop when the validation loss has not improved for ``patience`` epochs.
    restore_best : bool
        At the end, put back the weights of the epoch with the lowest
        validation loss (when there is a ``valid``).
    metrics : dict name -> ``fn(output, target)``, computed on ``valid`` each epoch
        (e.g. ``{"accuracy": accuracy}``)
    device : where to train; ``None`` is :func:`default_device`. The model is moved there.
    stateful : carry the recurrent state across consecutive batches (truncated BPTT)
    progress : show a progress bar over epochs (``tqdm.auto``); ``None`` shows
        it except under pytest. ``RNNCOURSE_QUIET=1`` in the environment always hides it.
    """
    _check_batches(train, "train")
    if valid is not None:
        _check_batches(valid, "valid")
    if clip is not None and not clip > 0:
        raise ValueError(f"clip must be a positive number, got {clip}")
    device = default_device() if device is None else torch.device(device)
    model.to(device)
    history = History(metrics={name: [] for name in metrics or {}})
    best_loss, best_weights, waited = math.inf, None, 0
    start = time.perf_counter()
    bar = tqdm(range(epochs), desc="epochs", disable=_quiet(progress))
    for epoch in bar:
        model.train()
        total, count, state = 0.0, 0, None
        for batch in train:
            inputs, target = _split(batch, device)
            output, state = _forward(model, inputs, state, stateful)
            value = loss(output, target)
            optimizer.zero_grad(set_to_none=True)
            value.backward()
            params = [p for p in model.parameters() if p.grad is not None]
            if clip is None:
                norm = torch.nn.utils.get_total_norm([p.grad for p in params])
            else:  # scales the gradients in place; returns the norm before clipping
                norm = torch.nn.utils.clip_grad_norm_(params, clip)
            history.grad_norm.append(float(norm))
            optimizer.step()
            total += value.item() * target.numel()
            count += target.numel()
        if count == 0:
            raise ValueError("fit: train yielded no batches")
        history.train_loss.append(total / count)
        postfix = {"train": f"{history.train_loss[-1]:.4g}"}
        if valid is not None:
            result = evaluate(model, valid, loss, metrics or {}, device=device, stateful=stateful)
            history.valid_loss.append(result.pop("loss"))
            for name, mean in result.items():
                history.metrics[name].append(mean)
            postfix["valid"] = f"{history.valid_loss[-1]:.4g}"
            if history.valid_loss[-1] < best_loss:
                best_loss, history.best_epoch, waited = history.valid_loss[-1], epoch, 0
                best_weights = copy.deepcopy(model.state_dict())
            else:
                waited += 1
        bar.set_postfix(postfix)
        if patience is not None and valid is not None and waited >= patience:
            history.stopped_early = epoch < epochs - 1
            break
    bar.close()
    if restore_best and best_weights is not None:
        model.load_state_dict(best_weights)
    history.seconds = time.perf_counter() - start
    return history


# ---------------------------------------------------------------------------
# Replica models (rnncourse.torch.replicas): K models trained as one

@dataclass
class ReplicaHistory:
    """What :func:`fit_replicas` measured: one :class:`History` per replica.

    ``history[k]`` is replica ``k``'s :class:`History`, the one a separate
    :func:`fit` of that replica would return (its epochs end where its own
    patience ran out); ``seconds`` is the wall time of the whole fit.
    """

    replicas: list = field(default_factory=list)
    seconds: float = 0.0

    def __getitem__(self, k: int) -> History:
        return self.replicas[k]

    def __len__(self) -> int:
        return len(self.replicas)

    def __iter__(self):
        return iter(self.replicas)

    def best(self, name: str = "loss") -> np.ndarray:
        """Each replica's validation ``loss`` (or metric ``name``) at its best epoch: ``(K,)``."""
        values = [h.valid_loss if name == "loss" else h.metrics[name] for h in self.replicas]
        if any(h.best_epoch is None for h in self.replicas):
            raise ValueError("no best epoch: fit_replicas ran without valid data")
        return np.array([v[h.best_epoch] for v, h in zip(values, self.replicas)])


def _replica_targets(target, K: int, replica_data: bool):
    """The target of each replica: ``target[k]`` with ``replica_data``, else ``target`` for all."""
    if not replica_data:
        return [target] * K
    if target.ndim == 0 or target.shape[0] != K:
        raise ValueError(f"with replica_data=True the target must have a leading replica axis of size "
                         f"K={K}, got shape {tuple(target.shape)}")
    return list(target.unbind(0))


def _replica_output(model, inputs, K: int):
    output = model(*inputs)
    output = output[0] if isinstance(output, tuple) else output
    if output.ndim == 0 or output.shape[0] != K:
        raise ValueError(f"a replica model must return outputs with a leading axis K={K}, got shape {tuple(output.shape)}")
    return output


def _replica_count(model) -> int:
    K = getattr(model, "replicas", None)
    if not isinstance(K, int):
        raise TypeError(f"model must be a replica model (rnncourse.torch.replicas) with an int "
                        f"attribute replicas, got {type(model).__name__}")
    return K


@torch.no_grad()
def evaluate_replicas(model, data, loss, metrics: dict | None = None, device=None, replica_data: bool = False):
    """:func:`evaluate` for a replica model: each replica's mean loss (and metrics), as arrays ``(K,)``.

    ``loss`` and ``metrics`` are the single model's: ``loss(output[k], target)``
    per replica. With ``replica_data``, every batch holds one batch per
    replica (inputs and target with a leading axis ``K``). Returns an array
    ``(K,)`` when ``metrics`` is ``None``, else a dict of arrays with ``"loss"``.
    """
    K = _replica_count(model)

    def on_batch(inputs, target):
        output = _replica_output(model, inputs, K)
        targets = _replica_targets(target, K, replica_data)
        values = {name: torch.stack([torch.as_tensor(fn(output[k], targets[k])) for k in range(K)])
                  .double().cpu().numpy()
                  for name, fn in {"loss": loss, **(metrics or {})}.items()}
        return values, targets[0].numel()

    means = _weighted_means("evaluate_replicas", model, data, device, on_batch)
    return means["loss"] if metrics is None else means


def fit_replicas(model, train, valid, loss, optimizer, epochs: int, clip: float | None = None, *,
                 patience: int | None = None, restore_best: bool = True, metrics: dict | None = None,
                 device=None, replica_data: bool = False, progress: bool | None = None) -> ReplicaHistory:
    """:func:`fit` for a replica model: ``K`` models trained as one, each as if alone.

    Arguments as :func:`fit` (no ``stateful``); ``loss`` and ``metrics`` are
    the single model's, applied replica by replica, and the gradient of the
    sum of the ``K`` losses is each replica's own. Per replica, as ``K``
    separate runs of :func:`fit` on the same batches would do:

    * ``clip`` scales each replica's gradient to a norm of at most ``clip``
      (the norm over that replica's parameters, never over all replicas);
      ``history[k].grad_norm`` records it before clipping;
    * ``patience`` stops a replica when its validation loss has not improved
      for ``patience`` epochs: from then on its weights are held (the others
      train on), and the fit ends when every replica has stopped;
    * ``restore_best`` puts back each replica's weights of its best epoch.

    The optimizer must act element by element (SGD, Adam, AdamW, RMSprop), so
    that one step over the stacked parameters is ``K`` separate steps.
    ``replica_data=True``: every batch holds one batch per replica (inputs and
    target with a leading axis ``K``), e.g. a different data order per
    replica. One progress bar shows the mean over the replicas still training.
    """
    K = _replica_count(model)
    _check_batches(train, "train")
    if valid is not None:
        _check_batches(valid, "valid")
    if clip is not None and not clip > 0:
        raise ValueError(f"clip must be a positive number, got {clip}")
    device = default_device() if device is None else torch.device(device)
    model.to(device)
    history = ReplicaHistory([History(metrics={name: [] for name in metrics or {}}) for _ in range(K)])
    params = [p for p in model.parameters() if p.requires_grad]
    best_loss, waited = np.full(K, math.inf), np.zeros(K, dtype=int)
    best_state, held = None, None  # the best weights; the weights of stopped replicas
    active = np.ones(K, dtype=bool)
    start = time.perf_counter()
    bar = tqdm(range(epochs), desc=f"epochs ({K} replicas)", disable=_quiet(progress))
    for epoch in bar:
        model.train()
        total, count = np.zeros(K), 0
        for batch in train:
            inputs, target = _split(batch, device)
            output = _replica_output(model, inputs, K)
            targets = _replica_targets(target, K, replica_data)
            values = torch.stack([loss(output[k], targets[k]) for k in range(K)])
            optimizer.zero_grad(set_to_none=True)
            values.sum().backward()
            grads = [p.grad for p in params if p.grad is not None]
            norms = torch.stack([g.reshape(K, -1).pow(2).sum(1) for g in grads]).sum(0).sqrt()  # (K,)
            if clip is not None:  # as clip_grad_norm_, replica by replica
                scale = (clip / (norms + 1e-6)).clamp(max=1.0)
                for g in grads:
                    g.mul_(scale.view(K, *([1] * (g.ndim - 1))))
            optimizer.step()
            if held is not None:
                _put_rows(model, held, ~active)
            for k in np.flatnonzero(active):
                history[k].grad_norm.append(float(norms[k]))
            total += values.detach().double().cpu().numpy() * targets[0].numel()
            count += targets[0].numel()
        if count == 0:
            raise ValueError("fit_replicas: train yielded no batches")
        for k in np.flatnonzero(active):
            history[k].train_loss.append(total[k] / count)
        postfix = {"train": f"{np.mean(total[active]) / count:.4g}"}
        if valid is not None:
            result = evaluate_replicas(model, valid, loss, metrics or {}, device=device, replica_data=replica_data)
            valid_loss = result.pop("loss")
            for k in np.flatnonzero(active):
                history[k].valid_loss.append(float(valid_loss[k]))
                for name, means in result.items():
                    history[k].metrics[name].append(float(means[k]))
            postfix["valid"] = f"{np.mean(valid_loss[active]):.4g}"
            improved = active & (valid_loss < best_loss)
            waited[active & ~improved] += 1
            waited[improved] = 0
            best_loss[improved] = valid_loss[improved]
            for k in np.flatnonzero(improved):
                history[k].best_epoch = epoch
            best_state = _take_rows(model, improved, best_state)
        bar.set_postfix(postfix)
        if patience is not None and valid is not None:
            stopping = active & (waited >= patience)
            for k in np.flatnonzero(stopping):
                history[k].stopped_early = epoch < epochs - 1
            if stopping.any():
                held = _take_rows(model, stopping, held)
                active &= ~stopping
            if not active.any():
                break
    bar.close()
    if restore_best and best_state is not None:
        _put_rows(model, best_state, np.array([h.best_epoch is not None for h in history]))
    history.seconds = time.perf_counter() - start
    for h in history:
        h.seconds = history.seconds
    return history


def _take_rows(model, rows, into=None) -> dict:
    """Copy the replicas ``rows`` (a boolean mask) of the model's state into ``into`` (a state dict)."""
    state = model.state_dict()
    if into is None:
        return {name: t.detach().clone() for name, t in state.items()}
    for name, t in state.items():
        mask = torch.as_tensor(rows, device=t.device)
        into[name][mask] = t.detach()[mask]
    return into


@torch.no_grad()
def _put_rows(model, source: dict, rows):
    """Set the replicas ``rows`` (a boolean mask) of the model's weights from ``source``."""
    for name, t in model.state_dict().items():
        mask = torch.as_tensor(rows, device=t.device)
        t[mask] = source[name][mask]
