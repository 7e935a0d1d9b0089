"""PyTorch (CPU, eager) equivalents of the mx workloads: the same models, data order
semantics and SGD math as MXNet's Module.

MXNet's ``SoftmaxOutput`` gradient is ``softmax - onehot`` per sample, not divided by the
batch, and Module's SGD uses ``rescale_grad = 1/batch``: the update is
``w -= lr * mean-over-batch gradient``, i.e. mean cross-entropy with plain SGD (no momentum,
no weight decay). Batches follow ``NDArrayIter(shuffle=True)``: a new permutation each
epoch, and a short last batch padded with rows from the start of the permuted order.
Initialisers mirror MXNet's: ``Uniform(s)`` weights in [-s, s], ``Xavier()`` =
``xavier_uniform_``; biases zero.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn


def mlp_tutorial() -> nn.Module:
    """MLP 16-64-26 with relu (the Module tutorial's network)."""
    return nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 26))


def wide_mlp() -> nn.Module:
    """MLP 784-1024-1024-10 with relu (W3)."""
    return nn.Sequential(nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(),
                         nn.Linear(1024, 10))


def lenet() -> nn.Module:
    """LeNet as in W4: conv5x5x20-tanh-maxpool, conv5x5x50-tanh-maxpool, fc500-tanh, fc10."""
    return nn.Sequential(nn.Conv2d(1, 20, 5), nn.Tanh(), nn.MaxPool2d(2, 2),
                         nn.Conv2d(20, 50, 5), nn.Tanh(), nn.MaxPool2d(2, 2),
                         nn.Flatten(), nn.Linear(800, 500), nn.Tanh(), nn.Linear(500, 10))


def init_params(model: nn.Module, kind: str, scale: float = 0.07) -> None:
    """MXNet-style init: 'uniform' (``mx.init.Uniform(scale)``) or 'xavier'; biases zero."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Linear, nn.Conv2d)):
                if kind == "uniform":
                    nn.init.uniform_(m.weight, -scale, scale)
                elif kind == "xavier":
                    nn.init.xavier_uniform_(m.weight)
                else:
                    raise ValueError(f"unknown init {kind!r}")
                nn.init.zeros_(m.bias)


def tensors(x: np.ndarray, y: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """float32 inputs (NDArrayIter's default dtype) and int64 class labels."""
    return (torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)),
            torch.from_numpy(np.asarray(y).astype(np.int64)))


def epoch_order(n: int, batch_size: int, gen: torch.Generator | None) -> torch.Tensor:
    """Row order of one epoch: permuted (or not), padded to whole batches from its start."""
    perm = torch.randperm(n, generator=gen) if gen is not None else torch.arange(n)
    nb = -(-n // batch_size)
    if nb * batch_size > n:
        perm = torch.cat([perm, perm[:nb * batch_size - n]])
    return perm


def train_epoch(model: nn.Module, opt: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor,
                batch_size: int, gen: torch.Generator) -> float:
    """One epoch of mean-cross-entropy SGD; returns the training accuracy (padding counted,
    as MXNet's metric counts it)."""
    model.train()
    loss_fn = nn.CrossEntropyLoss()
    order = epoch_order(x.shape[0], batch_size, gen)
    correct = torch.zeros((), dtype=torch.int64)
    for i in range(order.shape[0] // batch_size):
        idx = order[i * batch_size:(i + 1) * batch_size]
        xb, yb = x[idx], y[idx]
        out = model(xb)
        loss = loss_fn(out, yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        correct += (out.detach().argmax(1) == yb).sum()
    return correct.item() / order.shape[0]


def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int) -> float:
    """Accuracy over ``x`` in batches (what ``Module.score`` does)."""
    model.eval()
    correct = torch.zeros((), dtype=torch.int64)
    with torch.inference_mode():
        for i in range(0, x.shape[0], batch_size):
            out = model(x[i:i + batch_size])
            correct += (out.argmax(1) == y[i:i + batch_size]).sum()
    return correct.item() / x.shape[0]


def predict(model: nn.Module, x: torch.Tensor, batch_size: int) -> np.ndarray:
    """Softmax probabilities over ``x`` in batches, merged (what ``Module.predict`` returns)."""
    model.eval()
    outs = []
    with torch.inference_mode():
        for i in range(0, x.shape[0], batch_size):
            outs.append(torch.softmax(model(x[i:i + batch_size]), dim=1))
    return torch.cat(outs).numpy()


def versions() -> dict[str, Any]:
    """torch version and its intra-op thread count."""
    return {"torch": torch.__version__, "torch_threads": str(torch.get_num_threads())}


def timed_fit(make_model: Any, x: torch.Tensor, y: torch.Tensor, batch_size: int,
              epochs: int, seed: int) -> tuple[list[float], float | None]:
    """Xavier init, SGD lr 0.1, ``epochs`` shuffled epochs: (wall time per epoch, last train
    accuracy) — the PyTorch side of the synthetic fit workloads (W3, W4)."""
    import time

    times: list[float] = []
    tic = time.perf_counter()
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = make_model()
    init_params(model, "xavier")
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    acc = None
    for _ in range(epochs):
        acc = train_epoch(model, opt, x, y, batch_size, gen)
        toc = time.perf_counter()
        times.append(toc - tic)
        tic = toc
    return times, acc
