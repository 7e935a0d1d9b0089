"""MXNet 1.9.1's optimizer update operators (``mx.nd.sgd_update`` ... ``lamb_update_phase2``)
against three steps recorded from real MXNet (``tests/ndarray/record_apigaps.py``): the new
weight, every state array written in place, ``out=`` returning the given array, a learning
rate changing between steps, and MXNet's quirks (nag's in-place momentum, mp_lamb phase 2
leaving weight32 alone)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "ndarray"))
from apigap_cases import (  # noqa: E402
    OPT_CASES,
    lamb_phase2_cases,
    load_reference,
    mismatches,
    run_optimizer_case,
)

import mxjax as mx  # noqa: E402
from mxjax.base import MXNetError  # noqa: E402

REF = load_reference()


@pytest.mark.parametrize("case", sorted(OPT_CASES))
def test_update_steps_match_recorded_mxnet(case):
    """Weight and state arrays after each of three steps equal MXNet's."""
    bad = mismatches(f"opt_{case}", run_optimizer_case(mx, case), REF)
    assert not bad, "\n".join(bad)


def test_lamb_phase2_mixed_precision_and_no_out_match_mxnet():
    """lamb phase 2 (bounds, r2 = 0), mp_lamb phases 1+2, sgd_mom without out= (states still
    updated in place), nag without out=, positional attributes."""
    bad = mismatches("lamb2", lamb_phase2_cases(mx), REF)
    assert not bad, "\n".join(bad)


def test_sgd_mom_update_formula():
    """mom = momentum*mom - lr*wd*w - lr*clip(rescale*g); w += mom (MXNet's SGDMomKernel)."""
    w = mx.nd.array([1.0, -2.0])
    g = mx.nd.array([3.0, 0.5])
    mom = mx.nd.array([0.1, 0.2])
    mx.nd.sgd_mom_update(w, g, mom, lr=0.1, momentum=0.9, wd=0.5, rescale_grad=0.5,
                         clip_gradient=1.0, out=w)
    exp_mom = 0.9 * np.array([0.1, 0.2]) - 0.1 * 0.5 * np.array([1.0, -2.0]) \
        - 0.1 * np.clip(0.5 * np.array([3.0, 0.5]), -1, 1)
    np.testing.assert_allclose(mom.asnumpy(), exp_mom, rtol=1e-6)
    np.testing.assert_allclose(w.asnumpy(), np.array([1.0, -2.0]) + exp_mom, rtol=1e-6)


def test_missing_lr_and_state_are_clear_errors():
    w, g = mx.nd.ones((2,)), mx.nd.ones((2,))
    with pytest.raises(MXNetError, match="'lr' is missing"):
        mx.nd.sgd_update(w, g)
    with pytest.raises(MXNetError, match="missing.*mom"):
        mx.nd.sgd_mom_update(w, g, lr=0.1)
    with pytest.raises(MXNetError, match="mom has shape"):
        mx.nd.sgd_mom_update(w, g, mx.nd.zeros((3,)), lr=0.1)
    with pytest.raises(MXNetError, match="Cannot find argument 'beta'"):
        mx.nd.adam_update(w, g, mx.nd.zeros((2,)), mx.nd.zeros((2,)), lr=0.1, beta=0.9)


def test_changing_lr_reuses_the_compiled_update():
    """lr/wd are traced values: a new learning rate each step does not add a compilation."""
    from mxjax.ndarray import mutate

    w, g = mx.nd.ones((3,)), mx.nd.ones((3,))
    mx.nd.sgd_update(w, g, lr=0.5, out=w)
    before = mutate._compiled.cache_info().currsize
    for lr in (0.1, 0.2, 0.3):
        mx.nd.sgd_update(w, g, lr=lr, wd=lr / 10, out=w)
    assert mutate._compiled.cache_info().currsize == before
    exp = 0.5
    for lr in (0.1, 0.2, 0.3):
        exp = (1 - lr * lr / 10) * exp - lr
    np.testing.assert_allclose(w.asnumpy(), np.full(3, exp), rtol=1e-6)


def test_symbol_update_op_lists_states_as_auxiliary():
    """MXNet's mutable inputs (the momentum) are auxiliary states of the symbol."""
    s = mx.sym.sgd_mom_update(mx.sym.var("w"), mx.sym.var("g"), mx.sym.var("m"), lr=0.1)
    assert s.list_arguments() == ["w", "g"]
    assert s.list_auxiliary_states() == ["m"]
