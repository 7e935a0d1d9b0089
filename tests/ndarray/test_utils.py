"""mx.nd.save / mx.nd.load: MXNet 1.9.1's NDArray file format, byte for byte, safe on bad files.

The reference is the files real MXNet 1.9.1 wrote (tests/fixtures/mxnet/nd, checkpoints and
tests/ndarray/data) and the layout in tests/fixtures/mxnet/README.md ("Binary format").
"""

from __future__ import annotations

import struct
import time
import tracemalloc
from pathlib import Path

import jax
import ml_dtypes
import numpy as np
import pytest
from conftest import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mxjax as mx
from mxjax.base import DTYPE_TO_FLAG, MXNetError
from mxjax.ndarray import utils as ndu
from mxjax.ndarray.ndarray import NDArray

ND = FIXTURES / "nd"
CKPT = FIXTURES / "checkpoints"
DATA = Path(__file__).parent / "data"
EXPECTED = dict(np.load(ND / "nd_expected.npz"))

V1, V2, V3 = 0xF993FAC8, 0xF993FAC9, 0xF993FACA


def expected(prefix: str) -> dict[str, np.ndarray]:
    """nd_expected.npz entries under ``prefix/`` in file order."""
    return {k.split("/", 1)[1]: v for k, v in EXPECTED.items() if k.startswith(prefix + "/")}


def assert_bits_equal(got: np.ndarray, ref: np.ndarray, what: str = "") -> None:
    assert got.dtype == ref.dtype, f"{what}: dtype {got.dtype} != {ref.dtype}"
    assert got.shape == ref.shape, f"{what}: shape {got.shape} != {ref.shape}"
    assert got.tobytes() == ref.tobytes(), f"{what}: values differ bitwise"


# ---------------------------------------------------------------- hand-built records
def header(n: int, reserved: int = 0) -> bytes:
    return struct.pack("<QQQ", 0x112, reserved, n)


def names(*ns: bytes) -> bytes:
    return struct.pack("<Q", len(ns)) + b"".join(struct.pack("<Q", len(n)) + n for n in ns)


def tshape(shape) -> bytes:
    return struct.pack(f"<i{len(shape)}q", len(shape), *shape)


def v2(arr: np.ndarray, dev=(1, 0), magic: int = V2, flag: int | None = None) -> bytes:
    flag = DTYPE_TO_FLAG[arr.dtype] if flag is None else flag
    return (struct.pack("<Ii", magic, 0) + tshape(arr.shape) + struct.pack("<iii", *dev, flag)
            + arr.astype(arr.dtype.newbyteorder("<")).tobytes())


def v1(arr: np.ndarray, dev=(1, 0)) -> bytes:
    return (struct.pack("<I", V1) + tshape(arr.shape)
            + struct.pack("<iii", *dev, DTYPE_TO_FLAG[arr.dtype]) + arr.tobytes())


def pre_v1(arr: np.ndarray, dev=(1, 0)) -> bytes:
    return (struct.pack(f"<I{arr.ndim}I", arr.ndim, *arr.shape)
            + struct.pack("<iii", *dev, DTYPE_TO_FLAG[arr.dtype]) + arr.tobytes())


def row_sparse(dense: np.ndarray) -> bytes:
    rows = np.flatnonzero(np.any(dense.reshape(dense.shape[0], -1) != 0, axis=1))
    vals = dense[rows]
    return (struct.pack("<Ii", V2, 1) + tshape(vals.shape) + tshape(dense.shape)
            + struct.pack("<iii", 1, 0, DTYPE_TO_FLAG[dense.dtype])
            + struct.pack("<i", 6) + tshape(rows.shape)
            + vals.tobytes() + rows.astype("<i8").tobytes())


def csr(dense: np.ndarray) -> bytes:
    r, c = np.nonzero(dense)
    vals = dense[r, c]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(r, minlength=dense.shape[0]))])
    return (struct.pack("<Ii", V2, 2) + tshape(vals.shape) + tshape(dense.shape)
            + struct.pack("<iii", 1, 0, DTYPE_TO_FLAG[dense.dtype])
            + struct.pack("<i", 6) + tshape(indptr.shape)
            + struct.pack("<i", 6) + tshape(c.shape)
            + vals.tobytes() + indptr.astype("<i8").tobytes() + c.astype("<i8").tobytes())


F32 = np.arange(6, dtype=np.float32).reshape(2, 3)


# ---------------------------------------------------------------- MXNet's own files
@pytest.mark.parametrize("fname,prefix,kind", [
    ("nd_dict.params", "dict", dict),
    ("nd_list.params", "list", list),
    ("nd_single.params", "single", list),
])
def test_load_mxnet_written_nd_files_bit_exact(fname, prefix, kind):
    got = ndu.load(str(ND / fname))
    exp = expected(prefix)
    assert type(got) is kind
    keys = list(got) if kind is dict else [str(i) for i in range(len(got))]
    assert keys == list(exp)  # MXNet's key order is kept
    values = got.values() if kind is dict else got
    for key, arr in zip(keys, values, strict=True):
        assert isinstance(arr, NDArray) and arr.context == mx.cpu(0)
        assert_bits_equal(arr.asnumpy(), exp[key], f"{fname}:{key}")


def test_load_keeps_64_bit_values_outside_x64_scope():
    # int64 limits and float64 1e-300 survive although jax's default is 32-bit
    got = ndu.load(str(ND / "nd_dict.params"))
    assert got["int64"].dtype is np.int64
    assert got["int64"].asnumpy().tolist() == EXPECTED["dict/int64"].tolist()
    assert got["float64"].dtype is np.float64
    assert np.iinfo(np.int64).max in got["int64"].asnumpy()


def test_saved_empty_dict_loads_as_empty_list():
    assert ndu.load(str(ND / "nd_empty_dict.params")) == []
    assert ndu.save_tobuffer({}) == (ND / "nd_empty_dict.params").read_bytes()


@pytest.mark.parametrize("fname,prefix", [
    ("nd_dict.params", "dict"), ("nd_list.params", "list"), ("nd_single.params", "single"),
])
def test_saving_fixture_values_gives_mxnets_bytes(tmp_path, fname, prefix):
    exp = expected(prefix)
    arrays = {k: mx.nd.array(v, dtype=v.dtype) for k, v in exp.items()}
    if prefix == "dict":
        data = arrays
    elif prefix == "list":
        data = list(arrays.values())
    else:
        data = arrays["0"]  # nd.save(f, one_ndarray) is a list of one
    out = tmp_path / fname
    ndu.save(str(out), data)
    assert out.read_bytes() == (ND / fname).read_bytes()


@pytest.mark.parametrize("net", ["mlp", "lenet", "makeloss"])
def test_checkpoint_params_load_and_resave_identically(net):
    raw = (CKPT / f"{net}-0001.params").read_bytes()
    got = ndu.load(str(CKPT / f"{net}-0001.params"))
    assert isinstance(got, dict) and all(k.startswith(("arg:", "aux:")) for k in got)
    assert all(v.dtype is np.float32 for v in got.values())
    assert ndu.save_tobuffer(got) == raw
    # the same values via numpy: independent of the loaded NDArrays
    assert ndu.to_bytes({k: v.asnumpy() for k, v in got.items()}) == raw


def test_first_array_of_mlp_checkpoint_matches_readme_hex_dump():
    got = ndu.load(str(CKPT / "mlp-0001.params"))
    first_key = next(iter(got))
    assert first_key == "arg:fc1_weight" and got[first_key].shape == (64, 16)
    raw = (CKPT / "mlp-0001.params").read_bytes()
    assert raw[24:0x40].hex() == ("c9fa93f9" "00000000" "02000000" "4000000000000000"
                                  "1000000000000000" "01000000" "00000000" "00000000")
    assert np.frombuffer(raw[0x40:0x40 + 4 * 1024], "<f4").tobytes() == \
        got[first_key].asnumpy().tobytes()


def test_loaded_arrays_go_to_the_current_context():
    with mx.cpu(1):  # a file saved from gpu(3) loads on the default context
        got = ndu.load(str(ND / "nd_list.params"))
        (from_gpu,) = ndu.load_frombuffer(header(1) + v2(F32, dev=(2, 3)) + names())
    assert [g.context for g in got] == [mx.cpu(1)] * 3
    assert from_gpu.context == mx.cpu(1)


# ---------------------------------------------------------------- property test
_ALL_DTYPES = sorted(DTYPE_TO_FLAG, key=lambda d: DTYPE_TO_FLAG[d])


@st.composite
def raw_arrays(draw):
    """Arrays of every MXNet dtype with arbitrary bit patterns (NaN payloads included)."""
    dtype = draw(st.sampled_from(_ALL_DTYPES))
    shape = tuple(draw(st.lists(st.integers(0, 4), min_size=0, max_size=5)))
    n = int(np.prod(shape, dtype=np.int64))
    raw = draw(st.binary(min_size=n * dtype.itemsize, max_size=n * dtype.itemsize))
    if dtype == np.bool_:
        return (np.frombuffer(raw, np.uint8) % 2).astype(bool).reshape(shape)
    return np.frombuffer(raw, dtype).reshape(shape).copy()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(raw_arrays(), min_size=0, max_size=4), st.booleans(),
       st.lists(st.text(min_size=0, max_size=6), min_size=4, max_size=4, unique=True))
def test_roundtrip_every_dtype_and_shape_is_bit_exact(arrays, as_dict, keys):
    with jax.enable_x64(True):
        nds = [NDArray(jax.device_put(a), mx.cpu(0)) for a in arrays]
    data = dict(zip(keys, nds, strict=False)) if as_dict else nds
    buf = ndu.save_tobuffer(data)
    assert buf == ndu.to_bytes(dict(zip(keys, arrays, strict=False)) if as_dict else arrays)
    back = ndu.load_frombuffer(buf)
    assert ndu.save_tobuffer(back) == buf  # loading then saving reproduces the bytes
    if as_dict and arrays:
        assert isinstance(back, dict) and list(back) == keys[:len(arrays)]
        back = list(back.values())
    else:
        assert isinstance(back, list)
    assert len(back) == len(arrays)
    for a, b in zip(arrays, back, strict=True):
        ref = a.reshape(1) if a.ndim == 0 else a  # 0-d is stored as (1,) (docs/file-formats.md)
        assert_bits_equal(b.asnumpy(), ref)


def test_zero_d_array_is_saved_as_shape_1_which_mxnet_can_read():
    buf = ndu.save_tobuffer([mx.nd.array(np.float32(3.5))])
    assert buf == header(1) + v2(np.array([3.5], np.float32)) + names()
    (back,) = ndu.load_frombuffer(buf)
    assert back.shape == (1,) and back.asnumpy()[0] == 3.5


def test_zero_size_arrays_roundtrip():
    buf = ndu.to_bytes([np.zeros((2, 0), np.float32)])
    (back,) = ndu.from_bytes(buf)
    assert back.shape == (2, 0) and back.dtype == np.float32


# ---------------------------------------------------------------- older and other layouts
def test_v1_records_load():
    a = np.arange(6, dtype=np.float64).reshape(3, 2)
    (got,) = ndu.load_frombuffer(header(1) + v1(a) + names())
    assert_bits_equal(got.asnumpy(), a)


def test_pre_v1_records_load_with_u32_dims():
    a = np.arange(12, dtype=np.int32).reshape(3, 4)
    got = ndu.load_frombuffer(header(2) + pre_v1(a) + pre_v1(F32) + names(b"x", b"y"))
    assert_bits_equal(got["x"].asnumpy(), a)
    assert_bits_equal(got["y"].asnumpy(), F32)


def test_legacy_ndim_zero_is_a_scalar_as_mxnet_1_9_1_reads_it():
    # MXNet 1.9.1's LegacyLoad reads ctx, dtype and one element after a 0-d shape
    s = np.array(2.5, np.float32)
    got = ndu.load_frombuffer(header(2) + v1(s) + pre_v1(s) + names())
    assert [g.shape for g in got] == [(), ()]
    assert [float(g.asnumpy()) for g in got] == [2.5, 2.5]


def test_v3_numpy_shape_records_written_by_mxnet_load():
    got = ndu.load(str(DATA / "mxnet_v3.params"))
    assert [g.shape for g in got] == [(), (2, 0)]
    assert got[0].asnumpy().item() == 3.5 and got[0].dtype is np.float32


def test_v3_hand_built_scalar():
    got = ndu.load_frombuffer(header(1) + v2(np.array(7, np.int64), magic=V3) + names())
    assert got[0].shape == () and got[0].asnumpy().item() == 7 and got[0].dtype is np.int64


@pytest.mark.parametrize("dev", [(2, 0), (2, 7), (3, 0), (5, 0)])
def test_gpu_and_pinned_contexts_load_on_the_current_context(dev):
    (got,) = ndu.load_frombuffer(header(1) + v2(F32, dev=dev) + names())
    assert got.context == mx.current_context()
    assert_bits_equal(got.asnumpy(), F32)


def test_row_sparse_and_csr_written_by_mxnet_load_dense():
    got = ndu.load(str(DATA / "mxnet_sparse.params"))
    assert list(got) == ["rs", "csr"]
    assert_bits_equal(got["rs"].asnumpy(), np.array(
        [[0, 0, 0], [1, 2, 3], [0, 0, 0], [4, 5, 6]], np.float32))
    assert_bits_equal(got["csr"].asnumpy(), np.array(
        [[0, 7, 0], [0, 0, 0], [8, 0, 9]], np.float32))
    assert got["rs"].stype == "default"


def test_hand_built_sparse_records_match_mxnets_bytes():
    rs = np.array([[0, 0, 0], [1, 2, 3], [0, 0, 0], [4, 5, 6]], np.float32)
    cs = np.array([[0, 7, 0], [0, 0, 0], [8, 0, 9]], np.float32)
    buf = header(2) + row_sparse(rs) + csr(cs) + names(b"rs", b"csr")
    assert buf == (DATA / "mxnet_sparse.params").read_bytes()
    got = ndu.load_frombuffer(buf)
    assert_bits_equal(got["rs"].asnumpy(), rs)
    assert_bits_equal(got["csr"].asnumpy(), cs)


def test_trailing_bytes_and_reserved_word_are_ignored_like_mxnet():
    buf = header(1, reserved=7) + v2(F32) + names(b"w") + b"trailing garbage"
    got = ndu.load_frombuffer(buf)
    assert list(got) == ["w"]
    assert_bits_equal(got["w"].asnumpy(), F32)


def test_duplicate_names_keep_first_position_and_last_value_like_mxnet():
    a, b = np.zeros(2, np.float32), np.ones(2, np.float32)
    got = ndu.load_frombuffer(header(3) + v2(a) + v2(F32) + v2(b) + names(b"a", b"f", b"a"))
    assert list(got) == ["a", "f"]
    assert_bits_equal(got["a"].asnumpy(), b)


def test_unicode_names_roundtrip():
    data = {"погода:ü": mx.nd.array(F32), "": mx.nd.ones((1,))}
    back = ndu.load_frombuffer(ndu.save_tobuffer(data))
    assert list(back) == list(data)


def test_flags_mxnet_python_lacks_still_roundtrip():
    # int16/uint16/uint32/uint64 (flags 8-11) and bfloat16 (12) are in mshadow's table
    arrays = [np.arange(4, dtype=d) for d in ("int16", "uint16", "uint32", "uint64")]
    arrays.append(np.arange(4).astype(ml_dtypes.bfloat16))
    buf = ndu.to_bytes(arrays)
    flags = [struct.unpack_from("<i", buf, off)[0] for off in _dtype_flag_offsets(buf, 5)]
    assert flags == [8, 9, 10, 11, 12]
    for a, b in zip(arrays, ndu.load_frombuffer(buf), strict=True):
        assert_bits_equal(b.asnumpy(), a)


def _dtype_flag_offsets(buf: bytes, n: int) -> list[int]:
    out, pos = [], 24
    for _ in range(n):
        ndim = struct.unpack_from("<i", buf, pos + 8)[0]
        dims = struct.unpack_from(f"<{ndim}q", buf, pos + 12)
        flag_at = pos + 12 + 8 * ndim + 8
        out.append(flag_at)
        itemsize = {8: 2, 9: 2, 10: 4, 11: 8, 12: 2}[struct.unpack_from("<i", buf, flag_at)[0]]
        pos = flag_at + 4 + itemsize * int(np.prod(dims))
    return out


# ---------------------------------------------------------------- save arguments
def test_save_argument_rules_follow_mxnet():
    with pytest.raises(TypeError, match="dict str->NDArray"):
        ndu.save_tobuffer({1: mx.nd.ones((1,))})
    with pytest.raises(TypeError, match="dict str->NDArray"):
        ndu.save_tobuffer([mx.nd.ones((1,)), np.ones(1)])
    with pytest.raises(ValueError, match="needs to either be"):
        ndu.save_tobuffer((mx.nd.ones((1,)),))
    with pytest.raises(TypeError, match="fname"):
        ndu.save(3, [])
    with pytest.raises(MXNetError, match="no MXNet type flag"):
        ndu.to_bytes([np.zeros(2, np.complex64)])
    with pytest.raises(MXNetError, match="remote file systems"):
        ndu.save("s3://bucket/x.params", [])


def test_big_endian_numpy_input_is_written_little_endian():
    a = np.arange(3, dtype=">i4")
    assert ndu.to_bytes([a]) == ndu.to_bytes([a.astype("<i4")])


def test_load_frombuffer_accepts_bytes_like_and_rejects_str():
    buf = (ND / "nd_list.params").read_bytes()
    assert len(ndu.load_frombuffer(bytearray(buf))) == 3
    assert len(ndu.load_frombuffer(memoryview(buf))) == 3
    with pytest.raises(TypeError):
        ndu.load_frombuffer(buf.decode("latin-1"))


# ---------------------------------------------------------------- malformed files
GOOD = header(1) + v2(F32) + names(b"w")
_NAMES_AT = len(header(1) + v2(F32))


def _at(buf: bytes, off: int, fmt: str, value) -> bytes:
    return buf[:off] + struct.pack(fmt, value) + buf[off + struct.calcsize(fmt):]


MALFORMED = {
    "empty file": (b"", "truncated file header"),
    "bad list magic": (_at(GOOD, 0, "<Q", 0x113), "bad magic 0x113"),
    "truncated header": (GOOD[:20], "truncated array count"),
    "absurd array count": (_at(GOOD, 16, "<Q", 2**63), "claims 9223372036854775808 arrays"),
    "bad array magic": (_at(GOOD, 24, "<I", 0xDEADBEEF), "neither an NDArray magic"),
    "unknown stype": (_at(GOOD, 28, "<i", 9), "unknown storage type 9"),
    "negative ndim": (_at(GOOD, 32, "<i", -3), "negative ndim -3"),
    "huge ndim": (_at(GOOD, 32, "<i", 2**30), "ndim 1073741824"),
    "negative dim": (_at(GOOD, 36, "<q", -2), "negative dimension"),
    "shape larger than file": (_at(GOOD, 36, "<q", 2**40), "truncated array #0"),
    "shape overflowing int64 product": (_at(_at(GOOD, 36, "<q", 2**62), 44, "<q", 2**62),
                                        "truncated array #0"),
    "unknown dtype flag": (_at(GOOD, 60, "<i", 99), "unknown dtype flag 99"),
    "truncated data": (GOOD[:70], "truncated array #0 (offset 24) data"),
    "missing name count": (GOOD[:_NAMES_AT], "truncated name count"),
    "name count mismatch": (_at(GOOD, _NAMES_AT, "<Q", 2), "2 names for 1 arrays"),
    "name length past end": (_at(GOOD, _NAMES_AT + 8, "<Q", 2**60), "truncated name #0"),
    "non-UTF-8 name": (header(1) + v2(F32) + names(b"\xff\xfe"), "not valid UTF-8"),
    "V2 none array": (header(1) + struct.pack("<Iii", V2, 0, 0) + names(), "'none' NDArray"),
    "V3 unknown shape": (header(1) + struct.pack("<Iii", V3, 0, -1) + names(), "'none'"),
    "V3 sparse": (header(1) + struct.pack("<Ii", V3, 1) + tshape((1,)) + names(), "V3"),
    "pre-V1 truncated dims": (header(1) + struct.pack("<II", 3, 5), "truncated array #0"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_input_raises_mxnet_error_naming_file_and_problem(tmp_path, case):
    buf, message = MALFORMED[case]
    path = tmp_path / "bad.params"
    path.write_bytes(buf)
    with pytest.raises(MXNetError) as err:
        ndu.load(str(path))
    assert str(path) in str(err.value)
    assert message in str(err.value)
    with pytest.raises(MXNetError, match="in buffer"):
        ndu.load_frombuffer(buf)


def _sparse_case(dense_shape, values, aux_flag=6, aux_vals=None, stype=1):
    aux_vals = np.array([0], np.int64) if aux_vals is None else aux_vals
    body = (struct.pack("<Ii", V2, stype) + tshape(values.shape) + tshape(dense_shape)
            + struct.pack("<iii", 1, 0, 0) + struct.pack("<i", aux_flag)
            + tshape(aux_vals.shape) + values.tobytes() + aux_vals.tobytes())
    return header(1) + body + names()


@pytest.mark.parametrize("buf,message", [
    (_sparse_case((4, 3), np.ones((1, 3), np.float32), aux_vals=np.array([4])), "out of range"),
    (_sparse_case((4, 3), np.ones((1, 2), np.float32)), "does not fit shape"),
    (_sparse_case((4, 3), np.ones((1, 3), np.float32), aux_flag=0), "integer dtype"),
    (_sparse_case((2**40, 2**20), np.ones((1, 1), np.float32)), "MAX_DENSE_BYTES_FROM_SPARSE"),
])
def test_malformed_row_sparse_raises(buf, message):
    with pytest.raises(MXNetError, match=message):
        ndu.load_frombuffer(buf)


def test_malformed_csr_raises():
    good = csr(np.array([[0, 7, 0], [0, 0, 0], [8, 0, 9]], np.float64))
    # indptr is the 4 int64 values before the 3 column indices at the end
    bad_ptr = good[:-56] + struct.pack("<4q", 0, 1, 3, 1) + good[-24:]
    with pytest.raises(MXNetError, match="indptr"):
        ndu.load_frombuffer(header(1) + bad_ptr + names())
    bad_col = good[:-8] + struct.pack("<q", 3)
    with pytest.raises(MXNetError, match="column index out of range"):
        ndu.load_frombuffer(header(1) + bad_col + names())


def test_missing_file_and_directory_raise_mxnet_error_naming_them(tmp_path):
    with pytest.raises(MXNetError, match="nope.params"):
        ndu.load(str(tmp_path / "nope.params"))
    with pytest.raises(MXNetError, match="cannot read"):
        ndu.load(str(tmp_path))


def test_no_giant_allocation_for_shapes_claiming_more_than_the_file():
    buf = MALFORMED["shape larger than file"][0]
    tracemalloc.start()
    try:
        with pytest.raises(MXNetError):
            ndu.from_bytes(buf)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100_000


# ---------------------------------------------------------------- fuzzing
def _mutations(buf: bytes, rng: np.random.Generator, n: int):
    """Truncations, byte flips and extreme integers written over header-sized words."""
    for _ in range(n):
        kind = rng.integers(4)
        if kind == 0:
            yield buf[:rng.integers(len(buf))]
        elif kind == 1:
            b = bytearray(buf)
            for pos in rng.integers(len(b), size=rng.integers(1, 4)):
                b[pos] ^= 1 << int(rng.integers(8))
            yield bytes(b)
        else:
            # overwrite within the first 200 bytes and at the end (headers and names live there)
            pos = int(rng.integers(min(len(buf), 200))) if kind == 2 else \
                int(rng.integers(max(0, len(buf) - 64), len(buf)))
            fmt = ["<i", "<I", "<q", "<Q"][rng.integers(4)]
            extreme = {"<i": [-1, -(2**31), 2**31 - 1, 0], "<I": [2**32 - 1, 64, 65, 0],
                       "<q": [-1, 2**62, 2**63 - 1, 0], "<Q": [2**64 - 1, 2**40, 1, 0]}[fmt]
            value = extreme[rng.integers(4)]
            size = struct.calcsize(fmt)
            if pos + size <= len(buf):
                yield buf[:pos] + struct.pack(fmt, value) + buf[pos + size:]


FUZZ_FILES = [ND / "nd_list.params", ND / "nd_dict.params", ND / "nd_single.params",
              CKPT / "mlp-0001.params", DATA / "mxnet_sparse.params", DATA / "mxnet_v3.params"]


@pytest.mark.parametrize("path", FUZZ_FILES, ids=lambda p: p.name)
def test_fuzzed_files_load_or_raise_mxnet_error_quickly_with_bounded_memory(path, monkeypatch):
    monkeypatch.setattr(ndu, "MAX_DENSE_BYTES_FROM_SPARSE", 1 << 20)
    buf = path.read_bytes()
    rng = np.random.default_rng(len(buf))
    outcomes = {"ok": 0, "error": 0}
    tracemalloc.start()
    try:
        for mutated in _mutations(buf, rng, 150):
            tracemalloc.reset_peak()
            start = time.perf_counter()
            try:
                ndu.from_bytes(mutated)
                outcomes["ok"] += 1
            except MXNetError:
                outcomes["error"] += 1
            elapsed = time.perf_counter() - start
            peak = tracemalloc.get_traced_memory()[1]
            assert elapsed < 1.0, "a load took too long"
            # the input copy, plus at most the 1 MiB sparse cap and some slack
            assert peak < 3 * len(mutated) + (1 << 20) + 200_000, f"peak {peak} bytes"
    finally:
        tracemalloc.stop()
    assert outcomes["error"] > 0
    # and the NDArray path (device placement) on a sample: never a non-MXNetError
    for mutated in _mutations(buf, np.random.default_rng(1), 30):
        try:
            ndu.load_frombuffer(mutated)
        except MXNetError:
            pass


def test_every_truncation_of_a_real_file_raises_mxnet_error():
    buf = (ND / "nd_list.params").read_bytes()
    for n in range(len(buf)):
        with pytest.raises(MXNetError):
            ndu.from_bytes(buf[:n])
