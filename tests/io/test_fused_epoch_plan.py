"""NDArrayIter._fused_epoch_plan: running through the plan gives exactly the iterated batches."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from mxjax.io import DataIter, FusedEpochPlan, NDArrayIter, ResizeIter

CONFIGS = list(itertools.product([(10, 3), (12, 4), (3, 5), (4, 8), (7, 3)],
                                 ["pad", "discard", "roll_over"], [False, True]))


def _make(n, b, lbh, shuffle):
    data = {"a": np.arange(n * 2, dtype=np.float32).reshape(n, 2),
            "b": (np.arange(n) * 7).astype(np.int32)}
    return NDArrayIter(data, np.arange(n) + 100, b, shuffle, last_batch_handle=lbh)


def _batches_equal(x, y):
    assert x.pad == y.pad and x.index == y.index
    for u, v in zip(x.data + x.label, y.data + y.label, strict=True):
        assert u.dtype == v.dtype and u.context == v.context
        np.testing.assert_array_equal(u.asnumpy(), v.asnumpy())


def _config_id(c):
    (n, b), lbh, sh = c
    return f"n{n}-B{b}-{lbh}-{'shuffle' if sh else 'ordered'}"


@pytest.mark.parametrize("config", CONFIGS, ids=[_config_id(c) for c in CONFIGS])
def test_plan_reproduces_iteration_over_several_epochs(config):
    (n, b), lbh, shuffle = config
    epochs = 4
    np.random.seed(11)
    iterated = _make(n, b, lbh, shuffle)
    want, error = [], None
    try:
        for _ in range(epochs):
            want.append(list(iterated))
            iterated.reset()
    except Exception as e:  # noqa: BLE001 - the plan must fail at the same epoch
        error = e
    np.random.seed(11)  # same shuffles for the planned iterator
    planned = _make(n, b, lbh, shuffle)
    for epoch in range(epochs):
        if epoch == len(want):
            with pytest.raises(type(error)):
                planned._fused_epoch_plan()
            return
        plan = planned._fused_epoch_plan()
        assert isinstance(plan, FusedEpochPlan)
        assert plan.num_batches == len(want[epoch]) == len(plan.pad)
        assert plan.indices.shape == (len(want[epoch]), b)
        for i, batch in enumerate(want[epoch]):
            _batches_equal(plan.batch(i), batch)
            for arr, got in zip(plan.data + plan.label, batch.data + batch.label, strict=True):
                np.testing.assert_array_equal(np.take(arr, plan.indices[i], axis=0),
                                              got.asnumpy())
        planned.reset()


def test_plan_without_consume_leaves_the_iterator_untouched():
    np.random.seed(0)
    it = NDArrayIter(np.arange(10.0).reshape(10, 1), batch_size=4, shuffle=True,
                     last_batch_handle="roll_over")
    list(it)
    it.reset()  # a roll-over head is pending
    peek = it._fused_epoch_plan(consume=False)
    again = it._fused_epoch_plan(consume=False)
    np.testing.assert_array_equal(peek.indices, again.indices)
    assert peek.pad[0] == 2
    got = [b.data[0].asnumpy()[:, 0] for b in it]
    np.testing.assert_array_equal(np.stack(got), peek.indices.astype(np.float32))


def test_plan_consumes_the_epoch_like_iteration_to_stop_iteration():
    it = NDArrayIter(np.arange(10.0).reshape(10, 1), batch_size=4, last_batch_handle="roll_over")
    plan = it._fused_epoch_plan()
    assert plan.indices.tolist() == [[0, 1, 2, 3], [4, 5, 6, 7]]
    it.reset()
    nxt = it._fused_epoch_plan()
    assert nxt.indices.tolist() == [[8, 9, 0, 1], [2, 3, 4, 5], [6, 7, 8, 9]]
    assert nxt.pad.tolist() == [2, 0, 0]


def test_plan_of_an_exhausted_epoch_moves_the_cursor_like_an_extra_next():
    # MXNet: a next() after StopIteration moves the cursor past the data, so the
    # following reset() no longer rolls the tail over; an empty plan does the same.
    a = NDArrayIter(np.arange(10.0).reshape(10, 1), batch_size=4, last_batch_handle="roll_over")
    b = NDArrayIter(np.arange(10.0).reshape(10, 1), batch_size=4, last_batch_handle="roll_over")
    list(a)
    with pytest.raises(StopIteration):
        next(a)
    b._fused_epoch_plan()
    b._fused_epoch_plan()
    a.reset()
    b.reset()
    assert b._fused_epoch_plan().indices.tolist() == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert [x.data[0].asnumpy()[:, 0].tolist() for x in a] == [[0, 1, 2, 3], [4, 5, 6, 7]]


def test_plan_starts_from_the_current_position_mid_epoch():
    it = NDArrayIter(np.arange(10.0).reshape(10, 1), batch_size=4)
    next(it)
    plan = it._fused_epoch_plan()
    assert plan.indices.tolist() == [[4, 5, 6, 7], [8, 9, 0, 1]]
    assert plan.pad.tolist() == [0, 2]


def test_plan_arrays_are_the_same_objects_every_epoch_and_keep_names():
    np.random.seed(0)
    it = NDArrayIter({"x": np.zeros((6, 2)), "w": np.ones((6, 1))}, np.arange(6), 2,
                     shuffle=True)
    p1 = it._fused_epoch_plan()
    it.reset()
    p2 = it._fused_epoch_plan()
    assert p1.data_names == ("w", "x") and p1.label_names == ("softmax_label",)
    assert all(a is b for a, b in zip(p1.data + p1.label, p2.data + p2.label, strict=True))
    assert list(p1.arrays()) == ["w", "x", "softmax_label"]
    assert p1.data[1].dtype == np.float32 and p1.batch_axis == 0 and p1.batch_size == 2


def test_subclasses_that_change_batches_and_other_iterators_get_no_plan():
    class Doubling(NDArrayIter):
        def next(self):
            batch = super().next()
            batch.data = [d * 2 for d in batch.data]
            return batch

    assert Doubling(np.zeros((4, 1)), batch_size=2)._fused_epoch_plan() is None
    base = NDArrayIter(np.zeros((4, 1)), batch_size=2)
    assert ResizeIter(base, 3)._fused_epoch_plan() is None
    assert DataIter()._fused_epoch_plan() is None


def test_empty_epoch_gives_an_empty_plan():
    it = NDArrayIter(np.zeros((3, 2)), batch_size=4, last_batch_handle="discard")
    plan = it._fused_epoch_plan()
    assert plan.num_batches == 0 and plan.indices.shape == (0, 4)
