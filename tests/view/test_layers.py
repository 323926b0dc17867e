"""The packages import in one direction, core ← look ← session ← gui: what views draw with
(emviz.look) needs no session model, so importing it loads none (no cycle between them)."""

import subprocess
import sys

import pytest

CHECK = """
import sys
import {module}
loaded = sorted(m for m in sys.modules if m.startswith(("emviz.session", "emviz.gui", "PySide6")))
assert not loaded, loaded
print("ok")
"""


@pytest.mark.parametrize("module", ["emviz.look", "emviz.look.readouts", "emviz.look.colors",
                                    "emviz.look.geometry", "emviz.look.appearance"])
def test_look_imports_no_session_model_and_no_qt(module):
    result = subprocess.run([sys.executable, "-c", CHECK.format(module=module)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
