"""CSVIter against MXNet 1.9.1: round_batch wrap and resume, stale padding, label shapes, dtypes.

Expected values were printed by real MXNet 1.9.1's CSVIter on the same files.
"""

from __future__ import annotations

import numpy as np
import pytest

from mxjax.base import MXNetError
from mxjax.io import CSVIter


@pytest.fixture
def files(tmp_path):
    d = tmp_path / "d.csv"
    np.savetxt(d, np.arange(30).reshape(10, 3), delimiter=",", fmt="%d")
    lab = tmp_path / "l.csv"
    np.savetxt(lab, np.arange(10) + 100, delimiter=",", fmt="%d")
    l2 = tmp_path / "l2.csv"
    np.savetxt(l2, np.arange(20).reshape(10, 2), delimiter=",", fmt="%d")
    l6 = tmp_path / "l6.csv"
    np.savetxt(l6, np.arange(60).reshape(10, 6), delimiter=",", fmt="%d")
    return {"d": str(d), "l": str(lab), "l2": str(l2), "l6": str(l6), "dir": tmp_path}


def _epochs(it, n=3):
    out = []
    for _ in range(n):
        out.append([(b.data[0].asnumpy()[:, 0].tolist(), b.label[0].asnumpy().tolist(), b.pad,
                     b.index.tolist()) for b in it])
        it.reset()
    return out


def test_round_batch_wraps_to_the_start_and_next_epoch_resumes_after_wrapped_rows(files):
    it = CSVIter(data_csv=files["d"], data_shape=(3,), label_csv=files["l"], batch_size=4)
    e0, e1, e2 = _epochs(it)
    assert e0 == [([0, 3, 6, 9], [100, 101, 102, 103], 0, [0, 1, 2, 3]),
                  ([12, 15, 18, 21], [104, 105, 106, 107], 0, [4, 5, 6, 7]),
                  ([24, 27, 0, 3], [108, 109, 100, 101], 2, [8, 9, 0, 1])]
    assert e1 == [([6, 9, 12, 15], [102, 103, 104, 105], 0, [2, 3, 4, 5]),
                  ([18, 21, 24, 27], [106, 107, 108, 109], 0, [6, 7, 8, 9])]
    assert e2 == e0


def test_without_round_batch_pad_slots_keep_the_previous_batch(files):
    it = CSVIter(data_csv=files["d"], data_shape=(3,), label_csv=files["l"], batch_size=4,
                 round_batch=False)
    e0, e1, _ = _epochs(it)
    assert e0[2] == ([24, 27, 18, 21], [108, 109, 106, 107], 2, [8, 9, 6, 7])
    assert e1 == e0


def test_provide_data_and_label_and_default_zero_labels(files):
    it = CSVIter(data_csv=files["d"], data_shape=(3,), batch_size=4)
    assert [repr(d) for d in it.provide_data] == [
        "DataDesc[data,(4, 3),<class 'numpy.float32'>,NCHW]"]
    assert [repr(d) for d in it.provide_label] == [
        "DataDesc[softmax_label,(4,),<class 'numpy.float32'>,NCHW]"]
    b = next(it)
    assert b.label[0].shape == (4,) and b.label[0].asnumpy().tolist() == [0, 0, 0, 0]
    assert b.data[0].shape == (4, 3)
    # label_shape is irrelevant without label_csv (MXNet's dummy label)
    b = next(CSVIter(data_csv=files["d"], data_shape=(3,), batch_size=4, label_shape=(2,)))
    assert b.label[0].shape == (4,)


@pytest.mark.parametrize("label_shape, key, shape, first", [
    ((2,), "l2", (4, 2), [0, 1, 2, 3, 4, 5, 6, 7]),
    ((2, 3), "l6", (4, 2, 3), [0, 1, 2, 3, 4, 5, 6, 7]),
    ((6,), "l6", (4, 6), [0, 1, 2, 3, 4, 5, 6, 7]),
    ((2, 1), "l2", (4, 2, 1), [0, 1, 2, 3, 4, 5, 6, 7]),
    ((1, 2), "l2", (4,), [0, 1, 2, 3]),  # leading 1: MXNet reads the first 4 buffer values
    ((1, 6), "l6", (4,), [0, 1, 2, 3]),
])
def test_label_batch_shapes_follow_mxnet(files, label_shape, key, shape, first):
    it = CSVIter(data_csv=files["d"], data_shape=(3,), label_csv=files[key],
                 label_shape=label_shape, batch_size=4)
    b = next(it)
    assert b.label[0].shape == shape
    assert b.label[0].asnumpy().ravel()[:8].tolist() == first[:8]
    assert it.provide_label[0].shape == shape


def test_data_shape_reshapes_rows_and_names_are_configurable(files):
    it = CSVIter(data_csv=files["d"], data_shape=(1, 3), batch_size=4, dtype="int32",
                 data_name="x", label_name="y")
    b = next(it)
    assert b.data[0].dtype == np.int32 and b.data[0].shape == (4, 1, 3)
    assert b.label[0].dtype == np.int32
    assert [repr(d) for d in it.provide_data] == [
        "DataDesc[x,(4, 1, 3),<class 'numpy.int32'>,NCHW]"]
    assert it.provide_label[0].name == "y"


def test_number_parsing_blank_lines_and_integer_truncation(files):
    f = files["dir"] / "sp.csv"
    f.write_text("1, 2 ,3\n\n4,5,6e1\n-7,8.5,9\n")
    b = next(CSVIter(data_csv=str(f), data_shape=(3,), batch_size=3))
    assert b.data[0].asnumpy().tolist() == [[1, 2, 3], [4, 5, 60], [-7, 8.5, 9]]
    b = next(CSVIter(data_csv=str(f), data_shape=(3,), batch_size=3, dtype="int64"))
    assert b.data[0].dtype == np.int64
    assert b.data[0].asnumpy().tolist() == [[1, 2, 3], [4, 5, 6], [-7, 8, 9]]


def test_parts_split_rows_between_workers(files):
    parts = [CSVIter(data_csv=files["d"], data_shape=(3,), label_csv=files["l"], batch_size=2,
                     num_parts=2, part_index=i) for i in range(2)]
    rows = [[r for b in p for r in b.label[0].asnumpy().tolist()] for p in parts]
    assert rows == [[100, 101, 102, 103, 104, 100], [105, 106, 107, 108, 109, 105]]


@pytest.mark.parametrize("kwargs, match", [
    ({"data_shape": (4,), "batch_size": 4}, "row-length=3"),
    ({"data_shape": (3,), "batch_size": 25}, "bigger than batch size"),
    ({"data_shape": (3,), "batch_size": 4, "dtype": "float64"}, "not supported"),
    ({"data_shape": (3,)}, "batch_size"),
    ({"data_shape": (3,), "batch_size": 4, "num_parts": 2, "part_index": 2}, "part_index"),
])
def test_bad_arguments_raise_mxnet_error(files, kwargs, match):
    with pytest.raises(MXNetError, match=match):
        list(CSVIter(data_csv=files["d"], **kwargs))


def test_missing_file_and_short_label_file_are_errors(files):
    with pytest.raises(MXNetError, match="does not exist"):
        CSVIter(data_csv=str(files["dir"] / "nope.csv"), data_shape=(3,), batch_size=2)
    short = files["dir"] / "short.csv"
    np.savetxt(short, np.arange(5), delimiter=",", fmt="%d")
    with pytest.raises(MXNetError, match="fewer than"):
        CSVIter(data_csv=files["d"], data_shape=(3,), label_csv=str(short), batch_size=2)


def test_rows_fewer_than_batch_without_round_batch_give_one_padded_batch(files):
    it = CSVIter(data_csv=files["d"], data_shape=(3,), batch_size=25, round_batch=False)
    (b,) = list(it)
    assert b.data[0].shape == (25, 3) and b.pad == 15
    assert b.data[0].asnumpy()[:10, 0].tolist() == list(range(0, 30, 3))


def test_only_keyword_arguments_are_accepted(files):
    with pytest.raises(TypeError):
        CSVIter(files["d"], (3,), batch_size=2)
