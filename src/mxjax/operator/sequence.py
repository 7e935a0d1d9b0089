"""``SequenceMask``, ``SequenceLast`` and ``SequenceReverse`` (``src/operator/sequence_*``).

Data is (T, B, ...) for ``axis=0`` or (B, T, ...) for ``axis=1``; with
``use_sequence_length`` a second input ``sequence_length`` (B,) gives each
sequence's length (cast to int). It gets no gradient.
"""

from __future__ import annotations

import jax.numpy as jnp

from ..base import MXNetError
from .registry import Op, Param, register


class _Sequence(Op):
    axes = (0, 1)

    def inputs(self, a):
        return ["data", "sequence_length"] if a.use_sequence_length else ["data"]

    def infer_shape(self, a, in_shapes):
        data = in_shapes[0]
        if a.use_sequence_length and a.axis in (0, 1) and data is not None and len(data) >= 2:
            return [data, (data[1 - a.axis],)]
        return in_shapes

    def _check(self, a, data, length):
        if a.axis not in self.axes:
            raise MXNetError(f"{self.name}: attribute 'axis'={a.axis} is not supported; MXNet "
                             f"supports {' or '.join(map(str, self.axes))}")
        if data.ndim < 2:
            raise MXNetError(f"{self.name}: data must have at least 2 dims, got {data.shape}")
        if length is not None and length.shape != (data.shape[1 - a.axis],):
            raise MXNetError(f"{self.name}: sequence_length has shape {length.shape}, expected "
                             f"({data.shape[1 - a.axis]},) for data {data.shape}")

    @staticmethod
    def _steps_mask(a, data, length):
        """(T, B) or (B, T) boolean ``step < length`` broadcast to data's rank."""
        t = data.shape[a.axis]
        steps = jnp.arange(t, dtype=jnp.int32)
        lens = length.astype(jnp.int32)
        mask = steps[:, None] < lens[None, :] if a.axis == 0 else steps[None, :] < lens[:, None]
        return mask.reshape(mask.shape + (1,) * (data.ndim - 2))


@register
class SequenceMask(_Sequence):
    """Steps at or beyond each sequence's length are set to ``value``."""

    name = "SequenceMask"
    params = {
        "use_sequence_length": Param("bool", False),
        "value": Param("float", 0.0),
        "axis": Param("int", 0),
    }

    def forward(self, a, ctx, data, sequence_length=None):
        self._check(a, data, sequence_length)
        if sequence_length is None:
            return data
        mask = self._steps_mask(a, data, sequence_length)
        return jnp.where(mask, data, jnp.asarray(a.value, data.dtype))


@register
class SequenceLast(_Sequence):
    """The last valid step of each sequence: (B, ...)."""

    name = "SequenceLast"
    params = {"use_sequence_length": Param("bool", False), "axis": Param("int", 0)}

    def forward(self, a, ctx, data, sequence_length=None):
        self._check(a, data, sequence_length)
        t, b = data.shape[a.axis], data.shape[1 - a.axis]
        if sequence_length is None:
            return data[-1] if a.axis == 0 else data[:, -1]
        idx = jnp.clip(sequence_length.astype(jnp.int32) - 1, 0, t - 1)
        x = data if a.axis == 0 else jnp.swapaxes(data, 0, 1)  # (T, B, ...)
        idx = idx.reshape((1, b) + (1,) * (data.ndim - 2))
        return jnp.take_along_axis(x, idx, axis=0)[0]


@register
class SequenceReverse(_Sequence):
    """Each sequence's first ``length`` steps reversed in place; later steps unchanged."""

    name = "SequenceReverse"
    axes = (0,)
    params = {"use_sequence_length": Param("bool", False), "axis": Param("int", 0)}

    def forward(self, a, ctx, data, sequence_length=None):
        self._check(a, data, sequence_length)
        if sequence_length is None:
            return jnp.flip(data, axis=0)
        t = data.shape[0]
        steps = jnp.arange(t, dtype=jnp.int32)[:, None]
        lens = sequence_length.astype(jnp.int32)[None, :]
        src = jnp.where(steps < lens, lens - 1 - steps, steps)
        src = src.reshape(src.shape + (1,) * (data.ndim - 2))
        return jnp.take_along_axis(data, jnp.broadcast_to(src, data.shape), axis=0)
