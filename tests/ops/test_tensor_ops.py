"""Tensor operators beyond the golden outputs: positional attributes, output types, gradients at
special points, errors. The conformance walk over every operator (signatures, goldens, shape rules,
finite differences) is tests/ops/test_op_table.py."""
import numpy as np
import pytest

from mxtorch import autograd, nd
from mxtorch.base import MXNetError


def test_attributes_can_be_given_positionally_in_mxnet_order():
    x = nd.array([[-2.0, 0.5, 3.0]])
    np.testing.assert_array_equal(nd.clip(x, -1, 1).asnumpy(), [[-1, 0.5, 1]])
    assert nd.one_hot(nd.array([1, 0]), 3).shape == (2, 3)
    assert nd.swapaxes(nd.ones((2, 3, 4)), 0, 2).shape == (4, 3, 2)
    assert nd.slice_axis(nd.ones((2, 5)), 1, 1, 3).shape == (2, 2)


def test_split_returns_an_array_for_one_output_and_a_list_otherwise():
    x = nd.ones((2, 6))
    assert isinstance(nd.split(x, num_outputs=1), nd.NDArray)
    parts = nd.split(x, num_outputs=3)
    assert isinstance(parts, list) and [p.shape for p in parts] == [(2, 2)] * 3


def test_whole_array_reductions_have_shape_one():
    x = nd.ones((2, 3))
    for fn in (nd.sum, nd.mean, nd.max, nd.prod, nd.norm, nd.argmax):
        assert fn(x).shape == (1,)
    assert nd.dot(nd.ones(3), nd.ones(3)).shape == (1,)


def test_output_dtypes():
    f64 = nd.ones((2, 3), dtype="float64")
    assert nd.argmax(f64, axis=1).dtype == np.float64  # indices in the input's dtype
    assert nd.argmax(nd.ones((2, 3)), axis=1).dtype == np.float32
    assert nd.topk(f64, k=1).dtype == np.float32  # topk indices: float32 unless dtype=
    assert nd.topk(f64, k=1, dtype=np.int64).dtype == np.int64
    assert nd.argsort(f64).dtype == np.float32
    assert (f64 > 0).dtype == np.float64  # comparisons keep the input dtype
    assert nd.shape_array(f64).dtype == np.int64 and nd.size_array(f64).dtype == np.int64
    assert nd.norm(f64, out_dtype="float32").dtype == np.float32


def test_amp_multicast_casts_to_the_widest_or_narrowest_float():
    half, single, ints = nd.ones(2, dtype="float16"), nd.ones(2), nd.ones(2, dtype="int32")
    assert [o.dtype for o in nd.amp_multicast(half, single, ints)] == [np.float32, np.float32,
                                                                         np.int32]
    assert [o.dtype for o in nd.amp_multicast(half, single, cast_narrow=True)] == [np.float16] * 2


def _grad(fn, x, create_graph=False):
    x = nd.array(x)
    x.attach_grad()
    with autograd.record():
        y = fn(x)
    return autograd.grad(y, x, create_graph=create_graph, retain_graph=True)[0], x


def test_cbrt_gradient_at_zero_is_infinite_as_in_mxnet():
    g, _ = _grad(nd.cbrt, [0.0, -8.0, 8.0])
    assert np.isinf(g.asnumpy()[0])
    np.testing.assert_allclose(g.asnumpy()[1:], [1 / 12, 1 / 12], rtol=1e-6)


def test_max_gradient_of_ties_is_differentiable_twice():
    x = nd.array([[1.0, 3.0, 3.0]])
    x.attach_grad()
    with autograd.record():
        y = nd.max(x * x, axis=1)
        (g,) = autograd.grad(y, x, create_graph=True, retain_graph=True)
        z = nd.sum(g)
    z.backward()
    np.testing.assert_allclose(g.asnumpy(), [[0, 6, 6]])
    np.testing.assert_allclose(x.grad.asnumpy(), [[0, 2, 2]])


def test_maximum_routes_the_gradient_of_ties_to_lhs():
    a, b = nd.array([1.0, 2.0]), nd.array([1.0, 3.0])
    a.attach_grad()
    b.attach_grad()
    with autograd.record():
        y = nd.broadcast_maximum(a, b)
    y.backward()
    np.testing.assert_array_equal(a.grad.asnumpy(), [1, 0])
    np.testing.assert_array_equal(b.grad.asnumpy(), [0, 1])


@pytest.mark.parametrize("call, message", [
    (lambda: nd.elemwise_add(nd.ones(3), nd.ones(4)), "shapes must be equal"),
    (lambda: nd.broadcast_add(nd.ones(3), nd.ones(3, dtype="int32")), "same dtype"),
    (lambda: nd.dot(nd.ones((2, 3)), nd.ones((2, 3))), "contracted dimension"),
    (lambda: nd.dot(nd.ones(3), nd.ones(3), transpose_a=True), "cannot transpose vectors"),
    (lambda: nd.batch_dot(nd.ones((2, 3)), nd.ones((3, 2))), "rank >= 3"),
    (lambda: nd.concat(nd.ones((1, 2)), nd.ones((1, 2), dtype="int32")), "non-uniform data type"),
    (lambda: nd.concat(nd.ones((1, 2)), nd.ones((2, 2)), dim=1), "cannot join"),
    (lambda: nd.stack(nd.ones((1, 2)), nd.ones((2, 2))), "same shape"),
    (lambda: nd.split(nd.ones((2, 3)), num_outputs=2), "evenly sized"),
    (lambda: nd.split(nd.ones((2, 4)), num_outputs=2, squeeze_axis=True), "squeeze_axis"),
    (lambda: nd.squeeze(nd.ones((1, 3)), axis=1), "not 1"),
    (lambda: nd.take(nd.ones(3), nd.array([5]), mode="raise"), "out of bounds"),
    (lambda: nd.pick(nd.ones((2, 3)), nd.array([0, 1]), axis=None), "axis=None"),
    (lambda: nd.norm(nd.ones(3), ord=3), "ord=1 and ord=2"),
    (lambda: nd.topk(nd.ones((2, 3)), k=4), "exceeds"),
    (lambda: nd.argsort(nd.ones(3), dtype="int8"), "not supported"),
    (lambda: nd.where(nd.ones(3), nd.ones(3), nd.ones(4)), "same shape"),
    (lambda: nd.broadcast_to(nd.ones((2, 3)), shape=(4, 3)), "cannot broadcast"),
    (lambda: nd.transpose(nd.ones((2, 3)), axes=(0, 0)), "not a permutation"),
    (lambda: nd.sum(nd.ones((2, 3)), axis=2), "out of bounds"),
    (lambda: nd.cast_storage(nd.ones(2), stype="csr"), "not supported"),
    (lambda: nd.Cast(nd.ones(2), dtype="float8"), "dtype"),
    (lambda: nd.clip(nd.ones(2)), "a_min"),
])
def test_bad_input_raises_mxnet_error(call, message):
    with pytest.raises(MXNetError, match=message):
        call()
