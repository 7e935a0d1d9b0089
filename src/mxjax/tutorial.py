"""MXNet's Module tutorial as a runnable program (``mxjax tutorial``).

The steps and log lines are those of MXNet's tutorial (``examples/module_tutorial.py``
is the same program as a plain script): the intermediate-level loop
(bind, init_params, init_optimizer, forward, update_metric, backward, update),
then ``fit`` with validation, ``predict``, ``score``, checkpoints with
``do_checkpoint``, ``load_checkpoint`` and a resumed ``fit`` from epoch 3.
"""

from __future__ import annotations

import logging
import os
import re
import time

import numpy as np

URL = ("http://archive.ics.uci.edu/ml/machine-learning-databases/letter-recognition/"
       "letter-recognition.data")


def _context(spec: str):
    import mxjax as mx

    m = re.fullmatch(r"(cpu|gpu)(?:\((\d+)\))?", spec.strip())
    if not m:
        raise SystemExit(f"mxjax tutorial: unknown context {spec!r} (use cpu, gpu, gpu(1)...)")
    return mx.Context(m.group(1), int(m.group(2) or 0))


def run(num_epoch: int = 8, context: str = "cpu", workdir: str = ".",
        quick: bool = False, seed: int = 42) -> dict:
    """Run the tutorial; returns the final scores. Fails if accuracy is below MXNet's 0.77."""
    import random

    import mxjax as mx

    mx.random.seed(seed)  # the tutorial seeds every generator, as MXNet's does
    np.random.seed(seed)
    random.seed(seed)

    logging.getLogger().setLevel(logging.INFO)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO)
    ctx = _context(context)
    start = time.time()
    fname = mx.test_utils.download(URL, dirname=workdir)
    data = np.genfromtxt(fname, delimiter=",")[:, 1:]
    with open(fname) as f:
        label = np.array([ord(line.split(",")[0]) - ord("A") for line in f])

    batch_size = 32
    ntrain = int(data.shape[0] * 0.8)
    train_iter = mx.io.NDArrayIter(data[:ntrain, :], label[:ntrain], batch_size, shuffle=True)
    val_iter = mx.io.NDArrayIter(data[ntrain:, :], label[ntrain:], batch_size)

    net = mx.sym.Variable("data")
    net = mx.sym.FullyConnected(net, name="fc1", num_hidden=64)
    net = mx.sym.Activation(net, name="relu1", act_type="relu")
    net = mx.sym.FullyConnected(net, name="fc2", num_hidden=26)
    net = mx.sym.SoftmaxOutput(net, name="softmax")

    print("== intermediate-level API: bind, init_params, init_optimizer, forward/backward/update")
    mod = mx.mod.Module(symbol=net, context=ctx, data_names=["data"],
                        label_names=["softmax_label"])
    mod.bind(data_shapes=train_iter.provide_data, label_shapes=train_iter.provide_label)
    mod.init_params(initializer=mx.init.Uniform(scale=.1))
    mod.init_optimizer(optimizer="sgd", optimizer_params=(("learning_rate", 0.1),))
    metric = mx.metric.create("acc")
    for epoch in range(2 if quick else 5):
        train_iter.reset()
        metric.reset()
        for batch in train_iter:
            mod.forward(batch, is_train=True)
            mod.update_metric(metric, batch.label)
            mod.backward()
            mod.update()
        print("Epoch %d, Training %s" % (epoch, metric.get()))

    print("== high-level API: fit with validation")
    train_iter.reset()
    mod = mx.mod.Module(symbol=net, context=ctx, data_names=["data"],
                        label_names=["softmax_label"])
    mod.fit(train_iter, eval_data=val_iter, optimizer="sgd",
            optimizer_params={"learning_rate": 0.1}, eval_metric="acc", num_epoch=num_epoch)
    y = mod.predict(val_iter)
    assert y.shape == (4000, 26), y.shape
    score = mod.score(val_iter, ["acc"])
    print("Accuracy score is %f" % (score[0][1]))
    if not quick and score[0][1] <= 0.77:
        raise SystemExit("Achieved accuracy (%f) is lower than expected (0.77)" % score[0][1])

    print("== checkpoints and resumed training")
    model_prefix = os.path.join(workdir, "mx_mlp")
    checkpoint = mx.callback.do_checkpoint(model_prefix)
    mod = mx.mod.Module(symbol=net, context=ctx)
    mod.fit(train_iter, num_epoch=5, epoch_end_callback=checkpoint)
    sym, arg_params, aux_params = mx.model.load_checkpoint(model_prefix, 3)
    assert sym.tojson() == net.tojson()
    mod.set_params(arg_params, aux_params)
    mod = mx.mod.Module(symbol=sym, context=ctx)
    mod.fit(train_iter, num_epoch=6 if quick else 21, arg_params=arg_params,
            aux_params=aux_params, begin_epoch=3)
    final = mod.score(val_iter, ["acc"])[0][1]
    print("Resumed model accuracy %f" % final)
    print("Tutorial finished in %.1f s" % (time.time() - start))
    return {"fit_score": score[0][1], "resumed_score": final}
