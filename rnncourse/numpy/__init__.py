"""RNN, LSTM and GRU in NumPy, with hand-written backpropagation through time.

Layers run whole sequences, time-major ``(T, B, D)``; ``forward`` keeps a
cache that ``backward`` consumes; ``params`` and ``grads`` are dicts named as
in the text. Around them: activations and losses, an output layer,
optimizers, gradient clipping and gradient checking.
"""
from rnncourse.numpy._layer import RecurrentLayer, chunks
from rnncourse.numpy.functional import log_softmax, mse, relu, sigmoid, softmax, softmax_cross_entropy, tanh
from rnncourse.numpy.gradcheck import gradcheck, numerical_gradient, relative_error
from rnncourse.numpy.gru import GRU
from rnncourse.numpy.lstm import LSTM
from rnncourse.numpy.optim import SGD, Adagrad, Adam, Optimizer, clip_grad_norm, clip_grad_value, global_norm
from rnncourse.numpy.output import Output
from rnncourse.numpy.rnn import RNN

__all__ = [
    "RNN", "LSTM", "GRU", "Output", "RecurrentLayer", "chunks",
    "sigmoid", "tanh", "relu", "softmax", "log_softmax", "softmax_cross_entropy", "mse",
    "SGD", "Adagrad", "Adam", "Optimizer", "clip_grad_norm", "clip_grad_value", "global_norm",
    "gradcheck", "numerical_gradient", "relative_error",
]
