"""``mx.rnn``: symbolic RNN cells, the bucketing sentence iterator and RNN checkpoints.

Reproduces MXNet 1.9.1's ``python/mxnet/rnn`` package (``rnn_cell``, ``io`` and the
checkpoint helpers of ``rnn.py``); ``FusedRNNCell`` unrolls to the fused ``RNN``
operator (``mxjax.operator.rnn``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from . import io, rnn_cell
from .io import BucketSentenceIter, encode_sentences
from .rnn_cell import (
    BaseRNNCell,
    BidirectionalCell,
    DropoutCell,
    FusedRNNCell,
    GRUCell,
    LSTMCell,
    ModifierCell,
    ResidualCell,
    RNNCell,
    RNNParams,
    SequentialRNNCell,
    ZoneoutCell,
)

__all__ = ["io", "rnn_cell", "BucketSentenceIter", "encode_sentences", "BaseRNNCell",
           "BidirectionalCell", "DropoutCell", "FusedRNNCell", "GRUCell", "LSTMCell",
           "ModifierCell", "ResidualCell", "RNNCell", "RNNParams", "SequentialRNNCell",
           "ZoneoutCell", "rnn_unroll", "save_rnn_checkpoint", "load_rnn_checkpoint",
           "do_rnn_checkpoint"]


def _as_cells(cells: Any) -> list:
    return [cells] if isinstance(cells, BaseRNNCell) else list(cells)


def rnn_unroll(cell: BaseRNNCell, length: int, inputs: Any = None, begin_state: Any = None,
               input_prefix: str = "", layout: str = "NTC") -> Any:
    """Deprecated in MXNet (warns): ``cell.unroll(length, inputs, begin_state, layout)``."""
    warnings.warn("rnn_unroll is deprecated. Please call cell.unroll directly.", stacklevel=2)
    return cell.unroll(length=length, inputs=inputs, begin_state=begin_state, layout=layout)


def save_rnn_checkpoint(cells: Any, prefix: str, epoch: int, symbol: Any, arg_params: dict,
                        aux_params: dict) -> None:
    """``mx.model.save_checkpoint`` after ``unpack_weights`` of every cell (per-gate
    arrays in the file, as MXNet writes them)."""
    from ..model import save_checkpoint  # noqa: PLC0415  (model imports module machinery)

    for cell in _as_cells(cells):
        arg_params = cell.unpack_weights(arg_params)
    save_checkpoint(prefix, epoch, symbol, arg_params, aux_params)


def load_rnn_checkpoint(cells: Any, prefix: str, epoch: int) -> tuple[Any, dict, dict]:
    """``mx.model.load_checkpoint`` followed by ``pack_weights`` of every cell."""
    from ..model import load_checkpoint  # noqa: PLC0415

    sym, arg, aux = load_checkpoint(prefix, epoch)
    for cell in _as_cells(cells):
        arg = cell.pack_weights(arg)
    return sym, arg, aux


def do_rnn_checkpoint(cells: Any, prefix: str, period: int = 1) -> Callable[..., None]:
    """An epoch-end callback saving ``save_rnn_checkpoint`` every ``period`` epochs."""
    period = int(max(1, period))

    def _callback(iter_no: int, sym: Any = None, arg: Any = None, aux: Any = None) -> None:
        if (iter_no + 1) % period == 0:
            save_rnn_checkpoint(cells, prefix, iter_no + 1, sym, arg, aux)
    return _callback
