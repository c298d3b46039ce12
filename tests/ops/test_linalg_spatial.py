"""nd.linalg / sym.linalg and the spatial operators beyond the conformance walk: the namespaces and
F.linalg inside hybrid_forward, a hybridized graph against the imperative run, and the errors
that name what was wrong (MXNet's checks: shapes the operators cannot take)."""
import numpy as np
import pytest

import mxtorch as mx
from mxtorch import autograd, gluon, nd
from mxtorch.base import MXNetError
from tests.conformance import gen_linalg_spatial
from tests.conformance.conftest import GOLDEN

LINALG = ["gemm", "gemm2", "potrf", "potri", "trmm", "trsm", "syrk", "gelqf", "syevd", "sumlogdiag",
          "extractdiag", "makediag", "extracttrian", "maketrian", "inverse", "det", "slogdet"]


def test_linalg_namespaces_hold_every_operator():
    for name in LINALG:
        assert callable(getattr(nd.linalg, name)) and callable(getattr(mx.sym.linalg, name))
    assert nd.linalg_gemm2 is not None and mx.sym.linalg_det is not None
    assert nd.contrib.CTCLoss is not None and nd.contrib.ctc_loss is not None


class _Net(gluon.HybridBlock):
    def hybrid_forward(self, F, x, rois, scores, label):
        cov = F.linalg.syrk(F.reshape(x, (2, 3, -1)), alpha=0.1)
        chol = F.linalg.potrf(cov + F.linalg.makediag(F.ones((2, 3))))
        pooled = F.ROIPooling(x, rois, pooled_size=(2, 2), spatial_scale=0.5)
        cropped = F.Crop(x, pooled, num_args=2, center_crop=True)
        theta = F.broadcast_to(F.reshape(F.mean(F.linalg.sumlogdiag(chol)), (1, 1)), (2, 6)) * 0.1
        sampled = F.BilinearSampler(x, F.GridGenerator(theta, transform_type="affine",
                                                        target_shape=(3, 3)))
        ctc = F.CTCLoss(scores, label)
        cols = F.col2im(F.im2col(x, kernel=(2, 2)), output_size=(6, 6), kernel=(2, 2))
        corr = F.Correlation(x, x, max_displacement=1, pad_size=1)
        return (F.sum(pooled) + F.sum(cropped) + F.sum(sampled) + F.sum(ctc) + F.sum(cols)
                + F.sum(corr) + F.sum(F.linalg.slogdet(chol)[1]))


def test_hybridized_graph_matches_imperative_run():
    rng = np.random.RandomState(0)
    x = nd.array(rng.standard_normal((2, 3, 6, 6)))
    rois = nd.array([[0, 0, 0, 8, 8], [1, 2, 2, 10, 6], [0, 4, 4, 6, 6]])
    scores = nd.array(rng.standard_normal((5, 2, 4)))
    label = nd.array([[1, 2], [3, 0]])
    net = _Net()
    results = []
    for hybrid in (False, True):
        if hybrid:
            net.hybridize()
        x.attach_grad()
        with autograd.record():
            y = net(x, rois, scores, label)
        y.backward()
        results.append((y.asnumpy(), x.grad.asnumpy().copy()))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-5)
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("call,message", [
    (lambda: nd.linalg.gemm2(nd.ones((2, 3)), nd.ones((4, 2))), "cannot be multiplied"),
    (lambda: nd.linalg.potrf(nd.ones((2, 3))), "square"),
    (lambda: nd.linalg.gelqf(nd.ones((3, 2))), "no more rows than columns"),
    (lambda: nd.linalg.maketrian(nd.ones((4,))), "triangle"),
    (lambda: nd.linalg.extractdiag(nd.ones((3, 3)), offset=3), "offset"),
    (lambda: nd.linalg.trsm(nd.ones((3, 3)), nd.ones((2, 2))), "triangular matrix has size 3"),
    (lambda: nd.linalg.gemm2(nd.ones((2, 2), dtype="int32"), nd.ones((2, 2), dtype="int32")),
     "float32 and float64 inputs only"),
    (lambda: nd.linalg.makediag(nd.ones((2,), dtype="float16")), "float32 and float64 inputs only"),
    (lambda: nd.Crop(nd.ones((1, 1, 4, 4)), h_w=(5, 2)), "does not fit"),
    (lambda: nd.Correlation(nd.ones((1, 1, 4, 4)), nd.ones((1, 1, 4, 4)), max_displacement=3),
     "smaller than"),
    (lambda: nd.ROIPooling(nd.ones((1, 1, 4, 4)), nd.array([[2, 0, 0, 1, 1]]), pooled_size=(2, 2),
                           spatial_scale=1.0), "batch index 2"),
    (lambda: nd.GridGenerator(nd.ones((2, 5)), transform_type="affine", target_shape=(2, 2)),
     r"\(N, 6\)"),
    (lambda: nd.col2im(nd.ones((1, 4, 5)), output_size=(4, 4), kernel=(2, 2)), "expected columns"),
    (lambda: nd.CTCLoss(nd.ones((4, 2, 3)), nd.ones((3, 2))), "label"),
])
def test_errors_name_what_was_wrong(call, message):
    with pytest.raises(MXNetError, match=message):
        call()


def test_symbol_shapes_and_hidden_outputs():
    a, b = mx.sym.var("a"), mx.sym.var("b")
    out = mx.sym.linalg.gemm2(a, b, transpose_b=True, axis=0)
    assert out.infer_shape(a=(3, 2, 4), b=(5, 2, 4))[1] == [(3, 2, 5)]
    slog = mx.sym.linalg.slogdet(a)
    assert slog.infer_shape(a=(2, 3, 3))[1] == [(2,), (2,)]
    assert mx.sym.linalg.det(a).infer_shape(a=(3, 3))[1] == [(1,)]
    ctc = mx.sym.CTCLoss(a, b, use_label_lengths=True)
    names = ctc.list_arguments()  # the lengths input MXNet creates when use_label_lengths is on
    assert names[:2] == ["a", "b"] and len(names) == 3 and names[2] == f"{ctc.name}_label_lengths"


# -- a graph of them against MXNet 1.9.1 (tests/conformance/gen_linalg_spatial.py) -------------------
GRAPH_DIR = GOLDEN / "linalg_spatial"


def test_graph_json_is_mxnets():
    """The same program writes the same symbol JSON, node names, attribute strings and the hidden
    outputs counted in node_row_ptr included."""
    assert gen_linalg_spatial.build(mx).tojson() == (GRAPH_DIR / "graph-symbol.json").read_text()


@pytest.mark.parametrize("source", ["mxnet_json", "own_build"])
def test_graph_runs_to_mxnets_outputs(source):
    if source == "mxnet_json":
        sym = mx.sym.load(str(GRAPH_DIR / "graph-symbol.json"))
    else:
        sym = gen_linalg_spatial.build(mx)
    with np.load(GRAPH_DIR / "graph.npz") as f:
        golden = dict(f)
    args = {k[3:]: nd.array(v) for k, v in golden.items() if k.startswith("in_")}
    outs = sym.bind(mx.cpu(), args).forward()
    assert len(outs) == len([k for k in golden if k.startswith("out")])
    for i, o in enumerate(outs):
        np.testing.assert_allclose(o.asnumpy(), golden[f"out{i}"], rtol=1e-4, atol=1e-5,
                                   err_msg=f"output {i}")
