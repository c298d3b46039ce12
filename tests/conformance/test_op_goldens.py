"""Every operator sample against the outputs and gradients MXNet 1.9.1 produced (goldens)."""
import numpy as np
import pytest

from mxtorch import autograd, nd
from tests.conformance.conftest import GOLDEN_OPS
from tests.ops.sample import all_samples

SAMPLES = all_samples()


def _run(s, golden):
    arrays = {n[3:]: golden[n] for n in golden.files if n.startswith("in_")}
    inputs = {n: nd.array(a, dtype=a.dtype) for n, a in arrays.items()}
    has_grad = any(k.startswith("grad_") for k in golden.files)
    grad_names = s.grad_inputs() if has_grad else ()
    for n in grad_names:
        inputs[n].attach_grad()
    positional, keyword = s.call_kwargs(inputs, lambda x: x)
    with autograd.record(train_mode=s.is_train):
        out = getattr(nd, s.op)(*positional, **keyword)
    outs = out if isinstance(out, (list, tuple)) else [out]
    if grad_names:
        pairs = [(o, golden[f"head{i}"]) for i, o in enumerate(outs)
                 if o.dtype in (np.float32, np.float64)]
        autograd.backward([o for o, _ in pairs], [nd.array(h, dtype=o.dtype) for o, h in pairs])
    grads = {n: inputs[n].grad.asnumpy() for n in grad_names}
    return outs, grads, {n: x.asnumpy() for n, x in inputs.items()}


@pytest.mark.parametrize("s", SAMPLES, ids=[s.id for s in SAMPLES])
def test_matches_mxnet(s):
    path = GOLDEN_OPS / f"{s.id}.npz"
    if not path.exists():
        pytest.fail(f"no golden for sample {s.id}: run .ref/bin/python tests/conformance/gen_op_goldens.py "
                    f"--only {s.id}")
    golden = np.load(path)
    outs, grads, after = _run(s, golden)
    for i, o in enumerate(outs):
        expected = golden[f"out{i}"]
        assert o.shape == expected.shape, f"output {i} shape"
        assert o.dtype == expected.dtype, f"output {i} dtype"
        np.testing.assert_allclose(o.asnumpy(), expected, rtol=s.rtol, atol=s.atol,
                                   err_msg=f"{s.id}: output {i}")
    for n, g in grads.items():
        np.testing.assert_allclose(g, golden[f"grad_{n}"], rtol=s.rtol, atol=s.atol,
                                   err_msg=f"{s.id}: gradient of {n}")
    for key in (k for k in golden.files if k.startswith("after_")):  # updated in place
        np.testing.assert_allclose(after[key[6:]], golden[key], rtol=s.rtol, atol=s.atol,
                                   err_msg=f"{s.id}: {key[6:]} after the call")
