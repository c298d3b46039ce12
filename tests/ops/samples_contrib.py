"""Samples of the contributed operators, nd.contrib.* (see sample.py).

Boxes are drawn as valid corners (x1 < x2, y1 < y2) in [0, 1] units; detection rows hold
(class, score, x1, y1, x2, y2). Operators whose outputs are decisions (indices, kept rows,
matches) or whose gradient MXNet defines as zero are compared on outputs, with ``fd=False``.
"""
from __future__ import annotations

import numpy as np

try:
    from .sample import Sample
except ImportError:  # imported as a top-level module by the reference generator
    from sample import Sample


def _corners(shape: tuple, seed: int, lo: float = 0.0, hi: float = 1.0) -> np.ndarray:
    """Random corner boxes of ``shape + (4,)``: x1 < x2 and y1 < y2 within [lo, hi]."""
    rng = np.random.RandomState(seed)
    a = rng.uniform(lo, hi, shape + (2, 2))
    return np.concatenate((a.min(-2), a.max(-2)), -1).astype(np.float32)


def _detections(batch: int, count: int, classes: int, seed: int) -> np.ndarray:
    """(batch, count, 6) rows of (class, score, corners), boxes clustered so that some overlap."""
    rng = np.random.RandomState(seed)
    ids = rng.randint(0, classes, (batch, count, 1)).astype(np.float32)
    scores = rng.uniform(-0.2, 1.0, (batch, count, 1)).astype(np.float32)
    centre = rng.uniform(0.3, 0.7, (batch, count, 2))
    size = rng.uniform(0.2, 0.5, (batch, count, 2))
    boxes = np.concatenate((centre - size / 2, centre + size / 2), -1).astype(np.float32)
    return np.concatenate((ids, scores, boxes), -1)


def _center(corners: np.ndarray) -> np.ndarray:
    c = (corners[..., :2] + corners[..., 2:]) / 2
    return np.concatenate((c, corners[..., 2:] - corners[..., :2]), -1).astype(np.float32)


_DET = _detections(2, 12, 3, 0)
_DET_CENTER = np.concatenate((_DET[..., :2], _center(_DET[..., 2:])), -1)
_ANCHORS = _corners((1, 10), 5, 0.05, 0.95)
_LABELS = np.array([[[0, 0.1, 0.1, 0.5, 0.6], [2, 0.4, 0.3, 0.9, 0.8], [-1, -1, -1, -1, -1]],
                    [[1, 0.2, 0.5, 0.7, 0.95], [-1, -1, -1, -1, -1], [-1, -1, -1, -1, -1]]], np.float32)
_ROIS = np.array([[0, 0.5, 1.0, 5.5, 4.2], [1, 2.0, 0.0, 7.9, 6.0], [0, -1.5, 3.0, 3.5, 9.0]], np.float32)

SAMPLES = [
    # -- non-maximum suppression: the kept rows carry their gradient back
    Sample("_contrib_box_nms", {"data": _DET}, {"overlap_thresh": 0.4}, id="contrib_box_nms", fd=False),
    Sample("_contrib_box_nms", {"data": _DET},
           {"overlap_thresh": 0.3, "id_index": 0, "topk": 6, "valid_thresh": 0.1},
           id="contrib_box_nms_classes", fd=False),
    Sample("_contrib_box_nms", {"data": _DET},
           {"overlap_thresh": 0.3, "id_index": 0, "force_suppress": True, "background_id": 1},
           id="contrib_box_nms_force", fd=False),
    Sample("_contrib_box_nms", {"data": _DET_CENTER},
           {"overlap_thresh": 0.4, "in_format": "center", "out_format": "corner"},
           id="contrib_box_nms_center", fd=False, atol=1e-6),
    Sample("_contrib_box_non_maximum_suppression", {"data": _DET[0, :, 1:]},
           {"overlap_thresh": 0.5, "coord_start": 1, "score_index": 0, "out_format": "center"},
           id="contrib_box_non_maximum_suppression", fd=False),
    # -- box geometry (MXNet's gradient is zero)
    Sample("_contrib_box_iou", {"lhs": _corners((2, 3), 1), "rhs": _corners((4,), 2)}, id="contrib_box_iou"),
    Sample("_contrib_box_iou", {"lhs": _center(_corners((5,), 3)), "rhs": _center(_corners((2, 2), 4))},
           {"format": "center"}, id="contrib_box_iou_center"),
    Sample("_contrib_box_encode",
           {"samples": np.array([[1, 0, -1, 1, 1], [0, 1, 1, -1, 1]], np.float32),
            "matches": np.array([[0, 1, 2, 2, 1], [1, 0, 2, 1, 0]], np.float32),
            "anchors": _corners((2, 5), 6), "refs": _corners((2, 3), 7),
            "means": np.array([0.0, 0.1, -0.1, 0.0], np.float32),
            "stds": np.array([0.1, 0.1, 0.2, 0.2], np.float32)}, id="contrib_box_encode"),
    Sample("_contrib_box_decode", {"data": (2, 5, 4), "anchors": _center(_corners((1, 5), 8))},
           {"std0": 0.1, "std1": 0.1, "std2": 0.2, "std3": 0.2, "clip": 0.1}, id="contrib_box_decode"),
    Sample("_contrib_box_decode", {"data": (1, 4, 4), "anchors": _corners((1, 4), 9)},
           {"format": "corner"}, id="contrib_box_decode_corner"),
    Sample("_contrib_bipartite_matching", {"data": (2, 4, 3)}, {"threshold": -0.5},
           id="contrib_bipartite_matching"),
    Sample("_contrib_bipartite_matching", {"data": (5, 4)}, {"threshold": 0.3, "is_ascend": True, "topk": 2},
           id="contrib_bipartite_matching_ascend"),
    # -- SSD
    Sample("_contrib_MultiBoxPrior", {"data": (1, 2, 3, 4)}, {"sizes": (0.5, 0.25), "ratios": (1, 2, 0.5)},
           id="contrib_multibox_prior"),
    Sample("_contrib_MultiBoxPrior", {"data": (2, 1, 2, 2)},
           {"sizes": (0.8,), "clip": True, "steps": (0.4, 0.3), "offsets": (0.2, 0.7)},
           id="contrib_multibox_prior_clip"),
    Sample("_contrib_MultiBoxTarget", {"anchor": _ANCHORS, "label": _LABELS, "cls_pred": (2, 4, 10)},
           id="contrib_multibox_target"),
    Sample("_contrib_MultiBoxTarget", {"anchor": _ANCHORS, "label": _LABELS, "cls_pred": (2, 4, 10)},
           {"overlap_threshold": 0.3, "negative_mining_ratio": 2, "negative_mining_thresh": 0.4,
            "minimum_negative_samples": 1, "ignore_label": -2, "variances": (0.1, 0.2, 0.3, 0.4)},
           id="contrib_multibox_target_mining"),
    Sample("_contrib_MultiBoxDetection",
           {"cls_prob": np.random.RandomState(11).dirichlet(np.ones(3), (2, 10)).transpose(0, 2, 1)
            .astype(np.float32), "loc_pred": (2, 40), "anchor": _ANCHORS},
           {"threshold": 0.3}, id="contrib_multibox_detection"),
    Sample("_contrib_MultiBoxDetection",
           {"cls_prob": np.random.RandomState(12).dirichlet(np.ones(4), (1, 10)).transpose(0, 2, 1)
            .astype(np.float32), "loc_pred": (1, 40), "anchor": _ANCHORS},
           {"clip": False, "threshold": 0.2, "nms_threshold": 0.2, "force_suppress": True, "nms_topk": 5,
            "background_id": 2}, id="contrib_multibox_detection_force"),
    # -- ROIAlign: gradients reach the data, the regions get zeros
    Sample("_contrib_ROIAlign", {"data": (2, 3, 6, 8), "rois": _ROIS},
           {"pooled_size": (2, 3), "spatial_scale": 1.0}, id="contrib_roialign", grad=("data",)),
    Sample("_contrib_ROIAlign", {"data": (2, 2, 5, 5), "rois": _ROIS},
           {"pooled_size": (2, 2), "spatial_scale": 0.5, "sample_ratio": 2, "aligned": True},
           id="contrib_roialign_aligned", grad=("data",)),
    Sample("_contrib_ROIAlign", {"data": (2, 8, 5, 6), "rois": _ROIS},
           {"pooled_size": (2, 2), "spatial_scale": 0.8, "position_sensitive": True},
           id="contrib_roialign_position_sensitive", grad=("data",)),
    # regions of many sizes at once (the adaptive grid differs between them), one reaching past
    # the image, one of zero size (a batch index outside the batch is not sampled: MXNet 1.9.1's
    # CPU kernel reads outside the array for -1, and its output then varies between runs)
    Sample("_contrib_ROIAlign", {"data": (2, 4, 9, 11), "rois": np.array(
        [[0, 0.0, 0.0, 10.0, 8.0], [1, 3.2, 1.1, 4.0, 2.0], [0, 8.5, 6.0, 14.0, 12.0],
         [0, 1.0, 1.0, 4.0, 4.0], [1, 2.0, 2.0, 2.0, 2.0], [1, 0.3, 4.4, 9.7, 8.9]], np.float32)},
           {"pooled_size": (3, 2), "spatial_scale": 1.0}, id="contrib_roialign_adaptive", grad=("data",)),
    # -- resampling
    Sample("_contrib_BilinearResize2D", {"data": (2, 3, 4, 5)}, {"height": 7, "width": 3},
           id="contrib_bilinear_resize"),
    Sample("_contrib_BilinearResize2D", {"data": (1, 2, 4, 5)},
           {"height": 6, "width": 9, "align_corners": False}, id="contrib_bilinear_resize_half_pixel"),
    Sample("_contrib_BilinearResize2D", {"data": (1, 2, 3, 5)}, {"scale_height": 1.5, "scale_width": 0.5},
           id="contrib_bilinear_resize_scale"),
    Sample("_contrib_BilinearResize2D", {"data": (1, 2, 3, 5)},
           {"scale_height": 2.0, "scale_width": 1.5, "mode": "odd_scale"}, id="contrib_bilinear_resize_odd"),
    Sample("_contrib_BilinearResize2D", {"data": (1, 1, 3, 4), "like": (1, 1, 5, 2)}, {"mode": "like"},
           id="contrib_bilinear_resize_like", grad=("data",)),
    Sample("_contrib_BilinearResize2D", {"data": (1, 1, 3, 4)}, {"mode": "to_even_up"},
           id="contrib_bilinear_resize_even_up"),
    Sample("_contrib_BilinearResize2D", {"data": (1, 1, 3, 4)}, {"mode": "to_odd_down"},
           id="contrib_bilinear_resize_odd_down"),
    Sample("_contrib_AdaptiveAvgPooling2D", {"data": (2, 3, 7, 5)}, {"output_size": (3, 2)},
           id="contrib_adaptive_avg_pooling"),
    Sample("_contrib_AdaptiveAvgPooling2D", {"data": (1, 2, 4, 6)}, id="contrib_adaptive_avg_pooling_global"),
    Sample("_contrib_AdaptiveAvgPooling2D", {"data": (1, 2, 5, 5)}, {"output_size": 4},
           id="contrib_adaptive_avg_pooling_square"),
    # -- small tensor helpers
    Sample("_contrib_boolean_mask", {"data": (4, 3), "index": np.array([1, 0, 1, 1], np.float32)},
           id="contrib_boolean_mask", grad=("data",)),
    Sample("_contrib_boolean_mask", {"data": (3, 2, 2), "index": np.array([0, 2, 0], np.int32)},
           id="contrib_boolean_mask_int_index"),
    Sample("_contrib_index_copy", {"old_tensor": (5, 3), "index_vector": np.array([3, 0], np.int64),
                                   "new_tensor": (2, 3)}, id="contrib_index_copy"),
    Sample("_contrib_index_array", {"data": (2, 3)}, id="contrib_index_array", grad=()),
    Sample("_contrib_index_array", {"data": (2, 3, 2)}, {"axes": (-1, 0)}, id="contrib_index_array_axes",
           grad=()),
    Sample("_contrib_arange_like", {"data": (3, 4)}, {"start": 1, "step": 0.5, "repeat": 2},
           id="contrib_arange_like", grad=()),
    Sample("_contrib_arange_like", {"data": np.zeros((2, 5), np.int32)}, {"axis": -1, "step": 2},
           id="contrib_arange_like_axis"),
    Sample("_contrib_div_sqrt_dim", {"data": (2, 3, 5)}, id="contrib_div_sqrt_dim"),
    Sample("_contrib_quadratic", {"data": (3, 4)}, {"a": 0.5, "b": -2, "c": 3}, id="contrib_quadratic"),
    Sample("_contrib_allclose", {"a": np.array([1.0, 2.0, np.nan], np.float32),
                                 "b": np.array([1.0 + 1e-6, 2.0, np.nan], np.float32)},
           id="contrib_allclose", grad=()),
    Sample("_contrib_allclose", {"a": np.array([1.0, np.nan], np.float32),
                                 "b": np.array([1.0, np.nan], np.float32)}, {"equal_nan": False},
           id="contrib_allclose_nan", grad=()),
    Sample("_contrib_allclose", {"a": np.array([[1.0, 5.0]], np.float32),
                                 "b": np.array([[1.001, 5.0]], np.float32)}, {"rtol": 0.01, "atol": 0},
           id="contrib_allclose_rtol", grad=()),
    Sample("_contrib_gradientmultiplier", {"data": (2, 3)}, {"scalar": -0.5},
           id="contrib_gradientmultiplier", fd=False),
    Sample("_contrib_round_ste", {"data": np.array([0.5, 1.5, -0.5, 2.5, -1.4, 0.2], np.float32)},
           id="contrib_round_ste", fd=False),
    Sample("_contrib_sign_ste", {"data": np.array([0.0, -2.0, 3.0, 1e-3], np.float32)},
           id="contrib_sign_ste", fd=False),
    # -- interleaved multi-head attention products
    Sample("_contrib_interleaved_matmul_selfatt_qk", {"queries_keys_values": (3, 2, 12)}, {"heads": 2},
           id="contrib_interleaved_matmul_selfatt_qk"),
    Sample("_contrib_interleaved_matmul_selfatt_valatt",
           {"queries_keys_values": (3, 2, 12), "attention": (4, 3, 3)}, {"heads": 2},
           id="contrib_interleaved_matmul_selfatt_valatt"),
    Sample("_contrib_interleaved_matmul_encdec_qk", {"queries": (2, 2, 6), "keys_values": (4, 2, 12)},
           {"heads": 3}, id="contrib_interleaved_matmul_encdec_qk"),
    Sample("_contrib_interleaved_matmul_encdec_valatt", {"keys_values": (4, 2, 12), "attention": (6, 2, 4)},
           {"heads": 3}, id="contrib_interleaved_matmul_encdec_valatt"),
    # -- SyncBatchNorm (one device: BatchNorm; the moving statistics move in the backward pass)
    Sample("_contrib_SyncBatchNorm",
           {"data": (4, 3, 2, 2), "gamma": (3,), "beta": (3,), "moving_mean": np.zeros(3, np.float32),
            "moving_var": np.ones(3, np.float32)},
           {"key": "bn0", "fix_gamma": False, "momentum": 0.8, "output_mean_var": True},
           id="contrib_sync_batch_norm_train", is_train=True, grad=("data", "gamma", "beta"), fd=False),
    Sample("_contrib_SyncBatchNorm",
           {"data": (3, 2, 5), "gamma": (2,), "beta": (2,), "moving_mean": np.array([0.1, -0.2], np.float32),
            "moving_var": np.array([0.5, 2.0], np.float32)},
           {"key": "bn1"}, id="contrib_sync_batch_norm_fix_gamma", is_train=True,
           grad=("data", "gamma", "beta")),
    Sample("_contrib_SyncBatchNorm",
           {"data": (2, 2, 3), "gamma": (2,), "beta": (2,), "moving_mean": np.array([0.3, -0.1], np.float32),
            "moving_var": np.array([1.5, 0.7], np.float32)},
           {"key": "bn2", "fix_gamma": False, "eps": 1e-4}, id="contrib_sync_batch_norm_inference",
           grad=()),  # MXNet 1.9.1's backward outside training reads statistics it never saved
    # -- BatchNormWithReLU (MXNet runs it with oneDNN only: 4-D data)
    Sample("_contrib_BatchNormWithReLU",
           {"data": (2, 3, 2, 2), "gamma": (3,), "beta": (3,), "moving_mean": np.zeros(3, np.float32),
            "moving_var": np.ones(3, np.float32)},
           {"fix_gamma": False, "momentum": 0.7}, id="contrib_batch_norm_with_relu_train", is_train=True,
           grad=("data", "gamma", "beta"), fd=False),
    Sample("_contrib_BatchNormWithReLU",
           {"data": (2, 2, 3, 2), "gamma": (2,), "beta": (2,),
            "moving_mean": np.array([0.2, -0.1], np.float32), "moving_var": np.array([0.8, 1.5], np.float32)},
           {"eps": 1e-4}, id="contrib_batch_norm_with_relu_inference", grad=()),
]
