"""``mx.lr_scheduler``: MXNet 1.9.1's learning-rate schedules, stateful and pure.

Each scheduler is callable as in MXNet, ``sched(num_update) -> lr``, and is
**stateful** exactly like MXNet's: FactorScheduler and MultiFactorScheduler
multiply ``base_lr`` in place (logging ``Update[%d]: Change learning rate to
%0.5e`` on the root logger), Poly/Cosine overwrite ``base_lr`` with the value of
their formula. Like MXNet's, they must be queried with non-decreasing update
counts.

Each also has a pure twin, ``lr_at(num_update, state=None)``, written with
``jax.numpy`` so it can run inside ``jit``/``lax.scan`` with a traced update
count. ``lr_at(n)`` equals what the stateful scheduler returns when called in
order at 1, 2, ..., n from its state before its first call. With
``state=sched.lr_state(last)`` it continues from the scheduler's *current*
state instead, assuming calls at every count in ``(last, num_update]`` — this
is what the optimizers' fused update uses, so a jitted multi-step run gives the
numbers (and, after ``commit``, the host state and log lines) of MXNet's
one-call-per-update loop.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

__all__ = [
    "LRScheduler",
    "FactorScheduler",
    "MultiFactorScheduler",
    "PolyScheduler",
    "CosineScheduler",
    "has_pure_schedule",
]

State = dict[str, Any]


def _f64(x: Any) -> np.float64:
    return np.float64(x)


class LRScheduler:
    """Base class (``mx.lr_scheduler.LRScheduler``): base_lr and the warmup phase.

    For ``num_update < warmup_steps`` the lr is ``warmup_begin_lr + (warmup_final_lr -
    warmup_begin_lr) * num_update / warmup_steps`` ('linear') or ``warmup_begin_lr``
    ('constant'). ``warmup_final_lr`` is ``base_lr`` as given to the constructor
    (an optimizer overwriting ``base_lr`` later does not change it, as in MXNet).
    """

    def __init__(self, base_lr: float = 0.01, warmup_steps: int = 0,
                 warmup_begin_lr: float = 0, warmup_mode: str = "linear"):
        self.base_lr = base_lr
        if not isinstance(warmup_steps, int):
            raise ValueError(f"warmup_steps must be an int, got {warmup_steps!r}")
        self.warmup_steps = warmup_steps
        self.warmup_final_lr = base_lr
        self.warmup_begin_lr = warmup_begin_lr
        if self.warmup_begin_lr > self.warmup_final_lr:
            raise ValueError("Base lr has to be higher than warmup_begin_lr")
        if self.warmup_steps < 0:
            raise ValueError("Warmup steps has to be positive or 0")
        if warmup_mode not in ("linear", "constant"):
            raise ValueError("Supports only linear and constant modes of warmup")
        self.warmup_mode = warmup_mode
        self._initial_state: State | None = None

    # ------------------------------------------------------------ stateful API
    def get_warmup_lr(self, num_update: int) -> float:
        """The warmup lr at ``num_update`` (< warmup_steps)."""
        if not num_update < self.warmup_steps:
            raise ValueError(f"get_warmup_lr: num_update {num_update} is not below "
                             f"warmup_steps {self.warmup_steps}")
        if self.warmup_mode == "linear":
            increase = (self.warmup_final_lr - self.warmup_begin_lr) \
                * float(num_update) / float(self.warmup_steps)
            return self.warmup_begin_lr + increase
        if self.warmup_mode == "constant":
            return self.warmup_begin_lr
        raise ValueError(f"Invalid warmup mode {self.warmup_mode}")

    def __call__(self, num_update: int) -> float:
        raise NotImplementedError("must override this")

    def _remember_initial(self) -> None:
        """Snapshot the state before the first call (what ``lr_at(n)`` starts from)."""
        if getattr(self, "_initial_state", None) is None:
            self._initial_state = self.lr_state(0)

    # ---------------------------------------------------------------- pure API
    def lr_state(self, last_num_update: int = 0) -> State:
        """The scheduler's current state as a small pytree of NumPy scalars.

        ``last_num_update``: the update count of the latest call already made
        (the pure schedule assumes calls at every count after it).
        """
        return {
            "base_lr": _f64(self.base_lr),
            "warmup_steps": _f64(self.warmup_steps),
            "warmup_begin_lr": _f64(self.warmup_begin_lr),
            "warmup_final_lr": _f64(self.warmup_final_lr),
            "last": _f64(last_num_update),
        }

    def lr_at(self, num_update: Any, state: State | None = None) -> jax.Array:
        """Pure lr at ``num_update`` (a traced int is fine); see the module docstring."""
        with jax.enable_x64(True):
            st = self._resolve_state(state)
            nu = jnp.asarray(num_update).astype(jnp.float64)
            return jnp.where(nu < st["warmup_steps"], self._warmup_pure(nu, st),
                             self._decay_pure(nu, st))

    def _resolve_state(self, state: State | None) -> State:
        if state is not None:
            return state
        init = getattr(self, "_initial_state", None)
        return init if init is not None else self.lr_state(0)

    def _warmup_pure(self, nu: jax.Array, st: State) -> jax.Array:
        if self.warmup_mode == "constant":
            return jnp.broadcast_to(jnp.asarray(st["warmup_begin_lr"], jnp.float64), nu.shape)
        steps = jnp.maximum(st["warmup_steps"], 1.0)
        return st["warmup_begin_lr"] + (st["warmup_final_lr"] - st["warmup_begin_lr"]) \
            * nu / steps

    def _decay_pure(self, nu: jax.Array, st: State) -> jax.Array:
        raise NotImplementedError(
            f"{type(self).__name__} has no pure schedule (lr_at); the fused optimizer "
            "update cannot use it")


class FactorScheduler(LRScheduler):
    """``base_lr *= factor`` every ``step`` updates (first change at update step+1).

    Stateful as MXNet's: ``while num_update > count + step: count += step;
    base_lr *= factor``, floored at ``stop_factor_lr`` (logging ``Update[%d]: now
    learning rate arrived at %0.5e, will not change in the future``).
    """

    def __init__(self, step: int, factor: float = 1, stop_factor_lr: float = 1e-8,
                 base_lr: float = 0.01, warmup_steps: int = 0, warmup_begin_lr: float = 0,
                 warmup_mode: str = "linear"):
        super().__init__(base_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        if step < 1:
            raise ValueError("Schedule step must be greater or equal than 1 round")
        if factor > 1.0:
            raise ValueError("Factor must be no more than 1 to make lr reduce")
        self.step = step
        self.factor = factor
        self.stop_factor_lr = stop_factor_lr
        self.count = 0

    def __call__(self, num_update: int) -> float:
        self._remember_initial()
        if num_update < self.warmup_steps:
            return self.get_warmup_lr(num_update)
        while num_update > self.count + self.step:
            self.count += self.step
            self.base_lr *= self.factor
            if self.base_lr < self.stop_factor_lr:
                self.base_lr = self.stop_factor_lr
                logging.info("Update[%d]: now learning rate arrived at %0.5e, will not "
                             "change in the future", num_update, self.base_lr)
            else:
                logging.info("Update[%d]: Change learning rate to %0.5e",
                             num_update, self.base_lr)
        return self.base_lr

    def lr_state(self, last_num_update: int = 0) -> State:
        st = super().lr_state(last_num_update)
        st.update(count=_f64(self.count), step=_f64(self.step), factor=_f64(self.factor),
                  stop_factor_lr=_f64(self.stop_factor_lr))
        return st

    def _decay_pure(self, nu: jax.Array, st: State) -> jax.Array:
        # number of loop iterations k = max(0, floor((nu - count - 1) / step));
        # the floored product is max(base * factor**k, stop) once k >= 1.
        k = jnp.maximum(jnp.floor((nu - st["count"] - 1.0) / st["step"]), 0.0)
        decayed = jnp.maximum(st["base_lr"] * jnp.power(st["factor"], k), st["stop_factor_lr"])
        return jnp.where(k > 0, decayed, st["base_lr"])


class MultiFactorScheduler(LRScheduler):
    """``base_lr *= factor`` once for each listed step passed (``num_update > step[i]``)."""

    def __init__(self, step: list[int], factor: float = 1, base_lr: float = 0.01,
                 warmup_steps: int = 0, warmup_begin_lr: float = 0,
                 warmup_mode: str = "linear"):
        super().__init__(base_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        if not isinstance(step, list) or len(step) < 1:
            raise ValueError(f"step must be a non-empty list of ints, got {step!r}")
        for i, s in enumerate(step):
            if i != 0 and step[i] <= step[i - 1]:
                raise ValueError("Schedule step must be an increasing integer list")
            if s < 1:
                raise ValueError("Schedule step must be greater or equal than 1 round")
        if factor > 1.0:
            raise ValueError("Factor must be no more than 1 to make lr reduce")
        self.step = step
        self.cur_step_ind = 0
        self.factor = factor
        self.count = 0

    def __call__(self, num_update: int) -> float:
        self._remember_initial()
        if num_update < self.warmup_steps:
            return self.get_warmup_lr(num_update)
        while self.cur_step_ind <= len(self.step) - 1:
            if num_update > self.step[self.cur_step_ind]:
                self.count = self.step[self.cur_step_ind]
                self.cur_step_ind += 1
                self.base_lr *= self.factor
                logging.info("Update[%d]: Change learning rate to %0.5e",
                             num_update, self.base_lr)
            else:
                return self.base_lr
        return self.base_lr

    def lr_state(self, last_num_update: int = 0) -> State:
        st = super().lr_state(last_num_update)
        st.update(steps=np.asarray(self.step, dtype=np.float64),
                  cur_step_ind=_f64(self.cur_step_ind), factor=_f64(self.factor))
        return st

    def _decay_pure(self, nu: jax.Array, st: State) -> jax.Array:
        steps = jnp.asarray(st["steps"])
        pending = jnp.arange(steps.shape[0]) >= st["cur_step_ind"]
        k = jnp.sum(pending & (nu[..., None] > steps), axis=-1).astype(jnp.float64)
        return st["base_lr"] * jnp.power(st["factor"], k)


class _ToFinal(LRScheduler):
    """Shared part of Poly/Cosine: a formula of the update count up to max_update."""

    def __init__(self, max_update: int, base_lr: float, final_lr: float,
                 warmup_steps: int, warmup_begin_lr: float, warmup_mode: str):
        super().__init__(base_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        if not isinstance(max_update, int):
            raise ValueError(f"max_update must be an int, got {max_update!r}")
        if max_update < 1:
            raise ValueError("maximum number of updates must be strictly positive")
        self.base_lr_orig = self.base_lr
        self.max_update = max_update
        self.final_lr = final_lr
        self.max_steps = self.max_update - self.warmup_steps

    def __call__(self, num_update: int) -> float:
        self._remember_initial()
        if num_update < self.warmup_steps:
            return self.get_warmup_lr(num_update)
        if num_update <= self.max_update:
            self.base_lr = self.final_lr + (self.base_lr_orig - self.final_lr) \
                * self._shape_host(num_update - self.warmup_steps, self.max_steps)
        return self.base_lr

    def lr_state(self, last_num_update: int = 0) -> State:
        st = super().lr_state(last_num_update)
        st.update(base_lr_orig=_f64(self.base_lr_orig), final_lr=_f64(self.final_lr),
                  max_update=_f64(self.max_update), max_steps=_f64(self.max_steps))
        return st

    def _formula(self, nu: jax.Array, st: State) -> jax.Array:
        shape = self._shape_pure(nu - st["warmup_steps"], st["max_steps"], st)
        return st["final_lr"] + (st["base_lr_orig"] - st["final_lr"]) * shape

    def _decay_pure(self, nu: jax.Array, st: State) -> jax.Array:
        # past max_update the lr stays at the last value the formula produced: the
        # formula at max_update if that call happened after `last` (and outside warmup)
        m = st["max_update"]
        last_hit = (m >= st["warmup_steps"]) & (m > st["last"])
        after = jnp.where(last_hit, self._formula(jnp.broadcast_to(m, nu.shape), st),
                          st["base_lr"])
        return jnp.where(nu <= m, self._formula(nu, st), after)

    def _shape_host(self, done: float, total: float) -> float:
        raise NotImplementedError

    def _shape_pure(self, done: jax.Array, total: jax.Array, st: State) -> jax.Array:
        raise NotImplementedError


class PolyScheduler(_ToFinal):
    """``final_lr + (base_lr - final_lr) * (1 - (nu - warmup) / (max_update - warmup))**pwr``."""

    def __init__(self, max_update: int, base_lr: float = 0.01, pwr: float = 2,
                 final_lr: float = 0, warmup_steps: int = 0, warmup_begin_lr: float = 0,
                 warmup_mode: str = "linear"):
        super().__init__(max_update, base_lr, final_lr, warmup_steps, warmup_begin_lr,
                         warmup_mode)
        self.power = pwr

    def lr_state(self, last_num_update: int = 0) -> State:
        st = super().lr_state(last_num_update)
        st["power"] = _f64(self.power)
        return st

    def _shape_host(self, done: float, total: float) -> float:
        return pow(1 - float(done) / float(total), self.power)

    def _shape_pure(self, done: jax.Array, total: jax.Array, st: State) -> jax.Array:
        return jnp.power(1.0 - done / total, st["power"])


class CosineScheduler(_ToFinal):
    """``final_lr + (base_lr - final_lr) * (1 + cos(pi * (nu - warmup) / (max_update - warmup))) / 2``."""  # noqa: E501

    def __init__(self, max_update: int, base_lr: float = 0.01, final_lr: float = 0,
                 warmup_steps: int = 0, warmup_begin_lr: float = 0,
                 warmup_mode: str = "linear"):
        super().__init__(max_update, base_lr, final_lr, warmup_steps, warmup_begin_lr,
                         warmup_mode)
        self.base_lr_orig = base_lr

    def _shape_host(self, done: float, total: float) -> float:
        return (1 + math.cos(math.pi * done / total)) / 2

    def _shape_pure(self, done: jax.Array, total: jax.Array, st: State) -> jax.Array:
        return (1.0 + jnp.cos(jnp.pi * done / total)) / 2.0


def _owner(cls: type, attr: str) -> type:
    for klass in cls.__mro__:
        if attr in klass.__dict__:
            return klass
    return object


def has_pure_schedule(sched: Any) -> bool:
    """True when ``sched`` has an ``lr_at`` that matches its ``__call__``.

    A user subclass that overrides ``__call__`` without its own ``lr_at`` (or any
    scheduler object without ``lr_at``) has none: the fused update then refuses it.
    """
    if sched is None:
        return True
    cls = type(sched)
    if not hasattr(sched, "lr_at") or not hasattr(sched, "lr_state"):
        return False
    lr_at_owner = _owner(cls, "lr_at")
    call_owner = _owner(cls, "__call__")
    if call_owner is LRScheduler:
        return False
    if lr_at_owner is LRScheduler:
        decay_owner = _owner(cls, "_decay_pure")
        return decay_owner is not LRScheduler and issubclass(decay_owner, call_owner)
    return issubclass(lr_at_owner, call_owner)
