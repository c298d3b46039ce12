"""autograd as in MXNet 1.9.1 (every expected value and error was checked against the reference)."""
import numpy as np
import pytest

import mxtorch as mx
from mxtorch import MXNetError, autograd, nd


def _var(values, grad_req="write"):
    x = nd.array(values)
    x.attach_grad(grad_req)
    return x


def test_recording_and_training_flags():
    assert (autograd.is_recording(), autograd.is_training()) == (False, False)
    with autograd.record():
        assert (autograd.is_recording(), autograd.is_training()) == (True, True)
        with autograd.pause():
            assert (autograd.is_recording(), autograd.is_training()) == (False, False)
        with autograd.predict_mode():
            assert (autograd.is_recording(), autograd.is_training()) == (True, False)
        assert (autograd.is_recording(), autograd.is_training()) == (True, True)
    with autograd.record(train_mode=False):
        assert (autograd.is_recording(), autograd.is_training()) == (True, False)
    with autograd.train_mode():
        assert (autograd.is_recording(), autograd.is_training()) == (False, True)
    with autograd.pause(train_mode=True):
        assert autograd.is_training()
    assert (autograd.is_recording(), autograd.is_training()) == (False, False)


def test_set_recording_and_set_training_return_previous_state():
    assert autograd.set_recording(True) is False
    assert autograd.set_recording(False) is True
    assert autograd.set_training(True) is False
    assert autograd.set_training(False) is True


def test_flags_restored_after_an_exception():
    with pytest.raises(KeyError):
        with autograd.record():
            raise KeyError
    assert not autograd.is_recording() and not autograd.is_training()


def _square_sum_backward(x):
    with autograd.record():
        y = (x * x).sum()
    y.backward()
    return x.grad.asnumpy().tolist()


def test_grad_req_write_overwrites():
    x = _var([1, 2, 3])
    assert x.grad.asnumpy().tolist() == [0, 0, 0]
    assert _square_sum_backward(x) == [2, 4, 6]
    assert _square_sum_backward(x) == [2, 4, 6]


def test_grad_req_add_accumulates():
    x = _var([1, 2, 3], "add")
    assert _square_sum_backward(x) == [2, 4, 6]
    assert _square_sum_backward(x) == [4, 8, 12]
    x.grad[:] = 0  # how Trainer/zero_grad reset it
    assert _square_sum_backward(x) == [2, 4, 6]


def test_grad_req_null_keeps_a_zero_buffer_and_backward_fails():
    x = _var([1, 2, 3], "null")
    assert x.grad.asnumpy().tolist() == [0, 0, 0]
    with pytest.raises(MXNetError):
        _square_sum_backward(x)


def test_reattaching_gives_a_fresh_buffer():
    x = _var([1, 2, 3])
    _square_sum_backward(x)
    x.attach_grad()
    assert x.grad.asnumpy().tolist() == [0, 0, 0]


def test_bad_grad_req():
    with pytest.raises(ValueError, match="grad_req"):
        nd.ones((1,)).attach_grad("foo")


def test_gradient_buffer_is_the_same_object_across_backward_calls():
    x = _var([1, 2])
    buf = x.grad
    _square_sum_backward(x)
    assert x.grad is buf and buf.asnumpy().tolist() == [2, 4]


def test_backward_with_head_gradient_and_multiple_heads():
    x = _var([1, 2, 3])
    with autograd.record():
        y = x * x
    y.backward(nd.array([1, 10, 100]))
    assert x.grad.asnumpy().tolist() == [2, 40, 600]
    with autograd.record():
        y = x * x
        z = x * 3
    autograd.backward([y, z], [nd.ones((3,)), nd.ones((3,)) * 2])
    assert x.grad.asnumpy().tolist() == [8, 10, 12]
    with autograd.record():
        y = x * 3
        z = x * x
    autograd.backward([y, z])
    assert x.grad.asnumpy().tolist() == [5, 7, 9]
    with autograd.record():
        y = x * x
    autograd.backward([y], [None])
    assert x.grad.asnumpy().tolist() == [2, 4, 6]


def test_backward_inside_record_works():
    x = _var([1, 2, 3])
    with autograd.record():
        y = (x * x).sum()
        y.backward()
    assert x.grad.asnumpy().tolist() == [2, 4, 6]


def test_retain_graph():
    x = _var([1, 2, 3])
    with autograd.record():
        y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.asnumpy().tolist() == [2, 4, 6]
    with autograd.record():
        y = (x * x).sum()
    y.backward()
    with pytest.raises(MXNetError, match="retain_graph=True"):
        y.backward()


@pytest.mark.parametrize("make", [
    lambda x: x * 2,  # computed outside record
    lambda x: nd.array([1.0]) * 2,  # no variable at all
])
def test_backward_of_unrecorded_heads_is_an_error(make):
    x = _var([1, 2, 3])
    with pytest.raises(MXNetError, match="not in a computational graph"):
        make(x).backward()


def test_backward_of_recorded_head_without_variables_is_an_error():
    with autograd.record():
        y = nd.array([1.0, 2.0]) * 2
    with pytest.raises(MXNetError, match="not in a computational graph"):
        y.backward()


def _argmax_and_topk_heads():
    x = _var([[1.0, 3.0, 2.0], [4.0, 0.0, 5.0]])
    with autograd.record():
        y = x * 2
        a = nd.argmax(y, axis=1)
        v, i = nd.topk(y, k=2, ret_typ="both")
    return x, y, a, v, i


def test_recorded_non_differentiable_heads_contribute_zero_gradient():
    """MXNet accepts heads autograd recorded that have no gradient (argmax, topk's indices,
    comparisons): they add nothing, and alone they write zeros into the variables' gradients."""
    x, y, a, v, i = _argmax_and_topk_heads()
    autograd.backward([y, a], retain_graph=True)
    assert x.grad.asnumpy().tolist() == [[2, 2, 2], [2, 2, 2]]
    autograd.backward([v, i], retain_graph=True)
    assert x.grad.asnumpy().tolist() == [[0, 2, 2], [2, 0, 2]]
    autograd.backward([y, a], [nd.ones_like(y) * 3, nd.ones_like(a)], retain_graph=True)
    assert x.grad.asnumpy().tolist() == [[6, 6, 6], [6, 6, 6]]
    a.backward(retain_graph=True)
    assert x.grad.asnumpy().tolist() == [[0, 0, 0], [0, 0, 0]]
    x.grad[:] = 9
    with autograd.record():
        mask = y > 4
    autograd.backward([mask])
    assert x.grad.asnumpy().tolist() == [[0, 0, 0], [0, 0, 0]]


def test_non_differentiable_head_adds_zero_under_grad_req_add():
    x = _var([1.0, 5.0], grad_req="add")
    x.grad[:] = 4
    with autograd.record():
        a = nd.argmax(x * 2, axis=0)
    a.backward()
    assert x.grad.asnumpy().tolist() == [4, 4]


def test_grad_of_non_differentiable_heads():
    x, y, a, _, _ = _argmax_and_topk_heads()
    assert autograd.grad([y, a], [x], retain_graph=True)[0].asnumpy().tolist() == [[2] * 3] * 2
    assert autograd.grad([a], [x])[0].asnumpy().tolist() == [[0] * 3] * 2


def test_non_differentiable_heads_outside_the_graph_are_still_errors():
    x, y, _, _, _ = _argmax_and_topk_heads()
    with autograd.record():
        a = nd.argmax(nd.array([1.0, 2.0]), axis=0)  # no variable behind it
    for heads in ([y, nd.ones((2,))], [a], [y.detach()]):
        with pytest.raises(MXNetError, match="not in a computational graph"):
            autograd.backward(heads, retain_graph=True)


def test_head_gradient_shape_must_match():
    x = _var([1, 2, 3])
    with autograd.record():
        y = x * x
    with pytest.raises(MXNetError, match="head gradient 0 has shape"):
        y.backward(nd.ones((2,)))
    with pytest.raises(MXNetError, match="2 heads but 1 head gradients"):
        autograd.backward([y, y], [nd.ones((3,))])


def test_unused_variable_gradient_is_left_alone():
    x = _var([1.0])
    w = _var([5.0])
    w.grad[:] = 7
    with autograd.record():
        y = x * 3
    y.backward()
    assert w.grad.asnumpy().tolist() == [7]


def test_grad_returns_new_arrays_and_leaves_x_grad():
    x = _var([1, 2, 3])
    with autograd.record():
        y = x * x * x
    (dx,) = autograd.grad(y, x)
    assert dx.asnumpy().tolist() == [3, 12, 27]
    assert x.grad.asnumpy().tolist() == [0, 0, 0]
    with autograd.record():
        y = x * x * x
    (dx,) = autograd.grad([y], [x], head_grads=[nd.ones((3,)) * 2])
    assert dx.asnumpy().tolist() == [6, 24, 54]


def test_grad_create_graph_gives_higher_order_gradients():
    x = _var([1, 2, 3])
    with autograd.record():
        y = nd.sin(x)
        (dx,) = autograd.grad(y, [x], create_graph=True, retain_graph=True)
    np.testing.assert_allclose(dx.asnumpy(), np.cos([1, 2, 3]), rtol=1e-6)
    dx.backward()
    np.testing.assert_allclose(x.grad.asnumpy(), -np.sin([1, 2, 3]), rtol=1e-6)
    with autograd.record():
        y = x * x * x
        (dx,) = autograd.grad(y, [x], create_graph=True)
        z = dx.sum()
    z.backward()
    assert x.grad.asnumpy().tolist() == [6, 12, 18]


def test_grad_errors_name_the_variable():
    a, b = _var([1.0]), _var([1.0])
    with autograd.record():
        y = a * 2
    with pytest.raises(MXNetError, match="2-th variable because it is unreachable"):
        autograd.grad(y, [a, b])
    plain = nd.ones((1,))
    with autograd.record():
        y = plain * a
    with pytest.raises(MXNetError, match="1-th variable because it does not require gradient"):
        autograd.grad(y, [plain])


def test_detach_stops_gradient():
    x = _var([1, 2, 3])
    with autograd.record():
        y = x * x
        z = y.detach() * x
    z.backward()
    assert x.grad.asnumpy().tolist() == [1, 4, 9]


def test_gradient_through_slicing():
    x = _var([1, 2, 3])
    with autograd.record():
        y = x[1:] * 2
    y.backward()
    assert x.grad.asnumpy().tolist() == [0, 2, 2]


def test_attach_grad_inside_record_makes_a_new_leaf():
    a = _var([1, 2])
    with autograd.record():
        b = a * 2
        b.attach_grad()
        c = b * 3
    c.backward()
    assert a.grad.asnumpy().tolist() == [0, 0]
    assert b.grad.asnumpy().tolist() == [3, 3]


@pytest.mark.parametrize("write", [
    lambda x, y: x.__iadd__(1),
    lambda x, y: y.__iadd__(1),
    lambda x, y: y.__setitem__(0, 5),
    lambda x, y: x.__setitem__(0, 5),
    lambda x, y: nd.relu(y, out=y),
    lambda x, y: nd.ones((2,)).copyto(y),
])
def test_writing_into_recorded_arrays_inside_record_is_an_error(write):
    x = _var([1, 2])
    with autograd.record():
        y = x * 2
        with pytest.raises(MXNetError, match="Assigning to NDArrays that are already in a computational"):
            write(x, y)


def test_writing_into_variables_outside_record_is_fine():
    x = _var([1, 2])
    x[0] = 5
    x += 1
    with autograd.record():
        y = x * x
    y.backward()
    assert x.grad.asnumpy().tolist() == [12, 6]


def test_writing_a_recorded_value_into_a_plain_array_inside_record():
    x = _var([1, 2])
    z = nd.zeros((2,))
    with autograd.record():
        z[:] = x * 2
        w = (z * x).sum()
    w.backward()
    assert x.grad.asnumpy().tolist() == [4, 8]


def test_mark_variables():
    a, g = nd.array([1, 2]), nd.zeros((2,))
    autograd.mark_variables([a], [g])
    with autograd.record():
        y = a * a
    y.backward()
    assert g.asnumpy().tolist() == [2, 4]
    assert a.grad is g
    a, g = nd.array([1, 2]), nd.ones((2,))
    autograd.mark_variables(a, g, "add")
    with autograd.record():
        y = a * a
    y.backward()
    assert g.asnumpy().tolist() == [3, 5]
    with pytest.raises(MXNetError, match="counts must be equal"):
        autograd.mark_variables([nd.ones((1,))], [nd.ones((1,)), nd.ones((1,))])
    with pytest.raises(MXNetError, match="does not match"):
        autograd.mark_variables([nd.ones((2,))], [nd.ones((3,))])


def test_dropout_follows_train_mode():
    x = _var(np.ones(100))
    with autograd.record(train_mode=False):
        y = nd.Dropout(x, p=0.5)
    assert y.asnumpy().tolist() == [1] * 100
    y.backward()
    assert x.grad.asnumpy().tolist() == [1] * 100
    with autograd.record():
        y = nd.Dropout(x, p=0.5)
    values = set(y.asnumpy().tolist())
    assert values <= {0.0, 2.0} and len(values) == 2


def test_fresh_grad_flag_set_by_backward():
    x = _var([1.0])
    assert not x._fresh_grad
    _square_sum_backward(x)
    assert x._fresh_grad
    x._fresh_grad = False
    assert not x._fresh_grad


class _Sigmoid(autograd.Function):
    def forward(self, x):
        y = 1 / (1 + nd.exp(-x))
        self.save_for_backward(y)
        return y

    def backward(self, dy):
        (y,) = self.saved_tensors
        return dy * y * (1 - y)


class _Two(autograd.Function):
    def forward(self, a, b):
        return a * b, a + b

    def backward(self, da, db):
        return da + db, da * 2


def test_custom_function():
    a = _var([0, 1])
    with autograd.record():
        y = _Sigmoid()(a)
    y.backward()
    np.testing.assert_allclose(y.asnumpy(), [0.5, 0.7310586], rtol=1e-6)
    np.testing.assert_allclose(a.grad.asnumpy(), [0.25, 0.19661193], rtol=1e-6)


def test_custom_function_with_two_inputs_and_outputs():
    a, b = _var([1, 2]), _var([3, 4])
    with autograd.record():
        p, s = _Two()(a, b)
        z = p + s
    z.backward()
    assert a.grad.asnumpy().tolist() == [2, 2] and b.grad.asnumpy().tolist() == [2, 2]


def test_custom_function_outside_record_just_runs_forward():
    y = _Sigmoid()(_var([0, 1]))
    np.testing.assert_allclose(y.asnumpy(), [0.5, 0.7310586], rtol=1e-6)


def test_custom_function_instances_are_single_use():
    f = _Sigmoid()
    f(nd.array([0.0]))
    with pytest.raises(MXNetError, match="only be called once"):
        f(nd.array([0.0]))


def test_custom_function_backward_must_return_one_gradient_per_input():
    class Bad(autograd.Function):
        def forward(self, a, b):
            return a * b

        def backward(self, dy):
            return dy

    a, b = _var([1.0]), _var([2.0])
    with autograd.record():
        y = Bad()(a, b)
    with pytest.raises(MXNetError, match="returned 1 gradients"):
        y.backward()


def test_arrays_and_parameters_with_gradients_are_freed():
    # the gradient hook must not keep its array alive: long programs rebuild models and load files
    import gc
    import weakref

    x = mx.nd.ones((1000,))
    x.attach_grad()
    with mx.autograd.record():
        (x * 2).sum().backward()
    tensor = weakref.ref(x._t)
    del x
    net = mx.gluon.nn.Dense(3, in_units=4)
    net.initialize()
    weight = weakref.ref(net.weight.data()._t)
    del net
    gc.collect()
    assert tensor() is None and weight() is None
