"""Module with kvstore 'dist_sync' across processes (SPEC §2.15, issue 8), on loopback.

Two workers started by ``python -m mxjax.launch -n 2`` each read their half of every global
batch of 32 (the user's own split), train the tutorial MLP with ``kvstore='dist_sync'`` and
must end with identical parameters, equal to one process training on the global batches:
``rescale_grad = 1/(batch_size * num_workers)`` and the gradients are summed over all
workers. Rank 0's initial parameters are broadcast (each worker seeds its initializer
differently here), and only rank 0 writes the checkpoint.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import mxjax as mx

TOL = 1e-5
GLOBAL_BATCH = 32
ROWS = 320
LAUNCH_VARS = ("MXJAX_COORDINATOR_ADDRESS", "MXJAX_NUM_WORKERS", "MXJAX_RANK",
               "DMLC_PS_ROOT_URI", "DMLC_PS_ROOT_PORT", "DMLC_NUM_WORKER", "DMLC_TASK_ID",
               "DMLC_ROLE", "DMLC_NUM_SERVER", "MXJAX_DISTRIBUTED_PID", "XLA_FLAGS")

COMMON = textwrap.dedent('''
    import os
    import numpy as np
    import mxjax as mx

    ROWS, GLOBAL_BATCH = 320, 32
    path = os.path.join(os.path.dirname(mx.__file__), "datasets", "letter-recognition.data")
    data = np.genfromtxt(path, delimiter=",", max_rows=ROWS)[:, 1:].astype(np.float32)
    with open(path) as f:
        label = np.array([ord(next(f).split(",")[0]) - ord("A") for _ in range(ROWS)],
                         np.float32)

    def tutorial_mlp():
        net = mx.sym.Variable("data")
        net = mx.sym.FullyConnected(net, name="fc1", num_hidden=64)
        net = mx.sym.Activation(net, name="relu1", act_type="relu")
        net = mx.sym.FullyConnected(net, name="fc2", num_hidden=26)
        return mx.sym.SoftmaxOutput(net, name="softmax")

    def train(kvstore, ctx, rows, batch, seed, fit):
        """fit (one epoch) or the intermediate API with momentum; returns the module."""
        mx.random.seed(seed)
        it = mx.io.NDArrayIter(data[rows], label[rows], batch)
        mod = mx.mod.Module(tutorial_mlp(), context=ctx)
        opt = {"learning_rate": 0.1} if fit else {"learning_rate": 0.1, "momentum": 0.9}
        if fit:
            mod.fit(it, num_epoch=1, kvstore=kvstore, optimizer="sgd", optimizer_params=opt,
                    initializer=mx.init.Xavier())
            return mod
        mod.bind(it.provide_data, it.provide_label)
        mod.init_params(mx.init.Xavier())
        mod.init_optimizer(kvstore=kvstore, optimizer="sgd", optimizer_params=opt)
        for batch in it:
            mod.forward(batch, is_train=True)
            mod.backward()
            mod.update()
        return mod

    def params(mod):
        args, _ = mod.get_params()
        return {k: v.asnumpy() for k, v in args.items()}
''')

WORKER = COMMON + textwrap.dedent('''
    import json, sys
    out = sys.argv[1]
    kv = mx.kv.create("dist_sync")
    r, n = kv.rank, kv.num_workers
    b = GLOBAL_BATCH // n
    # the user's split: this worker's half of every global batch
    rows = np.concatenate([np.arange(j * GLOBAL_BATCH + r * b, j * GLOBAL_BATCH + (r + 1) * b)
                           for j in range(ROWS // GLOBAL_BATCH)])
    fit = train(kv, mx.cpu(), rows, b, seed=100 + r, fit=True)  # seeds differ on purpose
    os.makedirs(os.path.join(out, f"rank{r}"))
    fit.save_checkpoint(os.path.join(out, f"rank{r}", "mlp"), 1)
    loop = train("dist_sync", mx.cpu(), rows, b, seed=200 + r, fit=False)
    np.savez(os.path.join(out, f"fit{r}.npz"), **params(fit))
    np.savez(os.path.join(out, f"loop{r}.npz"), **params(loop))
    info = {"rank": r, "num_workers": n, "kv": fit._kvstore.type, "kv_rank": fit._kvstore.rank,
            "rescale": fit._optimizer.rescale_grad}
    if r == 0:  # rank 0 alone: inference is not a collective, no other worker takes part
        info["score"] = loop.score(mx.io.NDArrayIter(data[:64], label[:64], 16), "acc")
        np.save(os.path.join(out, "predict0.npy"),
                loop.predict(mx.io.NDArrayIter(data[:50], label[:50], 16)).asnumpy())
    with open(os.path.join(out, f"info{r}.json"), "w") as f:
        json.dump(info, f)
''')


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in LAUNCH_VARS}
    env["JAX_PLATFORMS"] = "cpu"
    return env


@pytest.fixture(scope="module")
def dist_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    script = out / "worker.py"
    script.write_text(WORKER)
    res = subprocess.run([sys.executable, "-m", "mxjax.launch", "-n", "2", "--",
                          sys.executable, str(script), str(out)], env=_env(), text=True,
                         capture_output=True, timeout=300)
    assert res.returncode == 0, (res.stdout[-3000:], res.stderr[-3000:])
    return out


@pytest.fixture(scope="module")
def single_process() -> dict:
    """The same training in this process, on one device, over the global batches."""
    ns: dict = {}
    exec(compile(COMMON, "common", "exec"), ns)  # noqa: S102 - the test's own source
    rows = np.arange(ROWS)
    loop = ns["train"]("local", mx.cpu(), rows, GLOBAL_BATCH, 200, False)
    data, label = ns["data"], ns["label"]
    return {"fit": ns["params"](ns["train"]("local", mx.cpu(), rows, GLOBAL_BATCH, 100, True)),
            "loop": ns["params"](loop),
            "predict": loop.predict(mx.io.NDArrayIter(data[:50], label[:50], 16)).asnumpy()}


def _load(out, name: str) -> dict:
    return dict(np.load(out / name))


@pytest.mark.parametrize("kind", ["fit", "loop"])
def test_dist_sync_workers_end_with_identical_parameters(dist_run, kind):
    p0, p1 = _load(dist_run, f"{kind}0.npz"), _load(dist_run, f"{kind}1.npz")
    assert sorted(p0) == ["fc1_bias", "fc1_weight", "fc2_bias", "fc2_weight"]
    for k in p0:
        np.testing.assert_array_equal(p0[k], p1[k], err_msg=k)


@pytest.mark.parametrize("kind", ["fit", "loop"])
def test_dist_sync_equals_one_process_over_the_global_batches(dist_run, single_process,
                                                              kind):
    # rank 0's initial values (seed 100 / 200) reach both workers, as MXNet's kvstore.init
    dist = _load(dist_run, f"{kind}0.npz")
    for k, v in single_process[kind].items():
        np.testing.assert_allclose(dist[k], v, rtol=0, atol=TOL, err_msg=k)


def test_dist_sync_rescale_grad_is_one_over_batch_times_workers(dist_run):
    for r in (0, 1):
        info = json.loads((dist_run / f"info{r}.json").read_text())
        assert info["rank"] == info["kv_rank"] == r and info["num_workers"] == 2
        assert info["kv"] == "dist_sync"
        assert info["rescale"] == 1.0 / (16 * 2)


def test_only_rank_0_writes_the_checkpoint(dist_run):
    assert sorted(os.listdir(dist_run / "rank0")) == ["mlp-0001.params", "mlp-symbol.json"]
    assert os.listdir(dist_run / "rank1") == []
    _, args, _ = mx.model.load_checkpoint(str(dist_run / "rank0" / "mlp"), 1)
    fit0 = _load(dist_run, "fit0.npz")
    for k, v in fit0.items():
        np.testing.assert_array_equal(args[k].asnumpy(), v)


def test_one_worker_alone_can_score_and_predict(dist_run, single_process):
    info = json.loads((dist_run / "info0.json").read_text())
    assert info["score"][0][0] == "accuracy" and 0.0 <= info["score"][0][1] <= 1.0
    pred = np.load(dist_run / "predict0.npy")
    assert pred.shape == (50, 26)
    np.testing.assert_allclose(pred, single_process["predict"], rtol=0, atol=TOL)


def test_dist_async_is_refused_with_a_clear_error():
    mod = mx.mod.Module(mx.sym.SoftmaxOutput(mx.sym.Variable("data"), name="softmax"))
    mod.bind([("data", (4, 3))], [("softmax_label", (4,))])
    mod.init_params()
    with pytest.raises(mx.MXNetError, match="asynchronous training is not supported"):
        mod.init_optimizer(kvstore="dist_async")
