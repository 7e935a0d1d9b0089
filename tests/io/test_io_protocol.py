"""DataDesc, DataBatch, the DataIter protocol, ResizeIter and PrefetchingIter (MXNet 1.9.1).

Expected sequences were printed by real MXNet 1.9.1 with the same inputs.
"""

from __future__ import annotations

import pickle
import threading

import numpy as np
import pytest

import mxjax as mx
from mxjax.io import DataBatch, DataDesc, DataIter, NDArrayIter, PrefetchingIter, ResizeIter


def _col0(batches):
    return [(b.data[0].asnumpy()[:, 0].tolist(), b.pad) for b in batches]


# ------------------------------------------------------------------ DataDesc / DataBatch
def test_datadesc_is_a_name_shape_namedtuple_with_dtype_and_layout():
    d = DataDesc("x", (1, 2))
    assert d == ("x", (1, 2)) and tuple(d) == ("x", (1, 2)) and len(d) == 2
    assert d.name == "x" and d.shape == (1, 2)
    assert d.dtype is np.float32 and d.layout == "NCHW"
    assert repr(d) == "DataDesc[x,(1, 2),<class 'numpy.float32'>,NCHW]"
    e = DataDesc("y", (3,), np.int32, "NT")
    assert repr(e) == "DataDesc[y,(3,),<class 'numpy.int32'>,NT]"
    assert pickle.loads(pickle.dumps(e)).dtype is np.int32


def test_datadesc_batch_axis_and_get_list():
    assert DataDesc.get_batch_axis(None) == 0
    assert DataDesc.get_batch_axis("NCHW") == 0
    assert DataDesc.get_batch_axis("TNC") == 1
    descs = DataDesc.get_list([("a", (1, 2)), ("b", (3,))], [("a", np.int32), ("b", np.float16)])
    assert [repr(x) for x in descs] == ["DataDesc[a,(1, 2),<class 'numpy.int32'>,NCHW]",
                                        "DataDesc[b,(3,),<class 'numpy.float16'>,NCHW]"]
    assert [x.dtype for x in DataDesc.get_list([("a", (1,))], None)] == [np.float32]


def test_databatch_requires_lists_and_prints_shapes():
    with pytest.raises(AssertionError, match="Data must be list of NDArrays"):
        DataBatch(mx.nd.zeros((2,)))
    with pytest.raises(AssertionError, match="Label must be list of NDArrays"):
        DataBatch([mx.nd.zeros((2,))], label=mx.nd.zeros((2,)))
    b = DataBatch([mx.nd.zeros((2, 3))], [mx.nd.zeros((2,))], pad=1, index=np.arange(2),
                  bucket_key=5)
    assert str(b) == "DataBatch: data shapes: [(2, 3)] label shapes: [(2,)]"
    assert b.pad == 1 and b.bucket_key == 5 and b.provide_data is None
    assert str(DataBatch([mx.nd.zeros((2,))])) == \
        "DataBatch: data shapes: [(2,)] label shapes: None"


def test_base_dataiter_builds_batches_from_the_get_methods():
    class Three(DataIter):
        def __init__(self):
            super().__init__(batch_size=2)
            self.i = 0

        def iter_next(self):
            self.i += 1
            return self.i <= 3

        def getdata(self):
            return [mx.nd.full((2,), self.i)]

        def getlabel(self):
            return [mx.nd.zeros((2,))]

        def getpad(self):
            return 0

    it = Three()
    assert iter(it) is it and it.batch_size == 2
    batches = list(it)
    assert [b.data[0].asnumpy()[0] for b in batches] == [1, 2, 3]
    assert all(b.pad == 0 and b.index is None for b in batches)
    with pytest.raises(StopIteration):
        it.next()


# ------------------------------------------------------------------ ResizeIter
def test_resize_iter_wraps_the_inner_iterator_to_give_size_batches():
    base = NDArrayIter(np.arange(10.0).reshape(10, 1), batch_size=4)
    r = ResizeIter(base, 5)
    want = [([0, 1, 2, 3], 0), ([4, 5, 6, 7], 0), ([8, 9, 0, 1], 2), ([0, 1, 2, 3], 0),
            ([4, 5, 6, 7], 0)]
    assert _col0(r) == want
    r.reset()
    assert _col0(r) == want
    assert r.provide_data == base.provide_data and r.batch_size == 4


def test_resize_iter_without_reset_internal_continues_across_epochs():
    r = ResizeIter(NDArrayIter(np.arange(10.0).reshape(10, 1), batch_size=4), 2,
                   reset_internal=False)
    epochs = []
    for _ in range(3):
        epochs.append(_col0(r))
        r.reset()
    assert epochs == [[([0, 1, 2, 3], 0), ([4, 5, 6, 7], 0)],
                      [([8, 9, 0, 1], 2), ([0, 1, 2, 3], 0)],
                      [([4, 5, 6, 7], 0), ([8, 9, 0, 1], 2)]]


# ------------------------------------------------------------------ PrefetchingIter
def _two_iters():
    i1 = NDArrayIter({"data": np.arange(10.0).reshape(10, 1)}, np.arange(10), batch_size=4)
    i2 = NDArrayIter({"data": np.arange(10.0).reshape(10, 1) + 100}, np.arange(10) + 50,
                     batch_size=4)
    return i1, i2


def test_prefetching_iter_joins_several_iterators_and_renames():
    p = PrefetchingIter(list(_two_iters()), rename_data=[{"data": "d1"}, {"data": "d2"}])
    assert [repr(d) for d in p.provide_data] == [
        "DataDesc[d1,(4, 1),<class 'numpy.float32'>,NCHW]",
        "DataDesc[d2,(4, 1),<class 'numpy.float32'>,NCHW]"]
    assert [d.name for d in p.provide_label] == ["softmax_label", "softmax_label"]
    assert p.batch_size == 4
    for _ in range(2):
        got = [([d.asnumpy()[:, 0].tolist() for d in b.data],
                [lab.asnumpy().tolist() for lab in b.label], b.pad) for b in p]
        assert got == [
            ([[0, 1, 2, 3], [100, 101, 102, 103]], [[0, 1, 2, 3], [50, 51, 52, 53]], 0),
            ([[4, 5, 6, 7], [104, 105, 106, 107]], [[4, 5, 6, 7], [54, 55, 56, 57]], 0),
            ([[8, 9, 0, 1], [108, 109, 100, 101]], [[8, 9, 0, 1], [58, 59, 50, 51]], 2)]
        p.reset()
    p.close()


def test_prefetching_iter_reads_ahead_in_another_thread():
    seen = []

    class Recording(NDArrayIter):
        def next(self):
            seen.append(threading.current_thread() is threading.main_thread())
            return super().next()

    p = PrefetchingIter(Recording(np.zeros((8, 1)), batch_size=2))
    assert len(list(p)) == 4
    assert seen and not any(seen)
    p.close()


def test_prefetching_iter_of_one_iterator_matches_it():
    np.random.seed(5)
    plain = _col0(NDArrayIter(np.arange(9.0).reshape(9, 1), batch_size=2, shuffle=True))
    np.random.seed(5)
    p = PrefetchingIter(NDArrayIter(np.arange(9.0).reshape(9, 1), batch_size=2, shuffle=True))
    assert _col0(p) == plain
    batch_desc = p.provide_data
    p.reset()
    assert next(p).provide_data == batch_desc
    p.close()


def test_prefetching_iter_reraises_errors_of_the_wrapped_iterator():
    class Broken(NDArrayIter):
        def next(self):
            raise RuntimeError("disk on fire")

    p = PrefetchingIter(Broken(np.zeros((4, 1)), batch_size=2))
    with pytest.raises(RuntimeError, match="disk on fire"):
        next(p)
    p.close()


def test_prefetching_iter_rejects_iterators_of_different_lengths():
    short = NDArrayIter(np.zeros((4, 1)), batch_size=2)
    long = NDArrayIter(np.zeros((8, 1)), batch_size=2)
    p = PrefetchingIter([short, long])
    next(p)
    next(p)
    with pytest.raises(AssertionError, match="mismatches"):
        next(p)
    p.close()
