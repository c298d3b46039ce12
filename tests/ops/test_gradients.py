"""Gradients of every operator sample against finite differences (float64).

Each sample (tests/ops/sample.py) with ``fd=True`` and inputs to differentiate is run through ``nd.<op>``
inside ``autograd.record()`` on float64 copies of its inputs, and ``torch.autograd.gradcheck`` compares
the gradients torch's autograd computes through mxtorch with central differences. New samples are
picked up as they are added.
"""
import numpy as np
import pytest
import torch

from mxtorch import autograd, nd
from mxtorch.ndarray.ndarray import NDArray
from tests.ops.sample import all_samples

SAMPLES = [s for s in all_samples() if s.fd and s.grad_inputs()]


def _as_float64(array: np.ndarray) -> torch.Tensor:
    tensor = torch.from_numpy(np.array(array))
    return tensor.double() if tensor.is_floating_point() else tensor


def _differentiable(outs: list) -> tuple:
    return tuple(o._t for o in outs if o._t.is_floating_point() and o._t.requires_grad)


@pytest.mark.parametrize("s", SAMPLES, ids=[s.id for s in SAMPLES])
def test_gradient_matches_finite_differences(s):
    arrays = s.make_inputs()
    grad_names = s.grad_inputs()
    fixed = {n: _as_float64(a) for n, a in arrays.items() if n not in grad_names}
    variables = tuple(_as_float64(arrays[n]).requires_grad_(True) for n in grad_names)
    fn = getattr(nd, s.op)

    def run(*tensors: torch.Tensor) -> tuple:
        inputs = {n: NDArray(t) for n, t in fixed.items()}
        inputs.update({n: NDArray(t) for n, t in zip(grad_names, tensors)})
        positional, keyword = s.call_kwargs({n: inputs[n] for n in arrays}, lambda x: x)
        torch.manual_seed(0)  # random operators draw the same numbers at every evaluation
        with autograd.record(train_mode=s.is_train):
            out = fn(*positional, **keyword)
        outs = _differentiable(out if isinstance(out, (list, tuple)) else [out])
        if any(o.dtype != torch.float64 for o in outs):
            pytest.skip("an output is computed below float64 (dtype attribute), finite "
                        "differences would measure its rounding")
        return outs

    if not run(*variables):
        pytest.skip("no floating-point output depends on the inputs")
    assert torch.autograd.gradcheck(run, variables, eps=1e-6, atol=1e-5, rtol=1e-3, fast_mode=True)
