"""The ``mx`` namespace itself (src/mxjax/__init__.py)."""

import subprocess
import sys


def test_jax_info_and_debug_records_stay_out_of_a_debug_root_logger():
    # MXNet prints nothing of its own at INFO/DEBUG; JAX's backend probing must not either
    code = ("import logging; logging.basicConfig(level=logging.DEBUG)\n"
            "import mxjax as mx\n"
            "print((mx.nd.ones(2) + 1).asnumpy())\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "[2. 2.]" in res.stdout
    assert "jax" not in res.stderr, res.stderr[:2000]
