"""Kept for the modules that import ``Stream``, ``Background`` and ``Job`` from here: the one
job runner and its interfaces live in ``emviz.gui.jobs``."""

from __future__ import annotations

from .jobs import Background, Job, Stream, same_key

__all__ = ["Background", "Job", "Stream", "same_key"]
