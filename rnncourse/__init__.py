"""rnncourse: the companion package of *Recurrent Neural Networks, executable*.

Subpackages
-----------
numpy
    RNN, LSTM and GRU in NumPy with hand-written backpropagation through time.
torch
    The same cells as PyTorch ``nn.Module`` s written from the equations.
data
    The course's data sets, shipped with the package, and synthetic tasks.
"""
from rnncourse.book import default_device, glue, seed_everything, seeds

__version__ = "0.1.0"
__all__ = ["glue", "seed_everything", "seeds", "default_device",
           "__version__"]
