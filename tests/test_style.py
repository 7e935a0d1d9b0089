"""The codebase stays `ruff check` clean (the project's style rule)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_check_is_clean():
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed")
    paths = [p for p in ("src", "tests", "examples", "bench") if (ROOT / p).exists()]
    res = subprocess.run([ruff, "check", *paths], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
