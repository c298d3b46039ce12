"""The operator table's promises that nd.X relies on to skip work on its hot path."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from mxtorch import autograd, nd, sym
from mxtorch.base import MXNetError
from mxtorch.ops import all_ops
from tests.ops.sample import all_samples

_FRESH = sorted({e.name for e in all_ops().values() if e.fresh_outputs})
_SAMPLES = {s.id: s for s in all_samples() if all_ops()[s.op].fresh_outputs}


def _shares_memory(outputs, tensors) -> bool:
    outs = outputs if isinstance(outputs, (tuple, list)) else (outputs,)
    inputs = {t.untyped_storage().data_ptr() for t in tensors}
    return any(o.untyped_storage().data_ptr() in inputs for o in outs)


def _run_impl(name: str, tensors: list, attrs: dict):
    entry = all_ops()[name]
    return entry(*tensors, **entry.parse_attrs(attrs))


@pytest.mark.parametrize("sid", sorted(_SAMPLES))
def test_fresh_output_operators_never_return_input_memory(sid):
    s = _SAMPLES[sid]
    tensors = [torch.from_numpy(a) for a in s.make_inputs().values()]
    assert not _shares_memory(_run_impl(s.op, tensors, s.attrs), tensors)


@pytest.mark.parametrize("name", [n for n in _FRESH if len(all_ops()[n].inputs) == 1
                                  and not all_ops()[n].attrs])
@pytest.mark.parametrize("dtype", [torch.int32, torch.float32])
def test_fresh_unary_operators_copy_integer_and_float_arrays(name, dtype):
    # torch.floor/ceil/trunc of an integer tensor are copies; a no-op shortcut would alias
    x = torch.arange(1, 7, dtype=dtype).reshape(2, 3)
    assert not _shares_memory(_run_impl(name, [x], {}), [x])


@pytest.mark.parametrize("name", ["_plus_scalar", "_mul_scalar", "_power_scalar", "_div_scalar"])
def test_identity_scalars_still_give_a_new_array(name):
    x = torch.ones(2, 3)
    assert not _shares_memory(_run_impl(name, [x], {"scalar": 1.0 if "plus" not in name else 0.0}), [x])


def test_nd_outside_record_builds_no_graph_and_keeps_torch_grad_mode():
    x = nd.array(np.ones((2, 2), np.float32))
    x.attach_grad()
    assert torch.is_grad_enabled()
    y = nd.relu(x)
    assert y._t.grad_fn is None and torch.is_grad_enabled()
    with torch.no_grad():
        nd.relu(x)
        assert not torch.is_grad_enabled()
    with autograd.record():
        assert nd.relu(x)._t.grad_fn is not None


def test_grad_mode_is_restored_when_an_operator_fails():
    with pytest.raises(Exception):
        nd.elemwise_add(nd.ones((2,)), nd.ones((3,)))
    assert torch.is_grad_enabled()


def test_attribute_cache_tells_equal_values_of_different_types_apart():
    data, weight = nd.ones((2, 3)), nd.ones((1, 3))
    assert nd.FullyConnected(data, weight, num_hidden=1, no_bias=True).shape == (2, 1)
    with pytest.raises(MXNetError, match="num_hidden"):
        nd.FullyConnected(data, weight, num_hidden=True, no_bias=True)


def test_operators_without_attributes_ignore_what_they_are_given():
    # MXNet 1.9.1: zeros_like(x, dtype='int64') is float32 zeros (no parser, the keyword is
    # dropped); GluonCV's CenterNet decoder writes exactly that. An operator with attributes
    # still refuses an unknown one.
    x = nd.array([[1.5, -2.0]])
    z = nd.zeros_like(x, dtype="int64")
    assert z.dtype == np.float32 and z.asnumpy().tolist() == [[0.0, 0.0]]
    assert nd.ones_like(x, dtype="int64").asnumpy().tolist() == [[1.0, 1.0]]
    assert nd.relu(x, foo=3).asnumpy().tolist() == [[1.5, 0.0]]
    s = sym.zeros_like(sym.var("a"), dtype="int64")
    assert s.infer_type(a=np.float32)[1] == [np.float32]
    with pytest.raises(MXNetError, match=r"unknown attribute\(s\) \['foo'\]"):
        nd.Pooling(nd.ones((1, 1, 2, 2)), kernel=(1, 1), foo=3)
