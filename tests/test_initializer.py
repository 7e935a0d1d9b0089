"""mx.init: MXNet 1.9.1's initializers, dispatch rules, JSON forms and errors.

Exact values, JSON strings, error messages and verbose log lines were recorded
from real MXNet 1.9.1 into ``fixtures/viz_init/mxnet_viz_init.json``
(``fixtures/viz_init/record_mxnet.py``); random initializers are checked
against their distributions' formulas.
"""

from __future__ import annotations

import json
import logging
import warnings
from pathlib import Path

import numpy as np
import pytest

import mxjax as mx
from mxjax import initializer as init
from mxjax.base import MXNetError
from mxjax.initializer import InitDesc

REF = json.loads((Path(__file__).parent / "fixtures" / "viz_init" /
                  "mxnet_viz_init.json").read_text())
# names the recorded expressions (e.g. "Xavier(factor_type='in', magnitude=2.34)") use
NS = {"np": np, "mx": mx, "init": init, "create": init.create,
      **{name: getattr(init, name) for name in init.__all__}}


def run(ini, desc, shape, dtype="float32"):
    """MXNet's recording procedure: fill a (-7)-array, return its values."""
    arr = mx.nd.zeros(shape, dtype=dtype) - 7
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ini(desc, arr)
    return arr.asnumpy()


def check_error(ref_key: str, fn) -> None:
    kind, msg = REF["errors"][ref_key]
    exc = {"ValueError": ValueError, "AssertionError": AssertionError,
           "NotImplementedError": NotImplementedError}[kind]
    with pytest.raises(exc) as got:
        fn()
    if msg and "%s" not in msg:
        assert str(got.value) == msg


# ------------------------------------------------------------- JSON and registry
@pytest.mark.parametrize("expr", sorted(REF["dumps"]))
def test_dumps_is_mxnets_json(expr):
    assert eval(expr, NS).dumps() == REF["dumps"][expr]


def test_uniform_dumps_records_scale_as_mxnet():
    assert init.Uniform(scale=0.1).dumps() == '["uniform", {"scale": 0.1}]'


@pytest.mark.parametrize("expr", sorted(REF["create"]))
def test_create_accepts_mxnets_forms(expr):
    cls, dumped = REF["create"][expr]
    got = eval(expr, NS)
    assert type(got).__name__ == cls and got.dumps() == dumped


@pytest.mark.parametrize("expr", sorted(k for k in REF["dumps"] if "Constant(" not in k
                                        and "Initializer(" not in k))
def test_dumps_create_round_trip(expr):
    ini = eval(expr, NS)
    back = init.create(ini.dumps())
    assert back == ini and type(back) is type(ini) and back.dumps() == ini.dumps()


def test_constant_array_round_trip_through_json():
    ini = init.Constant(mx.nd.array([[1, 2], [3, 4]]))
    back = init.create(ini.dumps())
    np.testing.assert_array_equal(run(back, InitDesc("w_weight"), (2, 2)), [[1, 2], [3, 4]])


def test_create_returns_instance_and_rejects_bad_names():
    u = init.Uniform(0.2)
    assert init.create(u) is u
    check_error("create unknown", lambda: init.create("nosuch"))
    check_error("create instance with args", lambda: init.create(init.One(), 3))
    with pytest.raises(MXNetError, match="not registered"):
        init.create("nosuch")


def test_register_and_alias_a_custom_initializer():
    @init.register
    @init.alias("mxjax_test_myinit")
    class MxjaxTestCustom(init.Initializer):
        def __init__(self, v=0.5):
            super().__init__(v=v)
            self.v = v

        def _init_weight(self, _, arr):
            arr[:] = self.v

        def _init_bias(self, _, arr):
            arr[:] = 1

    for name in ("mxjaxtestcustom", "MXJAX_TEST_MYINIT"):
        ini = init.create(name, v=0.25)
        assert run(ini, InitDesc("a_weight"), (2,)).tolist() == [0.25, 0.25]
        assert run(ini, InitDesc("a_bias"), (2,)).tolist() == [1, 1]
    assert MxjaxTestCustom().dumps() == '["mxjaxtestcustom", {"v": 0.5}]'
    with pytest.warns(UserWarning, match="overriding"):
        init.register(type("MxjaxTestCustom", (init.Zero,), {}))
    with pytest.raises(AssertionError, match="subclass of Initializer"):
        init.register(dict)


def test_equality_is_type_and_kwargs():
    assert init.Uniform(0.1) == init.Uniform(0.1)
    assert init.Uniform(0.1) != init.Uniform(0.2)
    assert init.Uniform(0.01) != init.Normal(0.01)


# ---------------------------------------------------------------- dispatch
@pytest.mark.parametrize("suffix", ["weight", "bias", "gamma", "beta", "min", "max"])
def test_name_suffix_picks_the_rule(suffix):
    shape = (2, 2) if suffix == "weight" else (2,)
    got = run(init.Constant(0.3), InitDesc(f"x_{suffix}"), shape)
    np.testing.assert_array_equal(got, REF["values"][f"Constant(0.3) {suffix}"])


def test_init_attribute_wins_over_name_and_global_init():
    got = run(init.Zero(), InitDesc("fc_bias", attrs={"__init__": '["one", {}]'}), (3,))
    np.testing.assert_array_equal(got, REF["values"]["One via __init__ on bias"])
    got = run(init.Uniform(), InitDesc("fc_weight", attrs={"__init__": init.Constant(5).dumps()}),
              (2, 3))
    assert (got == 5).all()
    # BatchNorm's auxiliary states carry MXNet's own __init__ attrs
    assert run(init.Uniform(), InitDesc("bn_moving_var", {"__init__": '["one", {}]'}), (3,)) \
        .tolist() == [1, 1, 1]
    desc = InitDesc("w_weight")
    ini = init.One()
    run(ini, desc, (2,))
    assert desc.global_init is ini and desc.attrs == {} and desc == "w_weight"


def test_unknown_pattern_is_mxnets_value_error():
    check_error("unknown pattern", lambda: run(init.Uniform(), InitDesc("foo"), (2,)))
    check_error("moving_mean via InitDesc",
                lambda: run(init.Uniform(), InitDesc("bn_moving_mean"), (2,)))
    check_error("base weight", lambda: run(init.Initializer(), InitDesc("fc_weight"), (4, 4)))


@pytest.mark.parametrize("case,ini,name,shape", [
    ("legacy upsampling", init.Zero(), "upsampling0_weight", (1, 1, 4, 4)),
    ("legacy moving_mean", init.Uniform(), "bn_moving_mean", (3,)),
    ("legacy moving_var", init.Uniform(), "bn_moving_var", (3,)),
    ("legacy moving_inv_var", init.Uniform(), "bn_moving_inv_var", (3,)),
    ("legacy moving_avg", init.Uniform(), "bn_moving_avg", (3,)),
    ("legacy stn_loc_bias", init.Uniform(), "stn_loc_bias", (6,)),
    ("legacy stn_loc_weight", init.Uniform(), "stn_loc_weight", (6, 2)),
    ("legacy weight", init.One(), "fc_weight", (2,)),
])
def test_legacy_plain_string_path(case, ini, name, shape):
    np.testing.assert_array_equal(run(ini, name, shape), REF["values"][case])


def test_legacy_path_warns_deprecated_and_checks_types():
    with pytest.warns(DeprecationWarning, match="InitDesc"):
        init.One()("fc_weight", mx.nd.zeros((2,)))
    check_error("legacy unknown", lambda: run(init.Uniform(), "foo", (2,)))
    with pytest.raises(TypeError, match="NDArray"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            init.One()("fc_weight", np.zeros(2))


def test_writes_in_place_keeping_dtype_device_and_views():
    for dtype in ("float64", "float16"):
        arr = mx.nd.zeros((4, 5), dtype=dtype)
        handle = arr
        init.Uniform(0.5)(InitDesc("w_weight"), arr)
        assert arr is handle and arr.dtype == np.dtype(dtype).type
        assert arr.context == mx.cpu() and 0 < np.abs(arr.asnumpy()).max() <= 0.5
    big = mx.nd.zeros((4, 3))
    init.One()(InitDesc("w_weight"), big[1:3])
    np.testing.assert_array_equal(big.asnumpy().sum(axis=1), [0, 3, 3, 0])


def test_seed_makes_initialisation_reproducible():
    def draw(s):
        mx.random.seed(s)
        return run(init.Xavier(), InitDesc("w_weight"), (8, 6))

    np.testing.assert_array_equal(draw(3), draw(3))
    assert not np.array_equal(draw(3), draw(4))


# ---------------------------------------------------------- random initializers
def test_uniform_is_uniform_on_minus_scale_scale():
    mx.random.seed(0)
    w = run(init.Uniform(0.1), InitDesc("w_weight"), (200, 300))
    assert -0.1 <= w.min() < -0.099 and 0.099 < w.max() <= 0.1
    assert abs(w.mean()) < 0.002 and abs(w.var() - 0.1 ** 2 / 3) < 1e-4
    assert (run(init.Uniform(0.1), InitDesc("w_bias"), (5,)) == 0).all()


def test_normal_has_sigma():
    mx.random.seed(0)
    w = run(init.Normal(0.5), InitDesc("w_weight"), (200, 300))
    assert abs(w.mean()) < 0.01 and abs(w.std() - 0.5) < 0.01


@pytest.mark.parametrize("factor_type", ["avg", "in", "out"])
@pytest.mark.parametrize("rnd_type", ["uniform", "gaussian"])
def test_xavier_scale_is_sqrt_magnitude_over_factor(factor_type, rnd_type):
    shape = (64, 32, 3, 3)
    fan_in, fan_out = 32 * 9, 64 * 9
    factor = {"avg": (fan_in + fan_out) / 2, "in": fan_in, "out": fan_out}[factor_type]
    scale = np.sqrt(2.5 / factor)
    mx.random.seed(1)
    w = run(init.Xavier(rnd_type, factor_type, 2.5), InitDesc("conv_weight"), shape)
    if rnd_type == "uniform":
        assert np.abs(w).max() <= scale * (1 + 1e-6) and np.abs(w).max() > 0.99 * scale
        assert abs(w.std() - scale / np.sqrt(3)) < 0.02 * scale
    else:
        assert abs(w.std() - scale) < 0.02 * scale


def test_xavier_errors_are_mxnets():
    check_error("xavier vector", lambda: run(init.Xavier(), InitDesc("fc_weight"), (4,)))
    check_error("xavier factor",
                lambda: run(init.Xavier(factor_type="x"), InitDesc("fc_weight"), (4, 4)))
    check_error("xavier rnd", lambda: run(init.Xavier(rnd_type="x"), InitDesc("fc_weight"),
                                          (4, 4)))


def test_msraprelu_is_gaussian_xavier_with_prelu_magnitude():
    mx.random.seed(2)
    w = run(init.MSRAPrelu("in", 0.5), InitDesc("w_weight"), (300, 400))
    assert abs(w.std() - np.sqrt(2 / (1 + 0.5 ** 2) / 400)) < 0.01 * w.std()


@pytest.mark.parametrize("shape", [(4, 10), (10, 4), (6, 2, 3, 3)])
@pytest.mark.parametrize("rand_type", ["uniform", "normal"])
def test_orthogonal_is_scaled_orthonormal(shape, rand_type):
    w = run(init.Orthogonal(2.0, rand_type), InitDesc("w_weight"), shape)
    m = w.reshape(shape[0], -1).astype(np.float64)
    gram = m @ m.T if m.shape[0] <= m.shape[1] else m.T @ m
    np.testing.assert_allclose(gram, 4.0 * np.eye(gram.shape[0]), atol=1e-4)


# ------------------------------------------------------- fixed-value initializers
def test_constant_scalar_and_array_values():
    np.testing.assert_array_equal(run(init.Constant(0.3), InitDesc("fc_weight"), (2, 2)),
                                  REF["values"]["Constant(0.3) weight"])
    np.testing.assert_array_equal(
        run(init.Constant(mx.nd.array([[1, 2], [3, 4]])), InitDesc("w_weight"), (2, 2)),
        REF["values"]["Constant(array) weight"])
    np.testing.assert_array_equal(
        run(init.Constant(np.array([1.0, 2.0])), InitDesc("w_weight"), (3, 2)), [[1, 2]] * 3)
    assert (run(init.Zero(), InitDesc("w_weight"), (3,)) == 0).all()
    assert (run(init.One(), InitDesc("w_weight"), (3,), "int32") == 1).all()


@pytest.mark.parametrize("shape,key", [((1, 1, 4, 4), "Bilinear (1,1,4,4)"),
                                       ((2, 1, 3, 5), "Bilinear (2,1,3,5)")])
def test_bilinear_kernel_values(shape, key):
    got = run(init.Bilinear(), InitDesc("up_weight"), shape)
    np.testing.assert_array_equal(got, np.float32(REF["values"][key]))
    # f = ceil(4/2) = 2, c = (2f-1-f%2)/(2f) = 0.75: corner weight (1-0.75)^2
    if shape == (1, 1, 4, 4):
        assert got[0, 0, 0, 0] == 0.0625 and got[0, 0, 1, 1] == 0.5625


def test_bilinear_needs_4d():
    with pytest.raises(ValueError, match="4-D"):
        run(init.Bilinear(), InitDesc("up_weight"), (4, 4))


def test_lstmbias_forget_gate_rows():
    got = run(init.LSTMBias(), InitDesc("lstm_bias", attrs={"__init__": init.LSTMBias().dumps()}),
              (8,))
    np.testing.assert_array_equal(got, REF["values"]["LSTMBias() (8,)"])
    got = run(init.LSTMBias(2.5), InitDesc("l_weight"), (12,))
    np.testing.assert_array_equal(got, REF["values"]["LSTMBias(2.5) (12,) via weight"])


def test_quantized_suffixes():
    w = run(init.Uniform(), InitDesc("q_weight_quantize"), (3, 3), "int8")
    assert len(np.unique(w)) == 1 and -127 <= w.flat[0] < 127
    assert (run(init.Uniform(), InitDesc("q_bias_quantize"), (3,), "int32") == 0).all()


# --------------------------------------------------------------------- FusedRNN
def test_fused_rnn_lstm_bidirectional_two_layers():
    # (in + h + 2) * h * gates * dirs + (layers-1) * gates * h * (h + dirs*h + 2) * dirs
    size = (3 + 2 + 2) * 2 * 4 * 2 + 1 * 4 * 2 * (2 + 2 * 2 + 2) * 2
    got = run(init.FusedRNN(init.One(), 2, 2, "lstm", True, 3.0), InitDesc("rnn_weight"), (size,))
    np.testing.assert_array_equal(got, REF["values"]["FusedRNN(One, 2, 2, lstm, True)"])


def test_fused_rnn_falls_back_to_global_init_and_plain_rnn():
    desc = InitDesc("rnn_parameters", attrs={"__init__": init.FusedRNN(None, 3, 1, "gru").dumps()})
    got = run(init.Constant(0.5), desc, ((2 + 3 + 2) * 3 * 3,))
    np.testing.assert_array_equal(got,
                                  REF["values"]["FusedRNN(None, 3, 1, gru) global Constant(0.5)"])
    got = run(init.FusedRNN(init.Constant(0.25), 2, 1, "rnn_tanh"), InitDesc("p_weight"), (10,))
    np.testing.assert_array_equal(got, REF["values"]["FusedRNN(Constant(0.25), 2, 1, rnn_tanh)"])


def test_fused_rnn_bad_input_is_clear():
    with pytest.raises(MXNetError, match="global initializer"):
        run(init.FusedRNN(None, 2, 1, "lstm"), InitDesc("rnn_weight"), (40,))
    with pytest.raises(MXNetError, match="Invalid parameters size"):
        run(init.FusedRNN(init.One(), 2, 1, "lstm"), InitDesc("rnn_weight"), (41,))
    with pytest.raises(MXNetError, match="unknown mode"):
        run(init.FusedRNN(init.One(), 2, 1, "xlstm"), InitDesc("rnn_weight"), (40,))


# ------------------------------------------------------------------ Mixed, Load
def test_mixed_first_matching_pattern_wins():
    mixed = init.Mixed(["fc1_.*", ".*bias", ".*"], [init.One(), init.Constant(2), init.Zero()])
    assert run(mixed, InitDesc("fc1_bias"), (2,)).tolist() == [0, 0]  # One's bias rule
    assert run(mixed, InitDesc("fc1_weight"), (2,)).tolist() == [1, 1]
    assert run(mixed, InitDesc("fc2_bias"), (2,)).tolist() == [0, 0]
    assert run(mixed, InitDesc("fc2_weight"), (2,)).tolist() == [0, 0]
    with pytest.raises(ValueError, match="fc_weight did not match any pattern"):
        run(init.Mixed(["bias"], [init.Zero()]), InitDesc("fc_weight"), (2,))
    check_error("mixed len", lambda: init.Mixed(["a"], []))


def test_load_strips_prefixes_and_falls_back():
    params = {"arg:w": mx.nd.ones((2, 3)), "aux:m": mx.nd.full((2,), 4.0), "v": mx.nd.zeros((1,))}
    load = init.Load(params, default_init=init.Constant(9))
    assert sorted(load.param) == ["m", "v", "w"]
    assert (run(load, InitDesc("w"), (2, 3)) == 1).all()
    assert (run(load, InitDesc("m"), (2,)) == 4).all()
    assert (run(load, InitDesc("x_weight"), (2,)) == 9).all()
    check_error("load shape", lambda: run(init.Load({"arg:w": mx.nd.ones((2, 3))}),
                                          InitDesc("w"), (3, 2)))
    check_error("load missing", lambda: run(init.Load({"arg:w": mx.nd.ones((2, 3))}),
                                            InitDesc("v"), (3, 2)))


def test_load_from_params_file(tmp_path):
    if not (hasattr(mx.nd, "save") and hasattr(mx.nd, "load")):
        pytest.skip("mx.nd.save/load not in this build yet")
    fname = str(tmp_path / "p.params")
    mx.nd.save(fname, {"arg:fc_weight": mx.nd.full((2, 2), 3.0)})
    assert (run(init.Load(fname), InitDesc("fc_weight"), (2, 2)) == 3).all()


def test_verbose_logging_lines_are_mxnets(caplog):
    caplog.set_level(logging.INFO)
    run(init.Constant(2.0).set_verbosity(True), InitDesc("fc_weight"), (2, 2))
    run(init.Constant(2.0).set_verbosity(True), InitDesc("fc_bias"), (4,))
    run(init.Constant(2.0).set_verbosity(True),
        InitDesc("fc_bias", attrs={"__init__": '["one", {}]'}), (4,))
    params = {"arg:w": mx.nd.ones((2, 3))}
    run(init.Load(params, init.Zero(), verbose=True), InitDesc("w"), (2, 3))
    run(init.Load(params, init.Zero(), verbose=True), InitDesc("v_bias"), (2, 3))
    got = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Initialized")]
    assert got == REF["verbose_log"].splitlines()
