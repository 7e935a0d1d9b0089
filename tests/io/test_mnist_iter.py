"""MNISTIter on small synthetic idx files; expected values printed by MXNet 1.9.1 for them."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest

from mxjax.base import MXNetError
from mxjax.io import MNISTIter


@pytest.fixture
def mnist_files(tmp_path):
    n = 10
    lab = tmp_path / "lab"
    lab.write_bytes(struct.pack(">II", 2049, n) + bytes(range(n)))
    pixels = (np.arange(n * 28 * 28) % 256).astype(np.uint8)
    img = tmp_path / "img"
    img.write_bytes(struct.pack(">IIII", 2051, n, 28, 28) + pixels.tobytes())
    return str(img), str(lab)


def _epoch(it):
    return [(b.label[0].asnumpy().tolist(), b.pad, b.data[0].shape,
             float(b.data[0].asnumpy().reshape(b.data[0].shape[0], -1)[0, 1])) for b in it]


def test_ordered_batches_drop_the_remainder_and_scale_pixels_by_1_over_256(mnist_files):
    img, lab = mnist_files
    it = MNISTIter(image=img, label=lab, batch_size=4, shuffle=False)
    want = [([0, 1, 2, 3], 0, (4, 1, 28, 28), 0.00390625),
            ([4, 5, 6, 7], 0, (4, 1, 28, 28), 0.25390625)]
    assert _epoch(it) == want
    it.reset()
    assert _epoch(it) == want
    assert it.provide_data[0].shape == (4, 1, 28, 28) and it.provide_label[0].shape == (4,)


def test_flat_and_parts(mnist_files):
    img, lab = mnist_files
    it = MNISTIter(image=img, label=lab, batch_size=4, shuffle=False, flat=True)
    assert [s for _, _, s, _ in _epoch(it)] == [(4, 784), (4, 784)]
    part = MNISTIter(image=img, label=lab, batch_size=4, shuffle=False, num_parts=2,
                     part_index=1)
    assert _epoch(part) == [([5, 6, 7, 8], 0, (4, 1, 28, 28), 0.31640625)]


def test_shuffle_is_fixed_by_seed_and_identical_every_epoch(mnist_files, tmp_path):
    img, lab = mnist_files
    it = MNISTIter(image=img, label=lab, batch_size=5, shuffle=True, seed=3)
    e1 = _epoch(it)
    it.reset()
    assert _epoch(it) == e1
    labels = [x for batch, *_ in e1 for x in batch]
    assert sorted(labels) == list(range(10)) and labels != list(range(10))
    # gzip-compressed files work too
    gz = tmp_path / "img.gz"
    gz.write_bytes(gzip.compress(open(img, "rb").read()))
    it2 = MNISTIter(image=str(gz), label=lab, batch_size=5, shuffle=True, seed=3)
    assert _epoch(it2) == e1


def test_bad_files_are_clear_errors(mnist_files, tmp_path):
    img, lab = mnist_files
    with pytest.raises(MXNetError, match="idx file"):
        MNISTIter(image=lab, label=lab, batch_size=2)
    with pytest.raises(MXNetError, match="cannot read"):
        MNISTIter(image=str(tmp_path / "missing"), label=lab, batch_size=2)


def test_silent_false_reports_to_stderr_without_configuring_root_logging(mnist_files, capsys):
    """MXNet prints the load line from C++ straight to stderr; the Python root logger is left
    untouched, so a later ``logging.basicConfig(level=DEBUG)`` (as example/module/mnist_mlp.py
    does) still takes effect and fit's "Epoch[0] ..." INFO lines appear."""
    import logging

    root = logging.getLogger()
    saved = root.handlers[:]
    for h in saved:
        root.removeHandler(h)
    try:
        img, lab = mnist_files
        MNISTIter(image=img, label=lab, batch_size=4, flat=True, shuffle=True, silent=False)
        assert root.handlers == []
        err = capsys.readouterr().err
        assert "MNISTIter: load 10 images, shuffle=1, shape=(4,784)" in err
        MNISTIter(image=img, label=lab, batch_size=4, silent=True)
        assert capsys.readouterr().err == ""
    finally:
        for h in root.handlers[:]:
            root.removeHandler(h)
        for h in saved:
            root.addHandler(h)
