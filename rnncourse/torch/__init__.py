"""RNN, LSTM and GRU as PyTorch ``nn.Module`` s written from the equations.

Autograd does the backward pass. The modules are drop-in replacements of their
``torch.nn`` twins: same arguments, shapes (time-major ``(T, B, D)`` unless
``batch_first=True``), states and parameter names, so that

    >>> import torch, rnncourse.torch as rt
    >>> ours = rt.LSTM(3, 5, num_layers=2)
    >>> theirs = torch.nn.LSTM(3, 5, num_layers=2)
    >>> _ = ours.load_state_dict(theirs.state_dict())

gives the same outputs. Only a padded tensor is accepted (no ``PackedSequence``,
no unbatched 2-D input).

Cells: :class:`RNNCell`, :class:`LSTMCell`, :class:`GRUCell`.
Sequence layers: :class:`RNN`, :class:`LSTM`, :class:`GRU`.
Models for the chapters: :mod:`rnncourse.torch.models`.
Attention of a decoder over encoder states: :class:`DotAttention`, :func:`dot_attention`.
"""
from rnncourse.torch.gru import GRU, GRUCell, gru_step
from rnncourse.torch.lstm import LSTM, LSTMCell, lstm_step
from rnncourse.torch.rnn import RNN, RNNCell, rnn_step
from rnncourse.torch.mingru import MinGRU, min_gru_scan, min_gru_sequential
from rnncourse.torch.attention import DotAttention, dot_attention
from rnncourse.torch.models import CharLM, SequenceClassifier, SequenceRegressor, make_recurrent

__all__ = [
    "RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell", "rnn_step", "lstm_step", "gru_step",
    "SequenceRegressor", "SequenceClassifier", "CharLM", "make_recurrent",
    "MinGRU", "min_gru_scan", "min_gru_sequential",
    "DotAttention", "dot_attention",
]
