"""Create the peer virtualenvs the benchmark compares mxjax with.

* ``bench/.venv-mxnet``: MXNet 1.9.1 (``pip install mxnet==1.9.1 'numpy<1.24'``; MXNet 1.9.1
  uses ``np.bool`` and friends that numpy 1.24 removed).
* ``bench/.venv-torch``: PyTorch 2.13.0, CPU build (``pip install torch==2.13.0``; on this
  machine pip takes the CPU wheel that lies on disk) and numpy.

A venv whose python already imports the package is left alone. Usage::

    python bench/setup_envs.py [--only mxnet|torch] [--python python3.11]

Prints the python path of each venv; ``bench/run.py`` calls :func:`ensure` itself.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent

#: venv name -> (module to import as the check, pip requirements)
ENVS: dict[str, tuple[str, list[str]]] = {
    "mxnet": ("mxnet", ["mxnet==1.9.1", "numpy<1.24"]),
    "torch": ("torch", ["torch==2.13.0", "numpy"]),
}


def venv_python(name: str) -> Path:
    """The python executable of ``bench/.venv-<name>``."""
    return BENCH / f".venv-{name}" / "bin" / "python"


def imports(python: str | Path, module: str) -> bool:
    """True when ``python -c 'import module'`` succeeds."""
    res = subprocess.run([str(python), "-c", f"import {module}"], capture_output=True)
    return res.returncode == 0


def ensure(name: str, base_python: str = "python3", log=print) -> Path:
    """Create/complete ``bench/.venv-<name>`` unless its python already imports the package."""
    if name not in ENVS:
        raise ValueError(f"unknown peer environment {name!r}; known: {sorted(ENVS)}")
    module, reqs = ENVS[name]
    py = venv_python(name)
    if py.exists() and imports(py, module):
        return py
    if not py.exists():
        log(f"[setup] creating {py.parent.parent} with {base_python}")
        subprocess.run([base_python, "-m", "venv", str(py.parent.parent)], check=True)
    log(f"[setup] pip install {' '.join(reqs)} into {py.parent.parent} (may take minutes)")
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", *reqs], check=True)
    if not imports(py, module):
        raise RuntimeError(f"{py} still cannot import {module} after pip install")
    return py


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=sorted(ENVS), action="append",
                    help="create only this environment (repeatable)")
    ap.add_argument("--python", default="python3", help="base interpreter for the venvs")
    args = ap.parse_args(argv)
    failed = 0
    for name in args.only or sorted(ENVS):
        try:
            print(f"{name}: {ensure(name, args.python)}")
        except (subprocess.CalledProcessError, RuntimeError) as exc:
            print(f"{name}: FAILED: {exc}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
