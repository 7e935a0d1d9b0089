"""MXNet's operators, declared once for ``mx.sym`` and ``mx.nd`` (see ``registry``)."""

from . import activation, conv, indexing, loss, nn, nn_extra, norm, pooling, rnn, sequence, tensor  # noqa: E501, F401
from .registry import Attrs, Op, OpContext, Param, all_ops, get_op, register

__all__ = ["Attrs", "Op", "OpContext", "Param", "all_ops", "get_op", "register"]
