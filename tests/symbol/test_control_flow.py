"""sym.contrib.foreach / while_loop / cond: graph nodes that carry their subgraphs, run by the
executor and by hybridized blocks, against MXNet 1.9.1's imperative goldens
(tests/conformance/gen_control_flow.py: the symbolic forms compute the same)."""
from __future__ import annotations

import numpy as np
import pytest

import mxtorch as mx
from mxtorch import autograd, gluon, nd, sym
from mxtorch.base import MXNetError
from tests.conformance.conftest import GOLDEN

G = np.load(GOLDEN / "control_flow.npz")


def _close(got, key):
    np.testing.assert_allclose(got.asnumpy(), G[key], rtol=1e-5, atol=1e-6, err_msg=key)


def _recurrence(F, x, s0, w):
    return F.contrib.foreach(lambda d, s: (F.tanh(d * w + s[0]), [s[0] * 0.5 + d]), x, [s0])


def test_foreach_node_infers_shapes_and_runs_forward_and_backward():
    out, final = _recurrence(mx.sym, sym.var("x"), sym.var("s0"), sym.var("w"))
    graph = sym.Group([out, final[0]])
    assert graph.list_arguments() == ["x", "s0", "w"]
    arg_shapes, out_shapes, _ = graph.infer_shape(x=(5, 3), s0=(3,), w=(3,))
    assert out_shapes == [(5, 3), (3,)]
    args = {"x": nd.array(G["foreach_data"]), "s0": nd.array(G["foreach_state"]),
            "w": nd.array(G["foreach_weight"])}
    grads = {k: nd.zeros(v.shape) for k, v in args.items()}
    ex = graph.bind(mx.cpu(), args, args_grad=grads)
    y, last = ex.forward(is_train=True)
    _close(y, "foreach_out")
    _close(last, "foreach_final")
    # the golden's loss: sum(out**2) + sum(3 * final)
    ex.backward([2 * y, nd.ones(last.shape) * 3])
    _close(grads["x"], "foreach_grad_data")
    _close(grads["s0"], "foreach_grad_state")
    _close(grads["w"], "foreach_grad_weight")


class _Recurrent(gluon.HybridBlock):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.dense = gluon.nn.Dense(4, flatten=False)

    def hybrid_forward(self, F, x, h):
        def step(d, states):
            new = F.tanh(self.dense(d) + states[0])
            return new, [new]
        out, states = F.contrib.foreach(step, x, [h])
        return out, states[0]


def test_foreach_in_a_hybridized_block_matches_imperative_with_deferred_init():
    x = nd.array(np.random.RandomState(0).standard_normal((6, 2, 3)).astype(np.float32))
    h = nd.zeros((2, 4))
    net = _Recurrent()
    net.initialize(mx.init.Xavier())
    ref_out, ref_h = net(x, h)          # imperative: nd.contrib.foreach; initializes the Dense
    fresh = _Recurrent(prefix=net.prefix)
    fresh.initialize(mx.init.Xavier())
    fresh.hybridize()
    out, last = fresh(x, h)             # deferred init through the _foreach node's shape rule
    assert fresh.dense.weight.shape == (4, 3)
    fresh.dense.weight.set_data(net.dense.weight.data())
    fresh.dense.bias.set_data(net.dense.bias.data())
    x.attach_grad()
    with autograd.record():
        out, last = fresh(x, h)
        loss = out.sum() + last.sum()
    loss.backward()
    np.testing.assert_allclose(out.asnumpy(), ref_out.asnumpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(last.asnumpy(), ref_h.asnumpy(), rtol=1e-5, atol=1e-6)
    grad_hybrid = x.grad.asnumpy().copy()
    with autograd.record():
        a, b = net(x, h)
        loss = a.sum() + b.sum()
    loss.backward()
    np.testing.assert_allclose(grad_hybrid, x.grad.asnumpy(), rtol=1e-5, atol=1e-6)


def test_while_loop_node_matches_mxnet():
    v = sym.var("v")
    outputs, (i, last) = sym.contrib.while_loop(
        lambda i, a: i < 3, lambda i, a: ([a * 2, a.sum()], [i + 1, a * 2 + 1]),
        [sym.var("i"), v], max_iterations=5)
    graph = sym.Group([outputs[0], outputs[1], i, last])
    _, out_shapes, _ = graph.infer_shape(i=(1,), v=(2,))
    assert out_shapes == [tuple(G["while_shape0"]), tuple(G["while_shape1"]), (1,), (2,)]
    grad = nd.zeros((2,))
    ex = graph.bind(mx.cpu(), {"i": nd.array([0]), "v": nd.array(G["while_start"])},
                    args_grad={"v": grad}, grad_req={"i": "null", "v": "write"})
    o0, o1, i_out, last_out = ex.forward(is_train=True)
    _close(o0[:3], "while_out0")
    _close(o1[:3], "while_out1")
    assert (o0[3:].asnumpy() == 0).all()
    _close(i_out, "while_i")
    _close(last_out, "while_last")
    head0 = np.zeros(o0.shape, np.float32)
    head0[:3] = 2  # the golden's loss: 2 * sum(outputs[0][:3]) + sum(last)
    ex.backward([nd.array(head0), nd.zeros(o1.shape), nd.zeros((1,)), nd.ones((2,))])
    _close(grad, "while_grad")


@pytest.mark.parametrize("flag", [0, 1])
def test_cond_node_runs_the_branch_the_data_choose(flag):
    p, q, f = sym.var("p"), sym.var("q"), sym.var("flag")
    out = sym.contrib.cond(f, lambda: [p * q + 1, p * 0], lambda: [p - q, q * q])
    graph = sym.Group(out)
    args = {"p": nd.array([1.5, -2.0]), "q": nd.array([0.5, 3.0]), "flag": nd.array([flag])}
    grads = {"p": nd.zeros(2), "q": nd.zeros(2)}
    ex = graph.bind(mx.cpu(), args, args_grad=grads, grad_req={"p": "write", "q": "write", "flag": "null"})
    outs = ex.forward(is_train=True)
    expected = G[f"cond{flag}_out"]
    np.testing.assert_allclose(outs[0].asnumpy(), expected[0], rtol=1e-6)
    if flag == 0:
        np.testing.assert_allclose(outs[1].asnumpy(), expected[1], rtol=1e-6)
    ex.backward([nd.ones(2), nd.ones(2) if flag == 0 else nd.zeros(2)])
    _close(grads["p"], f"cond{flag}_grad_p")
    _close(grads["q"], f"cond{flag}_grad_q")


def test_control_flow_nodes_refuse_what_they_cannot_do():
    x = sym.var("x")
    with pytest.raises(MXNetError, match="max_iterations"):
        sym.contrib.while_loop(lambda a: a < 1, lambda a: (None, [a]), [x])
    with pytest.raises(MXNetError, match="ignores"):
        sym.contrib.foreach(lambda d, s: (d * 2, [d]), x, [sym.var("s")])  # the state is unused
    with pytest.raises(MXNetError, match="distinct symbols"):   # MXNet: names must be unique
        sym.contrib.foreach(lambda d, s: (d + s[0], [s[0] * 2]), x, [x])
