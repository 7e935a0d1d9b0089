"""``Executor`` (``bind``/``simple_bind``) against MXNet 1.9.1.

The fixture nets ``mlp`` and ``makeloss`` (tests/fixtures/mxnet/checkpoints,
refs) were run by MXNet's Module; an Executor bound on the same symbol and
parameters must give the same outputs (eval and train) and gradients within
the fixtures README tolerance |d| <= 1e-5 + 1e-4|ref|. The smaller cases pin
MXNet 1.9.1's Executor API behaviour (recorded with the real MXNet).
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import FIXTURES, assert_mxnet_close

import mxjax as mx
from mxjax.executor import HEAD_GRAD_REQUIRED

CKPT = FIXTURES / "checkpoints"
REFS = FIXTURES / "refs"


def _bind_fixture(net: str, grad_req="write"):
    sym = mx.sym.load(str(CKPT / f"{net}-symbol.json"))
    params = mx.nd.load(str(CKPT / f"{net}-0001.params"))
    inputs = dict(np.load(REFS / f"{net}-inputs.npz"))
    ex = sym.simple_bind(mx.cpu(), grad_req=grad_req,
                         **{k: v.shape for k, v in inputs.items()})
    ex.copy_params_from({k[4:]: v for k, v in params.items() if k.startswith("arg:")},
                        {k[4:]: v for k, v in params.items() if k.startswith("aux:")})
    for k, v in inputs.items():
        ex.arg_dict[k][:] = v
    return ex, inputs, dict(np.load(REFS / f"{net}-ref.npz"))


@pytest.mark.parametrize("net", ["mlp", "makeloss"])
def test_fixture_net_forward_eval_and_train_match_mxnet_out_refs(net):
    ex, _, ref = _bind_fixture(net)
    for mode in ("eval", "train"):
        outs = ex.forward(is_train=(mode == "train"))
        n = len([k for k in ref if k.startswith(f"out_{mode}/")])
        assert len(outs) == n
        for i, o in enumerate(outs):
            assert_mxnet_close(o.asnumpy(), ref[f"out_{mode}/{i}"], f"{net} out_{mode}/{i}")


@pytest.mark.parametrize("net", ["mlp", "makeloss"])
def test_fixture_net_gradients_match_mxnet_grad_refs(net):
    # labels get no gradient (MXNet's Module binds them with grad_req 'null')
    label = {"mlp": "softmax_label", "makeloss": "label"}[net]
    ex, _, ref = _bind_fixture(net, grad_req={n: "write" for n in
                                              mx.sym.load(str(CKPT / f"{net}-symbol.json"))
                                              .list_arguments() if n != label})
    ex.forward(is_train=True)
    ex.backward()  # loss heads and BlockGrad need no head gradient
    assert ex.grad_dict[label] is None
    grads = [k for k in ref if k.startswith("grad/")]
    assert grads
    for k in grads:
        assert_mxnet_close(ex.grad_dict[k[5:]].asnumpy(), ref[k], f"{net} {k}")


def test_mlp_train_outputs_are_available_after_backward_too():
    ex, _, ref = _bind_fixture("mlp")
    outs = ex.forward(is_train=True)
    ex.backward()
    assert_mxnet_close(outs[0].asnumpy(), ref["out_train/0"], "mlp out_train/0")


def _fc():
    x = mx.sym.var("x")
    w = mx.sym.var("w")
    return mx.sym.FullyConnected(x, w, num_hidden=2, no_bias=True, name="fc")


def _ones_args():
    return [mx.nd.ones((3, 4)), mx.nd.ones((2, 4))]


def test_bind_with_list_and_dict_gives_mxnet_output():
    # MXNet: FC(ones(3,4), ones(2,4)) = 4 everywhere; output named fc_output
    for args in (_ones_args(), dict(zip(["x", "w"], _ones_args(), strict=True))):
        ex = _fc().bind(mx.cpu(), args)
        out = ex.forward()[0]
        np.testing.assert_array_equal(out.asnumpy(), np.full((3, 2), 4.0, np.float32))
        assert list(ex.output_dict) == ["fc_output"]
        assert ex.grad_dict == {"x": None, "w": None}  # no args_grad: no gradients
        assert ex.aux_arrays == []


def test_bind_shares_the_callers_arrays():
    args = _ones_args()
    ex = _fc().bind(mx.cpu(), args)
    args[1][:] = 2  # MXNet's executor reads the bound NDArrays themselves
    np.testing.assert_array_equal(ex.forward()[0].asnumpy(), np.full((3, 2), 8.0))


def test_bind_missing_argument_is_mxnets_value_error():
    with pytest.raises(ValueError, match="key `w` is missing in `args`"):
        _fc().bind(mx.cpu(), {"x": mx.nd.ones((3, 4))})
    with pytest.raises(ValueError, match="Length of args does not match"):
        _fc().bind(mx.cpu(), [mx.nd.ones((3, 4))])
    with pytest.raises(TypeError, match="Only accept list of NDArrays"):
        _fc().bind(mx.cpu(), [np.ones((3, 4)), mx.nd.ones((2, 4))])


def test_grad_req_write_add_null_follow_mxnet():
    hg = [mx.nd.ones((3, 2))]
    # write: d/dw sum(x w^T) with head 1 = column sums of x = 3
    g = {"w": mx.nd.ones((2, 4))}
    ex = _fc().bind(mx.cpu(), _ones_args(), args_grad=g, grad_req="write")
    ex.forward(is_train=True)
    ex.backward(hg)
    np.testing.assert_array_equal(g["w"].asnumpy(), np.full((2, 4), 3.0))
    # add: starts from 1, two backward passes add 3 each -> 7 (MXNet's number)
    g = {"w": mx.nd.ones((2, 4))}
    ex = _fc().bind(mx.cpu(), _ones_args(), args_grad=g, grad_req="add")
    for _ in range(2):
        ex.forward(is_train=True)
        ex.backward(hg)
    np.testing.assert_array_equal(g["w"].asnumpy(), np.full((2, 4), 7.0))
    # null: untouched
    g = {"w": mx.nd.ones((2, 4))}
    ex = _fc().bind(mx.cpu(), _ones_args(), args_grad=g, grad_req="null")
    ex.forward(is_train=True)
    ex.backward(hg)
    np.testing.assert_array_equal(g["w"].asnumpy(), np.ones((2, 4)))
    # per-argument list and dict (missing names are 'null'); MXNet: x 1+2=3 with 'add'
    g = [mx.nd.ones((3, 4)), mx.nd.ones((2, 4))]
    ex = _fc().bind(mx.cpu(), _ones_args(), args_grad=g, grad_req=["add", "null"])
    ex.forward(is_train=True)
    ex.backward(hg)
    np.testing.assert_array_equal(g[0].asnumpy(), np.full((3, 4), 3.0))
    np.testing.assert_array_equal(g[1].asnumpy(), np.ones((2, 4)))
    with pytest.raises(ValueError, match="grad_req must be in"):
        _fc().bind(mx.cpu(), _ones_args(), args_grad=g, grad_req="bogus")


def test_simple_bind_allocates_zeros_and_gradients_per_grad_req():
    ex = _fc().simple_bind(mx.cpu(), x=(3, 4))
    assert [a.shape for a in ex.arg_arrays] == [(3, 4), (2, 4)]
    assert sorted(ex.grad_dict) == ["w", "x"] and ex.grad_dict["x"].shape == (3, 4)
    assert not ex.arg_dict["w"].asnumpy().any()
    ex = _fc().simple_bind(mx.cpu(), grad_req="null", x=(3, 4))
    assert ex.grad_dict == {"x": None, "w": None}
    ex = _fc().simple_bind(mx.cpu(), grad_req={"w": "write"}, x=(3, 4))
    assert ex.grad_dict["x"] is None and ex.grad_dict["w"].shape == (2, 4)
    ex = _fc().simple_bind(mx.cpu(), type_dict={"x": "float64"}, x=(3, 4))
    assert [a.dtype for a in ex.arg_arrays] == [np.float64, np.float64]
    with pytest.raises(mx.MXNetError, match="x: \\(\\), w: \\(\\)"):
        _fc().simple_bind(mx.cpu())
    # MXNet raises RuntimeError here; MXNetError is one
    assert issubclass(mx.MXNetError, RuntimeError)


def test_backward_without_head_gradient_on_non_loss_output_is_mxnets_error():
    ex = _fc().simple_bind(mx.cpu(), x=(3, 4))
    ex.forward(is_train=True)
    with pytest.raises(mx.MXNetError) as err:
        ex.backward()
    assert str(err.value) == HEAD_GRAD_REQUIRED
    assert "head_gradient is required when calling backward" in HEAD_GRAD_REQUIRED
    x = mx.sym.var("data")
    grp = mx.sym.Group([mx.sym.MakeLoss(x * 2, name="l"), x * 3])
    ex = grp.simple_bind(mx.cpu(), data=(2,))
    ex.forward(is_train=True, data=mx.nd.array([1, 2]))
    with pytest.raises(mx.MXNetError, match="head_gradient is required"):
        ex.backward()
    # with a head gradient for the plain output: 2 (MakeLoss) + 3 * 2 = 8 (MXNet's number)
    ex.backward([mx.nd.ones((2,)), mx.nd.ones((2,)) * 2])
    np.testing.assert_array_equal(ex.grad_dict["data"].asnumpy(), [8.0, 8.0])


def test_loss_head_ignores_the_head_gradient():
    # MXNet: SoftmaxOutput's gradient is softmax - onehot whatever head gradient arrives
    x = mx.sym.var("data")
    ex = mx.sym.SoftmaxOutput(x, name="sm").simple_bind(mx.cpu(), data=(1, 2))
    ex.forward(is_train=True, data=mx.nd.array([[1, 2]]), sm_label=mx.nd.array([1]))
    ex.backward([mx.nd.ones((1, 2)) * 5])
    np.testing.assert_allclose(ex.grad_dict["data"].asnumpy(),
                               [[0.26894143, -0.2689414]], rtol=1e-6)


def test_backward_after_eval_forward_differentiates_the_eval_graph():
    ex = _fc().simple_bind(mx.cpu(), x=(3, 4))
    ex.arg_dict["x"][:] = 1
    ex.forward(is_train=False)
    ex.backward([mx.nd.ones((3, 2))])  # MXNet allows this: grad_w = 3
    np.testing.assert_array_equal(ex.grad_dict["w"].asnumpy(), np.full((2, 4), 3.0))
    fresh = _fc().simple_bind(mx.cpu(), x=(3, 4))
    with pytest.raises(mx.MXNetError, match="forward"):
        fresh.backward([mx.nd.ones((3, 2))])


def test_outputs_are_persistent_handles_like_mxnet():
    ex = _fc().simple_bind(mx.cpu(), x=(3, 4))
    first = ex.outputs  # MXNet: the bound output arrays exist before forward
    assert [o.shape for o in first] == [(3, 2)]
    ex.arg_dict["w"][:] = 1
    o1 = ex.forward(x=mx.nd.ones((3, 4)))[0]
    np.testing.assert_array_equal(o1.asnumpy(), np.full((3, 2), 4.0))
    ex.forward(x=mx.nd.ones((3, 4)) * 2)
    # the array from the first forward shows the second result (MXNet: 8)
    np.testing.assert_array_equal(o1.asnumpy(), np.full((3, 2), 8.0))
    assert ex.outputs[0] is first[0]
    assert list(ex.output_dict) == ["fc_output"]


def test_forward_kwargs_errors_are_mxnets():
    ex = _fc().simple_bind(mx.cpu(), x=(3, 4))
    with pytest.raises(TypeError, match="Unknown argument z"):
        ex.forward(z=mx.nd.ones((3, 4)))
    with pytest.raises(ValueError, match=r"Shape not match! Argument x, need: \(3, 4\), "
                                         r"received: \(2, 4\)"):
        ex.forward(x=mx.nd.ones((2, 4)))
    ex.arg_dict["w"][:] = 1
    np.testing.assert_array_equal(ex.forward(x=np.ones((3, 4)))[0].asnumpy(), np.full((3, 2), 4))


def test_reshape_shares_down_sized_memory_and_needs_allow_up_sizing():
    ex = _fc().simple_bind(mx.cpu(), x=(3, 4))
    ex.arg_dict["x"][:] = 1
    ex.arg_dict["w"][:] = 1
    small = ex.reshape(x=(2, 4))
    assert small.arg_dict["x"].shape == (2, 4)
    assert small.arg_dict["w"] is ex.arg_dict["w"]  # unchanged shape: the same array
    small.arg_dict["x"][:] = 7  # a view on the start of the old buffer, as in MXNet
    np.testing.assert_array_equal(ex.arg_dict["x"].asnumpy(), [[7] * 4, [7] * 4, [1] * 4])
    assert {k: v.shape for k, v in small.grad_dict.items()} == {"x": (2, 4), "w": (2, 4)}
    np.testing.assert_array_equal(small.forward()[0].asnumpy(), np.full((2, 2), 28.0))
    with pytest.raises(mx.MXNetError, match="New shape of arg: x is larger than original"):
        ex.reshape(x=(5, 4))
    big = ex.reshape(allow_up_sizing=True, x=(5, 4))
    assert big.arg_dict["x"].shape == (5, 4) and not big.arg_dict["x"].asnumpy().any()
    with pytest.raises(mx.MXNetError, match="Shape of unspecified array arg: w changed"):
        ex.reshape(allow_up_sizing=True, x=(3, 5))
    part = ex.reshape(partial_shaping=True, allow_up_sizing=True, x=(3, 5))
    assert part.arg_dict["w"].shape == (2, 5)


def test_copy_params_from_casts_and_rejects_unknown_names():
    ex = _fc().simple_bind(mx.cpu(), x=(3, 4))
    ex.copy_params_from({"w": mx.nd.ones((2, 4), dtype="float64")})
    assert ex.arg_dict["w"].dtype == np.float32
    np.testing.assert_array_equal(ex.arg_dict["w"].asnumpy(), np.ones((2, 4)))
    with pytest.raises(ValueError, match='Find name "q" that is not in the arguments'):
        ex.copy_params_from({"w": mx.nd.ones((2, 4)), "q": mx.nd.ones((1,))})
    ex.copy_params_from({"q": mx.nd.ones((1,))}, allow_extra_params=True)
    with pytest.raises(ValueError, match="Find name q that is not in the auxiliary states"):
        ex.copy_params_from({}, {"q": mx.nd.ones((1,))})


def test_dropout_is_identity_in_eval_and_inverted_dropout_in_training():
    x = mx.sym.var("x")
    ex = mx.sym.Dropout(x, p=0.5).simple_bind(mx.cpu(), x=(1000,))
    ex.arg_dict["x"][:] = 1
    assert ex.forward(is_train=False)[0].asnumpy().sum() == 1000.0
    o = ex.forward(is_train=True)[0].asnumpy()
    assert set(np.unique(o)) <= {0.0, 2.0} and 400 < (o == 0).sum() < 600


def test_monitor_callback_sees_every_op_output():
    seen = []
    data = mx.sym.var("data")
    net = mx.sym.Activation(mx.sym.FullyConnected(data, num_hidden=2, name="fc"),
                            act_type="relu", name="relu")
    ex = net.simple_bind(mx.cpu(), data=(1, 3))
    ex.set_monitor_callback(lambda name, arr: seen.append((name, arr.shape)))
    ex.forward()
    assert seen == [("fc_output", (1, 2)), ("relu_output", (1, 2))]
    seen.clear()
    ex.set_monitor_callback(lambda name, arr: seen.append(name), monitor_all=True)
    ex.forward()
    assert seen == ["data", "fc_weight", "fc_bias", "fc_output", "relu_output"]


def test_symbol_eval_returns_the_outputs():
    x = mx.sym.var("x")
    (out,) = (x * 2).eval(ctx=mx.cpu(), x=mx.nd.array([1, 2]))
    np.testing.assert_array_equal(out.asnumpy(), [2.0, 4.0])
