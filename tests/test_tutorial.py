"""MXNet's Module tutorial runs unchanged but for the import, offline, with MXNet's log lines."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_tutorial_program_runs_verbatim(tmp_path):
    res = subprocess.run([sys.executable, str(ROOT / "examples" / "module_tutorial.py")],
                         cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    log = res.stdout + res.stderr
    assert re.search(r"INFO:root:Epoch\[0\] Train-accuracy=0\.\d{6}\n", log)
    assert re.search(r"INFO:root:Epoch\[0\] Time cost=\d+\.\d{3}\n", log)
    vals = [float(v) for v in re.findall(r"Epoch\[7\] Validation-accuracy=(0\.\d{6})", log)]
    assert vals and vals[0] > 0.77
    score = float(re.search(r"Accuracy score is (\d\.\d+)", log).group(1))
    assert score > 0.77
    assert 'Saved checkpoint to "mx_mlp-0001.params"' in log
    for name in ["mx_mlp-symbol.json"] + [f"mx_mlp-{i:04d}.params" for i in range(1, 6)]:
        assert (tmp_path / name).exists(), name
    resumed = log[log.index('Saved checkpoint to "mx_mlp-0005.params"'):]
    first = re.search(r"Epoch\[(\d+)\] Train-accuracy", resumed)
    assert first and first.group(1) == "3"


def test_mxjax_tutorial_command_quick(tmp_path):
    res = subprocess.run([sys.executable, "-m", "mxjax.cli", "tutorial", "--quick",
                          "--epochs", "1", "--workdir", str(tmp_path)],
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "Epoch[0] Train-accuracy=" in res.stderr
    assert (tmp_path / "mx_mlp-0003.params").exists()
