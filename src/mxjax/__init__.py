"""mxjax: MXNet 1.x's symbolic training stack on JAX/XLA.

``import mxjax as mx`` gives MXNet's namespace: ``mx.sym``, ``mx.nd``,
``mx.mod``, ``mx.io``, ``mx.metric``, ``mx.init``, ``mx.optimizer``, ...
"""

from __future__ import annotations

import logging as _logging

__version__ = "0.1.0"

# MXNet prints nothing of its own below WARNING: keep JAX's INFO/DEBUG records (backend
# probing, compilation) out of a user's logging.basicConfig(level=DEBUG) output, unless the
# user set the "jax" logger's level. (Before jax is first imported, below.)
if _logging.getLogger("jax").level == _logging.NOTSET:
    _logging.getLogger("jax").setLevel(_logging.WARNING)

# ruff: noqa: E402, I001  (the order below is the import order the modules need)
from . import base, compile_cache, distributed

compile_cache.enable()  # compiled steps persist across runs (MXJAX_COMPILATION_CACHE=0: off)

distributed.auto_initialize()  # a launched worker joins its job before any JAX computation

from . import context, attribute, name, random, operator
from . import ndarray, symbol, executor, model
from . import ndarray as nd
from . import symbol as sym
from . import initializer, visualization
from . import io, metric, optimizer, lr_scheduler, callback, module, test_utils
from . import rnn
from . import module as mod
from . import kvstore
from . import kvstore as kv
from . import monitor
from . import monitor as mon
from . import initializer as init
from . import visualization as viz
from .attribute import AttrScope
from .base import MXNetError
from .context import Context, cpu, cpu_pinned, current_context, gpu, num_gpus
from .executor import Executor


__all__ = [
    "AttrScope", "Context", "Executor", "MXNetError", "attribute", "base", "context", "cpu",
    "cpu_pinned", "current_context", "executor", "gpu", "init", "initializer", "model", "name",
    "nd",
    "ndarray", "num_gpus", "operator", "random", "sym", "symbol", "viz", "visualization",
    "__version__", "io", "metric", "optimizer", "lr_scheduler", "callback", "module", "mod",
    "test_utils", "distributed", "kvstore", "kv", "compile_cache", "monitor", "mon",
    "rnn",
]
