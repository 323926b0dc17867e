"""emviz: watch and poke the EM algorithm for Gaussian mixture models."""

from ._resources import read_resource_text, resource

__version__ = "0.1.0"
__all__ = ["read_resource_text", "resource"]
