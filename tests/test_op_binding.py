"""One binding of Python arguments to an operator's inputs and attributes, shared by nd, sym and F."""
import numpy as np
import pytest

import mxtorch as mx
from mxtorch import nd
from mxtorch.ops import get_op


def test_positional_arguments_are_inputs_then_attributes_in_declared_order():
    inputs, attrs = get_op("FullyConnected").bind(("x", "w", None, 5, True), {})
    assert inputs == {"data": "x", "weight": "w", "bias": None}
    assert attrs == {"num_hidden": 5, "no_bias": True}


@pytest.mark.parametrize("front", ["nd", "sym"])
def test_a_value_given_positionally_and_by_keyword_is_a_type_error(front):
    x = nd.ones((2, 2)) if front == "nd" else mx.sym.var("x")
    api = getattr(mx, front)
    with pytest.raises(TypeError, match="multiple values for argument 'shape'"):
        api.reshape(x, (4,), shape=(2, 2))
    with pytest.raises(TypeError, match="multiple values for argument 'data'"):
        api.Flatten(x, data=x)


@pytest.mark.parametrize("front", ["nd", "sym"])
def test_too_many_positional_arguments_is_a_type_error(front):
    x = nd.ones((2, 2)) if front == "nd" else mx.sym.var("x")
    with pytest.raises(TypeError, match="takes at most 1 positional arguments"):
        getattr(mx, front).Flatten(x, 1, 2, 3)


def test_variadic_operators_take_inputs_one_by_one_or_as_a_list():
    a, b = nd.ones((1, 2)), nd.zeros((1, 2))
    for out in (nd.concat(a, b, dim=0), nd.concat([a, b], dim=0)):
        np.testing.assert_array_equal(out.asnumpy(), [[1, 1], [0, 0]])
    inputs, attrs = get_op("Concat").bind(([1, 2, 3],), {"dim": 0})
    assert inputs == [1, 2, 3] and attrs == {"dim": 0, "num_args": 3}
    s = mx.sym.concat([mx.sym.var("a"), mx.sym.var("b")], dim=0)
    assert s.list_arguments() == ["a", "b"] and s.attr("num_args") == "2"


def test_the_same_call_means_the_same_thing_eagerly_and_symbolically():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    eager = nd.slice_axis(nd.array(x), 1, 1, 3)
    sym = mx.sym.slice_axis(mx.sym.var("x"), 1, 1, 3)
    out = sym.eval(ctx=mx.cpu(), x=nd.array(x))[0]
    np.testing.assert_array_equal(eager.asnumpy(), out.asnumpy())


def test_generated_docstrings_name_the_array_type_of_their_front_end():
    assert "out : NDArray, optional" in nd.Convolution.__doc__
    assert "Symbol" in mx.sym.Convolution.__doc__ and "\nout : " not in mx.sym.Convolution.__doc__
    assert "kernel : Shape(tuple), required" in mx.sym.Convolution.__doc__
