"""emviz: watch and poke the EM algorithm for Gaussian mixture models."""

__version__ = "0.1.0"
