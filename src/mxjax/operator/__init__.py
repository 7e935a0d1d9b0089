"""MXNet's operators, declared once for ``mx.sym`` and ``mx.nd`` (see ``registry``).

As ``mx.operator`` this module also carries MXNet's custom-operator names
(``CustomOp``, ``CustomOpProp``, ``register('name')``, ``NDArrayOp`` ...): mxjax
does not run Python custom operators, so each raises a clear ``MXNetError``.
``register`` still accepts an ``Op`` subclass (mxjax's own registry decorator).
"""

from __future__ import annotations

from typing import Any

from .. import _unsupported
from ..base import MXNetError
from . import (  # noqa: F401  (each module registers its ops)
    activation,
    conv,
    indexing,
    loss,
    nn,
    nn_extra,
    norm,
    optimizer_ops,
    pooling,
    random_ops,
    rnn,
    sequence,
    tensor,
    tensor_extra,
)
from .registry import Attrs, Op, OpContext, Param, all_ops, get_op
from .registry import register as _register_op

__all__ = ["Attrs", "Op", "OpContext", "Param", "all_ops", "get_op", "register", "CustomOp",
           "CustomOpProp", "NDArrayOp", "NumpyOp", "PythonOp", "get_all_registered_operators"]

_CUSTOM = ("Python custom operators (mx.operator.CustomOp/CustomOpProp, op_type='Custom') "
           "are not supported")
_INSTEAD = "build the computation from mx.sym / mx.nd operators"

CustomOp = _unsupported.unsupported_class("CustomOp", "operator", _CUSTOM, _INSTEAD)
CustomOpProp = _unsupported.unsupported_class("CustomOpProp", "operator", _CUSTOM, _INSTEAD)
NDArrayOp = _unsupported.unsupported_class("NDArrayOp", "operator", _CUSTOM, _INSTEAD)
NumpyOp = _unsupported.unsupported_class("NumpyOp", "operator", _CUSTOM, _INSTEAD)
PythonOp = _unsupported.unsupported_class("PythonOp", "operator", _CUSTOM, _INSTEAD)


def register(reg_name: Any) -> Any:
    """``mx.operator.register('name')`` (MXNet's CustomOpProp registration) raises
    ``MXNetError``: custom operators are not supported. Called with an ``Op`` subclass it
    is mxjax's own registry decorator (``operator.registry.register``)."""
    if isinstance(reg_name, type) and issubclass(reg_name, Op):
        return _register_op(reg_name)
    raise MXNetError(_unsupported.unsupported_message(
        f"mx.operator.register({reg_name!r})", _CUSTOM, _INSTEAD))


def get_all_registered_operators() -> list[str]:
    """``mx.operator.get_all_registered_operators``: every registered op name and alias."""
    return sorted(all_ops())
