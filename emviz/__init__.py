"""emviz: watch and poke the EM algorithm for Gaussian mixture models."""

#: The one place the version is written: pyproject.toml reads it (dynamic), and the
#: command line, the About box, session files and exported images report it. First, so
#: every module can import it whatever the order of imports.
__version__ = "0.1.0"

from ._resources import read_resource_text, resource  # noqa: E402
from .viewer import show  # noqa: E402

__all__ = ["read_resource_text", "resource", "show"]
