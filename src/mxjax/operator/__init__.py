"""MXNet's operators, declared once for ``mx.sym`` and ``mx.nd`` (see ``registry``)."""

from . import activation, loss, nn, tensor  # noqa: F401  (registration side effects)
from .registry import Attrs, Op, OpContext, Param, all_ops, get_op, register

__all__ = ["Attrs", "Op", "OpContext", "Param", "all_ops", "get_op", "register"]
