"""Record MXNet 1.9.1 BucketingModule numbers into fixtures/bucketing_mxnet.{npz,json}
(for test_bucketing_module.py).

Run with a real MXNet (the tests do not need it):
    /work/mxnet-venv/bin/python tests/module/record_bucketing.py

The network (``sym_gen(seq_len)``, every op named so that symbol files do not depend on
MXNet's global name counters): ``data (B, seq_len)`` token ids -> Embedding(10, 4, embed)
-> mean over the sequence (mean) -> FullyConnected(5, fc1) -> BatchNorm(bn, fix_gamma=False;
with fix_gamma MXNet's op writes 1 into the gamma array, which mxjax does not) -> relu ->
FullyConnected(3, fc2; no bias in the bucket of length 3, so that bucket's parameters are a
prefix of the default bucket's) -> SoftmaxOutput(softmax). Buckets 3, 5, 8; default 8;
batch size 4. Initial parameters are fixed arrays (``init_<name>`` in the npz).

Cases:

* ``steps``: bind on the default bucket, set_params, SGD (lr 0.1, momentum 0.9, wd 0.01);
  6 rounds of forward/backward/update with batches ``x<i>``/``y<i>`` of bucket
  ``KEYS[i]``: each forward's output (``steps_out<i>``) and every parameter/aux state after
  each update (``steps_p<i>_<name>``).
* ``add``: bound with grad_req='add': forward_backward on buckets 8 and 3, gradients
  (``add_g_<name>``), update, then forward_backward on bucket 5 and update: parameters.
* ``two``: ``steps`` with ``context=[cpu(0), cpu(1)]`` (kvstore 'local'; BatchNorm
  statistics per device slice): outputs per step, parameters after the last update.
* ``mixed``: training steps interleaved with inference forwards on other buckets
  (outputs ``mixed_out<j>``) and a ``score`` pass over all buckets (``MIXED``); the
  parameters at the end.
* ``fit``: ``fit`` for 2 epochs over an iterator yielding batches of buckets
  ``FIT_KEYS`` with eval_metric 'ce': the epoch-end metric values (from an
  epoch_end_callback) and the final parameters; then ``score`` ('ce') and ``predict`` over
  the same iterator.
* ``ckpt``: after ``steps``, ``save_checkpoint(prefix, 3)``: the bytes of ``prefix.buckets``
  and of every ``prefix-<key>-symbol.json`` and the ``.params`` key order; then
  ``BucketingModule.load(prefix, 3, sym_gen, 8)``, bind, init_optimizer (same SGD) and 3
  more rounds (batches ``KEYS[:3]``): parameters after them.
"""

import base64
import json
import tempfile
from pathlib import Path

import mxnet as mx
import numpy as np

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
OUT = {}
META = {}
B = 4
KEYS = [8, 3, 5, 3, 8, 5]
FIT_KEYS = [8, 5, 3, 5, 8]
OPT = {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01}


def put(name, value):
    arr = value.asnumpy() if hasattr(value, "asnumpy") else np.asarray(value)
    OUT[name] = np.asarray(arr, dtype=np.float32)


def sym_gen(seq_len):
    data = mx.sym.var("data")
    label = mx.sym.var("softmax_label")
    emb = mx.sym.Embedding(data, input_dim=10, output_dim=4, name="embed")
    pooled = mx.sym.mean(emb, axis=1, name="mean")
    fc1 = mx.sym.FullyConnected(pooled, num_hidden=5, name="fc1")
    bn = mx.sym.BatchNorm(fc1, fix_gamma=False, name="bn")
    act = mx.sym.Activation(bn, act_type="relu", name="relu")
    fc2 = mx.sym.FullyConnected(act, num_hidden=3, no_bias=(seq_len == 3), name="fc2")
    out = mx.sym.SoftmaxOutput(fc2, label, name="softmax")
    return out, ("data",), ("softmax_label",)


def make_arrays():
    rng = np.random.RandomState(7)
    init = {
        "embed_weight": rng.randn(10, 4) * 0.5,
        "fc1_weight": rng.randn(5, 4) * 0.5,
        "fc1_bias": rng.randn(5) * 0.1,
        "bn_gamma": 1 + rng.randn(5) * 0.1,
        "bn_beta": rng.randn(5) * 0.1,
        "fc2_weight": rng.randn(3, 5) * 0.5,
        "fc2_bias": rng.randn(3) * 0.1,
    }
    aux = {"bn_moving_mean": rng.randn(5) * 0.1, "bn_moving_var": 1 + rng.rand(5) * 0.1}
    for k, v in init.items():
        put(f"init_{k}", v)
    for k, v in aux.items():
        put(f"init_{k}", v)
    for i, key in enumerate(KEYS):
        put(f"x{i}", rng.randint(0, 10, (B, key)))
        put(f"y{i}", rng.randint(0, 3, (B,)))
    for i, key in enumerate(FIT_KEYS):
        put(f"fx{i}", rng.randint(0, 10, (B, key)))
        put(f"fy{i}", rng.randint(0, 3, (B,)))


def init_params():
    arg = {k[5:]: mx.nd.array(v) for k, v in OUT.items()
           if k.startswith("init_") and not k.startswith("init_bn_moving")}
    aux = {k[5:]: mx.nd.array(v) for k, v in OUT.items() if k.startswith("init_bn_moving")}
    return arg, aux


def batch(x, y, key):
    data = mx.nd.array(OUT[x])
    label = mx.nd.array(OUT[y])
    return mx.io.DataBatch([data], [label], pad=0, bucket_key=key,
                           provide_data=[mx.io.DataDesc("data", data.shape)],
                           provide_label=[mx.io.DataDesc("softmax_label", label.shape)])


def new_module(grad_req="write", context=None):
    context = mx.cpu() if context is None else context
    mod = mx.mod.BucketingModule(sym_gen, default_bucket_key=8, context=context)
    mod.bind([("data", (B, 8))], [("softmax_label", (B,))], grad_req=grad_req)
    arg, aux = init_params()
    mod.set_params(arg, aux)
    mod.init_optimizer(optimizer="sgd", optimizer_params=OPT)
    return mod


def put_params(mod, tag):
    arg, aux = mod.get_params()
    for k, v in list(arg.items()) + list(aux.items()):
        put(f"{tag}_{k}", v)


def record_steps():
    mod = new_module()
    for i, key in enumerate(KEYS):
        mod.forward(batch(f"x{i}", f"y{i}", key), is_train=True)
        put(f"steps_out{i}", mod.get_outputs()[0])
        mod.backward()
        mod.update()
        put_params(mod, f"steps_p{i}")
    META["steps_bucket_order"] = [int(k) for k in mod._buckets]
    return mod


def record_two_devices():
    mod = new_module(context=[mx.cpu(0), mx.cpu(1)])
    for i, key in enumerate(KEYS):
        mod.forward(batch(f"x{i}", f"y{i}", key), is_train=True)
        put(f"two_out{i}", mod.get_outputs()[0])
        mod.backward()
        mod.update()
    put_params(mod, "two_p")


#: (op, batch index) of the ``mixed`` case; the bucket is ``KEYS[index]``
MIXED = [("train", 0), ("infer", 2), ("train", 1), ("score", 0), ("train", 2), ("infer", 4),
         ("train", 4), ("train", 3)]


def record_mixed():
    mod = new_module()
    values = []
    for op, i in MIXED:
        b = batch(f"x{i}", f"y{i}", KEYS[i])
        if op == "train":
            mod.forward_backward(b)
            mod.update()
        elif op == "infer":
            mod.forward(b, is_train=False)
            put(f"mixed_out{len(values)}", mod.get_outputs()[0])
            values.append(None)
        else:
            values.append(float(mod.score(BucketIter(), "ce")[0][1]))
    META["mixed_scores"] = values
    put_params(mod, "mixed_p")


def grads_of(mod):
    g = mod._curr_module._exec_group
    return {n: arrs[0] for n, arrs in zip(g.param_names, g.grad_arrays, strict=True)}


def record_add():
    mod = new_module(grad_req="add")
    mod.forward_backward(batch("x0", "y0", 8))
    mod.forward_backward(batch("x1", "y1", 3))
    for n, g in grads_of(mod).items():
        put(f"add_g_{n}", g)
    mod.update()
    put_params(mod, "add_p1")
    mod.forward_backward(batch("x2", "y2", 5))
    mod.update()
    put_params(mod, "add_p2")


class BucketIter(mx.io.DataIter):
    """Yields the fixed bucketed batches ``fx<i>``/``fy<i>``."""

    def __init__(self):
        super().__init__(B)
        self.provide_data = [mx.io.DataDesc("data", (B, 8))]
        self.provide_label = [mx.io.DataDesc("softmax_label", (B,))]
        self.i = 0

    def reset(self):
        self.i = 0

    def next(self):
        if self.i >= len(FIT_KEYS):
            raise StopIteration
        i = self.i
        self.i += 1
        return batch(f"fx{i}", f"fy{i}", FIT_KEYS[i])


def record_fit():
    mod = mx.mod.BucketingModule(sym_gen, default_bucket_key=8, context=mx.cpu())
    arg, aux = init_params()
    metric = mx.metric.create("ce")
    values = []

    def on_epoch(epoch, symbol, arg_params, aux_params):
        values.append(metric.get_global()[1])

    mod.fit(BucketIter(), eval_metric=metric, optimizer="sgd", optimizer_params=OPT,
            arg_params=arg, aux_params=aux, num_epoch=2, epoch_end_callback=on_epoch)
    META["fit_ce"] = [float(v) for v in values]
    META["fit_bucket_order"] = [int(k) for k in mod._buckets]
    put_params(mod, "fit_p")
    META["fit_score_ce"] = float(mod.score(BucketIter(), "ce")[0][1])
    put("fit_predict", mod.predict(BucketIter()))


def record_ckpt(mod):
    with tempfile.TemporaryDirectory() as tmp:
        prefix = str(Path(tmp) / "bm")
        mod.save_checkpoint(prefix, 3)
        files = sorted(p.name for p in Path(tmp).iterdir())
        META["ckpt_files"] = files
        META["ckpt_buckets_b64"] = base64.b64encode(Path(prefix + ".buckets").read_bytes()) \
            .decode()
        META["ckpt_symbols"] = {str(k): Path(f"{prefix}-{k}-symbol.json").read_text()
                                for k in mod._buckets}
        META["ckpt_param_keys"] = list(mx.nd.load(f"{prefix}-0003.params").keys())
        loaded = mx.mod.BucketingModule.load(prefix, 3, sym_gen=sym_gen, default_bucket_key=8)
        META["ckpt_loaded_keys"] = [int(k) for k in loaded._buckets]
        loaded.bind([("data", (B, 8))], [("softmax_label", (B,))])
        loaded.init_optimizer(optimizer="sgd", optimizer_params=OPT)
        for i, key in enumerate(KEYS[:3]):
            loaded.forward(batch(f"x{i}", f"y{i}", key), is_train=True)
            loaded.backward()
            loaded.update()
        put_params(loaded, "ckpt_p")


def main():
    make_arrays()
    mod = record_steps()
    record_add()
    record_two_devices()
    record_mixed()
    record_fit()
    record_ckpt(mod)
    np.savez(FIXTURES / "bucketing_mxnet.npz", **OUT)
    (FIXTURES / "bucketing_mxnet.json").write_text(json.dumps(META, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
