"""Every seed kernel compiles with nothing left in Python, on lists and on numpy
arrays, and returns what CPython returns (the differential acceptance check)."""

from __future__ import annotations

import warnings

import pytest
from conftest import assert_same_outcome, outcome
from hypothesis import given, settings
from hypothesis import strategies as st
from seed_kernels import KERNELS

import rustify

ACCELERATED = {name: rustify.accelerate(k.func, eager=True) for name, k in KERNELS.items()}


@pytest.mark.parametrize("as_numpy", [False, True], ids=["list", "numpy"])
@pytest.mark.parametrize("name", sorted(KERNELS))
def test_seed_kernel_is_native_and_matches_python(name, as_numpy):
    kernel, fast = KERNELS[name], ACCELERATED[name]
    args = kernel.make_args(kernel.size, as_numpy)
    with warnings.catch_warnings():
        warnings.simplefilter("error", rustify.RustifyWarning)
        got = outcome(fast, args)
    assert fast.rustify.last_call == "native", fast.rustify.explain()
    assert not fast.rustify.reasons
    expected = outcome(kernel.func, args)
    assert_same_outcome(expected, got, rel=1e-12)


@pytest.mark.parametrize("name", sorted(KERNELS))
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_seed_kernel_on_generated_inputs(name, data):
    """Random lengths (including 0 and 1) and values: same value or same exception."""
    kernel, fast = KERNELS[name], ACCELERATED[name]
    as_numpy = data.draw(st.booleans(), label="numpy")
    n = data.draw(st.integers(0, 40), label="n")
    seed = data.draw(st.integers(0, 2**32), label="seed")
    args = kernel.make_args(n, as_numpy, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy's own warnings in the Python run
        expected = outcome(kernel.func, args)
        got = outcome(fast, args)
    assert_same_outcome(expected, got, rel=1e-12)
