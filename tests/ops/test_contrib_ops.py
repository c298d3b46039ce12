"""nd.contrib / sym.contrib / F.contrib: the contributed operators beyond the conformance walk
(tests/ops/test_op_table.py checks each against MXNet 1.9.1's goldens)."""
from __future__ import annotations

import numpy as np
import pytest

import mxtorch as mx
from mxtorch import autograd, gluon, nd
from mxtorch.base import MXNetError
from tests.conformance.conftest import GOLDEN_OPS


@pytest.mark.parametrize("sample_id", ["contrib_allclose", "contrib_allclose_nan", "contrib_allclose_rtol"])
def test_allclose_values_match_mxnet(sample_id):
    golden = np.load(GOLDEN_OPS / f"{sample_id}.npz")
    kwargs = {"contrib_allclose_nan": {"equal_nan": False},
              "contrib_allclose_rtol": {"rtol": 0.01, "atol": 0}}.get(sample_id, {})
    out = nd.contrib.allclose(nd.array(golden["in_a"]), nd.array(golden["in_b"]), **kwargs)
    assert out.dtype == np.uint8
    assert out.asnumpy().reshape(()) == golden["out0"]


def test_contrib_namespaces_hold_the_operators():
    for name in ("box_nms", "box_non_maximum_suppression", "box_iou", "box_encode", "box_decode",
                 "bipartite_matching", "MultiBoxPrior", "MultiBoxTarget", "MultiBoxDetection", "ROIAlign",
                 "BilinearResize2D", "AdaptiveAvgPooling2D", "boolean_mask", "index_copy", "index_array",
                 "arange_like", "div_sqrt_dim", "quadratic", "allclose", "gradientmultiplier", "round_ste",
                 "sign_ste"):
        assert callable(getattr(nd.contrib, name)) and callable(getattr(mx.sym.contrib, name)), name


def test_box_nms_symbol_has_one_visible_output_and_runs():
    data = mx.sym.var("data")
    out = mx.sym.contrib.box_nms(data, overlap_thresh=0.5)
    assert out.list_outputs() == [out.name + "_output"]
    x = np.array([[[0, 0.9, 0, 0, 1, 1], [0, 0.8, 0, 0, 1, 1.05], [1, 0.7, 2, 2, 3, 3]]], np.float32)
    _, shapes, _ = out.infer_shape(data=x.shape)
    assert shapes == [x.shape]
    ex = out.bind(mx.cpu(), {"data": nd.array(x)})
    got = ex.forward()[0].asnumpy()
    np.testing.assert_allclose(got, nd.contrib.box_nms(nd.array(x), overlap_thresh=0.5).asnumpy())
    assert (got[0, 2] == -1).all() and got[0, 0, 1] == np.float32(0.9) and got[0, 1, 1] == np.float32(0.7)


def test_box_nms_gradient_returns_to_the_kept_rows():
    x = nd.array([[0, 0.5, 0, 0, 1, 1], [0, 0.9, 0, 0, 1, 1], [0, 0.7, 2, 2, 3, 3]])
    x.attach_grad()
    with autograd.record():
        y = nd.contrib.box_nms(x, overlap_thresh=0.5)
    y.backward(nd.array(np.arange(18, dtype=np.float32).reshape(3, 6)))
    expected = np.zeros((3, 6), np.float32)
    expected[1] = np.arange(6)          # the best row comes out first
    expected[2] = np.arange(6, 12)      # then the distant one; row 0 was suppressed
    np.testing.assert_array_equal(x.grad.asnumpy(), expected)


def test_ssd_operators_infer_shapes_symbolically():
    feature = mx.sym.var("feature")
    anchors = mx.sym.contrib.MultiBoxPrior(feature, sizes=(0.2, 0.1), ratios=(1, 2, 0.5))
    _, out, _ = anchors.infer_shape(feature=(2, 8, 5, 5))
    assert out == [(1, 5 * 5 * 4, 4)]
    cls_prob, loc_pred = mx.sym.var("cls_prob"), mx.sym.var("loc_pred")
    det = mx.sym.contrib.MultiBoxDetection(cls_prob, loc_pred, anchors)
    _, out, _ = det.infer_shape(feature=(2, 8, 5, 5), cls_prob=(2, 3, 100), loc_pred=(2, 400))
    assert out == [(2, 100, 6)]
    target = mx.sym.contrib.MultiBoxTarget(anchors, mx.sym.var("label"), cls_prob)
    _, out, _ = target.infer_shape(feature=(2, 8, 5, 5), label=(2, 4, 5), cls_prob=(2, 3, 100))
    assert out == [(2, 400), (2, 400), (2, 100)]


class _Head(gluon.HybridBlock):
    def hybrid_forward(self, F, x, rois):
        pooled = F.contrib.ROIAlign(x, rois, pooled_size=(2, 2), spatial_scale=0.5)
        return F.contrib.AdaptiveAvgPooling2D(F.contrib.BilinearResize2D(pooled, height=4, width=4),
                                              output_size=1)


def test_contrib_operators_hybridize():
    x = nd.array(np.random.RandomState(0).standard_normal((2, 3, 8, 8)).astype(np.float32))
    rois = nd.array([[0, 0, 0, 10, 12], [1, 2, 2, 14, 9]])
    net = _Head()
    imperative = net(x, rois).asnumpy()
    net.hybridize()
    np.testing.assert_allclose(net(x, rois).asnumpy(), imperative, rtol=1e-6, atol=1e-6)
    assert imperative.shape == (2, 3, 1, 1)


def test_contrib_operators_refuse_bad_input():
    with pytest.raises(MXNetError, match="box_nms"):
        nd.contrib.box_nms(nd.zeros((3, 4)))  # rows too short for coordinates at column 2
    with pytest.raises(MXNetError, match="axis 0"):
        nd.contrib.boolean_mask(nd.zeros((2, 2)), nd.ones(2), axis=1)
    with pytest.raises(MXNetError, match="padding"):
        nd.contrib.MultiBoxTarget(nd.zeros((1, 2, 4)), nd.array([[[-1, 0, 0, 0, 0], [0, 0, 0, 1, 1]]]),
                                  nd.zeros((1, 2, 2)))
    with pytest.raises(MXNetError, match="odd_scale"):
        nd.contrib.BilinearResize2D(nd.zeros((1, 1, 2, 2)), mode="odd_scale")


def _sync_bn_rank(rank: int, init_file: str, data: np.ndarray, gamma: np.ndarray, results) -> None:
    import torch.distributed as dist
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=2)
    try:
        half = nd.array(data[rank * 2:(rank + 1) * 2])
        g, b = nd.array(gamma), nd.array([0.1, -0.2, 0.3])
        mean, var = nd.zeros(3), nd.ones(3)
        half.attach_grad()
        g.attach_grad()
        with autograd.record():
            out = nd.contrib.SyncBatchNorm(half, g, b, mean, var, key="bn", ndev=2, fix_gamma=False)
            (out * out).sum().backward()
        results.put((rank, out.asnumpy(), half.grad.asnumpy(), g.grad.asnumpy(), mean.asnumpy(),
                     var.asnumpy()))
    finally:
        dist.destroy_process_group()


def test_sync_batch_norm_shares_statistics_across_processes(tmp_path):
    import torch.multiprocessing as mp
    rng = np.random.RandomState(3)
    data = rng.standard_normal((4, 3, 2, 2)).astype(np.float32)
    gamma = np.array([1.0, 2.0, 0.5], np.float32)
    ctx = mp.get_context("spawn")
    results = ctx.Queue()
    procs = [ctx.Process(target=_sync_bn_rank, args=(r, str(tmp_path / "init"), data, gamma, results))
             for r in range(2)]
    for p in procs:
        p.start()
    got = dict((r[0], r[1:]) for r in (results.get(timeout=120) for _ in procs))
    for p in procs:
        p.join(timeout=60)
    # one process over the whole batch gives the same outputs, gradients and moving statistics
    x, g = nd.array(data), nd.array(gamma)
    mean, var = nd.zeros(3), nd.ones(3)
    x.attach_grad()
    g.attach_grad()
    with autograd.record():
        out = nd.contrib.SyncBatchNorm(x, g, nd.array([0.1, -0.2, 0.3]), mean, var, key="bn",
                                       fix_gamma=False)
        (out * out).sum().backward()
    for rank in range(2):
        o, dx, dg, m, v = got[rank]
        np.testing.assert_allclose(o, out.asnumpy()[rank * 2:(rank + 1) * 2], rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(dx, x.grad.asnumpy()[rank * 2:(rank + 1) * 2], rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(m, mean.asnumpy(), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(v, var.asnumpy(), rtol=1e-5, atol=1e-6)
    # gamma's gradient is each process's share of the whole batch's
    np.testing.assert_allclose(got[0][2] + got[1][2], g.grad.asnumpy(), rtol=1e-4, atol=1e-4)


def test_sync_batch_norm_refuses_devices_it_cannot_reach():
    with pytest.raises(MXNetError, match="ndev=2"):
        with autograd.record():
            nd.contrib.SyncBatchNorm(nd.ones((2, 3)), nd.ones(3), nd.zeros(3), nd.zeros(3), nd.ones(3),
                                     key="k", ndev=2)


def test_gluon_sync_batch_norm_on_one_device_is_batch_norm():
    from mxtorch.gluon.contrib.nn import SyncBatchNorm
    x = nd.array(np.random.RandomState(0).standard_normal((4, 3, 2, 2)).astype(np.float32))
    with pytest.warns(UserWarning, match="num_devices"):
        sync = SyncBatchNorm()
    plain = gluon.nn.BatchNorm()
    for net in (sync, plain):
        net.initialize()
    with autograd.record():
        outs = [net(x) for net in (sync, plain)]
    for o in outs:
        o.backward()
    np.testing.assert_allclose(outs[0].asnumpy(), outs[1].asnumpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(sync.running_var.data().asnumpy(), plain.running_var.data().asnumpy(),
                               rtol=1e-6)
    sync.hybridize()
    np.testing.assert_allclose(sync(x).asnumpy(), plain(x).asnumpy(), rtol=1e-6, atol=1e-6)
    assert SyncBatchNorm(num_devices=1)._kwargs["key"].startswith("syncbatchnorm")
