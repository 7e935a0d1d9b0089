"""mx.rnn.encode_sentences and BucketSentenceIter against MXNet 1.9.1's recorded batches."""

from __future__ import annotations

import importlib.util
import json
import random
from pathlib import Path

import numpy as np
import pytest

import mxjax as mx
from mxjax import rnn
from mxjax.base import MXNetError

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("record_rnn", HERE / "record_rnn.py")
R = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(R)

REC = json.loads((HERE.parent / "fixtures" / "rnn_mxnet.json").read_text())


def _desc(descs):
    return [[d.name, list(d.shape), d.layout] for d in descs]


def _batch_record(b):
    return {"data": b.data[0].asnumpy().tolist(), "label": b.label[0].asnumpy().tolist(),
            "dtype": np.dtype(b.data[0].dtype).name, "bucket_key": b.bucket_key,
            "pad": b.pad, "provide_data": _desc(b.provide_data),
            "provide_label": _desc(b.provide_label)}


def test_encode_sentences_builds_mxnet_vocab():
    """First-seen order from start_label, invalid_key -> invalid_label, invalid index skipped."""
    coded, vocab = rnn.encode_sentences(R.CORPUS, invalid_label=-1, start_label=0)
    assert coded == REC["encode"]["default"]["coded"]
    assert vocab == REC["encode"]["default"]["vocab"]
    coded, vocab = rnn.encode_sentences(R.CORPUS, invalid_label=1, invalid_key="<eos>",
                                        start_label=0)
    assert coded == REC["encode"]["invalid1"]["coded"]
    assert vocab == REC["encode"]["invalid1"]["vocab"]
    assert 1 not in [vocab[w] for w in vocab if w != "<eos>"]


def test_encode_sentences_unknown_token_and_unknown_word_error():
    ref = REC["encode"]["unknown"]
    _, vocab = rnn.encode_sentences(R.CORPUS, invalid_label=1, invalid_key="<eos>",
                                    start_label=0)
    coded, new_vocab = rnn.encode_sentences([["the", "zebra", "cat", "unicorn"]],
                                            vocab=dict(vocab), unknown_token="<unk>",
                                            start_label=ref["start"])
    assert coded == ref["coded"]
    assert new_vocab == ref["vocab"]
    with pytest.raises(AssertionError, match="Unknown token zebra"):
        rnn.encode_sentences([["zebra"]], vocab=dict(vocab))


@pytest.mark.parametrize("name", [c[0] for c in R.ITER_CASES])
def test_bucket_sentence_iter_batches_equal_mxnet_for_same_seeds(name, capsys):
    """With random.seed/np.random.seed set as in MXNet's run, two epochs (with reset) give
    MXNet's batches: data, label (shifted left, invalid_label last), dtype, bucket_key, pad,
    provide_data/label; plus buckets, default_bucket_key and the iterator's provide_*."""
    ref = REC["iters"][name]
    _, seed, kwargs = next(c for c in R.ITER_CASES if c[0] == name)
    random.seed(seed)
    np.random.seed(seed)
    it = rnn.BucketSentenceIter([list(s) for s in REC["sentences"]], **kwargs)
    for epoch in ref["epochs"]:
        got = [_batch_record(b) for b in it]
        assert got == epoch
        it.reset()
    assert it.buckets == ref["buckets"]
    assert it.default_bucket_key == ref["default_bucket_key"]
    assert _desc(it.provide_data) == ref["provide_data"]
    assert _desc(it.provide_label) == ref["provide_label"]
    assert "WARNING: discarded" in capsys.readouterr().out


def test_bucket_sentence_iter_drops_long_sentences_with_mxnet_warning(capsys):
    sents = [[1, 2], [3, 4], [5, 6, 7, 8, 9], [1, 2, 3, 4, 5, 6]]
    it = rnn.BucketSentenceIter(sents, batch_size=2, buckets=[2, 4])
    assert capsys.readouterr().out == \
        "WARNING: discarded 2 sentences longer than the largest bucket.\n"
    assert it.buckets == [2] and it.default_bucket_key == 2
    batch = it.next()
    assert batch.bucket_key == 2 and batch.pad == 0
    assert sorted(batch.data[0].asnumpy().tolist()) == [[1, 2], [3, 4]]
    assert sorted(batch.label[0].asnumpy().tolist()) == [[2, -1], [4, -1]]
    with pytest.raises(StopIteration):
        it.next()


def test_bucket_sentence_iter_is_a_data_iter_usable_by_loops():
    it = rnn.BucketSentenceIter([[1, 2, 3]] * 4, batch_size=2, layout="TN")
    assert isinstance(it, mx.io.DataIter)
    shapes = [b.data[0].shape for b in it]
    assert shapes == [(3, 2), (3, 2)]
    assert it.provide_data[0].layout == "TN"


def test_bucket_sentence_iter_bad_layout_and_no_bucket_errors():
    with pytest.raises(ValueError, match="Invalid layout 'TT'"):
        rnn.BucketSentenceIter([[1, 2]] * 2, batch_size=2, layout="TT")
    with pytest.raises(MXNetError, match="no bucket"):
        rnn.BucketSentenceIter([[1, 2]], batch_size=2)


def test_module_fit_on_bucket_sentence_iter_trains_like_mxnet():
    """lstm_bucketing's network (Embedding -> LSTMCell.unroll -> FC -> SoftmaxOutput) trained
    by Module.fit for 3 SGD epochs on BucketSentenceIter batches (same seeds, same initial
    parameters) ends with MXNet's parameters and perplexity."""
    arrays = np.load(HERE.parent / "fixtures" / "rnn_mxnet.npz")
    mod, it, _ = R.train_lm(mx)
    arg, _ = mod.get_params()
    assert sorted(arg) == sorted(k[3:] for k in arrays.files if k.startswith("lm:"))
    for k, v in arg.items():
        np.testing.assert_allclose(v.asnumpy(), arrays["lm:" + k], rtol=1e-4, atol=1e-5)
    ppl = mod.score(it, mx.metric.Perplexity(0))[0][1]
    assert ppl == pytest.approx(REC["lm_perplexity"], rel=1e-5)


def test_save_and_load_rnn_checkpoint_unpack_and_pack_gates(tmp_path):
    """save_rnn_checkpoint writes per-gate arrays (unpack_weights); load_rnn_checkpoint packs
    them back into the cell's i2h/h2h weights."""
    cell = rnn.LSTMCell(2, prefix="c_")
    out, _ = cell.unroll(2, mx.sym.Variable("data"), merge_outputs=True)
    rng = np.random.RandomState(0)
    args = {"c_i2h_weight": rng.randn(8, 3), "c_i2h_bias": rng.randn(8),
            "c_h2h_weight": rng.randn(8, 2), "c_h2h_bias": rng.randn(8)}
    args = {k: mx.nd.array(v) for k, v in args.items()}
    prefix = str(tmp_path / "lm")
    rnn.save_rnn_checkpoint(cell, prefix, 3, out, args, {})
    saved = mx.nd.load(prefix + "-0003.params")
    assert "arg:c_i2h_f_weight" in saved and "arg:c_i2h_weight" not in saved
    np.testing.assert_array_equal(saved["arg:c_h2h_o_bias"].asnumpy(),
                                  args["c_h2h_bias"].asnumpy()[6:8])
    sym, arg, aux = rnn.load_rnn_checkpoint([cell], prefix, 3)
    assert sorted(arg) == sorted(args) and aux == {}
    for k, v in args.items():
        np.testing.assert_array_equal(arg[k].asnumpy(), v.asnumpy())
    assert sym.tojson() == out.tojson()
    callback = rnn.do_rnn_checkpoint(cell, prefix, period=2)
    callback(1, out, args, {})
    assert (tmp_path / "lm-0002.params").exists()


@pytest.mark.slow
def test_bucketing_module_lstm_example_trains_like_mxnet():
    """example/rnn/bucketing in small: a 2-layer LSTM stack, sym_gen over buckets 3 and 5,
    BucketingModule.fit for 2 SGD epochs from fixed parameters on BucketSentenceIter batches
    (same seeds as MXNet) ends with MXNet's parameters and last-epoch training perplexity."""
    arrays = np.load(HERE.parent / "fixtures" / "rnn_mxnet.npz")
    mod, metric = R.train_bucketing_lm(mx, mx.mod.BucketingModule)
    arg, _ = mod.get_params()
    assert sorted(arg) == sorted(k[4:] for k in arrays.files if k.startswith("blm:"))
    for k, v in arg.items():
        np.testing.assert_allclose(v.asnumpy(), arrays["blm:" + k], rtol=1e-4, atol=1e-5)
    assert metric.get()[1] == pytest.approx(REC["blm_train_perplexity"], rel=1e-5)
