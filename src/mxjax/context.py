"""MXNet's ``Context`` (``mx.cpu(i)``, ``mx.gpu(i)``) mapped onto JAX devices.

``cpu(i)`` is the i-th JAX CPU device when the process has several
(``XLA_FLAGS=--xla_force_host_platform_device_count=N``), otherwise CPU 0:
MXNet lets ``[cpu(0), cpu(1)]`` be two logical devices on one CPU.
``gpu(i)`` is the i-th JAX GPU device. As in MXNet, making ``mx.gpu(0)`` never
fails; *using* a GPU context that does not exist (an array on it, binding on it)
raises ``MXNetError``. Contexts print as ``cpu(0)``, compare by type and id,
and ``with ctx:`` makes ``ctx`` the default (``current_context()``) for its block.
"""

from __future__ import annotations

import functools
import threading
import warnings
from typing import Any

import jax

from .base import ClassPropertyMeta, MXNetError, classproperty

__all__ = ["Context", "cpu", "gpu", "cpu_pinned", "current_context", "num_gpus", "gpu_memory_info"]


@functools.cache
def _devices(platform: str) -> tuple:
    """This process's JAX devices of a platform ('cpu', 'gpu'), none if the backend is absent.

    Local devices: under ``jax.distributed`` ``jax.devices`` lists every process's devices,
    and ``cpu(0)`` must be this worker's own device."""
    try:
        return tuple(jax.local_devices(backend=platform))
    except RuntimeError:
        return ()


class Context(metaclass=ClassPropertyMeta):
    """A device: ``Context('cpu', 0)`` or ``Context('gpu', 1)``.

    Like MXNet's, it is usable as a ``with`` block that sets the default
    context, and compares equal by type and id.
    """

    devtype2str = {1: "cpu", 2: "gpu", 3: "cpu_pinned", 5: "cpu_shared"}
    devstr2type = {"cpu": 1, "gpu": 2, "cpu_pinned": 3, "cpu_shared": 5}
    _default = threading.local()

    def __init__(self, device_type: Any, device_id: int = 0):
        if isinstance(device_type, Context):
            device_id = device_type.device_id
            device_type = device_type.device_type
        if isinstance(device_type, int):
            device_type = self.devtype2str.get(device_type, str(device_type))
        if device_type not in self.devstr2type:
            # MXNet looks the name up in devstr2type, so an unknown one is a KeyError
            raise KeyError(f"unknown device type {device_type!r}; use 'cpu' or 'gpu'")
        self.device_type: str = device_type
        self.device_id: int = int(device_id)
        self._old_ctx: Context | None = None
        self._device: jax.Device | None = None

    @property
    def device_typeid(self) -> int:
        return self.devstr2type[self.device_type]

    def __hash__(self) -> int:
        return hash((self.device_type, self.device_id))

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Context)
            and self.device_type == other.device_type
            and self.device_id == other.device_id
        )

    def __getstate__(self) -> dict:
        return {"device_type": self.device_type, "device_id": self.device_id}

    def __setstate__(self, state: dict) -> None:
        self.device_type = state["device_type"]
        self.device_id = state["device_id"]
        self._old_ctx = None
        self._device = None

    def __str__(self) -> str:
        return f"{self.device_type}({self.device_id})"

    __repr__ = __str__

    def __enter__(self) -> Context:
        self._old_ctx = current_context()
        Context._default.value = self
        return self

    def __exit__(self, *exc: Any) -> None:
        Context._default.value = self._old_ctx

    @classproperty
    def default_ctx(cls) -> Context:  # noqa: N805
        """The default context (deprecated in MXNet in favour of ``with``; warns like MXNet)."""
        warnings.warn("Context.default_ctx has been deprecated. Please use "
                      "Context.current_context() instead. Please use "
                      "mx.context.current_context() instead.", DeprecationWarning, stacklevel=2)
        return current_context()

    @default_ctx.setter
    def default_ctx(cls, value: Context) -> None:  # noqa: N805
        warnings.warn("Context.default_ctx has been deprecated. Please use "
                      "Context.current_context() instead.", DeprecationWarning, stacklevel=2)
        Context._default.value = value

    @property
    def jax_device(self) -> jax.Device:
        """The JAX device this context stands for (raises if it does not exist)."""
        dev = self._device
        if dev is None:
            dev = self._device = self._find_device()
        return dev

    def _find_device(self) -> jax.Device:
        if self.device_type == "gpu":
            gpus = _devices("gpu")
            if not gpus:
                raise MXNetError(
                    f"{self} was requested but this machine has no GPU visible to JAX "
                    "(install jax[cuda] and check nvidia-smi); use mx.cpu() instead"
                )
            if not 0 <= self.device_id < len(gpus):
                raise MXNetError(f"{self} was requested but only {len(gpus)} GPU(s) exist "
                                 f"(gpu(0) .. gpu({len(gpus) - 1}))")
            return gpus[self.device_id]
        cpus = _devices("cpu")
        if self.device_id < len(cpus):
            return cpus[self.device_id]
        return cpus[0]

    def empty_cache(self) -> None:
        """MXNet frees its memory pool here; XLA manages its own, so nothing to do."""


def cpu(device_id: int = 0) -> Context:
    """The CPU context ``cpu(device_id)``."""
    return Context("cpu", device_id)


def cpu_pinned(device_id: int = 0) -> Context:
    """Pinned CPU memory; on JAX it is ordinary host memory."""
    return Context("cpu_pinned", device_id)


def gpu(device_id: int = 0) -> Context:
    """The GPU context ``gpu(device_id)``; the device is checked when used."""
    return Context("gpu", device_id)


def current_context() -> Context:
    """The default context (``cpu(0)`` unless a ``with ctx:`` block set one)."""
    ctx = getattr(Context._default, "value", None)
    return ctx if ctx is not None else Context("cpu", 0)


def num_gpus() -> int:
    """Number of GPUs JAX can see."""
    return len(_devices("gpu"))


def gpu_memory_info(device_id: int = 0) -> tuple[int, int]:
    """(free, total) bytes of a GPU, from JAX's memory stats."""
    dev = gpu(device_id).jax_device
    stats = dev.memory_stats() or {}
    total = int(stats.get("bytes_limit", 0))
    return total - int(stats.get("bytes_in_use", 0)), total
