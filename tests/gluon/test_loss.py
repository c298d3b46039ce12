"""gluon.loss against MXNet 1.9.1 goldens (tests/conformance/gen_gluon.py), plus argument checks."""
import numpy as np
import pytest

import mxtorch as mx
from mxtorch import autograd, gluon, nd
from tests.conformance.conftest import GOLDEN
from tests.conformance.gen_gluon import LOSS_CASES

LOSSES = GOLDEN / "gluon" / "losses"


@pytest.mark.parametrize("key,build,inputs", LOSS_CASES, ids=[c[0] for c in LOSS_CASES])
def test_loss_matches_mxnet(key, build, inputs):
    with np.load(LOSSES / f"{key}.npz") as f:
        g = dict(f)
    loss = build(mx)
    arrays = [nd.array(g[f"in:{name}"]) for name, _, _ in inputs]
    arrays[0].attach_grad()
    with autograd.record():
        out = loss(*arrays)
    _close(out.asnumpy(), g["out"])
    if "grad" in g:
        out.backward()
        _close(arrays[0].grad.asnumpy(), g["grad"])


def _close(actual, desired, rtol=1e-5):
    """float32 agreement, with an absolute floor at rtol times the array's scale (sums of terms
    of both signs, as in KL divergence, lose relative precision)."""
    np.testing.assert_allclose(actual, desired, rtol=rtol, atol=rtol * float(np.abs(desired).max()))


def test_softmax_cross_entropy_reduces_all_but_batch_axis():
    loss = gluon.loss.SoftmaxCrossEntropyLoss(axis=1, batch_axis=0)
    pred = nd.array(np.random.RandomState(0).randn(2, 3, 4))
    label = nd.array([[0, 1, 2, 0], [2, 2, 1, 0]])
    out = loss(pred, label)
    assert out.shape == (2,)
    logp = pred.asnumpy() - np.log(np.exp(pred.asnumpy()).sum(axis=1, keepdims=True))
    picked = np.take_along_axis(logp, label.asnumpy().astype(int)[:, None, :], axis=1)
    np.testing.assert_allclose(out.asnumpy(), -picked.mean(axis=(1, 2)), rtol=1e-5)


def test_loss_aliases_and_repr():
    assert gluon.loss.SoftmaxCELoss is gluon.loss.SoftmaxCrossEntropyLoss
    assert gluon.loss.SigmoidBCELoss is gluon.loss.SigmoidBinaryCrossEntropyLoss
    assert repr(gluon.loss.L2Loss()) == "L2Loss(batch_axis=0, w=1.0)"
    assert repr(gluon.loss.L1Loss(batch_axis=1)) == "L1Loss(batch_axis=1, w=None)"


def test_loss_argument_errors():
    with pytest.raises(ValueError, match="label_format can only be signed or binary"):
        gluon.loss.LogisticLoss(label_format="other")
    with pytest.raises(TypeError, match="weight must be a number"):
        gluon.loss.L1Loss(weight=nd.ones((1,)))(nd.ones((2, 2)), nd.ones((2, 2)))


def test_loss_hybridized_gives_same_values():
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    pred, label = nd.array([[1.0, 2.0, 0.5]]), nd.array([1])
    expected = loss(pred, label).asnumpy()
    loss.hybridize()
    np.testing.assert_allclose(loss(pred, label).asnumpy(), expected)


def test_ctc_loss_hybridized_with_lengths_gives_mxnets_values():
    with np.load(LOSSES / "ctc_tnc_lengths.npz") as f:
        g = dict(f)
    loss = gluon.loss.CTCLoss(layout="TNC", label_layout="TN", weight=0.5)
    loss.hybridize()
    pred = nd.array(g["in:pred"])
    pred.attach_grad()
    with autograd.record():
        out = loss(pred, *(nd.array(g[f"in:{n}"]) for n in ("label", "pred_lengths", "label_lengths")))
    out.backward()
    _close(out.asnumpy(), g["out"])
    _close(pred.grad.asnumpy(), g["grad"])


def test_ctc_loss_layouts_are_checked():
    with pytest.raises(ValueError, match="layout"):
        gluon.loss.CTCLoss(layout="NCT")
    with pytest.raises(ValueError, match="label_layout"):
        gluon.loss.CTCLoss(label_layout="TNC")
