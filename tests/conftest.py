"""Shared test helpers: paths to the MXNet 1.9.1 fixtures copied into tests/fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "mxnet"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def manifest() -> dict:
    return json.loads((FIXTURES / "manifest.json").read_text())


def assert_mxnet_close(got, ref, what: str = "") -> None:
    """The fixtures README's float32 tolerance: |got-ref| <= 1e-5 + 1e-4*|ref|."""
    got = np.asarray(got, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    assert got.shape == ref.shape, f"{what}: shape {got.shape} != {ref.shape}"
    bad = np.abs(got - ref) > 1e-5 + 1e-4 * np.abs(ref)
    assert not bad.any(), (
        f"{what}: {bad.sum()} of {bad.size} elements differ; max abs diff "
        f"{np.max(np.abs(got - ref)):.3g}"
    )
