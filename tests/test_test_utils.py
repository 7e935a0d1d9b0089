"""mx.test_utils: download() with the offline cache (no network used), and comparison helpers."""

from __future__ import annotations

import gzip
import logging
import os
import struct
from pathlib import Path

import numpy as np
import pytest

import mxjax as mx
from mxjax import datasets, test_utils
from mxjax.base import MXNetError

LETTER = ("http://archive.ics.uci.edu/ml/machine-learning-databases/letter-recognition/"
          "letter-recognition.data")
SHIPPED = Path(datasets.__file__).with_name("letter-recognition.data")


@pytest.fixture
def offline(tmp_path, monkeypatch):
    """A fresh MXJAX_HOME, a fresh cwd, and a network that always fails (counted)."""
    home = tmp_path / "home"
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("MXJAX_HOME", str(home))
    monkeypatch.chdir(work)
    attempts = []

    def no_network(url, dest, timeout=60.0):
        attempts.append(url)
        raise OSError("network is unreachable")

    monkeypatch.setattr(test_utils, "_fetch", no_network)
    return {"home": home, "work": work, "attempts": attempts}


def test_tutorial_download_works_offline_from_the_shipped_copy(offline, caplog):
    caplog.set_level(logging.INFO)
    fname = test_utils.download(LETTER)
    assert fname == "letter-recognition.data"  # MXNet: last URL part, in the cwd
    assert (offline["work"] / fname).read_bytes() == SHIPPED.read_bytes()
    assert offline["attempts"] == []
    cached = offline["home"] / "downloads" / "archive.ics.uci.edu" / "ml" / \
        "machine-learning-databases" / "letter-recognition" / "letter-recognition.data"
    assert cached.read_bytes() == SHIPPED.read_bytes()  # the cache was seeded
    assert os.access(offline["work"] / fname, os.W_OK)  # a normal, writable copy
    # the tutorial's parsing works on it
    data = np.genfromtxt(fname, delimiter=",")[:, 1:]
    label = np.array([ord(line.split(",")[0]) - ord("A") for line in open(fname)])
    assert data.shape == (20000, 16) and label.shape == (20000,) and label.max() == 25


def test_existing_file_is_reused_with_mxnet_log_line(offline, caplog):
    Path("letter-recognition.data").write_text("mine")
    caplog.set_level(logging.INFO)
    assert test_utils.download(LETTER) == "letter-recognition.data"
    assert Path("letter-recognition.data").read_text() == "mine"
    assert "letter-recognition.data exists, skipping download" in caplog.messages


def test_fname_and_dirname_follow_mxnet(offline):
    out = test_utils.download(LETTER, fname="x.csv", dirname="data/sub")
    assert out == os.path.join("data/sub", "x.csv")
    assert Path(out).read_bytes() == SHIPPED.read_bytes()
    out = test_utils.download(LETTER, fname="nested/y.csv")
    assert out == "nested/y.csv" and Path(out).exists()


def test_https_form_of_the_url_is_served_from_the_same_copy(offline):
    out = test_utils.download(LETTER.replace("http://", "https://"), fname="l.data")
    assert Path(out).read_bytes() == SHIPPED.read_bytes()


def test_offline_unknown_url_is_a_clear_error_naming_the_url(offline, capsys):
    url = "http://example.com/data/unknown.bin"
    with pytest.raises(test_utils.DownloadError, match="http://example.com/data/unknown.bin"):
        test_utils.download(url, retries=3)
    assert offline["attempts"] == [url] * 3  # MXNet's loop: `retries` attempts
    assert "download failed, retrying, 2 attempts left" in capsys.readouterr().out
    assert not Path("unknown.bin").exists()
    err = test_utils.DownloadError("x")
    assert isinstance(err, MXNetError) and isinstance(err, OSError)


def test_successful_download_fills_the_cache_and_later_calls_are_offline(offline, monkeypatch):
    def fake_fetch(url, dest, timeout=60.0):
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(b"payload")

    monkeypatch.setattr(test_utils, "_fetch", fake_fetch)
    url = "http://example.com/files/thing.txt"
    assert test_utils.download(url) == "thing.txt"
    assert Path("thing.txt").read_bytes() == b"payload"
    assert (offline["home"] / "downloads" / "example.com" / "files" / "thing.txt").exists()
    os.remove("thing.txt")
    monkeypatch.setattr(test_utils, "_fetch", lambda *a, **k: (_ for _ in ()).throw(OSError()))
    assert Path(test_utils.download(url)).read_bytes() == b"payload"


def test_overwrite_refetches_but_falls_back_to_the_cache_offline(offline, caplog):
    Path("letter-recognition.data").write_text("old")
    caplog.set_level(logging.INFO)
    out = test_utils.download(LETTER, overwrite=True, retries=1)
    assert offline["attempts"] == [LETTER]
    assert Path(out).read_bytes() == SHIPPED.read_bytes()
    assert any("using the cached copy" in m for m in caplog.messages)


def test_negative_retries_rejected(offline):
    with pytest.raises(AssertionError):
        test_utils.download(LETTER, retries=-1)


def test_get_mnist_reads_idx_files_from_the_cache(offline):
    def idx_labels(n):
        return struct.pack(">II", 2049, n) + bytes(range(n))

    def idx_images(n):
        return struct.pack(">IIII", 2051, n, 28, 28) + bytes([255] * (n * 28 * 28))

    base = offline["home"] / "downloads" / "data.mxnet.io" / "data" / "mnist"
    base.mkdir(parents=True)
    for prefix, n in (("train", 3), ("t10k", 2)):
        (base / f"{prefix}-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_labels(n)))
        (base / f"{prefix}-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx_images(n)))
    mnist = test_utils.get_mnist()
    assert mnist["train_data"].shape == (3, 1, 28, 28) and mnist["train_data"].dtype == np.float32
    assert mnist["train_data"].max() == 1.0
    assert mnist["train_label"].dtype == np.int8 and mnist["train_label"].tolist() == [0, 1, 2]
    assert mnist["test_data"].shape == (2, 1, 28, 28)


def test_get_mnist_offline_without_cache_names_the_url(offline):
    with pytest.raises(test_utils.DownloadError, match="train-labels-idx1-ubyte.gz"):
        test_utils.get_mnist()


# --------------------------------------------------------------------- comparison helpers
def test_same_and_almost_equal():
    a = np.array([1.0, 2.0])
    assert test_utils.same(a, a.copy()) and not test_utils.same(a, a + 1e-9)
    assert test_utils.same(mx.nd.array(a), a)
    assert test_utils.almost_equal(a, a + 1e-6)  # float64 defaults: rtol 1e-5
    assert not test_utils.almost_equal(a, a + 1e-3)
    assert test_utils.almost_equal(a, a + 1e-3, rtol=1e-2)


def test_assert_almost_equal_uses_dtype_tolerances_and_reports_location():
    f32 = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    test_utils.assert_almost_equal(f32, f32 + 1e-4)  # float32: rtol 1e-4, atol 1e-3
    test_utils.assert_almost_equal(mx.nd.array(f32), mx.nd.array(f32))
    with pytest.raises(AssertionError, match=r"Location of maximum error: \(2,\), x=3.0+, y=4"):
        test_utils.assert_almost_equal(f32, np.array([1, 2, 4], np.float32), names=("x", "y"))
    with pytest.raises(AssertionError):
        test_utils.assert_almost_equal(np.array([1, 2]), np.array([1, 3]))  # ints are exact
    with pytest.raises(AssertionError, match="shape"):
        test_utils.assert_almost_equal(np.zeros(2), np.zeros((1, 2)), use_broadcast=False)
    test_utils.assert_almost_equal(np.array([np.nan]), np.array([np.nan]), equal_nan=True)


def test_assert_exception_and_random_helpers():
    test_utils.assert_exception(int, ValueError, "x")
    with pytest.raises(AssertionError):
        test_utils.assert_exception(int, ValueError, "3")
    assert len(test_utils.rand_shape_nd(4)) == 4
    arr = test_utils.rand_ndarray((3, 2))
    assert arr.shape == (3, 2) and arr.dtype == np.float32
    with pytest.raises(MXNetError, match="csr"):
        test_utils.rand_ndarray((3, 2), stype="csr")
    assert test_utils.random_arrays((2, 3)).shape == (2, 3)
    assert test_utils.default_context() == mx.current_context()


def test_dummy_iter_repeats_the_first_batch():
    it = test_utils.DummyIter(mx.io.NDArrayIter(np.arange(4.0).reshape(4, 1), batch_size=2))
    assert next(it) is next(it)
    assert it.provide_data[0].shape == (2, 1)
