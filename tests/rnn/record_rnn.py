"""Record MXNet 1.9.1 ``mx.rnn`` behaviour into fixtures/rnn_mxnet.{json,npz} (for tests/rnn).

Run with a real MXNet (the tests do not need it):
    /work/mxnet-venv/bin/python tests/rnn/record_rnn.py

The graph builders below take the framework module (``mxnet`` or ``mxjax``) as an
argument, so the tests build exactly the same graphs with mxjax and compare:

* unrolled cells (LSTM, GRU, RNN, 2-layer Sequential, ...) of length 3 in both layouts and
  with ``merge_outputs`` True/False/None: ``list_arguments``, ``list_outputs``, ``tojson``
  and ``infer_shape``;
* forward outputs and gradients of a 2-layer LSTM bound with fixed parameters;
* ``encode_sentences`` and the batches of ``BucketSentenceIter`` for a small corpus after
  ``random.seed``/``np.random.seed``.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LENGTH, BATCH, IN_DIM, HIDDEN = 3, 2, 4, 5


def make_cell(mx, kind):
    """One of the cells the symbol cases unroll."""
    if kind == "lstm":
        return mx.rnn.LSTMCell(HIDDEN, prefix="lstm_")
    if kind == "lstm_fb":
        return mx.rnn.LSTMCell(HIDDEN, prefix="l_", forget_bias=2.5)
    if kind == "gru":
        return mx.rnn.GRUCell(HIDDEN, prefix="gru_")
    if kind == "rnn":
        return mx.rnn.RNNCell(HIDDEN, prefix="rnn_")
    if kind == "rnn_relu":
        return mx.rnn.RNNCell(HIDDEN, activation="relu", prefix="r_")
    if kind == "seq_lstm2":
        cell = mx.rnn.SequentialRNNCell()
        for i in range(2):
            cell.add(mx.rnn.LSTMCell(HIDDEN, prefix=f"lstm_l{i}_"))
        return cell
    if kind == "seq_mixed":
        cell = mx.rnn.SequentialRNNCell()
        cell.add(mx.rnn.GRUCell(HIDDEN, prefix="g0_"))
        cell.add(mx.rnn.DropoutCell(0.5, prefix="d0_"))
        cell.add(mx.rnn.RNNCell(HIDDEN, prefix="r1_"))
        return cell
    if kind == "residual":
        return mx.rnn.ResidualCell(mx.rnn.GRUCell(IN_DIM, prefix="res_"))
    if kind == "zoneout":
        return mx.rnn.ZoneoutCell(mx.rnn.RNNCell(HIDDEN, prefix="z_"), 0.3, 0.2)
    if kind == "bidir":
        return mx.rnn.BidirectionalCell(mx.rnn.LSTMCell(HIDDEN, prefix="bl_"),
                                        mx.rnn.GRUCell(HIDDEN, prefix="br_"))
    if kind == "unfused":
        return mx.rnn.FusedRNNCell(HIDDEN, num_layers=2, mode="lstm", dropout=0.2,
                                   prefix="f_").unfuse()
    if kind == "unfused_bi_gru":
        return mx.rnn.FusedRNNCell(HIDDEN, num_layers=1, mode="gru", bidirectional=True,
                                   prefix="fb_").unfuse()
    raise ValueError(kind)


SYMBOL_CASES = [
    (kind, layout, merge, as_list)
    for kind in ["lstm", "gru", "rnn", "seq_lstm2"]
    for layout in ["NTC", "TNC"]
    for merge in [True, False]
    for as_list in [False]
] + [
    ("lstm", "NTC", None, False),
    ("lstm", "TNC", True, True),
    ("gru", "NTC", None, True),
    ("lstm_fb", "NTC", False, False),
    ("rnn_relu", "TNC", None, False),
    ("seq_mixed", "NTC", True, False),
    ("seq_mixed", "TNC", False, True),
    ("residual", "NTC", True, False),
    ("residual", "TNC", False, False),
    ("zoneout", "NTC", True, False),
    ("bidir", "NTC", True, False),
    ("bidir", "TNC", False, False),
    ("bidir", "NTC", None, True),
    ("unfused", "NTC", True, False),
    ("unfused_bi_gru", "TNC", True, False),
]


def case_key(kind, layout, merge, as_list):
    return f"{kind}-{layout}-{merge}-{'list' if as_list else 'sym'}"


def data_shape(kind, layout):
    return (BATCH, LENGTH, IN_DIM) if layout == "NTC" else (LENGTH, BATCH, IN_DIM)


def build_unrolled(mx, kind, layout, merge, as_list):
    """Unroll ``kind`` on variable ``data`` (or a list of per-step variables) in a fresh
    NameManager; return the grouped (outputs + states) symbol."""
    with mx.name.NameManager():
        cell = make_cell(mx, kind)
        if as_list:
            inputs = [mx.sym.Variable(f"data{t}") for t in range(LENGTH)]
        else:
            inputs = mx.sym.Variable("data")
        outputs, states = cell.unroll(LENGTH, inputs, layout=layout, merge_outputs=merge)
        if isinstance(outputs, mx.sym.Symbol):
            outputs = [outputs]
        flat = []
        for s in states:
            flat.extend(s if isinstance(s, list) else [s])
        return mx.sym.Group(list(outputs) + flat)


def shape_kwargs(kind, layout, as_list):
    if as_list:
        return {f"data{t}": (BATCH, IN_DIM) for t in range(LENGTH)}
    return {"data": data_shape(kind, layout)}


def build_lstm2(mx):
    """The numeric case: 2-layer LSTM, NTC, merged outputs, plus the final states."""
    with mx.name.NameManager():
        cell = make_cell(mx, "seq_lstm2")
        outputs, states = cell.unroll(LENGTH, mx.sym.Variable("data"), layout="NTC",
                                      merge_outputs=True)
        return mx.sym.Group([outputs] + states)


CORPUS = [
    "the cat sat on the mat".split(),
    "a dog ran".split(),
    "the dog sat".split(),
    "one two three four five six seven eight nine".split(),
    "hello world".split(),
    "the mat is red".split(),
    "dogs and cats".split(),
    "a b c d".split(),
    "x y".split(),
    "red blue green".split(),
    "the quick brown fox jumps".split(),
    "over the lazy dog".split(),
    "i am here".split(),
    "we are there now".split(),
    "up down".split(),
    "left right center".split(),
    "p q r s t".split(),
    "k".split(),
]

ITER_CASES = [
    # name, seed, kwargs
    ("auto", 3, {"batch_size": 2}),
    ("buckets", 7, {"batch_size": 2, "buckets": [3, 4, 6]}),
    ("tn", 11, {"batch_size": 3, "buckets": [2, 3, 5], "layout": "TN", "invalid_label": 0,
                "data_name": "d", "label_name": "l"}),
    ("int", 5, {"batch_size": 2, "buckets": [4, 10], "dtype": "int32"}),
]


LM_VOCAB, LM_EMBED, LM_HIDDEN, LM_LEN, LM_BATCH = 7, 5, 6, 4, 4


def lm_sentences():
    """A learnable corpus: each token is the previous one + 1 (mod 6), tokens 1..6."""
    rng = np.random.RandomState(3)
    return [[int((s + t) % 6) + 1 for t in range(LM_LEN)] for s in rng.randint(0, 6, 24)]


def build_lm(mx):
    """lstm_bucketing.py's network for one bucket: Embedding -> LSTM unroll -> FC -> softmax."""
    with mx.name.NameManager():
        cell = mx.rnn.LSTMCell(LM_HIDDEN, prefix="lstm_l0_")
        embed = mx.sym.Embedding(data=mx.sym.Variable("data"), input_dim=LM_VOCAB,
                                 output_dim=LM_EMBED, name="embed")
        cell.reset()
        outputs, _ = cell.unroll(LM_LEN, inputs=embed, merge_outputs=True)
        pred = mx.sym.Reshape(outputs, shape=(-1, LM_HIDDEN))
        pred = mx.sym.FullyConnected(data=pred, num_hidden=LM_VOCAB, name="pred")
        label = mx.sym.Reshape(mx.sym.Variable("softmax_label"), shape=(-1,))
        return mx.sym.SoftmaxOutput(data=pred, label=label, name="softmax")


def lm_init_params(shapes):
    rng = np.random.RandomState(4)
    return {k: rng.uniform(-0.4, 0.4, s).astype(np.float32) for k, s in sorted(shapes.items())}


def train_lm(mx, seed=9):
    """Module.fit for 3 epochs (SGD, lr 0.5) on BucketSentenceIter batches; returns the
    module, the iterator and the initial parameters (numpy)."""
    import random as _random  # noqa: PLC0415

    _random.seed(seed)
    np.random.seed(seed)
    it = mx.rnn.BucketSentenceIter(lm_sentences(), LM_BATCH, buckets=[LM_LEN],
                                   invalid_label=0)
    sym = build_lm(mx)
    mod = mx.mod.Module(sym, data_names=["data"], label_names=["softmax_label"],
                        context=mx.cpu())
    arg_shapes = sym.infer_shape(data=(LM_BATCH, LM_LEN), softmax_label=(LM_BATCH, LM_LEN))[0]
    shapes = dict(zip(sym.list_arguments(), arg_shapes, strict=True))
    init = lm_init_params({k: v for k, v in shapes.items()
                           if k not in ("data", "softmax_label")})
    mod.fit(it, eval_metric=mx.metric.Perplexity(0), optimizer="sgd",
            optimizer_params={"learning_rate": 0.5}, num_epoch=3,
            arg_params={k: mx.nd.array(v) for k, v in init.items()})
    return mod, it, init


def bucket_lm_sentences():
    """Sentences of lengths 3 and 5 (+ one too long) with the same successor rule."""
    rng = np.random.RandomState(5)
    return [[int((s + t) % 6) + 1 for t in range(n)]
            for s, n in zip(rng.randint(0, 6, 21), [3, 5, 3] * 6 + [5, 3, 7], strict=True)]


def train_bucketing_lm(mx, bucketing_module, seed=13):
    """example/rnn/bucketing/lstm_bucketing.py in small: a 2-layer LSTM stack reused by
    sym_gen for buckets 3 and 5, BucketingModule.fit for 2 epochs with fixed initial
    parameters. Returns the module and its metric (the last epoch's training perplexity)."""
    import random as _random  # noqa: PLC0415

    _random.seed(seed)
    np.random.seed(seed)
    it = mx.rnn.BucketSentenceIter(bucket_lm_sentences(), LM_BATCH, buckets=[3, 5],
                                   invalid_label=0)
    stack = mx.rnn.SequentialRNNCell()
    for i in range(2):
        stack.add(mx.rnn.LSTMCell(LM_HIDDEN, prefix=f"lstm_l{i}_"))

    def sym_gen(seq_len):
        embed = mx.sym.Embedding(data=mx.sym.Variable("data"), input_dim=LM_VOCAB,
                                 output_dim=LM_EMBED, name="embed")
        stack.reset()
        outputs, _ = stack.unroll(seq_len, inputs=embed, merge_outputs=True)
        pred = mx.sym.Reshape(outputs, shape=(-1, LM_HIDDEN))
        pred = mx.sym.FullyConnected(data=pred, num_hidden=LM_VOCAB, name="pred")
        label = mx.sym.Reshape(mx.sym.Variable("softmax_label"), shape=(-1,))
        pred = mx.sym.SoftmaxOutput(data=pred, label=label, name="softmax")
        return pred, ("data",), ("softmax_label",)

    sym = sym_gen(5)[0]
    arg_shapes = sym.infer_shape(data=(LM_BATCH, 5), softmax_label=(LM_BATCH, 5))[0]
    shapes = dict(zip(sym.list_arguments(), arg_shapes, strict=True))
    init = lm_init_params({k: v for k, v in shapes.items()
                           if k not in ("data", "softmax_label")})
    mod = bucketing_module(sym_gen, default_bucket_key=it.default_bucket_key,
                           context=mx.cpu())
    metric = mx.metric.Perplexity(0)
    mod.fit(it, eval_metric=metric, optimizer="sgd",
            optimizer_params={"learning_rate": 0.5}, num_epoch=2,
            arg_params={k: mx.nd.array(v) for k, v in init.items()})
    return mod, metric


FUSED_CASES = {"fl": (3, 2, "lstm", False, 2), "fg": (2, 2, "gru", True, 3),
               "fr": (2, 1, "rnn_tanh", False, 4)}


def fused_size(h, layers, mode, bi, i_dim):
    """Length of a fused parameter vector: (I+H+2)·H·G·B + (L-1)·G·H·(H+B·H+2)·B."""
    g = {"lstm": 4, "gru": 3}.get(mode, 1)
    b = 2 if bi else 1
    return (i_dim + h + 2) * h * g * b + (layers - 1) * g * h * (h + b * h + 2) * b


def main():
    import mxnet as mx  # noqa: PLC0415

    record = {"symbols": {}, "iters": {}, "encode": {}}
    arrays = {}
    for case in SYMBOL_CASES:
        kind, layout, merge, as_list = case
        sym = build_unrolled(mx, *case)
        arg, out, aux = sym.infer_shape(**shape_kwargs(kind, layout, as_list))
        record["symbols"][case_key(*case)] = {
            "arguments": sym.list_arguments(), "outputs": sym.list_outputs(),
            "json": sym.tojson(), "arg_shapes": [list(s) for s in arg],
            "out_shapes": [list(s) for s in out], "aux_shapes": [list(s) for s in aux]}

    # numeric forward/backward of the 2-layer LSTM
    sym = build_lstm2(mx)
    rng = np.random.RandomState(0)
    exe = sym.simple_bind(mx.cpu(), data=(BATCH, LENGTH, IN_DIM), grad_req="write")
    for name, arr in exe.arg_dict.items():
        val = rng.uniform(-0.5, 0.5, arr.shape).astype(np.float32)
        arrays["arg:" + name] = val
        arr[:] = val
    outs = exe.forward(is_train=True)
    heads = []
    for i, o in enumerate(outs):
        arrays[f"out{i}"] = o.asnumpy()
        h = rng.uniform(-1, 1, o.shape).astype(np.float32)
        arrays[f"head{i}"] = h
        heads.append(mx.nd.array(h))
    exe.backward(heads)
    for name, g in exe.grad_dict.items():
        arrays["grad:" + name] = g.asnumpy()
    # unpack/pack of the LSTM weights
    cell = make_cell(mx, "seq_lstm2")
    args = {k[4:]: mx.nd.array(v) for k, v in arrays.items() if k.startswith("arg:")}
    unpacked = cell.unpack_weights(args)
    record["unpacked_names"] = sorted(unpacked)
    for k, v in unpacked.items():
        arrays["unpacked:" + k] = v.asnumpy()

    # unpack_weights of fused parameter vectors (arange values show the slicing)
    for key, (h, layers, mode, bi, i_dim) in FUSED_CASES.items():
        cell = mx.rnn.FusedRNNCell(h, num_layers=layers, mode=mode, bidirectional=bi,
                                   prefix=key + "_")
        size = fused_size(h, layers, mode, bi, i_dim)
        pieces = cell.unpack_weights({key + "_parameters": mx.nd.arange(size)})
        record.setdefault("fused", {})[key] = {"size": size, "names": sorted(pieces)}
        for k, v in pieces.items():
            arrays["fused:" + k] = v.asnumpy()

    # training an LSTM language model on BucketSentenceIter batches with Module.fit
    mod, it, _ = train_lm(mx)
    arg, _ = mod.get_params()
    for k, v in arg.items():
        arrays["lm:" + k] = v.asnumpy()
    record["lm_perplexity"] = mod.score(it, mx.metric.Perplexity(0))[0][1]

    mod, metric = train_bucketing_lm(mx, mx.mod.BucketingModule)
    arg, _ = mod.get_params()
    for k, v in arg.items():
        arrays["blm:" + k] = v.asnumpy()
    record["blm_train_perplexity"] = metric.get()[1]

    # encode_sentences
    coded, vocab = mx.rnn.encode_sentences(CORPUS, invalid_label=-1, start_label=0)
    record["encode"]["default"] = {"coded": coded, "vocab": vocab}
    coded, vocab = mx.rnn.encode_sentences(CORPUS, invalid_label=1, invalid_key="<eos>",
                                           start_label=0)
    record["encode"]["invalid1"] = {"coded": coded, "vocab": vocab}
    coded2, vocab2 = mx.rnn.encode_sentences([["the", "zebra", "cat", "unicorn"]],
                                             vocab=dict(vocab), unknown_token="<unk>",
                                             start_label=len(vocab))
    record["encode"]["unknown"] = {"coded": coded2, "vocab": vocab2, "start": len(vocab)}

    sentences, _ = mx.rnn.encode_sentences(CORPUS, invalid_label=0, start_label=1)
    record["sentences"] = sentences
    for name, seed, kwargs in ITER_CASES:
        random.seed(seed)
        np.random.seed(seed)
        it = mx.rnn.BucketSentenceIter([list(s) for s in sentences], **kwargs)
        epochs = []
        for _ in range(2):
            batches = []
            for b in it:
                batches.append({
                    "data": b.data[0].asnumpy().tolist(),
                    "label": b.label[0].asnumpy().tolist(),
                    "dtype": str(b.data[0].dtype.__name__ if hasattr(b.data[0].dtype, "__name__")
                                 else b.data[0].dtype),
                    "bucket_key": b.bucket_key, "pad": b.pad,
                    "provide_data": [[d.name, list(d.shape), d.layout] for d in b.provide_data],
                    "provide_label": [[d.name, list(d.shape), d.layout]
                                      for d in b.provide_label]})
            epochs.append(batches)
            it.reset()
        record["iters"][name] = {
            "seed": seed, "kwargs": kwargs, "epochs": epochs, "buckets": list(it.buckets),
            "default_bucket_key": it.default_bucket_key,
            "provide_data": [[d.name, list(d.shape), d.layout] for d in it.provide_data],
            "provide_label": [[d.name, list(d.shape), d.layout] for d in it.provide_label]}

    FIXTURES.mkdir(exist_ok=True)
    (FIXTURES / "rnn_mxnet.json").write_text(json.dumps(record, indent=1, sort_keys=True))
    np.savez(FIXTURES / "rnn_mxnet.npz", **arrays)
    print("recorded", len(record["symbols"]), "symbol cases,", len(arrays), "arrays")


if __name__ == "__main__":
    main()
