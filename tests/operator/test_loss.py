"""operator/loss.py: loss heads' MXNet-specific backward rules."""

import numpy as np

import mxjax as mx


def test_softmax_output_on_3d_data_without_multi_output_reads_the_first_n_labels():
    # MXNet 1.9.1: data (2, 3, 4) is softmaxed as (2, 12); the backward reads the first
    # N = 2 entries of the (2, 3) label. Recorded: grad[:, 0, :2] below.
    ex = mx.sym.SoftmaxOutput(mx.sym.var("data"), name="sm").simple_bind(mx.cpu(),
                                                                         data=(2, 3, 4))
    assert ex.arg_dict["sm_label"].shape == (2, 3)
    ex.arg_dict["data"][:] = np.arange(24).reshape(2, 3, 4) / 10.0
    ex.arg_dict["sm_label"][:] = [[0, 1, 2], [3, 0, 1]]
    ex.forward(is_train=True)
    ex.backward()
    np.testing.assert_allclose(ex.grad_dict["data"].asnumpy()[:, 0, :2],
                               [[-0.95467, 0.0501], [0.04533, -0.9499]], atol=1e-4)
