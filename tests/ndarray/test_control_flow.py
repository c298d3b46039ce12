"""nd.contrib.foreach / while_loop / cond against MXNet 1.9.1 (tests/conformance/gen_control_flow.py)."""
from __future__ import annotations

import numpy as np
import pytest

from mxtorch import autograd, nd
from mxtorch.base import MXNetError
from tests.conformance.conftest import GOLDEN

G = np.load(GOLDEN / "control_flow.npz")


def _close(got, key):
    np.testing.assert_allclose(got.asnumpy() if hasattr(got, "asnumpy") else got, G[key], rtol=1e-5,
                               atol=1e-6, err_msg=key)


def test_foreach_outputs_states_and_gradients():
    x, s0, w = nd.array(G["foreach_data"]), nd.array(G["foreach_state"]), nd.array(G["foreach_weight"])
    for a in (x, s0, w):
        a.attach_grad()
    with autograd.record():
        out, final = nd.contrib.foreach(lambda d, s: (nd.tanh(d * w + s[0]), [s[0] * 0.5 + d]), x, [s0])
        loss = (out * out).sum() + (final[0] * 3).sum()
    loss.backward()
    assert isinstance(final, list) and len(final) == 1
    _close(out, "foreach_out")
    _close(final[0], "foreach_final")
    _close(x.grad, "foreach_grad_data")
    _close(s0.grad, "foreach_grad_state")
    _close(w.grad, "foreach_grad_weight")


def test_foreach_keeps_the_nesting_of_lists():
    outs, states = nd.contrib.foreach(
        lambda d, s: ([d[0] + d[1], [d[0] * s[1][0]]], [s[0] + d[0], [s[1][0] - d[1]]]),
        [nd.array(G["nested_a"]), nd.array(G["nested_b"])], [nd.zeros(2), [nd.ones(2)]])
    _close(outs[0], "nested_out0")
    _close(outs[1][0], "nested_out1")
    _close(states[0], "nested_state0")
    _close(states[1][0], "nested_state1")


def test_while_loop_stacks_pads_and_differentiates():
    v = nd.array(G["while_start"])
    v.attach_grad()
    with autograd.record():
        outputs, (i, last) = nd.contrib.while_loop(
            lambda i, a: i < 3, lambda i, a: ([a * 2, a.sum()], [i + 1, a * 2 + 1]),
            [nd.array([0]), v], max_iterations=5)
        loss = outputs[0][:3].sum() * 2 + last.sum()
    loss.backward()
    assert outputs[0].shape == tuple(G["while_shape0"]) and outputs[1].shape == tuple(G["while_shape1"])
    _close(outputs[0][:3], "while_out0")
    _close(outputs[1][:3], "while_out1")
    assert (outputs[0][3:].asnumpy() == 0).all()  # MXNet leaves the padding uninitialised
    _close(i, "while_i")
    _close(last, "while_last")
    _close(v.grad, "while_grad")


@pytest.mark.parametrize("flag", [0, 1])
def test_cond_runs_one_branch_with_gradients(flag):
    p, q = nd.array([1.5, -2.0]), nd.array([0.5, 3.0])
    p.attach_grad()
    q.attach_grad()
    with autograd.record():
        out = nd.contrib.cond(nd.array([flag]), lambda: p * q + 1, lambda: [p - q, q * q])
        heads = out if isinstance(out, list) else [out]
        total = sum(h.sum() for h in heads)
    total.backward()
    _close(np.stack([h.asnumpy() for h in heads]), f"cond{flag}_out")
    _close(p.grad, f"cond{flag}_grad_p")
    _close(q.grad, f"cond{flag}_grad_q")


def test_control_flow_refusals():
    with pytest.raises(MXNetError, match="max_iterations"):
        nd.contrib.while_loop(lambda a: a < 1, lambda a: (None, [a]), [nd.zeros(1)])
    with pytest.raises(MXNetError, match="loop variables"):
        nd.contrib.while_loop(lambda a: a < 1, lambda a: (None, [a, a]), [nd.zeros(1)], max_iterations=2)
    with pytest.raises(MXNetError, match="first dimension"):
        nd.contrib.foreach(lambda d, s: (d, s), [nd.zeros((2, 1)), nd.zeros((3, 1))], [])
    with pytest.raises(MXNetError, match="NDArray"):
        nd.contrib.foreach(lambda d, s: (d, s), nd.zeros((2, 1)), [3])
