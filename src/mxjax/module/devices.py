"""Device layout of a Module: its mesh axis, MXNet's batch split, and the global mesh of a
dist_sync job (see ``exec_group`` for how these are used)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

__all__ = ["AXIS", "REP", "STACK", "batch_spec", "split_batch", "shape_of", "batch_axis_of",
           "spec_axis", "DistMesh", "dist_mesh"]

#: the mesh axis of a Module's devices
AXIS = "dev"
#: the same value on every device (parameters, optimizer states)
REP = P()
#: one entry per device along a leading axis (aux states, per-device gradients, statistics)
STACK = P(AXIS)


def batch_spec(axis: int) -> P:
    """Split along ``axis`` (each device holds its slice)."""
    return P(*([None] * axis), AXIS)


def split_batch(batch_size: int, work_load_list: Sequence[float]) -> list[slice]:
    """MXNet's ``_split_input_slice``: slice sizes ``round(w·B/Σw)`` (banker's rounding), the
    last gets any shortfall, slices clipped to B; an empty slice is a ValueError."""
    total = sum(work_load_list)
    nums = [round(w * batch_size / total) for w in work_load_list]
    if sum(nums) < batch_size:
        nums[-1] += batch_size - sum(nums)
    slices = []
    end = 0
    for num in nums:
        begin = int(min(end, batch_size))
        end = int(min(begin + num, batch_size))
        if begin >= end:
            raise ValueError("Too many slices. Some splits are empty.")
        slices.append(slice(begin, end))
    return slices


def shape_of(desc: Any) -> tuple[str, tuple[int, ...]]:
    name, shape = desc[0], desc[1]
    return str(name), tuple(int(d) for d in shape)


def batch_axis_of(desc: Any) -> int:
    """``DataDesc.get_batch_axis(desc.layout)``: the index of 'N' (0 without a layout)."""
    layout = getattr(desc, "layout", None)
    return 0 if layout is None else layout.find("N")


def spec_axis(spec: P) -> int | None:
    return list(spec).index(AXIS) if AXIS in tuple(spec) else None


class DistMesh:
    """The global mesh of a ``dist_sync`` job: every worker's devices, in rank order.

    Each worker holds its state as arrays over its own devices; ``to_global``
    wraps them, without copies, as the global arrays a collective step takes
    (a replicated array is every worker's replica; a split array the workers'
    slices in rank order), and ``to_local`` takes this worker's part back.
    """

    def __init__(self, local_devices: list[jax.Device], local_mesh: Mesh):
        from jax.experimental import multihost_utils

        from .. import distributed

        distributed.check_same(f"{len(local_devices)} devices",
                               "Module contexts (every worker must bind the same number of "
                               "devices)")
        ids = np.asarray([d.id for d in local_devices], dtype=np.int64)
        with jax.enable_x64(True):
            every = np.asarray(multihost_utils.process_allgather(ids)).reshape(
                jax.process_count(), len(local_devices))
        by_id = {d.id: d for d in jax.devices()}
        devices = [by_id[int(i)] for row in every for i in row]
        self.mesh = Mesh(np.array(devices), (AXIS,))
        self.local_mesh = local_mesh
        self.local_devices = list(local_devices)
        self.nproc = int(jax.process_count())

    def _wrap(self, tree: Any, specs: Any, to_global: bool) -> Any:
        def one(spec: P, sub: Any) -> Any:
            return jax.tree_util.tree_map(lambda a: self._convert(a, spec, to_global), sub)

        return jax.tree_util.tree_map(one, specs, tree, is_leaf=lambda x: isinstance(x, P))

    def to_global(self, tree: Any, specs: Any) -> Any:
        return self._wrap(tree, specs, True)

    def to_local(self, tree: Any, specs: Any) -> Any:
        return self._wrap(tree, specs, False)

    def _convert(self, a: Any, spec: P, to_global: bool) -> jax.Array:
        if to_global:
            local = NamedSharding(self.local_mesh, spec)
            if not isinstance(a, jax.Array) or not a.sharding.is_equivalent_to(local, a.ndim):
                a = jax.device_put(a, local)
        shape = list(a.shape)
        ax = spec_axis(spec)
        if ax is not None:
            shape[ax] = shape[ax] * self.nproc if to_global else shape[ax] // self.nproc
        by_dev = {s.device: s.data for s in a.addressable_shards}
        shards = [by_dev[d] for d in self.local_devices]
        mesh = self.mesh if to_global else self.local_mesh
        return jax.make_array_from_single_device_arrays(tuple(shape), NamedSharding(mesh, spec),
                                                        shards)


#: one global mesh per set of local devices: made once (all workers together, at
#: init_optimizer); modules bound later (BucketingModule's buckets) reuse it without a collective
_DIST_MESHES: dict[tuple[int, ...], DistMesh] = {}


def dist_mesh(devices: list[jax.Device], local_mesh: Mesh) -> DistMesh:
    key = tuple(d.id for d in devices)
    hit = _DIST_MESHES.get(key)
    if hit is None:
        hit = _DIST_MESHES[key] = DistMesh(devices, local_mesh)
    return hit
