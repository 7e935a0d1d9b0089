"""mx.model checkpoints: MXNet 1.9.1's save_checkpoint / load_checkpoint / load_params, and
files mxjax writes loading in real MXNet (when a Python with mxnet 1.9.1 is available)."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from conftest import FIXTURES

import mxjax as mx
from mxjax import _fileio, model
from mxjax.base import MXNetError
from mxjax.ndarray import utils as ndu

CKPT = FIXTURES / "checkpoints"
NETS = ["mlp", "lenet", "makeloss"]


def fixture_params(net: str) -> dict[str, np.ndarray]:
    """The fixture checkpoint's arrays by key, read independently of mxjax with numpy."""
    return {k: v.asnumpy() for k, v in ndu.load(str(CKPT / f"{net}-0001.params")).items()}


# ---------------------------------------------------------------- loading
@pytest.mark.parametrize("net", NETS)
def test_load_params_splits_arg_and_aux_keys_in_file_order(net, manifest):
    arg, aux = model.load_params(str(CKPT / net), 1)
    info = manifest["nets"][net]
    assert list(arg) == info["param_names"]
    assert list(aux) == info["auxiliary_states"]
    raw = fixture_params(net)
    for name, arr in arg.items():
        assert isinstance(arr, mx.nd.NDArray)
        assert arr.asnumpy().tobytes() == raw["arg:" + name].tobytes()
    for name, arr in aux.items():
        assert arr.asnumpy().tobytes() == raw["aux:" + name].tobytes()


@pytest.mark.parametrize("net", ["mlp", "makeloss"])
def test_load_checkpoint_returns_symbol_and_params(net, manifest):
    sym, arg, aux = model.load_checkpoint(str(CKPT / net), 1)
    info = manifest["nets"][net]
    assert sym.list_arguments() == info["arguments"]
    assert list(arg) == info["param_names"] and list(aux) == info["auxiliary_states"]


def _write_params(path: Path, data: dict) -> None:
    path.write_bytes(ndu.to_bytes({k: np.asarray(v, np.float32) for k, v in data.items()}))


def test_keys_split_on_first_colon_and_other_prefixes_are_dropped(tmp_path):
    _write_params(tmp_path / "p-0002.params",
                  {"arg:a:b": [1.0], "aux:m": [2.0], "opt:state": [3.0], "arg:w": [4.0]})
    arg, aux = model.load_params(str(tmp_path / "p"), 2)
    assert list(arg) == ["a:b", "w"] and list(aux) == ["m"]
    assert arg["a:b"].asnumpy().tolist() == [1.0]


def test_key_without_colon_raises_value_error(tmp_path):
    _write_params(tmp_path / "p-0001.params", {"arg:a": [1.0], "weights": [2.0]})
    with pytest.raises(ValueError, match="weights"):
        model.load_params(str(tmp_path / "p"), 1)


def test_empty_params_file_warns_and_gives_empty_dicts(tmp_path, caplog):
    (tmp_path / "p-0001.params").write_bytes(ndu.to_bytes({}))
    with caplog.at_level(logging.WARNING):
        assert model.load_params(str(tmp_path / "p"), 1) == ({}, {})
    assert f"Params file '{tmp_path / 'p'}-0001.params' is empty" in caplog.text


def test_unnamed_list_file_is_a_clear_error(tmp_path):
    (tmp_path / "p-0001.params").write_bytes(ndu.to_bytes([np.ones(2, np.float32)]))
    with pytest.raises(MXNetError, match="unnamed arrays"):
        model.load_params(str(tmp_path / "p"), 1)


def test_missing_files_raise_mxnet_error_naming_the_file(tmp_path):
    with pytest.raises(MXNetError, match="p-0007.params"):
        model.load_params(str(tmp_path / "p"), 7)
    with pytest.raises(MXNetError, match="p-symbol.json"):
        model.load_checkpoint(str(tmp_path / "p"), 7)
    shutil.copy(CKPT / "mlp-symbol.json", tmp_path / "p-symbol.json")
    with pytest.raises(MXNetError, match="p-0007.params"):
        model.load_checkpoint(str(tmp_path / "p"), 7)


# ---------------------------------------------------------------- saving
@pytest.mark.parametrize("net", ["mlp", "makeloss"])
def test_save_checkpoint_writes_mxnets_files_byte_for_byte(tmp_path, net):
    sym, arg, aux = model.load_checkpoint(str(CKPT / net), 1)
    # fresh arrays built from the values, so nothing is carried over from the loaded file
    arg = {k: mx.nd.array(v.asnumpy()) for k, v in arg.items()}
    model.save_checkpoint(str(tmp_path / net), 1, sym, arg, aux)
    assert (tmp_path / f"{net}-0001.params").read_bytes() == \
        (CKPT / f"{net}-0001.params").read_bytes()
    assert (tmp_path / f"{net}-symbol.json").read_text() == \
        (CKPT / f"{net}-symbol.json").read_text()


def test_save_checkpoint_lenet_params_byte_for_byte(tmp_path):
    arg, aux = model.load_params(str(CKPT / "lenet"), 1)
    model.save_checkpoint(str(tmp_path / "lenet"), 1, None, arg, aux)
    assert (tmp_path / "lenet-0001.params").read_bytes() == \
        (CKPT / "lenet-0001.params").read_bytes()


def test_save_checkpoint_file_names_log_line_and_symbol_none(tmp_path, caplog):
    prefix = str(tmp_path / "net")
    with caplog.at_level(logging.INFO):
        model.save_checkpoint(prefix, 12345, None, {"w": mx.nd.ones((2,))}, {})
    assert os.listdir(tmp_path) == ["net-12345.params"]  # no symbol file, %04d widens
    record = caplog.records[-1]
    assert record.name == "root" and record.levelno == logging.INFO
    assert record.getMessage() == f'Saved checkpoint to "{prefix}-12345.params"'
    model.save_checkpoint(prefix, 3, None, {}, {"m": mx.nd.zeros((1,))})
    assert list(ndu.load(prefix + "-0003.params")) == ["aux:m"]


def test_save_checkpoint_stores_arg_keys_then_aux_keys(tmp_path):
    model.save_checkpoint(str(tmp_path / "n"), 1, None, {"b": mx.nd.ones((1,)), "a":
                          mx.nd.ones((1,))}, {"z": mx.nd.ones((1,))})
    assert list(ndu.load(str(tmp_path / "n-0001.params"))) == ["arg:b", "arg:a", "aux:z"]


def test_batch_end_param_is_mxnets_namedtuple():
    p = model.BatchEndParam(epoch=1, nbatch=2, eval_metric=None, locals={})
    assert type(p).__name__ == "BatchEndParams"
    assert p._fields == ("epoch", "nbatch", "eval_metric", "locals")


# ---------------------------------------------------------------- crash safety
class _DiskFullAfterHalf:
    """A file object that writes half of what it is given, then fails like a full disk."""

    def __init__(self, f):
        self._f = f

    def write(self, data):
        view = memoryview(data)
        self._f.write(view[:len(view) // 2])
        raise OSError(28, "No space left on device")

    def __getattr__(self, name):
        return getattr(self._f, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._f.close()


def _checkpoint(prefix: str, value: float) -> dict:
    arg = {"w": mx.nd.full((64, 64), value), "b": mx.nd.full((64,), value)}
    model.save_checkpoint(prefix, 1, None, arg, {})
    return arg


@pytest.mark.parametrize("failure", ["disk full half-way", "rename fails", "interrupt"])
def test_failed_save_leaves_previous_checkpoint_loadable(tmp_path, monkeypatch, failure):
    prefix = str(tmp_path / "net")
    _checkpoint(prefix, 1.0)
    before = (tmp_path / "net-0001.params").read_bytes()
    if failure == "disk full half-way":
        real_fdopen = os.fdopen
        monkeypatch.setattr(_fileio.os, "fdopen",
                            lambda fd, *a, **k: _DiskFullAfterHalf(real_fdopen(fd, *a, **k)))
        expected = OSError
    elif failure == "rename fails":
        def bad_replace(src, dst):
            raise PermissionError(13, "Permission denied", dst)
        monkeypatch.setattr(_fileio.os, "replace", bad_replace)
        expected = OSError
    else:
        def interrupted_fsync(fd):
            raise KeyboardInterrupt
        monkeypatch.setattr(_fileio.os, "fsync", interrupted_fsync)
        expected = KeyboardInterrupt
    with pytest.raises(expected):
        _checkpoint(prefix, 2.0)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["net-0001.params"]  # the temporary file is gone
    assert (tmp_path / "net-0001.params").read_bytes() == before
    arg, _ = model.load_params(prefix, 1)
    assert np.all(arg["w"].asnumpy() == 1.0) and np.all(arg["b"].asnumpy() == 1.0)


def test_killed_save_process_leaves_previous_checkpoint_loadable(tmp_path):
    """A real process killed (SIGKILL) in the middle of writing: the old file survives."""
    prefix = str(tmp_path / "net")
    _checkpoint(prefix, 1.0)
    before = (tmp_path / "net-0001.params").read_bytes()
    script = textwrap.dedent(f"""
        import os, signal
        from mxjax import _fileio
        real = _fileio.os.fsync
        def die(fd):  # the data is written, not yet renamed: kill the process here
            os.kill(os.getpid(), signal.SIGKILL)
        _fileio.os.fsync = die
        _fileio.write_atomic({prefix + '-0001.params'!r}, b"half-written garbage" * 1000)
    """)
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert res.returncode == -9
    assert (tmp_path / "net-0001.params").read_bytes() == before
    arg, _ = model.load_params(prefix, 1)
    assert np.all(arg["w"].asnumpy() == 1.0)


# ---------------------------------------------------------------- real MXNet reads our files
def _mxnet_python() -> str | None:
    exe = os.environ.get("MXJAX_MXNET_PYTHON", "/work/mxnet-venv/bin/python")
    if not Path(exe).exists():
        return None
    probe = subprocess.run([exe, "-c", "import mxnet"], capture_output=True, timeout=120)
    return exe if probe.returncode == 0 else None


_MXNET_CHECK = textwrap.dedent("""
    import json, sys
    import numpy as np
    import mxnet as mx
    cfg = json.loads(sys.argv[1])
    report = {"version": mx.__version__, "nets": {}, "nd": {}}
    for net, info in cfg["nets"].items():
        sym, arg, aux = mx.model.load_checkpoint(info["prefix"], 3)
        ref = mx.nd.load(info["fixture_params"])
        same = all(ref["arg:" + k].asnumpy().tobytes() == v.asnumpy().tobytes()
                   and ref["arg:" + k].dtype == v.dtype for k, v in arg.items())
        same = same and all(ref["aux:" + k].asnumpy().tobytes() == v.asnumpy().tobytes()
                            for k, v in aux.items())
        inputs = np.load(info["inputs"])
        refs = np.load(info["refs"])
        mod = mx.mod.Module(sym, data_names=info["data_names"], label_names=info["label_names"],
                            context=mx.cpu())
        mod.bind([(n, inputs[n].shape) for n in info["data_names"]],
                 [(n, inputs[n].shape) for n in info["label_names"]], for_training=False)
        mod.set_params(arg, aux)
        batch = mx.io.DataBatch([mx.nd.array(inputs[n]) for n in info["data_names"]],
                                [mx.nd.array(inputs[n]) for n in info["label_names"]])
        mod.forward(batch, is_train=False)
        err = 0.0
        for i, out in enumerate(mod.get_outputs()):
            r = refs["out_eval/%d" % i]
            err = max(err, float(np.max(np.abs(out.asnumpy() - r) - 1e-4 * np.abs(r))))
        report["nets"][net] = {"keys": len(arg) + len(aux), "same_arrays": bool(same),
                               "forward_excess_error": err}
    loaded = mx.nd.load(cfg["nd_file"])
    report["nd"] = {k: [np.dtype(v.dtype).name, list(v.shape), v.asnumpy().tobytes().hex()]
                    for k, v in loaded.items()}
    print(json.dumps(report))
""")


def test_files_mxjax_writes_load_in_real_mxnet_with_same_arrays_and_outputs(tmp_path, manifest):
    exe = _mxnet_python()
    if exe is None:
        pytest.skip("no Python with mxnet 1.9.1 (set MXJAX_MXNET_PYTHON)")
    nets = {}
    for net in NETS:
        info = manifest["nets"][net]
        arg, aux = model.load_params(str(CKPT / net), 1)
        # rebuild every array from its values so the file is genuinely mxjax's
        arg = {k: mx.nd.array(v.asnumpy()) for k, v in arg.items()}
        aux = {k: mx.nd.array(v.asnumpy()) for k, v in aux.items()}
        prefix = str(tmp_path / net)
        model.save_checkpoint(prefix, 3, None, arg, aux)
        shutil.copy(CKPT / f"{net}-symbol.json", prefix + "-symbol.json")
        nets[net] = {"prefix": prefix, "fixture_params": str(CKPT / f"{net}-0001.params"),
                     "inputs": str(FIXTURES / "refs" / f"{net}-inputs.npz"),
                     "refs": str(FIXTURES / "refs" / f"{net}-ref.npz"),
                     "data_names": info["data_names"], "label_names": info["label_names"]}
    exp = dict(np.load(FIXTURES / "nd" / "nd_expected.npz"))
    nd_values = {k.replace("/", "_"): v for k, v in exp.items()}
    nd_values["scalar_0d"] = np.array(2.5, np.float64)  # written as (1,) so MXNet can read it
    nd_values["bool"] = np.array([True, False, True])
    nd_file = tmp_path / "values.params"
    ndu.save(str(nd_file), {k: mx.nd.array(v, dtype=v.dtype) for k, v in nd_values.items()})
    cfg = {"nets": nets, "nd_file": str(nd_file)}
    res = subprocess.run([exe, "-c", _MXNET_CHECK, json.dumps(cfg)], capture_output=True,
                         text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    report = json.loads(res.stdout.strip().splitlines()[-1])
    assert report["version"] == "1.9.1"
    for net in NETS:
        got = report["nets"][net]
        assert got["same_arrays"], net
        assert got["keys"] == len(manifest["nets"][net]["param_names"]) + \
            len(manifest["nets"][net]["auxiliary_states"])
        assert got["forward_excess_error"] <= 1e-5, net  # |got-ref| <= 1e-5 + 1e-4|ref|
    assert list(report["nd"]) == list(nd_values)
    for key, value in nd_values.items():
        dtype, shape, hexdata = report["nd"][key]
        ref = value.reshape(1) if value.ndim == 0 else value
        assert dtype == ref.dtype.name and tuple(shape) == ref.shape, key
        assert bytes.fromhex(hexdata) == ref.tobytes(), key
