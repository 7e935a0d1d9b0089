"""NDArrayIter against MXNet 1.9.1: batch order, padding, roll-over, shuffle, names, dtypes.

``data/ndarrayiter_mxnet.json`` was recorded from real MXNet 1.9.1 by
``record_mxnet_ndarrayiter.py`` (same seed, same inputs).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import mxjax as mx
from mxjax.base import MXNetError
from mxjax.io import DataDesc, NDArrayIter

CASES = json.loads((Path(__file__).with_name("data") / "ndarrayiter_mxnet.json").read_text())


def _run(n, b, lbh, shuffle, epochs=3, seed=0, hard=False, label=True):
    """The recording procedure of record_mxnet_ndarrayiter.py, on mxjax."""
    np.random.seed(seed)
    data = np.arange(n * 2).reshape(n, 2)
    lab = np.arange(n) + 100 if label else None
    it = NDArrayIter(data, lab, b, shuffle, last_batch_handle=lbh)
    out = []
    for ep in range(epochs):
        batches = []
        try:
            for batch in it:
                batches.append([batch.data[0].asnumpy()[:, 0].astype(int).tolist(),
                                batch.label[0].asnumpy().astype(int).tolist() if label else None,
                                batch.pad])
        except Exception as e:  # noqa: BLE001
            batches.append(["ERR", type(e).__name__])
        out.append(batches)
        if hard and ep == 0:
            it.hard_reset()
        else:
            it.reset()
    return out


def _case_id(c):
    extra = "-hard" if c.get("hard") else ("-nolabel" if c.get("label") is False else "")
    return f"n{c['n']}-B{c['B']}-{c['lbh']}-{'shuffle' if c['shuffle'] else 'ordered'}{extra}"


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_batches_pads_and_errors_equal_mxnet_recording(case):
    ref = [[b if b[0] != "ERR" else b[:2] for b in ep] for ep in case["out"]]
    got = _run(case["n"], case["B"], case["lbh"], case["shuffle"],
               hard=case.get("hard", False), label=case.get("label", True))
    assert got == ref


def _epoch(it):
    return [(b.data[0].asnumpy()[:, 0].tolist(), b.pad) for b in it]


def test_pad_wraps_to_start_and_pad_is_cursor_plus_batch_minus_num_data():
    it = NDArrayIter(np.arange(10.0).reshape(10, 1), batch_size=4, last_batch_handle="pad")
    assert _epoch(it) == [([0, 1, 2, 3], 0), ([4, 5, 6, 7], 0), ([8, 9, 0, 1], 8 + 4 - 10)]


def test_pad_tiles_the_data_when_batch_exceeds_it():
    it = NDArrayIter(np.arange(3.0).reshape(3, 1), batch_size=8)
    assert _epoch(it) == [([0, 1, 2, 0, 1, 2, 0, 1], 5)]


def test_discard_drops_the_incomplete_batch():
    it = NDArrayIter(np.arange(10.0).reshape(10, 1), batch_size=4, last_batch_handle="discard")
    assert _epoch(it) == [([0, 1, 2, 3], 0), ([4, 5, 6, 7], 0)]


def test_roll_over_carries_the_tail_into_the_next_epoch_with_pad_equal_to_carried():
    it = NDArrayIter(np.arange(10.0).reshape(10, 1), batch_size=4, last_batch_handle="roll_over")
    assert _epoch(it) == [([0, 1, 2, 3], 0), ([4, 5, 6, 7], 0)]
    it.reset()
    # 8, 9 carried: first batch = tail + head, pad = 2; the epoch continues at offset 4-2
    assert _epoch(it) == [([8, 9, 0, 1], 2), ([2, 3, 4, 5], 0), ([6, 7, 8, 9], 0)]
    it.reset()  # nothing was left over this time
    assert _epoch(it) == [([0, 1, 2, 3], 0), ([4, 5, 6, 7], 0)]


def test_hard_reset_forgets_the_rolled_over_tail():
    it = NDArrayIter(np.arange(10.0).reshape(10, 1), batch_size=4, last_batch_handle="roll_over")
    _epoch(it)
    it.hard_reset()
    assert _epoch(it) == [([0, 1, 2, 3], 0), ([4, 5, 6, 7], 0)]


def test_shuffle_happens_at_construction_and_follows_np_random_seed():
    np.random.seed(3)
    a = _epoch(NDArrayIter(np.arange(20.0).reshape(20, 1), batch_size=5, shuffle=True))
    np.random.seed(3)
    b = _epoch(NDArrayIter(np.arange(20.0).reshape(20, 1), batch_size=5, shuffle=True))
    assert a == b
    assert [x for batch, _ in a for x in batch] != list(range(20))
    assert sorted(x for batch, _ in a for x in batch) == list(range(20))


def test_shuffled_data_and_label_stay_aligned():
    np.random.seed(0)
    it = NDArrayIter(np.arange(12.0).reshape(12, 1), np.arange(12) * 10, 4, shuffle=True)
    for _ in range(2):
        for b in it:
            np.testing.assert_array_equal(b.data[0].asnumpy()[:, 0] * 10, b.label[0].asnumpy())
        it.reset()


def test_single_array_and_one_element_list_use_data_name():
    it = NDArrayIter([np.zeros((4, 2))], [np.zeros(4)], 2, data_name="x", label_name="y")
    assert [d.name for d in it.provide_data] == ["x"]
    assert [d.name for d in it.provide_label] == ["y"]


def test_list_inputs_are_named_by_position_and_dicts_sorted_by_name():
    it = NDArrayIter([np.zeros((4, 2)), np.zeros((4, 3))], [np.zeros(4), np.zeros(4)], 2)
    assert [d.name for d in it.provide_data] == ["_0_data", "_1_data"]
    assert [d.name for d in it.provide_label] == ["_0_softmax_label", "_1_softmax_label"]
    it = NDArrayIter({"b": np.zeros((6, 3)), "a": np.zeros((4, 2))}, {"z": np.zeros(4)}, 2)
    assert [d.name for d in it.provide_data] == ["a", "b"]
    assert it.num_data == 4  # the first source (after sorting) sets the length, as in MXNet
    batch = next(it)
    assert [d.shape for d in batch.data] == [(2, 2), (2, 3)]


def test_numpy_inputs_become_float32_and_ndarrays_keep_their_dtype():
    it = NDArrayIter({"i": np.arange(8, dtype=np.int64).reshape(4, 2),
                      "n": mx.nd.array(np.ones((4, 2)), dtype="int32")},
                     np.arange(4), batch_size=2)
    assert [d.dtype for d in it.provide_data] == [np.float32, np.int32]
    assert it.provide_label[0].dtype == np.float32
    batch = next(it)
    assert [d.dtype for d in batch.data] == [np.float32, np.int32]
    assert batch.label[0].dtype == np.float32
    assert isinstance(batch.data[0], mx.nd.NDArray)


def test_provide_data_reports_batch_size_dtype_and_layout():
    it = NDArrayIter(np.zeros((10, 3, 5)), np.zeros((10,)), batch_size=4)
    assert it.provide_data == [("data", (4, 3, 5))]
    assert repr(it.provide_data[0]) == "DataDesc[data,(4, 3, 5),<class 'numpy.float32'>,NCHW]"
    assert it.provide_label[0].shape == (4,) and it.provide_label[0].layout == "NCHW"
    assert isinstance(it.provide_data[0], DataDesc)


def test_layout_batch_axis_other_than_zero_slices_that_axis():
    data = np.arange(2 * 6 * 3, dtype=np.float32).reshape(2, 6, 3)
    it = NDArrayIter(data, batch_size=4, layout="TNC")
    assert it.provide_data[0].shape == (2, 4, 3)
    batches = list(it)
    np.testing.assert_array_equal(batches[0].data[0].asnumpy(), data[:, 0:4])
    np.testing.assert_array_equal(batches[1].data[0].asnumpy(), data[:, [4, 5, 0, 1]])


def test_no_label_gives_empty_label_lists():
    it = NDArrayIter(np.zeros((4, 2)), batch_size=2)
    assert it.provide_label == []
    assert next(it).label == []


def test_batch_index_is_none_and_getpad_protocol():
    it = NDArrayIter(np.arange(5.0).reshape(5, 1), np.arange(5), 2)
    assert it.iter_next()
    assert it.getdata()[0].asnumpy()[:, 0].tolist() == [0, 1]
    assert it.getlabel()[0].asnumpy().tolist() == [0, 1]
    assert it.getpad() == 0 and it.getindex() is None
    assert it.iter_next() and it.iter_next()
    assert it.getdata()[0].asnumpy()[:, 0].tolist() == [4, 0]
    assert it.getpad() == 1
    assert not it.iter_next()
    assert next(NDArrayIter(np.zeros((2, 1)), batch_size=1)).index is None


def test_data_property_follows_the_current_shuffled_order():
    np.random.seed(1)
    it = NDArrayIter(np.arange(6.0).reshape(6, 1), np.arange(6), 3, shuffle=True)
    order = it.data[0][1].asnumpy()[:, 0].tolist()
    assert sorted(order) == list(range(6))
    assert [x for b in it for x in b.data[0].asnumpy()[:, 0].tolist()] == order
    assert it.label[0][1].asnumpy().tolist() == order
    assert it.num_source == 2 and len(it.data_list) == 2


def test_exhausted_iterator_keeps_raising_stop_iteration_until_reset():
    it = NDArrayIter(np.zeros((4, 1)), batch_size=2)
    assert len(list(it)) == 2
    with pytest.raises(StopIteration):
        next(it)
    it.reset()
    assert len(list(it)) == 2


@pytest.mark.parametrize("bad, exc", [
    ((np.zeros(3), np.zeros(3)), TypeError),  # a tuple is not a list (MXNet: TypeError)
    ({"a": "text"}, TypeError),
    (None, AssertionError),
])
def test_invalid_data_argument_raises_mxnet_exception_type(bad, exc):
    with pytest.raises(exc):
        NDArrayIter(bad)


def test_label_shorter_than_data_is_a_clear_error():
    with pytest.raises(MXNetError, match="softmax_label.*5 examples.*10"):
        NDArrayIter(np.zeros((10, 2)), np.zeros(5), 4)


@pytest.mark.parametrize("kwargs, match", [
    ({"batch_size": 0}, "batch_size"),
    ({"last_batch_handle": "wrap"}, "last_batch_handle"),
    ({"layout": "CHW"}, "layout"),
])
def test_invalid_options_name_the_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        NDArrayIter(np.zeros((4, 2)), **kwargs)


def test_batches_live_on_the_context_of_ndarray_inputs():
    src = mx.nd.array(np.ones((4, 2)), ctx=mx.cpu(0))
    batch = next(NDArrayIter(src, batch_size=2))
    assert batch.data[0].context == mx.cpu(0)
