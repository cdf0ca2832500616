"""Every stage is one command: its --help must render (argparse formats help lazily, so a stray '%' only fails here)."""
import subprocess
import sys

import pytest

MODULES = ["data", "features", "train", "search", "export", "evaluate", "compare", "bench", "stream_golden",
           "whisper_probe", "tune_blank"]


@pytest.mark.parametrize("module", MODULES)
def test_cli_help_renders(module):
    res = subprocess.run([sys.executable, "-m", f"omnisparse.{module}", "--help"], capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "usage" in res.stdout.lower()
