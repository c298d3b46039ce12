"""Record MXNet 1.9.1's imperative control flow: nd.contrib.foreach, while_loop and cond, outputs
and gradients (through autograd) for the loops tests/ndarray/test_control_flow.py runs in mxtorch.

Run in the reference venv:  .ref/bin/python tests/conformance/gen_control_flow.py
Writes tests/conformance/golden/control_flow.npz.
"""
import pathlib

import mxnet as mx
import numpy as np

OUT = pathlib.Path(__file__).resolve().parent / "golden" / "control_flow.npz"
nd = mx.nd


def main() -> None:
    rng = np.random.RandomState(0)
    result = {}
    # foreach: a tiny recurrence, one data array, one state
    data, state, weight = (rng.standard_normal(s).astype(np.float32) for s in ((5, 3), (3,), (3,)))
    x, s0, w = nd.array(data), nd.array(state), nd.array(weight)
    for a in (x, s0, w):
        a.attach_grad()
    with mx.autograd.record():
        out, final = nd.contrib.foreach(lambda d, s: (nd.tanh(d * w + s[0]), [s[0] * 0.5 + d]), x, [s0])
        loss = (out * out).sum() + (final[0] * 3).sum()
    loss.backward()
    result.update(foreach_data=data, foreach_state=state, foreach_weight=weight, foreach_out=out.asnumpy(),
                  foreach_final=final[0].asnumpy(), foreach_grad_data=x.grad.asnumpy(),
                  foreach_grad_state=s0.grad.asnumpy(), foreach_grad_weight=w.grad.asnumpy())
    # foreach over two arrays with nested outputs and states
    a_in = rng.standard_normal((3, 2)).astype(np.float32)
    b_in = rng.standard_normal((3, 2)).astype(np.float32)
    outs, states = nd.contrib.foreach(
        lambda d, s: ([d[0] + d[1], [d[0] * s[1][0]]], [s[0] + d[0], [s[1][0] - d[1]]]),
        [nd.array(a_in), nd.array(b_in)], [nd.zeros(2), [nd.ones(2)]])
    result.update(nested_a=a_in, nested_b=b_in, nested_out0=outs[0].asnumpy(),
                  nested_out1=outs[1][0].asnumpy(), nested_state0=states[0].asnumpy(),
                  nested_state1=states[1][0].asnumpy())
    # while_loop: doubles until the counter reaches 3, at most 5 steps
    start = rng.standard_normal((2,)).astype(np.float32)
    v = nd.array(start)
    v.attach_grad()
    with mx.autograd.record():
        outputs, (i, last) = nd.contrib.while_loop(
            lambda i, a: i < 3, lambda i, a: ([a * 2, a.sum()], [i + 1, a * 2 + 1]),
            [nd.array([0]), v], max_iterations=5)
        loss = outputs[0][:3].sum() * 2 + last.sum()
    loss.backward()
    result.update(while_start=start, while_out0=outputs[0].asnumpy()[:3], while_out1=outputs[1].asnumpy()[:3],
                  while_shape0=np.array(outputs[0].shape), while_shape1=np.array(outputs[1].shape),
                  while_i=i.asnumpy(), while_last=last.asnumpy(), while_grad=v.grad.asnumpy())
    # cond: both branches, with gradients
    for flag in (0, 1):
        p, q = nd.array([1.5, -2.0]), nd.array([0.5, 3.0])
        p.attach_grad()
        q.attach_grad()
        with mx.autograd.record():
            out = nd.contrib.cond(nd.array([flag]), lambda: p * q + 1, lambda: [p - q, q * q])
            heads = out if isinstance(out, list) else [out]
            total = sum(h.sum() for h in heads)
        total.backward()
        result[f"cond{flag}_out"] = np.stack([h.asnumpy() for h in heads])
        result[f"cond{flag}_grad_p"], result[f"cond{flag}_grad_q"] = p.grad.asnumpy(), q.grad.asnumpy()
    np.savez_compressed(OUT, **result)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
