"""mxjax: MXNet 1.x's symbolic training stack on JAX/XLA.

``import mxjax as mx`` gives MXNet's namespace: ``mx.sym``, ``mx.nd``,
``mx.mod``, ``mx.io``, ``mx.metric``, ``mx.init``, ``mx.optimizer``, ...
"""

from __future__ import annotations

__version__ = "0.1.0"

from . import (  # noqa: E402
    attribute,
    base,
    context,
    executor,  # noqa: E402
    name,
    ndarray,  # noqa: E402
    operator,
    random,
    symbol,  # noqa: E402
)
from . import ndarray as nd  # noqa: E402
from . import symbol as sym  # noqa: E402
from .attribute import AttrScope  # noqa: E402
from .base import MXNetError  # noqa: E402
from .context import Context, cpu, cpu_pinned, current_context, gpu, num_gpus  # noqa: E402
from .executor import Executor  # noqa: E402

__all__ = [
    "AttrScope", "Context", "Executor", "MXNetError", "attribute", "base", "context", "cpu",
    "cpu_pinned", "current_context", "executor", "gpu", "name", "nd", "ndarray", "num_gpus",
    "operator", "random", "sym", "symbol", "__version__",
]
