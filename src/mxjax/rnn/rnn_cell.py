"""Symbolic RNN cells (``mx.rnn.*Cell``), as MXNet 1.9.1's ``python/mxnet/rnn/rnn_cell.py``.

A cell builds, one time step per call, the same graph MXNet builds: the same
operators, attributes and node names (``<prefix>t<k>_i2h``, ``<prefix>t<k>_slice``,
``<prefix>t<k>_out``, automatic names such as ``_plus0``/``split0``/``concat0``), so
``tojson()`` of an unrolled network is byte-identical to MXNet's and checkpoints
move between the two. Begin states are ``<prefix>begin_state_<i>`` symbols of shape
``(0, num_hidden)`` whose batch size is inferred.

``FusedRNNCell.unroll`` builds one fused ``RNN`` operator (``mxjax.operator.rnn``), as
MXNet does; ``unfuse()`` gives the equivalent stack of LSTM/GRU/RNN cells.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from .. import initializer as init
from .. import ndarray, symbol
from ..base import MXNetError
from ..initializer import fused_rnn_layout
from ..symbol import Symbol

__all__ = ["RNNParams", "BaseRNNCell", "RNNCell", "LSTMCell", "GRUCell", "FusedRNNCell",
           "SequentialRNNCell", "DropoutCell", "ModifierCell", "ZoneoutCell", "ResidualCell",
           "BidirectionalCell"]

States = list  # a (possibly nested) list of state symbols


def _time_axis(layout: str) -> int:
    """Position of 'T' in ``layout``; a layout without a time axis is an error."""
    if not isinstance(layout, str) or "T" not in layout:
        raise MXNetError(f"unroll: invalid layout {layout!r}: it must contain 'T' (the time "
                         "axis), e.g. 'NTC' (batch major) or 'TNC' (time major)")
    return layout.find("T")


def _normalize_sequence(length: int | None, inputs: Any, layout: str, merge: bool | None
                        ) -> tuple[Any, int]:
    """MXNet's sequence normalisation between steps and unrolled graphs.

    ``merge=False``: a single symbol is split along the time axis into ``length``
    step symbols (``split`` = SliceChannel with squeeze_axis=1). ``merge=True``: a
    list of step symbols is joined by ``expand_dims`` on the time axis and one
    ``Concat``. ``merge=None`` keeps whatever form ``inputs`` already has.
    Returns ``(inputs, time_axis)``.
    """
    if inputs is None:
        raise MXNetError("unroll(inputs=None) has been deprecated. Please create input "
                         "variables outside unroll.")
    axis = _time_axis(layout)
    if isinstance(inputs, Symbol):
        if merge is False:
            if len(inputs.list_outputs()) != 1:
                raise MXNetError("unroll doesn't allow grouped symbol as input. Please convert "
                                 "to list with list(inputs) first or let unroll handle splitting.")
            inputs = list(symbol.split(inputs, axis=axis, num_outputs=length, squeeze_axis=1))
    else:
        if not isinstance(inputs, (list, tuple)) or not all(isinstance(i, Symbol)
                                                             for i in inputs):
            raise MXNetError("unroll: inputs must be a Symbol or a list of Symbols, got "
                             f"{type(inputs).__name__}")
        if length is not None and len(inputs) != length:
            raise MXNetError(f"unroll: got {len(inputs)} input symbols for length={length}; "
                             "pass exactly one symbol per time step")
        inputs = list(inputs)
        if merge is True:
            inputs = symbol.Concat(*[symbol.expand_dims(i, axis=axis) for i in inputs],
                                   dim=axis)
    return inputs, axis


def _check_length(length: Any) -> int:
    if not isinstance(length, numbers.Integral) or isinstance(length, bool) or length < 1:
        raise MXNetError(f"unroll: length must be a positive int, got {length!r}")
    return int(length)


class RNNParams:
    """A container of parameter variables, shared between cells (``mx.rnn.RNNParams``).

    ``get(name)`` returns the variable ``prefix + name``, created on first use
    with the given ``mx.sym.Variable`` keywords (``init=...``, ``shape=...``).
    """

    def __init__(self, prefix: str = ""):
        self._prefix = prefix
        self._params: dict[str, Symbol] = {}

    def get(self, name: str, **kwargs: Any) -> Symbol:
        """The variable ``<prefix><name>`` (created on first request)."""
        full = self._prefix + name
        if full not in self._params:
            self._params[full] = symbol.Variable(full, **kwargs)
        return self._params[full]


def _cells_state_info(cells: Sequence[BaseRNNCell]) -> list:
    return [info for c in cells for info in c.state_info]


def _cells_begin_state(cells: Sequence[BaseRNNCell], **kwargs: Any) -> list:
    return [s for c in cells for s in c.begin_state(**kwargs)]


def _cells_unpack_weights(cells: Sequence[BaseRNNCell], args: dict) -> dict:
    for cell in cells:
        args = cell.unpack_weights(args)
    return args


def _cells_pack_weights(cells: Sequence[BaseRNNCell], args: dict) -> dict:
    for cell in cells:
        args = cell.pack_weights(args)
    return args


def _require_unmodified(cell: BaseRNNCell) -> None:
    if cell._modified:
        raise MXNetError("After applying modifier cells (e.g. DropoutCell) the base cell cannot "
                         "be called directly. Call the modifier cell instead.")


class BaseRNNCell:
    """Base of all cells (``mx.rnn.BaseRNNCell``).

    A subclass defines ``state_info`` and ``__call__(inputs, states) -> (output,
    new_states)`` for one step; ``unroll`` repeats it over time. ``prefix`` names
    the nodes and, when ``params`` is None, the weights.
    """

    def __init__(self, prefix: str = "", params: RNNParams | None = None):
        if params is None:
            params = RNNParams(prefix)
            self._own_params = True
        else:
            self._own_params = False
        self._prefix = prefix
        self._params = params
        self._modified = False
        self.reset()

    def reset(self) -> None:
        """Restart the step and begin-state counters (done by every ``unroll``)."""
        self._init_counter = -1
        self._counter = -1
        for cell in getattr(self, "_cells", []):
            cell.reset()

    def __call__(self, inputs: Symbol, states: States) -> tuple[Symbol, States]:
        raise NotImplementedError(f"{type(self).__name__} does not define a single step")

    @property
    def params(self) -> RNNParams:
        """The parameter container (asking for it marks it as shared, as in MXNet)."""
        self._own_params = False
        return self._params

    def _fc_params(self) -> tuple:
        """``i2h_weight, i2h_bias, h2h_weight, h2h_bias``, created in that order (MXNet's
        RNNCell and GRUCell order; LSTMCell creates its own, with the LSTMBias init)."""
        return tuple(self.params.get(n) for n in ("i2h_weight", "i2h_bias", "h2h_weight",
                                                  "h2h_bias"))

    @property
    def state_info(self) -> list:
        """One ``{'shape': ..., '__layout__': ...}`` dict per state."""
        raise NotImplementedError(f"{type(self).__name__} does not define state_info")

    @property
    def state_shape(self) -> list:
        """The shapes of the states (0 = inferred from the batch)."""
        return [info["shape"] for info in self.state_info]

    @property
    def _gate_names(self) -> Sequence[str]:
        return ()

    def begin_state(self, func: Callable[..., Symbol] = symbol.zeros, **kwargs: Any) -> States:
        """Initial states ``func(name='<prefix>begin_state_<i>', shape=..., __layout__=...,
        **kwargs)``; ``func`` may be ``mx.sym.zeros``, ``mx.sym.Variable``, ...
        The counter ``i`` runs on across calls until ``reset()``, as in MXNet."""
        _require_unmodified(self)
        states = []
        for info in self.state_info:
            self._init_counter += 1
            if info is not None:
                kwargs.update(info)
            name = f"{self._prefix}begin_state_{self._init_counter}"
            states.append(func(name=name, **kwargs))
        return states

    def unpack_weights(self, args: dict) -> dict:
        """Split each ``<prefix>{i2h,h2h}_{weight,bias}`` into per-gate arrays
        ``<prefix>{i2h,h2h}<gate>_{weight,bias}`` (rows ``[j*H, (j+1)*H)``)."""
        args = dict(args)
        if not self._gate_names:
            return args
        h = self._num_hidden  # type: ignore[attr-defined]
        for group in ("i2h", "h2h"):
            for kind in ("weight", "bias"):
                key = f"{self._prefix}{group}_{kind}"
                if key not in args:
                    raise MXNetError(f"unpack_weights: {key!r} is not in the given parameters")
                whole = args.pop(key)
                for j, gate in enumerate(self._gate_names):
                    args[f"{self._prefix}{group}{gate}_{kind}"] = \
                        whole[j * h:(j + 1) * h].copy()
        return args

    def pack_weights(self, args: dict) -> dict:
        """The inverse of ``unpack_weights``: concatenate the per-gate arrays."""
        args = dict(args)
        if not self._gate_names:
            return args
        for group in ("i2h", "h2h"):
            for kind in ("weight", "bias"):
                parts = []
                for gate in self._gate_names:
                    key = f"{self._prefix}{group}{gate}_{kind}"
                    if key not in args:
                        raise MXNetError(f"pack_weights: {key!r} is not in the given "
                                         "parameters")
                    parts.append(args.pop(key))
                args[f"{self._prefix}{group}_{kind}"] = ndarray.concatenate(parts)
        return args

    def unroll(self, length: int, inputs: Any, begin_state: States | None = None,
               layout: str = "NTC", merge_outputs: bool | None = None
               ) -> tuple[Any, States]:
        """Unroll ``length`` steps over ``inputs`` (one symbol in ``layout``, or a list of
        per-step symbols). Returns ``(outputs, states)``; outputs are one merged symbol
        when ``merge_outputs`` is True, a list when False, as produced when None."""
        self.reset()
        length = _check_length(length)
        steps, _ = _normalize_sequence(length, inputs, layout, False)
        if begin_state is None:
            begin_state = self.begin_state()
        states = begin_state
        outputs = []
        for t in range(length):
            out, states = self(steps[t], states)
            outputs.append(out)
        outputs, _ = _normalize_sequence(length, outputs, layout, merge_outputs)
        return outputs, states

    def _get_activation(self, inputs: Symbol, activation: Any, **kwargs: Any) -> Symbol:
        """``Activation(act_type=activation)`` for a string, else ``activation(inputs)``."""
        if isinstance(activation, str):
            return symbol.Activation(inputs, act_type=activation, **kwargs)
        return activation(inputs, **kwargs)


def _nc_state(num_hidden: int) -> dict:
    return {"shape": (0, num_hidden), "__layout__": "NC"}


class RNNCell(BaseRNNCell):
    """Elman cell: ``h' = act(W_i x + b_i + W_h h + b_h)`` (``mx.rnn.RNNCell``)."""

    def __init__(self, num_hidden: int, activation: Any = "tanh", prefix: str = "rnn_",
                 params: RNNParams | None = None):
        super().__init__(prefix=prefix, params=params)
        self._num_hidden = num_hidden
        self._activation = activation
        self._iW, self._iB, self._hW, self._hB = self._fc_params()

    @property
    def state_info(self) -> list:
        return [_nc_state(self._num_hidden)]

    @property
    def _gate_names(self) -> Sequence[str]:
        return ("",)

    def __call__(self, inputs: Symbol, states: States) -> tuple[Symbol, States]:
        self._counter += 1
        name = f"{self._prefix}t{self._counter}_"
        i2h = symbol.FullyConnected(data=inputs, weight=self._iW, bias=self._iB,
                                    num_hidden=self._num_hidden, name=f"{name}i2h")
        h2h = symbol.FullyConnected(data=states[0], weight=self._hW, bias=self._hB,
                                    num_hidden=self._num_hidden, name=f"{name}h2h")
        out = self._get_activation(i2h + h2h, self._activation, name=f"{name}out")
        return out, [out]


class LSTMCell(BaseRNNCell):
    """LSTM cell (``mx.rnn.LSTMCell``); gates sliced in the order i, f, c, o.

    ``c' = σ(f)·c + σ(i)·tanh(c̃)``, ``h' = σ(o)·tanh(c')``; the i2h bias is
    initialised by ``LSTMBias(forget_bias)`` (its ``__init__`` attribute).
    """

    def __init__(self, num_hidden: int, prefix: str = "lstm_", params: RNNParams | None = None,
                 forget_bias: float = 1.0):
        super().__init__(prefix=prefix, params=params)
        self._num_hidden = num_hidden
        self._iW = self.params.get("i2h_weight")
        self._hW = self.params.get("h2h_weight")
        self._iB = self.params.get("i2h_bias", init=init.LSTMBias(forget_bias=forget_bias))
        self._hB = self.params.get("h2h_bias")

    @property
    def state_info(self) -> list:
        return [_nc_state(self._num_hidden), _nc_state(self._num_hidden)]

    @property
    def _gate_names(self) -> Sequence[str]:
        return ["_i", "_f", "_c", "_o"]

    def __call__(self, inputs: Symbol, states: States) -> tuple[Symbol, States]:
        self._counter += 1
        name = f"{self._prefix}t{self._counter}_"
        n4 = self._num_hidden * 4
        i2h = symbol.FullyConnected(data=inputs, weight=self._iW, bias=self._iB,
                                    num_hidden=n4, name=f"{name}i2h")
        h2h = symbol.FullyConnected(data=states[0], weight=self._hW, bias=self._hB,
                                    num_hidden=n4, name=f"{name}h2h")
        gates = symbol.SliceChannel(i2h + h2h, num_outputs=4, name=f"{name}slice")
        gate_i = symbol.Activation(gates[0], act_type="sigmoid", name=f"{name}i")
        gate_f = symbol.Activation(gates[1], act_type="sigmoid", name=f"{name}f")
        cand = symbol.Activation(gates[2], act_type="tanh", name=f"{name}c")
        gate_o = symbol.Activation(gates[3], act_type="sigmoid", name=f"{name}o")
        next_c = symbol._internal._plus(gate_f * states[1], gate_i * cand,
                                        name=f"{name}state")
        next_h = symbol._internal._mul(gate_o, symbol.Activation(next_c, act_type="tanh"),
                                       name=f"{name}out")
        return next_h, [next_h, next_c]


class GRUCell(BaseRNNCell):
    """GRU cell in cuDNN's form (``mx.rnn.GRUCell``); gates r, z, o.

    ``h̃ = tanh(x_o + σ(r)·h_o)``, ``h' = (1-σ(z))·h̃ + σ(z)·h``.
    """

    def __init__(self, num_hidden: int, prefix: str = "gru_", params: RNNParams | None = None):
        super().__init__(prefix=prefix, params=params)
        self._num_hidden = num_hidden
        self._iW, self._iB, self._hW, self._hB = self._fc_params()

    @property
    def state_info(self) -> list:
        return [_nc_state(self._num_hidden)]

    @property
    def _gate_names(self) -> Sequence[str]:
        return ["_r", "_z", "_o"]

    def __call__(self, inputs: Symbol, states: States) -> tuple[Symbol, States]:
        self._counter += 1
        name = f"{self._prefix}t{self._counter}_"
        prev_h = states[0]
        n3 = self._num_hidden * 3
        i2h = symbol.FullyConnected(data=inputs, weight=self._iW, bias=self._iB,
                                    num_hidden=n3, name=f"{name}_i2h")
        h2h = symbol.FullyConnected(data=prev_h, weight=self._hW, bias=self._hB,
                                    num_hidden=n3, name=f"{name}_h2h")
        i2h_r, i2h_z, i2h_o = symbol.SliceChannel(i2h, num_outputs=3,
                                                  name=f"{name}_i2h_slice")
        h2h_r, h2h_z, h2h_o = symbol.SliceChannel(h2h, num_outputs=3,
                                                  name=f"{name}_h2h_slice")
        reset = symbol.Activation(i2h_r + h2h_r, act_type="sigmoid", name=f"{name}_r_act")
        update = symbol.Activation(i2h_z + h2h_z, act_type="sigmoid", name=f"{name}_z_act")
        cand = symbol.Activation(i2h_o + reset * h2h_o, act_type="tanh",
                                 name=f"{name}_h_act")
        next_h = symbol._internal._plus((1. - update) * cand, update * prev_h,
                                        name=f"{name}out")
        return next_h, [next_h]


class FusedRNNCell(BaseRNNCell):
    """MXNet's fused multi-layer RNN (``mx.rnn.FusedRNNCell``).

    ``unroll`` builds MXNet's graph: one ``RNN`` operator named ``<prefix>rnn``
    over the packed ``<prefix>parameters`` variable (``FusedRNN`` init), in TNC
    layout (NTC inputs are swapped in and out with ``swapaxes``). The cell converts
    packed vectors with ``unpack_weights``/``pack_weights``, and ``unfuse()`` returns
    the equivalent ``SequentialRNNCell``. It cannot be stepped.
    """

    _MODES = {"rnn_relu": [""], "rnn_tanh": [""], "lstm": ["_i", "_f", "_c", "_o"],
              "gru": ["_r", "_z", "_o"]}

    def __init__(self, num_hidden: int, num_layers: int = 1, mode: str = "lstm",
                 bidirectional: bool = False, dropout: float = 0., get_next_state: bool = False,
                 forget_bias: float = 1.0, prefix: str | None = None,
                 params: RNNParams | None = None):
        if mode not in self._MODES:
            raise MXNetError(f"FusedRNNCell: unknown mode {mode!r}; use one of "
                             f"{sorted(self._MODES)}")
        if prefix is None:
            prefix = f"{mode}_"
        super().__init__(prefix=prefix, params=params)
        self._num_hidden = num_hidden
        self._num_layers = num_layers
        self._mode = mode
        self._bidirectional = bidirectional
        self._dropout = dropout
        self._get_next_state = get_next_state
        self._forget_bias = forget_bias
        self._directions = ["l", "r"] if bidirectional else ["l"]
        initializer = init.FusedRNN(None, num_hidden, num_layers, mode, bidirectional,
                                    forget_bias)
        self._parameter = self.params.get("parameters", init=initializer)

    @property
    def state_info(self) -> list:
        b = int(self._bidirectional) + 1
        n = int(self._mode == "lstm") + 1
        return [{"shape": (b * self._num_layers, 0, self._num_hidden), "__layout__": "LNC"}
                for _ in range(n)]

    @property
    def _gate_names(self) -> Sequence[str]:
        return self._MODES[self._mode]

    def _pieces(self, size: int) -> list:
        return fused_rnn_layout(size, self._num_hidden, self._num_layers, self._mode,
                                self._bidirectional)

    def unpack_weights(self, args: dict) -> dict:
        """Slice ``<prefix>parameters`` into ``<prefix><l|r><layer>_{i2h,h2h}<gate>_*``."""
        args = dict(args)
        key = self._parameter.name
        if key not in args:
            raise MXNetError(f"unpack_weights: {key!r} is not in the given parameters")
        flat = args.pop(key)
        for name, off, shape in self._pieces(flat.size):
            n = 1
            for d in shape:
                n *= d
            args[self._prefix + name] = flat[off:off + n].reshape(shape).copy()
        return args

    def pack_weights(self, args: dict) -> dict:
        """Concatenate the per-layer, per-gate arrays back into ``<prefix>parameters``."""
        args = dict(args)
        gates, h, b = self._gate_names, self._num_hidden, len(self._directions)
        first = f"{self._prefix}l0_i2h{gates[0]}_weight"
        if first not in args:
            raise MXNetError(f"pack_weights: {first!r} is not in the given parameters")
        num_input = args[first].shape[1]
        m = len(gates)
        total = ((num_input + h + 2) * h * m * b
                 + (self._num_layers - 1) * m * h * (h + b * h + 2) * b)
        parts = []
        for name, _off, _shape in self._pieces(total):
            key = self._prefix + name
            if key not in args:
                raise MXNetError(f"pack_weights: {key!r} is not in the given parameters")
            parts.append(args.pop(key).reshape((-1,)))
        args[self._parameter.name] = ndarray.concatenate(parts)
        return args

    def __call__(self, inputs: Symbol, states: States) -> tuple[Symbol, States]:
        raise MXNetError("FusedRNNCell cannot be stepped. Please use unroll (or unfuse()).")

    def unroll(self, length: int, inputs: Any, begin_state: States | None = None,
               layout: str = "NTC", merge_outputs: bool | None = None
               ) -> tuple[Any, States]:
        """One fused ``RNN`` op over the whole sequence, as MXNet's ``FusedRNNCell.unroll``:
        NTC inputs are swapped to TNC (with MXNet's warning) and the outputs back; with
        ``get_next_state`` the final states (``__layout__='LNC'``) are returned."""
        self.reset()
        inputs, axis = _normalize_sequence(length, inputs, layout, True)
        if axis == 1:
            warnings.warn("NTC layout detected. Consider using TNC for FusedRNNCell for "
                          "faster speed", stacklevel=2)
            inputs = symbol.swapaxes(inputs, dim1=0, dim2=1)
        elif axis != 0:
            raise MXNetError(f"FusedRNNCell.unroll: unsupported layout {layout!r}; use 'TNC' "
                             "or 'NTC'")
        if begin_state is None:
            begin_state = self.begin_state()
        n_states = len(self.state_info)
        if len(begin_state) != n_states:
            raise MXNetError(f"FusedRNNCell.unroll: mode {self._mode!r} takes {n_states} begin "
                             f"state(s), got {len(begin_state)}")
        states = {"state": begin_state[0]}
        if self._mode == "lstm":
            states["state_cell"] = begin_state[1]
        rnn = symbol.RNN(data=inputs, parameters=self._parameter, state_size=self._num_hidden,
                         num_layers=self._num_layers, bidirectional=self._bidirectional,
                         p=self._dropout, state_outputs=self._get_next_state, mode=self._mode,
                         name=self._prefix + "rnn", **states)
        if self._get_next_state:
            next_states = [rnn[i] for i in range(1, n_states + 1)]
            for st in next_states:
                st._set_attr(__layout__="LNC")
            outputs = rnn[0]
        else:
            outputs, next_states = rnn, []
        if axis == 1:
            outputs = symbol.swapaxes(outputs, dim1=0, dim2=1)
        outputs, _ = _normalize_sequence(length, outputs, layout, merge_outputs)
        return outputs, next_states

    def unfuse(self) -> SequentialRNNCell:
        """The equivalent stack of unfused cells, named ``<prefix>l<i>_`` / ``<prefix>r<i>_``
        (bidirectional layers as BidirectionalCell, dropout between layers)."""
        def make(cell_prefix: str) -> BaseRNNCell:
            if self._mode == "rnn_relu":
                return RNNCell(self._num_hidden, activation="relu", prefix=cell_prefix)
            if self._mode == "rnn_tanh":
                return RNNCell(self._num_hidden, activation="tanh", prefix=cell_prefix)
            if self._mode == "lstm":
                return LSTMCell(self._num_hidden, prefix=cell_prefix)
            return GRUCell(self._num_hidden, prefix=cell_prefix)

        stack = SequentialRNNCell()
        for i in range(self._num_layers):
            if self._bidirectional:
                stack.add(BidirectionalCell(make(f"{self._prefix}l{i}_"),
                                            make(f"{self._prefix}r{i}_"),
                                            output_prefix=f"{self._prefix}bi_l{i}_"))
            else:
                stack.add(make(f"{self._prefix}l{i}_"))
            if self._dropout > 0 and i != self._num_layers - 1:
                stack.add(DropoutCell(self._dropout, prefix=f"{self._prefix}_dropout{i}_"))
        return stack


class SequentialRNNCell(BaseRNNCell):
    """Cells stacked on each other (``mx.rnn.SequentialRNNCell``): each cell's outputs
    are the next one's inputs; states are the concatenation of the cells' states."""

    def __init__(self, params: RNNParams | None = None):
        super().__init__(prefix="", params=params)
        self._override_cell_params = params is not None
        self._cells: list[BaseRNNCell] = []

    def add(self, cell: BaseRNNCell) -> None:
        """Append ``cell`` to the stack (sharing parameter containers as MXNet does)."""
        if not isinstance(cell, BaseRNNCell):
            raise MXNetError(f"SequentialRNNCell.add: expected an RNN cell, got "
                             f"{type(cell).__name__}")
        self._cells.append(cell)
        if self._override_cell_params:
            if not cell._own_params:
                raise MXNetError("Either specify params for SequentialRNNCell or child cells, "
                                 "not both.")
            cell.params._params.update(self.params._params)
        self.params._params.update(cell.params._params)

    @property
    def state_info(self) -> list:
        return _cells_state_info(self._cells)

    def begin_state(self, **kwargs: Any) -> States:  # type: ignore[override]
        """The begin states of every cell, in order."""
        _require_unmodified(self)
        return _cells_begin_state(self._cells, **kwargs)

    def unpack_weights(self, args: dict) -> dict:
        return _cells_unpack_weights(self._cells, args)

    def pack_weights(self, args: dict) -> dict:
        return _cells_pack_weights(self._cells, args)

    def __call__(self, inputs: Symbol, states: States) -> tuple[Symbol, States]:
        self._counter += 1
        next_states: list = []
        p = 0
        for cell in self._cells:
            if isinstance(cell, BidirectionalCell):
                raise MXNetError("A SequentialRNNCell holding a BidirectionalCell cannot be "
                                 "stepped; use unroll")
            n = len(cell.state_info)
            inputs, state = cell(inputs, states[p:p + n])
            p += n
            next_states.extend(state)
        return inputs, next_states

    def unroll(self, length: int, inputs: Any, begin_state: States | None = None,
               layout: str = "NTC", merge_outputs: bool | None = None
               ) -> tuple[Any, States]:
        self.reset()
        if begin_state is None:
            begin_state = self.begin_state()
        p = 0
        next_states: list = []
        last = len(self._cells) - 1
        for i, cell in enumerate(self._cells):
            n = len(cell.state_info)
            inputs, states = cell.unroll(length, inputs=inputs, begin_state=begin_state[p:p + n],
                                         layout=layout,
                                         merge_outputs=merge_outputs if i == last else None)
            p += n
            next_states.extend(states)
        return inputs, next_states


class DropoutCell(BaseRNNCell):
    """Dropout on the inputs, no state (``mx.rnn.DropoutCell``)."""

    def __init__(self, dropout: float, prefix: str = "dropout_", params: RNNParams | None = None):
        super().__init__(prefix, params)
        if not isinstance(dropout, numbers.Real) or isinstance(dropout, bool):
            raise MXNetError(f"DropoutCell: dropout probability must be a number, got "
                             f"{dropout!r}")
        self.dropout = dropout

    @property
    def state_info(self) -> list:
        return []

    def __call__(self, inputs: Symbol, states: States) -> tuple[Symbol, States]:
        if self.dropout > 0:
            inputs = symbol.Dropout(data=inputs, p=self.dropout)
        return inputs, states

    def unroll(self, length: int, inputs: Any, begin_state: States | None = None,
               layout: str = "NTC", merge_outputs: bool | None = None
               ) -> tuple[Any, States]:
        """A merged input gets one Dropout over the whole sequence."""
        self.reset()
        inputs, _ = _normalize_sequence(length, inputs, layout, merge_outputs)
        if isinstance(inputs, Symbol):
            return self(inputs, [])
        return super().unroll(length, inputs, begin_state=begin_state, layout=layout,
                              merge_outputs=merge_outputs)


class ModifierCell(BaseRNNCell):
    """A cell wrapping ``base_cell`` (``mx.rnn.ModifierCell``); afterwards the base cell
    must not be used directly."""

    def __init__(self, base_cell: BaseRNNCell):
        super().__init__()
        base_cell._modified = True
        self.base_cell = base_cell

    @property
    def params(self) -> RNNParams:
        self._own_params = False
        return self.base_cell.params

    @property
    def state_info(self) -> list:
        return self.base_cell.state_info

    def begin_state(self, init_sym: Callable[..., Symbol] = symbol.zeros,  # type: ignore[override]
                    **kwargs: Any) -> States:
        """The base cell's begin states."""
        _require_unmodified(self)
        self.base_cell._modified = False
        try:
            return self.base_cell.begin_state(init_sym, **kwargs)
        finally:
            self.base_cell._modified = True

    def unpack_weights(self, args: dict) -> dict:
        return self.base_cell.unpack_weights(args)

    def pack_weights(self, args: dict) -> dict:
        return self.base_cell.pack_weights(args)

    def __call__(self, inputs: Symbol, states: States) -> tuple[Symbol, States]:
        raise NotImplementedError(f"{type(self).__name__} does not define a single step")


class ZoneoutCell(ModifierCell):
    """Zoneout (``mx.rnn.ZoneoutCell``): in training, each output/state unit keeps its
    previous value with probability ``zoneout_outputs``/``zoneout_states``."""

    def __init__(self, base_cell: BaseRNNCell, zoneout_outputs: float = 0.,
                 zoneout_states: float = 0.):
        if isinstance(base_cell, FusedRNNCell):
            raise MXNetError("FusedRNNCell doesn't support zoneout. Please unfuse first.")
        if isinstance(base_cell, BidirectionalCell) or (
                isinstance(base_cell, SequentialRNNCell)
                and any(isinstance(c, BidirectionalCell) for c in base_cell._cells)):
            raise MXNetError("BidirectionalCell doesn't support zoneout since it doesn't "
                             "support step. Please add ZoneoutCell to the cells underneath "
                             "instead.")
        super().__init__(base_cell)
        self.zoneout_outputs = zoneout_outputs
        self.zoneout_states = zoneout_states
        self.prev_output: Symbol | None = None

    def reset(self) -> None:
        super().reset()
        self.prev_output = None

    def __call__(self, inputs: Symbol, states: States) -> tuple[Symbol, States]:
        next_output, next_states = self.base_cell(inputs, states)
        p_out, p_state = self.zoneout_outputs, self.zoneout_states

        def mask(p: float, like: Symbol) -> Symbol:
            return symbol.Dropout(symbol.ones_like(like), p=p)

        prev = self.prev_output if self.prev_output is not None else symbol.zeros((0, 0))
        output = (symbol.where(mask(p_out, next_output), next_output, prev)
                  if p_out != 0. else next_output)
        if p_state != 0.:
            new_states = [symbol.where(mask(p_state, new), new, old)
                          for new, old in zip(next_states, states, strict=False)]
        else:
            new_states = next_states
        self.prev_output = output
        return output, new_states


class ResidualCell(ModifierCell):
    """Residual connection (``mx.rnn.ResidualCell``): output = base output + input,
    nodes named ``<output name>_plus_residual``."""

    def __call__(self, inputs: Symbol, states: States) -> tuple[Symbol, States]:
        output, states = self.base_cell(inputs, states)
        output = symbol.elemwise_add(output, inputs, name=f"{output.name}_plus_residual")
        return output, states

    def unroll(self, length: int, inputs: Any, begin_state: States | None = None,
               layout: str = "NTC", merge_outputs: bool | None = None
               ) -> tuple[Any, States]:
        self.reset()
        self.base_cell._modified = False
        try:
            outputs, states = self.base_cell.unroll(length, inputs=inputs,
                                                    begin_state=begin_state, layout=layout,
                                                    merge_outputs=merge_outputs)
        finally:
            self.base_cell._modified = True
        if merge_outputs is None:
            merge_outputs = isinstance(outputs, Symbol)
        inputs, _ = _normalize_sequence(length, inputs, layout, merge_outputs)
        if merge_outputs:
            outputs = symbol.elemwise_add(outputs, inputs,
                                          name=f"{outputs.name}_plus_residual")
        else:
            outputs = [symbol.elemwise_add(o, i, name=f"{o.name}_plus_residual")
                       for o, i in zip(outputs, inputs, strict=False)]
        return outputs, states


class BidirectionalCell(BaseRNNCell):
    """Forward and backward cells over the sequence, outputs concatenated on the
    feature axis (``mx.rnn.BidirectionalCell``); cannot be stepped."""

    def __init__(self, l_cell: BaseRNNCell, r_cell: BaseRNNCell,
                 params: RNNParams | None = None, output_prefix: str = "bi_"):
        super().__init__("", params=params)
        self._output_prefix = output_prefix
        self._override_cell_params = params is not None
        if self._override_cell_params:
            if not (l_cell._own_params and r_cell._own_params):
                raise MXNetError("Either specify params for BidirectionalCell or child cells, "
                                 "not both.")
            l_cell.params._params.update(self.params._params)
            r_cell.params._params.update(self.params._params)
        self.params._params.update(l_cell.params._params)
        self.params._params.update(r_cell.params._params)
        self._cells = [l_cell, r_cell]

    def unpack_weights(self, args: dict) -> dict:
        return _cells_unpack_weights(self._cells, args)

    def pack_weights(self, args: dict) -> dict:
        return _cells_pack_weights(self._cells, args)

    def __call__(self, inputs: Symbol, states: States) -> tuple[Symbol, States]:
        raise MXNetError("Bidirectional cannot be stepped. Please use unroll")

    @property
    def state_info(self) -> list:
        return _cells_state_info(self._cells)

    def begin_state(self, **kwargs: Any) -> States:  # type: ignore[override]
        _require_unmodified(self)
        return _cells_begin_state(self._cells, **kwargs)

    def unroll(self, length: int, inputs: Any, begin_state: States | None = None,
               layout: str = "NTC", merge_outputs: bool | None = None
               ) -> tuple[Any, States]:
        self.reset()
        length = _check_length(length)
        inputs, axis = _normalize_sequence(length, inputs, layout, False)
        if begin_state is None:
            begin_state = self.begin_state()
        l_cell, r_cell = self._cells
        nl = len(l_cell.state_info)
        l_out, l_states = l_cell.unroll(length, inputs=inputs, begin_state=begin_state[:nl],
                                        layout=layout, merge_outputs=merge_outputs)
        r_out, r_states = r_cell.unroll(length, inputs=list(reversed(inputs)),
                                        begin_state=begin_state[nl:], layout=layout,
                                        merge_outputs=merge_outputs)
        if merge_outputs is None:
            merge_outputs = isinstance(l_out, Symbol) and isinstance(r_out, Symbol)
            if not merge_outputs:
                if isinstance(l_out, Symbol):
                    l_out = list(symbol.SliceChannel(l_out, axis=axis, num_outputs=length,
                                                     squeeze_axis=1))
                if isinstance(r_out, Symbol):
                    r_out = list(symbol.SliceChannel(r_out, axis=axis, num_outputs=length,
                                                     squeeze_axis=1))
        if merge_outputs:
            outputs = symbol.Concat(l_out, symbol.reverse(r_out, axis=axis), dim=2,
                                    name=f"{self._output_prefix}out")
        else:
            outputs = [symbol.Concat(lo, ro, dim=1, name=f"{self._output_prefix}t{i}")
                       for i, (lo, ro) in enumerate(zip(l_out, reversed(r_out), strict=False))]
        return outputs, [l_states, r_states]
