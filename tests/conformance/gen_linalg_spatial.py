"""Goldens for the linalg and spatial operators inside a graph, from MXNet 1.9.1.

Run in the reference venv:  .ref/bin/python tests/conformance/gen_linalg_spatial.py
Builds the program GRAPH (shared with tests/ops/test_linalg_spatial_graph.py) with mx.sym, and writes
golden/linalg_spatial/graph-symbol.json (the JSON MXNet saves) and graph.npz (the inputs, and the
outputs MXNet's executor gives for them).
"""
import pathlib

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE / "golden" / "linalg_spatial"

# source code using ``mx`` that leaves a Group in ``out`` (run inside a fresh NameManager)
GRAPH = """
x, rois, scores, label, m = (mx.sym.var(n) for n in ('x', 'rois', 'scores', 'label', 'm'))
theta = mx.sym.var('theta')
cov = mx.sym.linalg.syrk(m)
out = mx.sym.Group([
    mx.sym.ROIPooling(x, rois, pooled_size=(2, 2), spatial_scale=0.5),
    mx.sym.Crop(x, h_w=(3, 4), offset=(1, 1), num_args=1),
    mx.sym.Crop(x, mx.sym.ROIPooling(x, rois, pooled_size=(3, 2), spatial_scale=1.0), num_args=2,
                center_crop=True),
    mx.sym.SpatialTransformer(x, theta, target_shape=(3, 3), transform_type='affine',
                              sampler_type='bilinear'),
    mx.sym.BilinearSampler(x, mx.sym.GridGenerator(theta, transform_type='affine', target_shape=(4, 2))),
    mx.sym.CTCLoss(scores, label, blank_label='first'),
    mx.sym.ctc_loss(scores, label - 1, blank_label='last'),
    mx.sym.col2im(mx.sym.im2col(x, kernel=(2, 2), stride=(2, 2)), output_size=(6, 6), kernel=(2, 2),
                  stride=(2, 2)),
    mx.sym.Correlation(x, x, max_displacement=1, pad_size=1, is_multiply=False),
    mx.sym.linalg.gemm(m, m, cov, transpose_b=True, alpha=0.5, beta=2.0),
    mx.sym.linalg_gemm2(m, m, transpose_a=True, axis=-2),
    mx.sym.linalg.maketrian(mx.sym.linalg.extracttrian(cov, offset=1, lower=False), offset=1, lower=False),
    mx.sym.linalg.slogdet(mx.sym.linalg.potrf(mx.sym.broadcast_add(cov, mx.sym.eye(3))))[1],
    mx.sym.linalg.syevd(cov)[1],
    mx.sym.linalg.trsm(mx.sym.linalg.potrf(mx.sym.broadcast_add(cov, mx.sym.eye(3))), m, alpha=2.0),
    mx.sym.linalg.det(cov),
])
"""


def inputs() -> dict:
    rng = np.random.RandomState(0)
    return {"x": rng.standard_normal((2, 3, 6, 6)).astype("f4"),
            "rois": np.array([[0, 0, 0, 8, 8], [1, 2, 2, 10, 6], [-1, 0, 0, 2, 2]], "f4"),
            "scores": rng.standard_normal((5, 2, 4)).astype("f4"),
            "label": np.array([[1, 2], [3, 0]], "f4"),
            "m": rng.standard_normal((2, 3, 4)).astype("f4"),
            "theta": np.array([[0.83, 0.07, 0.03, -0.11, 0.87, 0.06],
                               [1.07, -0.19, -0.09, 0.23, 0.71, 0.04]], "f4")}


def build(mx):
    scope = {"mx": mx}
    with mx.name.NameManager():
        exec(GRAPH, scope)
    return scope["out"]


def main() -> None:
    import mxnet as mx

    OUT.mkdir(parents=True, exist_ok=True)
    sym = build(mx)
    (OUT / "graph-symbol.json").write_text(sym.tojson())
    arrays = inputs()
    ex = sym.bind(mx.cpu(), {k: mx.nd.array(a) for k, a in arrays.items()})
    outs = {f"out{i}": o.asnumpy() for i, o in enumerate(ex.forward())}
    np.savez_compressed(OUT / "graph.npz", **{f"in_{k}": a for k, a in arrays.items()}, **outs)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
