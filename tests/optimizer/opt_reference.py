"""Straightforward NumPy transcriptions of MXNet 1.9.1's optimizer formulas and schedules.

Written from MXNet's documented update rules (python/mxnet/optimizer/optimizer.py
and src/operator/optimizer_op-inl.h), one small function per optimizer, in
float64, with the bookkeeping spelled out: per-index counts bumped before the
lr lookup, lr = schedule(num_update) * lr_mult, wd = wd * wd_mult with the
idx2name rule (names not ending _weight/_gamma get 0; LARS: not ending _weight).
"""

from __future__ import annotations

import math

import numpy as np
from opt_cases import NAMES


# ------------------------------------------------------------------ schedules
class RefSchedule:
    """MXNet's schedulers as plain Python (stateful, called in order)."""

    def __init__(self, spec: dict | None, base_lr: float):
        self.spec = spec
        self.base = base_lr
        if spec is None:
            return
        kw = spec["kw"]
        self.warm = kw.get("warmup_steps", 0)
        self.wbegin = kw.get("warmup_begin_lr", base_lr * 0.1 if self.warm else 0)
        self.wmode = kw.get("warmup_mode", "linear")
        self.wfinal = base_lr
        self.count = 0
        self.ind = 0
        self.orig = base_lr

    def __call__(self, nu: int) -> float:
        if self.spec is None:
            return self.base
        kw, cls = self.spec["kw"], self.spec["cls"]
        if nu < self.warm:
            if self.wmode == "constant":
                return self.wbegin
            return self.wbegin + (self.wfinal - self.wbegin) * nu / self.warm
        if cls == "FactorScheduler":
            while nu > self.count + kw["step"]:
                self.count += kw["step"]
                self.base = max(self.base * kw.get("factor", 1), kw.get("stop_factor_lr", 1e-8))
        elif cls == "MultiFactorScheduler":
            while self.ind < len(kw["step"]) and nu > kw["step"][self.ind]:
                self.ind += 1
                self.base *= kw.get("factor", 1)
        elif nu <= kw["max_update"]:
            frac_num, frac_den = nu - self.warm, kw["max_update"] - self.warm
            final = kw.get("final_lr", 0)
            if cls == "PolyScheduler":
                shape = (1 - frac_num / frac_den) ** kw.get("pwr", 2)
            else:
                shape = (1 + math.cos(math.pi * frac_num / frac_den)) / 2
            self.base = final + (self.orig - final) * shape
        return self.base


# ------------------------------------------------------------------ the rules
def C(x, c):
    return np.clip(x, -c, c)


def kclip(p):
    """Kernel optimizers clip when clip_gradient is truthy (and >= 0)."""
    c = p.get("clip_gradient")
    return c if c else None


def sgd(p, w, g, s, lr, wd, t, ctx):
    r = p.get("rescale_grad", 1.0) * g
    c = kclip(p)
    if c is not None:
        r = C(r, c)
    mom = s["m"] if "m" in s else 0.0
    mom = p.get("momentum", 0.0) * mom - lr * wd * w - lr * r
    if p.get("momentum", 0.0) != 0:
        s["m"] = mom
    return w + mom


def nag(p, w, g, s, lr, wd, t, ctx):
    r = p["rescale_grad"] * g
    c = kclip(p)
    if c is not None:
        r = C(r, c)
    mu = p.get("momentum", 0.0)
    if mu == 0:
        return (1 - lr * wd) * w - lr * r
    m1 = mu * s.get("m", 0.0)
    new_w = w - m1 + (mu + 1) * (m1 - lr * (r + wd * w))
    s["m"] = m1 - lr * (r + wd * new_w)  # the kernel reads the already-updated weight
    return new_w


def adam(p, w, g, s, lr, wd, t, ctx):
    b1, b2, eps = p.get("beta1", 0.9), p.get("beta2", 0.999), p.get("epsilon", 1e-8)
    G = p["rescale_grad"] * g + wd * w
    c = kclip(p)
    if c is not None:
        G = C(G, c)
    s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * G
    s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * G * G
    lr_t = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
    return w - lr_t * s["m"] / (np.sqrt(s["v"]) + eps)


def adagrad(p, w, g, s, lr, wd, t, ctx):
    G = p["rescale_grad"] * g
    if p.get("clip_gradient") is not None:
        G = C(G, p["clip_gradient"])
    s["h"] = s.get("h", 0.0) + G * G
    return w - lr * (G / np.sqrt(s["h"] + p.get("eps", 1e-7)) + wd * w)


def rmsprop(p, w, g, s, lr, wd, t, ctx):
    g1, g2, eps = p.get("gamma1", 0.9), p.get("gamma2", 0.9), p.get("epsilon", 1e-8)
    G = p["rescale_grad"] * g + wd * w
    c = kclip(p)
    if c is not None:
        G = C(G, c)
    s["n"] = (1 - g1) * G * G + g1 * s.get("n", 0.0)
    if p.get("centered"):
        s["gm"] = (1 - g1) * G + g1 * s.get("gm", 0.0)
        s["d"] = g2 * s.get("d", 0.0) - lr * G / np.sqrt(s["n"] - s["gm"] ** 2 + eps)
        w = w + s["d"]
    else:
        w = w - lr * G / np.sqrt(s["n"] + eps)
    if p.get("clip_weights"):
        w = C(w, p["clip_weights"])
    return w


def adadelta(p, w, g, s, lr, wd, t, ctx):
    rho, eps = p.get("rho", 0.9), p.get("epsilon", 1e-5)
    G = p["rescale_grad"] * g
    if p.get("clip_gradient") is not None:
        G = C(G, p["clip_gradient"])
    s["a"] = rho * s.get("a", 0.0) + (1 - rho) * G * G
    d = np.sqrt(s.get("d", 0.0) + eps) / np.sqrt(s["a"] + eps) * G
    s["d"] = rho * s.get("d", 0.0) + (1 - rho) * d * d
    return w - (d + wd * w)  # no learning rate


def adamax(p, w, g, s, lr, wd, t, ctx):
    b1, b2 = p.get("beta1", 0.9), p.get("beta2", 0.999)
    G = p["rescale_grad"] * g + wd * w
    if p.get("clip_gradient") is not None:
        G = C(G, p["clip_gradient"])
    s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * G
    s["u"] = np.maximum(b2 * s.get("u", 0.0), np.abs(G))
    return w - lr / (1 - b1 ** t) * s["m"] / s["u"]


def nadam(p, w, g, s, lr, wd, t, ctx):
    b1, b2, eps, sd = p.get("beta1", 0.9), p.get("beta2", 0.999), p.get("epsilon", 1e-8), \
        p.get("schedule_decay", 0.004)
    G = p["rescale_grad"] * g + wd * w
    if p.get("clip_gradient") is not None:
        G = C(G, p["clip_gradient"])
    mu_t = b1 * (1 - 0.5 * 0.96 ** (t * sd))
    mu_t1 = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * sd))
    ctx["m_schedule"] = ctx.get("m_schedule", 1.0) * mu_t  # one scalar for all parameters
    ms_next = ctx["m_schedule"] * mu_t1
    s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * G
    s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * G * G
    m_bar = (1 - mu_t) * G / (1 - ctx["m_schedule"]) + mu_t1 * s["m"] / (1 - ms_next)
    return w - lr * m_bar / (np.sqrt(s["v"] / (1 - b2 ** t)) + eps)


def ftrl(p, w, g, s, lr, wd, t, ctx):
    l1, beta = p.get("lamda1", 0.01), p.get("beta", 1.0)
    G = p["rescale_grad"] * g
    c = kclip(p)
    if c is not None:
        G = C(G, c)
    n = s.get("n", 0.0)
    s["z"] = s.get("z", 0.0) + G - (np.sqrt(n + G * G) - np.sqrt(n)) * w / lr
    s["n"] = n + G * G
    z = s["z"]
    return np.where(np.abs(z) > l1, (np.sign(z) * l1 - z) / ((beta + np.sqrt(s["n"])) / lr + wd),
                    0.0)


def ftml(p, w, g, s, lr, wd, t, ctx):
    b1, b2, eps = p.get("beta1", 0.6), p.get("beta2", 0.999), p.get("epsilon", 1e-8)
    G = p["rescale_grad"] * g + wd * w
    c = kclip(p)
    if c is not None:
        G = C(G, c)
    s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * G * G
    d_t = (1 - b1 ** t) / lr * (np.sqrt(s["v"] / (1 - b2 ** t)) + eps)
    s["z"] = b1 * s.get("z", 0.0) + (1 - b1) * G - (d_t - b1 * s.get("d", 0.0)) * w
    s["d"] = d_t
    return -s["z"] / d_t


def signum(p, w, g, s, lr, wd, t, ctx):
    r = p["rescale_grad"] * g
    c = kclip(p)
    if c is not None:
        r = C(r, c)
    mu = p.get("momentum", 0.9)
    if mu == 0:
        return (1 - lr * wd) * w - lr * np.sign(r)
    s["m"] = mu * s.get("m", 0.0) - (1 - mu) * (wd * w + r)
    return (1 - lr * p.get("wd_lh", 0.0)) * w + lr * np.sign(s["m"])


def dcasgd(p, w, g, s, lr, wd, t, ctx):
    G = p["rescale_grad"] * g
    if p.get("clip_gradient") is not None:
        G = C(G, p["clip_gradient"])
    prev = s.get("prev", w)
    step = -lr * (G + wd * w + p.get("lamda", 0.04) * G * G * (w - prev))
    if p.get("momentum", 0.0):
        s["m"] = p["momentum"] * s.get("m", 0.0) + step
        step = s["m"]
    s["prev"] = w
    return w + step


def lamb(p, w, g, s, lr, wd, t, ctx):
    b1, b2, eps = p.get("beta1", 0.9), p.get("beta2", 0.999), p.get("epsilon", 1e-6)
    G = p["rescale_grad"] * g
    c = kclip(p)
    if c is not None:
        G = C(G, c)
    s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * G
    s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * G * G
    m, v = s["m"], s["v"]
    if p.get("bias_correction", True):
        m, v = m / (1 - b1 ** t), v / (1 - b2 ** t)
    u = m / (np.sqrt(v) + eps) + wd * w
    r1, r2 = np.linalg.norm(w), np.linalg.norm(u)
    if p.get("lower_bound"):
        r1 = max(r1, p["lower_bound"])
    if p.get("upper_bound"):
        r1 = min(r1, p["upper_bound"])
    ratio = r1 / r2 if (r1 != 0 and r2 != 0) else 1.0
    return w - lr * ratio * u


def lars(p, w, g, s, lr, wd, t, ctx):
    name = ctx["name"]
    if not (name.endswith("gamma") or name.endswith("beta") or name.endswith("bias")):
        wn = np.linalg.norm(w)
        gn = np.linalg.norm(g) * p["rescale_grad"]
        if wn > 0 and gn > 0:
            lr = lr * p.get("eta", 0.001) * wn / (gn + wd * wn + p.get("eps", 0.0))
    q = dict(p)
    q["momentum"] = ctx["momentum"]
    return sgd(q, w, g, s, lr, wd, t, ctx)


RULES = {"sgd": sgd, "ccsgd": sgd, "nag": nag, "adam": adam, "adagrad": adagrad,
         "rmsprop": rmsprop, "adadelta": adadelta, "adamax": adamax, "nadam": nadam,
         "ftrl": ftrl, "ftml": ftml, "signum": signum, "dcasgd": dcasgd, "lamb": lamb,
         "lars": lars}


def run_reference(case: dict, weights: list, grads: list) -> list[list[np.ndarray]]:
    """Weights after every step, from the transcriptions above (float64)."""
    p = case["params"]
    opt = case["opt"].lower()
    rule = RULES[opt]
    lr0 = p["learning_rate"]
    sched = RefSchedule(case.get("schedule"), lr0)
    lr_mult = case.get("lr_mult", {})
    keep = ("_weight",) if opt == "lars" else ("_weight", "_gamma")
    wd_mult = {n: (1.0 if n.endswith(keep) else 0.0) for n in NAMES}
    wd_mult.update(case.get("wd_mult", {}))
    ws = [np.asarray(w, np.float64) for w in weights]
    states: list[dict] = [{} for _ in NAMES]
    ctx: dict = {}
    count = p.get("begin_num_update", 0)
    last_lr = None
    out = []
    for step in range(len(grads)):
        count += 1  # every index's count; num_update is their max
        base = sched(count)
        prev = base if last_lr is None else last_lr
        last_lr = base
        for i, n in enumerate(NAMES):
            ctx["name"] = n
            # LARS momentum correction: momentum * cur_lr / last_lr of the scheduler's lr,
            # per Updater call of <= 4 parameters (later calls in a step see a ratio of 1)
            mu = p.get("momentum", 0.0)
            ctx["momentum"] = mu * (base / prev) if (i < 4 and prev != 0) else mu
            lr = base * lr_mult.get(n, 1.0)
            wd = p.get("wd", 0.0) * wd_mult[n]
            ws[i] = rule(p, ws[i], np.asarray(grads[step][i], np.float64), states[i], lr, wd,
                         count, ctx)
        out.append([w.copy() for w in ws])
    return out
