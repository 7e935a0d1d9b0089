"""The fused recurrent operator ``RNN`` (MXNet's ``src/operator/rnn-inl.h`` / ``rnn.cc``).

Reproduces MXNet 1.9.1's ``mx.sym.RNN`` / ``mx.nd.RNN``:

* inputs ``data`` (T, N, C) in TNC layout, ``parameters`` (one flat vector),
  ``state`` (L*D, N, H) and, for ``mode='lstm'``, ``state_cell`` (L*D, N, H);
* ``parameters`` is packed as MXNet (and cuDNN) pack it: first every weight, layer
  by layer and, inside a layer, direction by direction (forward then backward),
  each direction's ``i2h`` (G*H, in) then ``h2h`` (G*H, H) matrix; then every bias
  in the same order (``i2h`` (G*H,) then ``h2h`` (G*H,));
* gate rows: LSTM ``i, f, g, o``; GRU ``r, z, n`` with MXNet's formula
  ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``, ``h' = (1 - z) * n + z * h``;
* output (T, N, D*H) and, with ``state_outputs``, the final ``hy`` (and ``cy``);
* dropout ``p`` on each layer's output except the last, in training only;
* ``lstm_state_clip_min/max`` clip the LSTM cell state after every step.

Each direction of each layer is one ``jax.lax.scan`` over time (the input
projection of all steps is a single matmul before the scan).
``projection_size`` and ``use_sequence_length`` are refused with MXNetError
(MXNet supports them with cuDNN only).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jax
import jax.numpy as jnp
from jax import lax

from ..base import MXNetError
from .registry import Attrs, Op, Param, register, uniform_types

__all__ = ["RNN", "rnn_param_size", "GATES"]

#: gates per mode (rows of each weight matrix are gates * state_size)
GATES = {"rnn_relu": 1, "rnn_tanh": 1, "lstm": 4, "gru": 3}


def rnn_param_size(mode: str, input_size: int, state_size: int, num_layers: int,
                   bidirectional: bool) -> int:
    """Length of the packed parameter vector (MXNet's ``GetRnnParamSize``)."""
    d = 2 if bidirectional else 1
    gh = GATES[mode] * state_size
    first = (input_size + state_size + 2) * gh
    other = (d * state_size + state_size + 2) * gh
    return d * (first + (num_layers - 1) * other)


def _unpack(flat: jax.Array, mode: str, input_size: int, h: int, layers: int, d: int
            ) -> list[list[tuple[jax.Array, jax.Array, jax.Array, jax.Array]]]:
    """``[layer][direction] -> (w_i2h, w_h2h, b_i2h, b_h2h)`` sliced from the packed vector."""
    gh = GATES[mode] * h
    off = 0
    weights = []
    for layer in range(layers):
        n_in = input_size if layer == 0 else d * h
        row = []
        for _ in range(d):
            wx = flat[off:off + gh * n_in].reshape(gh, n_in)
            off += gh * n_in
            wh = flat[off:off + gh * h].reshape(gh, h)
            off += gh * h
            row.append((wx, wh))
        weights.append(row)
    out = []
    for layer in range(layers):
        row = []
        for k in range(d):
            bx = flat[off:off + gh]
            bh = flat[off + gh:off + 2 * gh]
            off += 2 * gh
            row.append((*weights[layer][k], bx, bh))
        out.append(row)
    return out


def _step_fn(mode: str, wh: jax.Array, bh: jax.Array, clip: tuple[float, float] | None,
             clip_nan: bool):
    """The scan body of one direction: carry (h, c), input the projected step ``x W_i2hᵀ + b``."""
    whT = wh.T

    if mode in ("rnn_relu", "rnn_tanh"):
        act = jax.nn.relu if mode == "rnn_relu" else jnp.tanh

        def step(carry, xw):
            h, c = carry
            h = act(xw + h @ whT + bh)
            return (h, c), h
    elif mode == "lstm":
        def step(carry, xw):
            h, c = carry
            i, f, g, o = jnp.split(xw + h @ whT + bh, 4, axis=-1)
            c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
            if clip is not None:
                lo = jnp.asarray(clip[0], c.dtype)
                hi = jnp.asarray(clip[1], c.dtype)
                if clip_nan:
                    c = jnp.where(jnp.isnan(c), lo, c)
                c = jnp.clip(c, lo, hi)
            h = jax.nn.sigmoid(o) * jnp.tanh(c)
            return (h, c), h
    else:  # gru
        def step(carry, xw):
            h, c = carry
            xr, xz, xn = jnp.split(xw, 3, axis=-1)
            hr, hz, hn = jnp.split(h @ whT + bh, 3, axis=-1)
            r = jax.nn.sigmoid(xr + hr)
            z = jax.nn.sigmoid(xz + hz)
            n = jnp.tanh(xn + r * hn)
            h = (1 - z) * n + z * h
            return (h, c), h
    return step


@register
class RNN(Op):
    """MXNet's fused multi-layer (bi)directional RNN / LSTM / GRU (see the module docstring)."""

    name = "RNN"
    needs_rng = True
    params = {
        "state_size": Param("int"),
        "num_layers": Param("int"),
        "bidirectional": Param("bool", False),
        "mode": Param("str", choices=("gru", "lstm", "rnn_relu", "rnn_tanh")),
        "p": Param("float", 0.0),
        "state_outputs": Param("bool", False),
        "projection_size": Param("int", None, optional=True),
        "lstm_state_clip_min": Param("float", None, optional=True),
        "lstm_state_clip_max": Param("float", None, optional=True),
        "lstm_state_clip_nan": Param("bool", False),
        "use_sequence_length": Param("bool", False),
    }

    def parse_attrs(self, raw: Mapping[str, Any], node: str = "") -> Attrs:
        """Parse as every op does, then refuse what mxjax does not support (as MXNet's
        CPU backend refuses ``projection_size`` and ``use_sequence_length``)."""
        a = super().parse_attrs(raw, node)
        where = "RNN" + (f" ({node})" if node else "")
        if a.projection_size is not None:
            raise MXNetError(f"{where}: projection_size={a.projection_size} (LSTM projection) is "
                             "not supported by mxjax (MXNet runs it on cuDNN only)")
        if a.use_sequence_length:
            raise MXNetError(f"{where}: use_sequence_length=True is not supported by mxjax "
                             "(MXNet runs it on cuDNN only); pad or bucket the sequences")
        if a.state_size < 1 or a.num_layers < 1:
            raise MXNetError(f"{where}: state_size ({a.state_size}) and num_layers "
                             f"({a.num_layers}) must be positive")
        if not 0.0 <= a.p < 1.0:
            raise MXNetError(f"{where}: dropout p={a.p} must be in [0, 1)")
        lo, hi = a.lstm_state_clip_min, a.lstm_state_clip_max
        if (lo is None) != (hi is None):
            raise MXNetError(f"{where}: lstm_state_clip_min and lstm_state_clip_max must be "
                             "given together")
        if lo is not None and lo > hi:
            raise MXNetError(f"{where}: lstm_state_clip_min ({lo}) is greater than "
                             f"lstm_state_clip_max ({hi})")
        return a

    def inputs(self, a):
        return ["data", "parameters", "state"] + (["state_cell"] if a.mode == "lstm" else [])

    def outputs(self, a):
        if not a.state_outputs:
            return ["output"]
        return ["output", "state_output"] + (["statecell_output"] if a.mode == "lstm" else [])

    def infer_type(self, a, in_types):
        return uniform_types(in_types)

    def _state_shape(self, a, batch: int) -> tuple[int, int, int]:
        return ((2 if a.bidirectional else 1) * a.num_layers, batch, a.state_size)

    def infer_shape(self, a, in_shapes):
        """From data (T, N, C): parameters (size,) and states (L*D, N, H), as MXNet's
        ``RNNShape``; a parameters vector of another size is an error."""
        data = in_shapes[0]
        out = list(in_shapes)
        if data is None:
            return out
        if len(data) != 3:
            raise MXNetError(f"RNN: data must be 3-D (seq_length, batch, input_size) in TNC "
                             f"layout, got shape {tuple(data)}")
        if data[2] > 0:
            size = rnn_param_size(a.mode, data[2], a.state_size, a.num_layers, a.bidirectional)
            given = in_shapes[1]
            if given is not None and len(given) == 1 and given[0] > 0 and given[0] != size:
                raise MXNetError(self._size_msg(a, data[2], given[0], size))
            out[1] = (size,)
        st = self._state_shape(a, data[1])
        for i in range(2, len(out)):
            have = out[i]
            if have is not None and len(have) == 3 and all(x > 0 for x in have) and data[1] > 0 \
                    and tuple(have) != st:
                raise MXNetError(f"RNN: input '{self.inputs(a)[i]}' has shape {tuple(have)}, "
                                 f"expected {st} (num_layers*directions, batch, state_size)")
            if data[1] > 0 or have is None:
                out[i] = st
        return out

    def partial_output_shapes(self, a, in_shapes):
        data = in_shapes[0]
        if data is None or len(data) != 3:
            return None
        d = 2 if a.bidirectional else 1
        st = self._state_shape(a, data[1])
        return [(data[0], data[1], d * a.state_size)] + [st] * (len(self.outputs(a)) - 1)

    @staticmethod
    def _size_msg(a, c: int, got: int, want: int) -> str:
        return (f"RNN: parameters has {got} elements, expected {want} for mode={a.mode!r}, "
                f"input_size={c}, state_size={a.state_size}, num_layers={a.num_layers}, "
                f"bidirectional={a.bidirectional}")

    def forward(self, a, ctx, data, parameters, state, state_cell=None):
        if data.ndim != 3:
            raise MXNetError(f"RNN: data must be 3-D (seq_length, batch, input_size) in TNC "
                             f"layout, got shape {data.shape}")
        _t, n, c = data.shape
        h, layers = a.state_size, a.num_layers
        d = 2 if a.bidirectional else 1
        size = rnn_param_size(a.mode, c, h, layers, a.bidirectional)
        if parameters.shape != (size,):
            got = parameters.size if parameters.ndim == 1 else parameters.shape
            raise MXNetError(self._size_msg(a, c, got, size))
        st = (layers * d, n, h)
        if state.shape != st:
            raise MXNetError(f"RNN: state has shape {state.shape}, expected {st}")
        if a.mode == "lstm" and state_cell.shape != st:
            raise MXNetError(f"RNN: state_cell has shape {state_cell.shape}, expected {st}")
        dt = data.dtype
        parameters, state = parameters.astype(dt), state.astype(dt)
        cell = state_cell.astype(dt) if state_cell is not None else jnp.zeros_like(state)
        clip = None
        if a.lstm_state_clip_min is not None:
            clip = (a.lstm_state_clip_min, a.lstm_state_clip_max)
        packed = _unpack(parameters, a.mode, c, h, layers, d)
        drop = ctx.is_train and a.p > 0 and layers > 1
        key = ctx.rng() if drop else None
        x = data
        hy, cy = [], []
        for layer in range(layers):
            outs = []
            for k in range(d):
                wx, wh, bx, bh = packed[layer][k]
                seq = x if k == 0 else x[::-1]
                xw = jnp.einsum("tnc,gc->tng", seq, wx) + bx
                step = _step_fn(a.mode, wh, bh, clip, a.lstm_state_clip_nan)
                i = layer * d + k
                (h_last, c_last), ys = lax.scan(step, (state[i], cell[i]), xw)
                outs.append(ys if k == 0 else ys[::-1])
                hy.append(h_last)
                cy.append(c_last)
            x = outs[0] if d == 1 else jnp.concatenate(outs, axis=-1)
            if drop and layer < layers - 1:
                keep = jax.random.bernoulli(jax.random.fold_in(key, layer), 1.0 - a.p, x.shape)
                x = jnp.where(keep, x * jnp.asarray(1.0 / (1.0 - a.p), dt), jnp.zeros((), dt))
        if not a.state_outputs:
            return x
        if a.mode == "lstm":
            return x, jnp.stack(hy), jnp.stack(cy)
        return x, jnp.stack(hy)
