"""emviz.dataio is Qt-free: importing it in a fresh interpreter loads no Qt or pyqtgraph."""

import subprocess
import sys

CHECK = """
import sys
import emviz.dataio
QT = ("PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6")
qt = sorted(m for m in sys.modules if m.split(".")[0] in QT)
assert not qt, qt
print("ok")
"""


def test_dataio_does_not_import_qt():
    result = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
