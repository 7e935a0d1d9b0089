"""``mx.optimizer``: MXNet 1.9.1's optimizers, Updater and registry, plus an optax adapter.

Every built-in optimizer is one pure update rule (:mod:`.rule`) used twice: by
the eager NDArray API (``create_state``/``update``, driven by :class:`Updater`,
as in MXNet) and by ``opt.fused(names)``, one jittable update of a whole
parameter pytree (:mod:`.fused`). ``docs/optimizers.md`` lists the rules.
"""

from __future__ import annotations

from . import adam, adaptive, optimizer, sgd, stochastic
from .adam import FTML, LAMB, Adam, Adamax, Nadam
from .adaptive import AdaDelta, AdaGrad, Ftrl, RMSProp
from .fused import FusedOptimizer, has_fused_rule
from .optax_adapter import Optax
from .optimizer import Optimizer, create, register
from .rule import RuleOptimizer
from .sgd import LARS, LBSGD, NAG, SGD, Signum, ccSGD
from .states import dumps_states, loads_states
from .stochastic import DCASGD, SGLD, Test
from .updater import Updater, get_updater

__all__ = [
    "AdaDelta", "AdaGrad", "Adam", "Adamax", "DCASGD", "FTML", "Ftrl", "LARS", "LBSGD", "LAMB",
    "NAG", "Nadam", "Optimizer", "Optax", "RMSProp", "SGD", "SGLD", "Signum", "Test", "Updater",
    "ccSGD", "create", "get_updater", "register", "FusedOptimizer", "RuleOptimizer",
    "has_fused_rule", "dumps_states", "loads_states", "adam", "adaptive", "optimizer", "sgd",
    "stochastic",
]
