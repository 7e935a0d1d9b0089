"""The optimizer and schedule cases shared by the tests and by ``make_mxnet_refs.py``.

Every case runs ``N_STEPS`` updates of the five parameters ``NAMES`` (idx2name
given, so biases/betas get wd_mult 0 by MXNet's rule) with rescale_grad,
clip_gradient, wd and an lr schedule. Initial weights and gradients come from
a fixed NumPy seed, so MXNet and mxjax see the same numbers.
"""

from __future__ import annotations

import numpy as np

NAMES = ["fc_weight", "fc_bias", "bn_gamma", "bn_beta", "emb_weight"]
SHAPES = [(6, 5)] * 5
N_STEPS = 20

FACTOR = {"cls": "FactorScheduler",
          "kw": {"step": 4, "factor": 0.7, "warmup_steps": 3, "warmup_mode": "linear"}}
MULTI = {"cls": "MultiFactorScheduler",
         "kw": {"step": [3, 8, 15], "factor": 0.5, "warmup_steps": 2, "warmup_mode": "constant"}}
POLY = {"cls": "PolyScheduler", "kw": {"max_update": 16, "pwr": 2, "warmup_steps": 2}}
COSINE = {"cls": "CosineScheduler", "kw": {"max_update": 18, "warmup_steps": 3}}

COMMON = {"wd": 0.01, "rescale_grad": 0.5, "clip_gradient": 1.0}


def _case(name, opt, lr, schedule=FACTOR, **params):
    p = dict(COMMON)
    p["learning_rate"] = lr
    p.update(params)
    return {"name": name, "opt": opt, "params": p, "schedule": schedule}


CASES = [
    _case("sgd_mom", "sgd", 0.1, momentum=0.9),
    _case("sgd_plain", "sgd", 0.1, MULTI, clip_gradient=0.0),
    dict(_case("sgd_mp_f16", "sgd", 0.1, momentum=0.9, multi_precision=True), dtype="float16"),
    _case("ccsgd", "ccSGD", 0.05, POLY, momentum=0.5),
    _case("nag", "nag", 0.1, momentum=0.9),
    _case("nag_nomom", "nag", 0.1, COSINE),
    _case("adam", "adam", 0.01),
    dict(_case("adam_begin", "adam", 0.01, MULTI, begin_num_update=10),
         lr_mult={"fc_weight": 0.5, "bn_gamma": 2.0}, wd_mult={"fc_bias": 3.0}),
    dict(_case("adam_mp_f16", "adam", 0.01, multi_precision=True), dtype="float16"),
    _case("adagrad", "adagrad", 0.1),
    _case("adagrad_clip0", "adagrad", 0.1, POLY, clip_gradient=0.0),
    _case("rmsprop", "rmsprop", 0.01),
    _case("rmsprop_centered", "rmsprop", 0.01, COSINE, centered=True, clip_weights=0.5),
    _case("adadelta", "adadelta", 1.0, rho=0.9, epsilon=1e-5),
    _case("adamax", "adamax", 0.02),
    _case("nadam", "nadam", 0.01),
    _case("ftrl", "ftrl", 0.1, lamda1=0.01, beta=1.0),
    _case("ftml", "ftml", 0.01, MULTI),
    _case("signum", "signum", 0.01, momentum=0.9, wd_lh=0.01),
    _case("signsgd", "signum", 0.01, POLY, momentum=0.0),
    _case("dcasgd", "dcasgd", 0.1, lamda=0.04),
    _case("lamb", "lamb", 0.01),
    _case("lamb_bounds", "lamb", 0.01, COSINE, lower_bound=0.5, upper_bound=2.0,
          bias_correction=False),
    _case("lars", "lars", 0.1, momentum=0.9, eta=0.02),
    dict(_case("lars_nomom", "lars", 0.1, MULTI, eta=0.02), lr_mult={"emb_weight": 0.5}),
    dict(_case("sgld", "sgld", 0.01, clip_gradient=None), mxnet=False),
]
CASE_BY_NAME = {c["name"]: c for c in CASES}
# cases whose final optimizer states are recorded from MXNet (layout and values)
STATE_CASES = ["sgd_mom", "nadam", "rmsprop_centered", "ftml", "dcasgd", "lamb", "sgd_mp_f16",
               "adam_mp_f16"]


def initial_arrays(case: dict):
    """(weights, grads[step]) as float32 numpy arrays, the same for every case."""
    rng = np.random.RandomState(7)
    weights = [rng.uniform(-1, 1, s).astype(np.float32) for s in SHAPES]
    grads = [[(rng.standard_normal(s) * 2.0).astype(np.float32) for s in SHAPES]
             for _ in range(N_STEPS)]
    return weights, grads


def make_mxnet_scheduler(mod, spec, base_lr: float | None = None):
    """Build ``spec`` with ``mod.lr_scheduler`` (``mod`` is mxnet or mxjax)."""
    if spec is None:
        return None
    kw = dict(spec["kw"])
    if base_lr is not None:
        kw["base_lr"] = base_lr
        if "warmup_begin_lr" not in kw and kw.get("warmup_steps"):
            kw["warmup_begin_lr"] = base_lr * 0.1
    return getattr(mod.lr_scheduler, spec["cls"])(**kw)


SCHEDULE_CASES = [
    {"name": "factor_warm_linear", "cls": "FactorScheduler",
     "kw": {"step": 100, "factor": 0.4, "stop_factor_lr": 1e-4, "base_lr": 0.1,
            "warmup_steps": 50, "warmup_begin_lr": 0.01, "warmup_mode": "linear"}},
    {"name": "factor_every_step", "cls": "FactorScheduler",
     "kw": {"step": 1, "factor": 0.999, "base_lr": 0.05}},
    {"name": "multifactor_warm_const", "cls": "MultiFactorScheduler",
     "kw": {"step": [100, 250, 600], "factor": 0.3, "base_lr": 0.05, "warmup_steps": 40,
            "warmup_begin_lr": 0.001, "warmup_mode": "constant"}},
    {"name": "poly_warm", "cls": "PolyScheduler",
     "kw": {"max_update": 800, "base_lr": 0.1, "pwr": 2, "final_lr": 1e-3,
            "warmup_steps": 100, "warmup_begin_lr": 0.0}},
    {"name": "poly_pwr1", "cls": "PolyScheduler", "kw": {"max_update": 1000, "pwr": 1}},
    {"name": "cosine_warm", "cls": "CosineScheduler",
     "kw": {"max_update": 900, "base_lr": 0.1, "final_lr": 1e-4, "warmup_steps": 100,
            "warmup_begin_lr": 0.01, "warmup_mode": "linear"}},
    {"name": "cosine_plain", "cls": "CosineScheduler", "kw": {"max_update": 500, "base_lr": 1.0}},
]
