"""DataError: the one exception the window catches when a load or save goes wrong."""

from __future__ import annotations


class DataError(ValueError):
    """Bad input or an unreadable/unwritable file, said in one line for a status bar or dialog.

    The message reads ``"<source>, line <n>: <problem>"``, or ``"<source>: <problem>"`` when no
    single line is to blame (a missing file, a missing JSON key). ``source`` is the path as the
    caller gave it, or ``"clipboard"``; ``line`` is 1-based, as a text editor shows it.
    """

    def __init__(self, source: str, problem: str, line: int | None = None) -> None:
        self.source = source
        self.problem = problem
        self.line = line
        where = source if line is None else f"{source}, line {line}"
        super().__init__(f"{where}: {problem}")

    def __reduce__(self):  # so a DataError survives pickling (e.g. across a process pool)
        return (type(self), (self.source, self.problem, self.line))
