"""Contributed operators: MXNet's ``nd.contrib.*`` / ``sym.contrib.*`` (table names ``_contrib_*``).

Detection: ``box_nms``, ``box_iou``, ``box_encode``/``box_decode``, ``bipartite_matching``, the SSD
operators ``MultiBoxPrior``/``MultiBoxTarget``/``MultiBoxDetection`` and ``ROIAlign``; resampling:
``BilinearResize2D`` and ``AdaptiveAvgPooling2D``; and the small tensor helpers tutorials reach for
(``boolean_mask``, ``index_copy``, ``index_array``, ``arange_like``, ``div_sqrt_dim``, ``quadratic``,
``allclose``, ``gradientmultiplier``, ``round_ste``, ``sign_ste``).

Boxes are ``(x1, y1, x2, y2)`` ("corner") or ``(x, y, w, h)`` ("center"). The greedy loops of
non-maximum suppression and matching run on the CPU over a boolean overlap matrix: they decide which
rows are kept; the kept rows themselves are gathered from the input with torch, so gradients flow
back to the rows they came from, as MXNet's backward scatters them.

Where MXNet 1.9.1 defines the gradient as zero (the box geometry operators, the SSD operators, the
ROI coordinates) the outputs are returned outside autograd's graph, which gives the same zeros.
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np
import torch
import torch.nn.functional as F

from ..base import MXNetError
from .registry import Bool, Enum, Float, Floats, Int, Shape, Str, op, same_shape

_FORMATS = ("center", "corner")


# -- box helpers ---------------------------------------------------------------------------------
def _to_corner(boxes: torch.Tensor, fmt: str) -> torch.Tensor:
    """(..., 4) boxes in ``fmt`` as corners."""
    if fmt == "corner":
        return boxes
    x, y, w, h = boxes.unbind(-1)
    return torch.stack((x - w / 2, y - h / 2, x + w / 2, y + h / 2), -1)


def _to_center(boxes: torch.Tensor) -> torch.Tensor:
    x1, y1, x2, y2 = boxes.unbind(-1)
    return torch.stack(((x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1), -1)


def _pairwise_iou(lhs: torch.Tensor, rhs: torch.Tensor) -> torch.Tensor:
    """IoU of every corner box of ``lhs`` (M, 4) with every one of ``rhs`` (N, 4): (M, N). A box
    with a negative width or height has area zero."""
    width = (torch.minimum(lhs[:, None, 2], rhs[None, :, 2])
             - torch.maximum(lhs[:, None, 0], rhs[None, :, 0])).clamp(min=0)
    height = (torch.minimum(lhs[:, None, 3], rhs[None, :, 3])
              - torch.maximum(lhs[:, None, 1], rhs[None, :, 1])).clamp(min=0)
    inter = width * height

    def area(b: torch.Tensor) -> torch.Tensor:
        return (b[:, 2] - b[:, 0]).clamp(min=0) * (b[:, 3] - b[:, 1]).clamp(min=0)

    union = area(lhs)[:, None] + area(rhs)[None, :] - inter
    return torch.where(union > 0, inter / torch.where(union > 0, union, torch.ones_like(union)),
                       torch.zeros_like(union))


def _greedy_keep(boxes: torch.Tensor, threshold: float, ids: Optional[torch.Tensor] = None,
                 inclusive: bool = False) -> np.ndarray:
    """Greedy suppression over corner boxes (M, 4) already in descending score order: a box goes
    when a kept earlier one overlaps it by more than ``threshold`` (at least, when ``inclusive``)
    and, given ``ids``, has its class. Each kept box is compared with the boxes after it, so the
    work is kept x M and the memory M (no M x M overlap matrix)."""
    count = boxes.shape[0]
    alive = torch.ones(count, dtype=torch.bool)
    keep = np.zeros(count, dtype=bool)
    for i in range(count):
        if not alive[i]:
            continue
        keep[i] = True
        if i + 1 == count:
            break
        iou = _pairwise_iou(boxes[i:i + 1], boxes[i + 1:])[0]
        suppress = iou >= threshold if inclusive else iou > threshold
        if ids is not None:
            suppress &= ids[i + 1:] == ids[i]
        alive[i + 1:] &= ~suppress
    return keep


# -- box_nms -------------------------------------------------------------------------------------
def _nms_hidden(attrs: dict) -> int:
    return 1  # MXNet keeps the sorted index record as a second, hidden output


@op("_contrib_box_nms", aliases=("_contrib_box_non_maximum_suppression",),
    attrs={"overlap_thresh": Float(0.5), "valid_thresh": Float(0.0), "topk": Int(-1),
           "coord_start": Int(2), "score_index": Int(1), "id_index": Int(-1),
           "background_id": Int(-1), "force_suppress": Bool(False),
           "in_format": Enum(_FORMATS, "corner"), "out_format": Enum(_FORMATS, "corner")},
    hidden_outputs=_nms_hidden, fresh_outputs=True)
def box_nms(data, *, overlap_thresh, valid_thresh, topk, coord_start, score_index, id_index,
            background_id, force_suppress, in_format, out_format):
    """Non-maximum suppression over the boxes of each batch: rows with a score above
    ``valid_thresh`` (and not of ``background_id``) are sorted by descending score, the first
    ``topk`` kept, and a row overlapping a higher-scored kept row by more than ``overlap_thresh``
    (of the same class, unless ``force_suppress`` or no ``id_index``) is dropped. Kept rows come
    first, in score order; the rest of the output is -1. The gradient goes back to the kept rows."""
    if data.dim() < 2:
        raise MXNetError(f"box_nms: data must have at least 2 dimensions, got shape {tuple(data.shape)}")
    width = data.shape[-1]
    for name, index in (("coord_start", coord_start + 3), ("score_index", score_index),
                        ("id_index", id_index)):
        if index >= width:
            raise MXNetError(f"box_nms: {name} reaches column {index}, but rows have {width} entries")
    rows = data.reshape(-1, data.shape[-2], width)
    host = rows.detach().cpu()
    outputs = []
    for b in range(rows.shape[0]):
        scores = host[b, :, score_index]
        valid = scores > valid_thresh
        if id_index >= 0 and background_id >= 0:
            valid &= host[b, :, id_index] != background_id
        index = valid.nonzero()[:, 0]
        index = index[torch.sort(scores[index], descending=True, stable=True).indices]
        if topk > 0:
            index = index[:topk]
        boxes = _to_corner(host[b, index, coord_start:coord_start + 4], in_format)
        ids = host[b, index, id_index] if id_index >= 0 and not force_suppress else None
        keep = _greedy_keep(boxes, overlap_thresh, ids)
        kept = index[torch.from_numpy(keep)].to(rows.device)
        chosen = rows[b].index_select(0, kept)
        if in_format != out_format:
            coords = chosen[:, coord_start:coord_start + 4]
            converted = (_to_center(coords) if out_format == "center"
                         else _to_corner(coords, in_format))
            # the values change format, the gradient passes as MXNet's does: row for row
            chosen = torch.cat((chosen[:, :coord_start], coords + (converted - coords).detach(),
                                chosen[:, coord_start + 4:]), 1)
        fill = rows.new_full((rows.shape[1] - len(kept), width), -1.0)
        outputs.append(torch.cat((chosen, fill), 0))
    return torch.stack(outputs).reshape(data.shape)


box_nms.shape(same_shape)


# -- box_iou, box_encode, box_decode ---------------------------------------------------------------
def _box_iou_shape(attrs, lhs, rhs):
    if lhs is None or rhs is None:
        return [lhs, rhs], [None]
    for name, s in (("lhs", lhs), ("rhs", rhs)):
        if len(s) < 1 or s[-1] != 4:
            raise MXNetError(f"box_iou: {name} must end in a dimension of 4, got shape {tuple(s)}")
    return [lhs, rhs], [tuple(lhs[:-1]) + tuple(rhs[:-1])]


@op("_contrib_box_iou", inputs=("lhs", "rhs"), attrs={"format": Enum(_FORMATS, "corner")},
    fresh_outputs=True,
    grad_note="zero, as MXNet 1.9.1 defines it")
def box_iou(lhs, rhs, *, format):
    """Intersection over union of every box of ``lhs`` (..., 4) with every box of ``rhs``
    (..., 4): an array of shape ``lhs.shape[:-1] + rhs.shape[:-1]``."""
    _box_iou_shape({}, tuple(lhs.shape), tuple(rhs.shape))
    with torch.no_grad():
        a = _to_corner(lhs.reshape(-1, 4), format)
        b = _to_corner(rhs.reshape(-1, 4), format)
        return _pairwise_iou(a, b).reshape(tuple(lhs.shape[:-1]) + tuple(rhs.shape[:-1]))


box_iou.shape(_box_iou_shape)


def _box_encode_shape(attrs, samples, matches, anchors, refs, means, stds):
    out = None if anchors is None else tuple(anchors)
    if out is None and samples is not None:
        out = tuple(samples) + (4,)
    return [samples, matches, anchors, refs, means or (4,), stds or (4,)], [out, out]


@op("_contrib_box_encode", inputs=("samples", "matches", "anchors", "refs", "means", "stds"),
    num_outputs=2, fresh_outputs=True,
    grad_note="zero, as MXNet 1.9.1 defines it")
def box_encode(samples, matches, anchors, refs, means, stds):
    """Regression targets of matched anchors: for each anchor (B, N, 4, corners) whose sample is
    positive, the offsets of its matched reference box ``refs[b, matches[b, i]]`` (centre offsets
    over the anchor's size, log size ratios), less ``means``, over ``stds``; and a mask that is 1
    there. Other anchors get zeros in both outputs."""
    with torch.no_grad():
        positive = (samples > 0.5).unsqueeze(-1)
        index = matches.long().clamp(0, refs.shape[1] - 1)
        matched = torch.gather(refs, 1, index.unsqueeze(-1).expand(*index.shape, 4))
        a, g = _to_center(anchors), _to_center(matched)
        targets = torch.stack(((g[..., 0] - a[..., 0]) / a[..., 2], (g[..., 1] - a[..., 1]) / a[..., 3],
                               torch.log(g[..., 2] / a[..., 2]), torch.log(g[..., 3] / a[..., 3])), -1)
        targets = (targets - means) / stds
        zeros = torch.zeros_like(targets)
        return torch.where(positive, targets, zeros), torch.where(positive, torch.ones_like(targets), zeros)


box_encode.shape(_box_encode_shape)


@op("_contrib_box_decode", inputs=("data", "anchors"),
    attrs={"std0": Float(1.0), "std1": Float(1.0), "std2": Float(1.0), "std3": Float(1.0),
           "clip": Float(-1.0), "format": Enum(_FORMATS, "center")},
    fresh_outputs=True, grad_note="zero, as MXNet 1.9.1 defines it")
def box_decode(data, anchors, *, std0, std1, std2, std3, clip, format):
    """Boxes (corners) from regression offsets ``data`` (B, N, 4) relative to ``anchors``
    (1 or B, N, 4, in ``format``): the inverse of ``box_encode`` with means zero; the log size
    offsets, once scaled by their std, are capped at ``clip`` when it is positive."""
    with torch.no_grad():
        a = _to_center(_to_corner(anchors, format))
        dx, dy = data[..., 0] * std0, data[..., 1] * std1
        dw, dh = data[..., 2] * std2, data[..., 3] * std3
        if clip > 0:
            dw, dh = dw.clamp(max=clip), dh.clamp(max=clip)
        x, y = dx * a[..., 2] + a[..., 0], dy * a[..., 3] + a[..., 1]
        w, h = torch.exp(dw) * a[..., 2] / 2, torch.exp(dh) * a[..., 3] / 2
        return torch.stack((x - w, y - h, x + w, y + h), -1)


# -- bipartite_matching ----------------------------------------------------------------------------
def _matching_shape(attrs, data):
    if data is None:
        return [None], [None, None]
    if len(data) < 2:
        raise MXNetError(f"bipartite_matching: data must have at least 2 dimensions, got {tuple(data)}")
    return [data], [tuple(data[:-1]), tuple(data[:-2]) + (data[-1],)]


@op("_contrib_bipartite_matching", attrs={"is_ascend": Bool(False), "threshold": Float(),
                                          "topk": Int(-1)},
    num_outputs=2, fresh_outputs=True,
    grad_note="zero, as MXNet 1.9.1 defines it")
def bipartite_matching(data, *, is_ascend, threshold, topk):
    """Greedy matching of the rows and columns of each (N, M) score matrix: pairs are taken in
    order of score (descending, or ascending with ``is_ascend``) while their score passes
    ``threshold`` and neither side is matched; a positive ``topk`` stops after ``topk + 1``
    matches, as MXNet 1.9.1 counts them. Returns the column matched
    to each row and the row matched to each column, -1 where none."""
    _matching_shape({}, tuple(data.shape))
    n, m = data.shape[-2], data.shape[-1]
    host = data.detach().cpu().reshape(-1, n * m).double().numpy()
    rows = np.full((host.shape[0], n), -1.0)
    cols = np.full((host.shape[0], m), -1.0)
    for b, scores in enumerate(host):
        order = np.argsort(scores if is_ascend else -scores, kind="stable")
        matched = 0
        for flat in order:
            value = scores[flat]
            if (value >= threshold) if is_ascend else (value <= threshold):
                break
            i, j = divmod(int(flat), m)
            if rows[b, i] < 0 and cols[b, j] < 0:
                rows[b, i], cols[b, j] = j, i
                matched += 1
                if 0 < topk < matched:  # MXNet 1.9.1 stops after topk + 1 matches
                    break
    as_tensor = lambda a, shape: torch.from_numpy(a).to(data.device, data.dtype).reshape(shape)  # noqa: E731
    return (as_tensor(rows, tuple(data.shape[:-1])),
            as_tensor(cols, tuple(data.shape[:-2]) + (m,)))


bipartite_matching.shape(_matching_shape)


# -- SSD: MultiBoxPrior, MultiBoxTarget, MultiBoxDetection -------------------------------------------
def _prior_shape(attrs, data):
    if data is None:
        return [None], [None]
    if len(data) != 4:
        raise MXNetError(f"MultiBoxPrior: data must be 4-dimensional (N, C, H, W), got {tuple(data)}")
    count = len(attrs["sizes"]) + len(attrs["ratios"]) - 1
    return [data], [(1, data[2] * data[3] * count, 4)]


@op("_contrib_MultiBoxPrior",
    attrs={"sizes": Floats((1.0,)), "ratios": Floats((1.0,)), "clip": Bool(False),
           "steps": Floats((-1.0, -1.0)), "offsets": Floats((0.5, 0.5))},
    fresh_outputs=True, grad_note="zero, as MXNet 1.9.1 defines it")
def multibox_prior(data, *, sizes, ratios, clip, steps, offsets):
    """SSD's anchor boxes for a (N, C, H, W) feature map, (1, H*W*A, 4) corners in [0, 1] units:
    at each cell centre, one box per size with the first ratio, then one per further ratio with
    the first size (A = len(sizes) + len(ratios) - 1)."""
    if len(steps) != 2 or len(offsets) != 2:
        raise MXNetError(f"MultiBoxPrior: steps and offsets take 2 values, got {steps} and {offsets}")
    _prior_shape({"sizes": sizes, "ratios": ratios}, tuple(data.shape))
    height, width = data.shape[2], data.shape[3]
    step_y = steps[0] if steps[0] > 0 else 1.0 / height
    step_x = steps[1] if steps[1] > 0 else 1.0 / width
    shapes = [(s * height / width / 2, s / 2) for s in sizes]
    shapes += [(sizes[0] * height / width * math.sqrt(r) / 2, sizes[0] / math.sqrt(r) / 2)
               for r in ratios[1:]]
    half = torch.tensor(shapes, dtype=torch.float32, device=data.device)  # (A, 2): half w, half h
    cy = (torch.arange(height, dtype=torch.float32, device=data.device) + offsets[0]) * step_y
    cx = (torch.arange(width, dtype=torch.float32, device=data.device) + offsets[1]) * step_x
    cy, cx = torch.meshgrid(cy, cx, indexing="ij")
    centre = torch.stack((cx, cy), -1).reshape(-1, 1, 2)
    boxes = torch.cat((centre - half, centre + half), -1).reshape(1, -1, 4)
    if clip:
        boxes = boxes.clamp(0.0, 1.0)
    return boxes.to(data.dtype)


multibox_prior.shape(_prior_shape)


def _target_shape(attrs, anchor, label, cls_pred):
    if anchor is None:
        return [anchor, label, cls_pred], [None] * 3
    n = anchor[1]
    batch = label[0] if label is not None else cls_pred[0] if cls_pred is not None else None
    if batch is None:
        return [anchor, label, cls_pred], [None] * 3
    return [anchor, label, cls_pred], [(batch, n * 4), (batch, n * 4), (batch, n)]


@op("_contrib_MultiBoxTarget", inputs=("anchor", "label", "cls_pred"),
    attrs={"overlap_threshold": Float(0.5), "ignore_label": Float(-1.0),
           "negative_mining_ratio": Float(-1.0), "negative_mining_thresh": Float(0.5),
           "minimum_negative_samples": Int(0), "variances": Floats((0.1, 0.1, 0.2, 0.2))},
    num_outputs=3, fresh_outputs=True,
    grad_note="zero, as MXNet 1.9.1 defines it")
def multibox_target(anchor, label, cls_pred, *, overlap_threshold, ignore_label, negative_mining_ratio,
                    negative_mining_thresh, minimum_negative_samples, variances):
    """SSD's training targets. Each ground-truth box of ``label`` (B, M, 5+: class, corners; a
    class of -1 ends the list) first takes its best-overlapping free anchor, best pairs first;
    then every other anchor overlapping some box by more than ``overlap_threshold`` takes its best.
    Matched anchors get class + 1 and encoded offsets (over ``variances``) with a mask of ones;
    the others are background (0), or, with ``negative_mining_ratio`` > 0, only the hardest
    ``ratio`` times as many (lowest background probability under ``cls_pred``, among those
    overlapping less than ``negative_mining_thresh``) are, and the rest get ``ignore_label``.
    Returns (loc_target (B, 4N), loc_mask (B, 4N), cls_target (B, N))."""
    if len(variances) != 4:
        raise MXNetError(f"MultiBoxTarget: variances takes 4 values, got {variances}")
    with torch.no_grad():
        anchors = anchor.reshape(-1, 4).float().cpu()
        batch, count = label.shape[0], anchors.shape[0]
        loc_target = torch.zeros(batch, count, 4)
        loc_mask = torch.zeros(batch, count, 4)
        cls_target = torch.full((batch, count), float(ignore_label))
        labels = label.float().cpu()
        probs = torch.softmax(cls_pred.float().cpu(), 1) if negative_mining_ratio > 0 else None
        a = _to_center(anchors)
        var = torch.tensor(variances)
        for b in range(batch):
            gts = labels[b]
            ended = (gts[:, 0] == -1).nonzero()
            valid = int(ended[0, 0]) if len(ended) else gts.shape[0]
            if not bool((gts[valid:, :5] == -1).all()):
                raise MXNetError("MultiBoxTarget: label rows after the first of class -1 must be -1 "
                                 "throughout (padding)")
            if valid == 0:
                continue
            overlaps = _pairwise_iou(anchors, gts[:valid, 1:5]).double()
            flags = torch.full((count,), -1, dtype=torch.long)
            best_gt = torch.full((count,), -1, dtype=torch.long)
            best_overlap = torch.full((count,), -1.0, dtype=torch.float64)
            free = overlaps.clone()
            for _ in range(valid):  # each box takes its best free anchor, best pairs first
                flat = int(torch.argmax(free))
                i, j = divmod(flat, valid)
                if free[i, j] <= 1e-6:
                    break
                flags[i], best_gt[i], best_overlap[i] = 1, j, free[i, j]
                free[i, :] = -1
                free[:, j] = -1
            if overlap_threshold > 0:
                rest = flags != 1
                top, arg = overlaps.max(1)
                best_overlap = torch.where(rest, top, best_overlap)
                best_gt = torch.where(rest, arg, best_gt)
                flags[rest & (top > overlap_threshold)] = 1
            positive = flags == 1
            if negative_mining_ratio > 0:
                num_pos = int(positive.sum())
                num_neg = max(int(num_pos * negative_mining_ratio), minimum_negative_samples)
                num_neg = min(num_neg, count - num_pos)
                candidates = ((~positive) & (best_overlap < negative_mining_thresh)).nonzero()[:, 0]
                background = probs[b, 0, candidates]
                order = torch.sort(background, stable=True).indices
                flags[candidates[order[:num_neg]]] = 0
            else:
                flags[~positive] = 0
            cls_target[b][flags == 0] = 0
            if positive.any():
                idx = positive.nonzero()[:, 0]
                g = _to_center(gts[best_gt[idx], 1:5])
                anc = a[idx]
                enc = torch.stack(((g[:, 0] - anc[:, 0]) / anc[:, 2], (g[:, 1] - anc[:, 1]) / anc[:, 3],
                                   torch.log(g[:, 2] / anc[:, 2]), torch.log(g[:, 3] / anc[:, 3])), 1)
                loc_target[b, idx] = enc / var
                loc_mask[b, idx] = 1.0
                cls_target[b, idx] = gts[best_gt[idx], 0] + 1
        device, dtype = cls_pred.device, cls_pred.dtype
        return (loc_target.reshape(batch, -1).to(device, dtype),
                loc_mask.reshape(batch, -1).to(device, dtype), cls_target.to(device, dtype))


multibox_target.shape(_target_shape)


def _detection_shape(attrs, cls_prob, loc_pred, anchor):
    if cls_prob is None:
        return [cls_prob, loc_pred, anchor], [None]
    batch, _, count = cls_prob
    return [cls_prob, (batch, count * 4), (1, count, 4)], [(batch, count, 6)]


@op("_contrib_MultiBoxDetection", inputs=("cls_prob", "loc_pred", "anchor"),
    attrs={"clip": Bool(True), "threshold": Float(0.01), "background_id": Int(0),
           "nms_threshold": Float(0.5), "force_suppress": Bool(False),
           "variances": Floats((0.1, 0.1, 0.2, 0.2)), "nms_topk": Int(-1)},
    fresh_outputs=True, grad_note="zero, as MXNet 1.9.1 defines it")
def multibox_detection(cls_prob, loc_pred, anchor, *, clip, threshold, background_id, nms_threshold,
                       force_suppress, variances, nms_topk):
    """SSD's detections: (B, N, 6) rows of (class, score, x1, y1, x2, y2). Each anchor takes its
    most probable class after class 0, the background (MXNet 1.9.1 accepts ``background_id`` but
    keeps class 0 as the background; ids count from class 1); those
    scoring at least ``threshold`` are decoded from ``loc_pred`` (over ``variances``, clipped to
    [0, 1] with ``clip``), sorted by score, and non-maximum suppression (per class unless
    ``force_suppress``, among the ``nms_topk`` best) sets the class of overlapped ones to -1.
    Rows past the detections are -1."""
    if len(variances) != 4:
        raise MXNetError(f"MultiBoxDetection: variances takes 4 values, got {variances}")
    with torch.no_grad():
        batch, classes, count = cls_prob.shape
        probs = cls_prob.float().cpu()
        deltas = loc_pred.float().cpu().reshape(batch, count, 4)
        a = _to_center(anchor.float().cpu().reshape(-1, 4))
        out = torch.full((batch, count, 6), -1.0)
        for b in range(batch):
            if classes < 2:
                continue
            score, which = probs[b, 1:].max(0)  # class 0 is the background, whatever background_id says
            keep = (score >= threshold).nonzero()[:, 0]
            if len(keep) == 0:
                continue
            d = deltas[b, keep]
            x = d[:, 0] * variances[0] * a[keep, 2] + a[keep, 0]
            y = d[:, 1] * variances[1] * a[keep, 3] + a[keep, 1]
            w = torch.exp(d[:, 2] * variances[2]) * a[keep, 2] / 2
            h = torch.exp(d[:, 3] * variances[3]) * a[keep, 3] / 2
            boxes = torch.stack((x - w, y - h, x + w, y + h), 1)
            if clip:
                boxes = boxes.clamp(0.0, 1.0)
            rows = torch.cat((which[keep, None].float(), score[keep, None], boxes), 1)
            out[b, :len(rows)] = rows
            if not 0 < nms_threshold <= 1:
                continue
            # the nms_topk best, sorted, take the first rows; the valid rows after them stay
            # where they were, in anchor order, with their class set to -1 (as MXNet 1.9.1 leaves them)
            top = rows[torch.sort(rows[:, 1], descending=True, stable=True).indices]
            if 0 < nms_topk < len(top):
                top = top[:nms_topk]
                out[b, len(top):len(rows), 0] = -1
            suppressed = ~_greedy_keep(top[:, 2:], nms_threshold, None if force_suppress else top[:, 0],
                                       inclusive=True)
            top[torch.from_numpy(suppressed), 0] = -1
            out[b, :len(top)] = top
        return out.to(cls_prob.device, cls_prob.dtype)


multibox_detection.shape(_detection_shape)


# -- ROIAlign --------------------------------------------------------------------------------------
def _roi_align_shape(attrs, data, rois):
    if data is None or rois is None:
        return [data, rois], [None]
    ph, pw = attrs["pooled_size"]
    channels = data[1] // (ph * pw) if attrs["position_sensitive"] else data[1]
    return [data, rois], [(rois[0], channels, ph, pw)]


@op("_contrib_ROIAlign", inputs=("data", "rois"),
    attrs={"pooled_size": Shape(), "spatial_scale": Float(), "sample_ratio": Int(-1),
           "position_sensitive": Bool(False), "aligned": Bool(False)},
    fresh_outputs=True, plot_color="pooling",
    grad_note="the regions' coordinates get a zero gradient, as in MXNet 1.9.1")
def roi_align(data, rois, *, pooled_size, spatial_scale, sample_ratio, position_sensitive, aligned):
    """Average of bilinear samples over a ``pooled_size`` grid of bins in each region of interest
    (``rois`` rows: batch index, x1, y1, x2, y2 in input units, scaled by ``spatial_scale``): a
    ``sample_ratio`` square of samples per bin, or as many as the bin is pixels wide when -1;
    ``aligned`` shifts the pixel grid by half a pixel. (R, C, PH, PW); position-sensitive pooling
    reads a different channel group for each bin and gives C / (PH * PW) channels.

    Sampling is bilinear along each axis and the edge and outside-the-image rules are per axis, so
    a region's bins are ``Wy @ image @ Wx^T`` with (PH, H) and (PW, W) weight matrices (each row
    the average of its bin's samples' interpolation weights): two matrix products over all the
    regions of an image, in chunks that bound the intermediate's size."""
    if len(pooled_size) != 2:
        raise MXNetError(f"ROIAlign: pooled_size takes 2 values, got {pooled_size}")
    if data.dim() != 4 or rois.dim() != 2 or rois.shape[1] != 5:
        raise MXNetError(f"ROIAlign: expected data (N, C, H, W) and rois (R, 5), got "
                         f"{tuple(data.shape)} and {tuple(rois.shape)}")
    ph, pw = pooled_size
    batch, channels, height, width = data.shape
    boxes = rois.detach().double().cpu()
    offset = 0.5 if aligned else 0.0
    index = boxes[:, 0].long()
    x1, y1, x2, y2 = (boxes[:, k] * spatial_scale - offset for k in range(1, 5))
    wy = _roi_align_weights(y1, y2 - y1, ph, height, sample_ratio, aligned)
    wx = _roi_align_weights(x1, x2 - x1, pw, width, sample_ratio, aligned)
    valid = (index >= 0) & (index < batch)
    wy, wx = wy.to(data.device, data.dtype), wx.to(data.device, data.dtype)
    pooled = data.new_zeros(len(boxes), channels, ph, pw)
    # the (G, C, H, PW) intermediate of one chunk stays under 2**24 elements
    chunk = max(1, (1 << 24) // max(channels * height * pw, 1))
    for n in range(batch):
        rows = torch.nonzero(valid & (index == n)).flatten()
        for start in range(0, len(rows), chunk):
            part = rows[start:start + chunk].to(data.device)
            across = torch.einsum("chw,gjw->gchj", data[n], wx[part])
            pooled = pooled.index_copy(0, part, torch.einsum("gih,gchj->gcij", wy[part], across))
    if not position_sensitive:
        return pooled
    out_channels = channels // (ph * pw)
    group = torch.arange(out_channels, device=data.device)[:, None] * (ph * pw)
    cell = torch.arange(ph * pw, device=data.device)[None, :]
    which = (group + cell).expand(len(boxes), out_channels, ph * pw)
    return pooled.reshape(len(boxes), channels, ph * pw).gather(1, which).reshape(
        len(boxes), out_channels, ph, pw)


roi_align.shape(_roi_align_shape)


def _roi_align_weights(start: torch.Tensor, extent: torch.Tensor, bins: int, size: int,
                       sample_ratio: int, aligned: bool) -> torch.Tensor:
    """(R, bins, size) float64: row ``i`` of region ``r`` holds the weights that average the
    bilinear samples of bin ``i`` along one axis (Caffe2's ROIAlign convention: a sample more
    than a pixel outside the image counts zero, one up to a pixel outside reads the edge pixel).
    Regions with no samples (an empty region when ``aligned``) get zero rows."""
    if not aligned:
        extent = extent.clamp(min=1.0)
    step = extent / bins
    if sample_ratio > 0:
        grid = torch.full_like(step, sample_ratio, dtype=torch.long)
    else:
        grid = torch.ceil(extent / bins).long().clamp(min=0)
    most = max(int(grid.max()) if len(grid) else 1, 1)
    sample = torch.arange(most, dtype=torch.float64)
    used = sample[None, :] < grid[:, None]                                       # (R, S)
    per = grid.clamp(min=1).double()
    pos = (start[:, None, None] + torch.arange(bins, dtype=torch.float64)[None, :, None] * step[:, None, None]
           + (sample[None, None, :] + 0.5) * (step / per)[:, None, None])       # (R, bins, S)
    inside = (pos >= -1.0) & (pos <= size) & used[:, None, :]
    pos = pos.clamp(min=0.0)
    low = pos.floor().long()
    at_edge = low >= size - 1
    low = torch.where(at_edge, torch.full_like(low, size - 1), low)
    high = torch.where(at_edge, low, low + 1)
    frac = torch.where(at_edge, torch.zeros_like(pos), pos - low.double())
    scale = inside.double() / per[:, None, None]
    weights = torch.zeros(len(start), bins, size, dtype=torch.float64)
    weights.scatter_add_(2, low, (1.0 - frac) * scale)
    weights.scatter_add_(2, high, frac * scale)
    return weights


# -- resampling ------------------------------------------------------------------------------------
_RESIZE_MODES = ("like", "odd_scale", "size", "to_even_down", "to_even_up", "to_odd_down", "to_odd_up")


def _resize_inputs(attrs: dict) -> tuple:
    return ("data", "like") if attrs["mode"] == "like" else ("data",)


def _resize_size(attrs: dict, data: tuple, like: Optional[tuple]) -> tuple:
    """(height, width) of BilinearResize2D's output for a (N, C, H, W) input."""
    height, width, mode = data[2], data[3], attrs["mode"]
    sh, sw = attrs["scale_height"], attrs["scale_width"]
    if mode == "like":
        if like is None:
            raise MXNetError("BilinearResize2D: mode 'like' needs the input 'like'")
        return like[2], like[3]
    if mode == "size":
        return (int(height * sh) if sh is not None else attrs["height"],
                int(width * sw) if sw is not None else attrs["width"])
    if mode == "odd_scale":
        if sh is None or sw is None:
            raise MXNetError("BilinearResize2D: mode 'odd_scale' needs scale_height and scale_width")
        return int((height - 1) * sh) + 1, int((width - 1) * sw) + 1
    even, up = mode.startswith("to_even"), mode.endswith("_up")

    def fix(size: int) -> int:
        if (size % 2 == 0) == even:
            return size
        return size + 1 if up else size - 1

    return fix(height), fix(width)


def _resize_shape(attrs, data, like=None):
    if data is None or attrs["mode"] == "like" and like is None:
        return [data, like][:len(_resize_inputs(attrs))], [None]
    if len(data) != 4:
        raise MXNetError(f"BilinearResize2D: data must be (N, C, H, W), got {tuple(data)}")
    h, w = _resize_size(attrs, tuple(data), like)
    return [data, like][:len(_resize_inputs(attrs))], [(data[0], data[1], h, w)]


@op("_contrib_BilinearResize2D", inputs=("data", "like"),
    attrs={"height": Int(1), "width": Int(1), "scale_height": Float(None), "scale_width": Float(None),
           "mode": Enum(_RESIZE_MODES, "size"), "align_corners": Bool(True)},
    active_inputs=_resize_inputs, fresh_outputs=True)
def bilinear_resize_2d(data, like=None, *, height, width, scale_height, scale_width, mode, align_corners):
    """Bilinear resizing of (N, C, H, W) arrays to a size given directly, by scales, by another
    array (``mode='like'``), or by rounding to an even or odd size."""
    attrs = {"height": height, "width": width, "scale_height": scale_height,
             "scale_width": scale_width, "mode": mode}
    h, w = _resize_size(attrs, tuple(data.shape), None if like is None else tuple(like.shape))
    if h <= 0 or w <= 0:
        raise MXNetError(f"BilinearResize2D: output size must be positive, got ({h}, {w})")
    return F.interpolate(data, size=(h, w), mode="bilinear", align_corners=align_corners)


bilinear_resize_2d.shape(_resize_shape)


def _adaptive_size(output_size: tuple) -> tuple:
    if len(output_size) == 0:
        return 1, 1
    if len(output_size) == 1:
        return output_size[0], output_size[0]
    if len(output_size) == 2:
        return tuple(output_size)
    raise MXNetError(f"AdaptiveAvgPooling2D: output_size takes 1 or 2 values, got {output_size}")


def _adaptive_shape(attrs, data):
    if data is None:
        return [None], [None]
    if len(data) != 4:
        raise MXNetError(f"AdaptiveAvgPooling2D: data must be (N, C, H, W), got {tuple(data)}")
    return [data], [tuple(data[:2]) + _adaptive_size(attrs["output_size"])]


@op("_contrib_AdaptiveAvgPooling2D", attrs={"output_size": Shape(())},
    fresh_outputs=True, plot_color="pooling")
def adaptive_avg_pooling_2d(data, *, output_size):
    """Average pooling of (N, C, H, W) arrays onto an ``output_size`` grid (one int for a square,
    none for 1 x 1): output cell i covers input rows floor(i*H/h) to ceil((i+1)*H/h)."""
    _adaptive_shape({"output_size": output_size}, tuple(data.shape))
    return F.adaptive_avg_pool2d(data, _adaptive_size(output_size))


adaptive_avg_pooling_2d.shape(_adaptive_shape)


# -- small tensor helpers ------------------------------------------------------------------------
def _dynamic_shape(attrs, data, index):
    return [data, index], [None]  # the length is the count of true entries: known from values only


@op("_contrib_boolean_mask", inputs=("data", "index"), attrs={"axis": Int(0)}, untied_inputs=("index",),
    fresh_outputs=True)
def boolean_mask(data, index, *, axis):
    """The slices of ``data`` along axis 0 whose entry of the 1-D ``index`` is non-zero; the
    gradient returns to those slices."""
    if axis != 0:
        raise MXNetError(f"boolean_mask: only axis 0 is supported, got {axis}")
    if index.dim() != 1 or data.dim() < 1 or index.shape[0] != data.shape[0]:
        raise MXNetError(f"boolean_mask: index must be 1-D with data's first dimension, got data "
                         f"{tuple(data.shape)} and index {tuple(index.shape)}")
    return data.index_select(0, (index != 0).nonzero()[:, 0])


boolean_mask.shape(_dynamic_shape)


def _index_copy_shape(attrs, old, index, new):
    return [old, index, new], [old]


@op("_contrib_index_copy", inputs=("old_tensor", "index_vector", "new_tensor"),
    untied_inputs=("index_vector",), fresh_outputs=True)
def index_copy(old_tensor, index_vector, new_tensor):
    """A copy of ``old_tensor`` whose rows ``index_vector`` are replaced by the rows of
    ``new_tensor``, in order."""
    if index_vector.dim() != 1 or new_tensor.shape[0] != index_vector.shape[0] \
            or tuple(new_tensor.shape[1:]) != tuple(old_tensor.shape[1:]):
        raise MXNetError(f"index_copy: expected a 1-D index and new rows shaped as the old ones, got "
                         f"old {tuple(old_tensor.shape)}, index {tuple(index_vector.shape)}, new "
                         f"{tuple(new_tensor.shape)}")
    return old_tensor.index_copy(0, index_vector.long(), new_tensor)


index_copy.shape(_index_copy_shape)


def _index_axes(attrs: dict, ndim: int) -> tuple:
    axes = attrs["axes"]
    if axes is None:
        return tuple(range(ndim))
    for a in axes:
        if not -ndim <= a < ndim:
            raise MXNetError(f"index_array: axis {a} is out of range for {ndim} dimensions")
    return tuple(a % ndim for a in axes)


def _index_array_shape(attrs, data):
    if data is None:
        return [None], [None]
    return [data], [tuple(data) + (len(_index_axes(attrs, len(data))),)]


def _int64_output(attrs, names, in_types, out_types):
    return in_types, [np.int64]


@op("_contrib_index_array", attrs={"axes": Shape(None)}, fresh_outputs=True)
def index_array(data, *, axes):
    """For every element of ``data``, its index (int64) along each of ``axes`` (all, by
    default): shape ``data.shape + (len(axes),)``."""
    chosen = _index_axes({"axes": axes}, data.dim())
    grids = torch.meshgrid(*[torch.arange(n, device=data.device) for n in data.shape], indexing="ij") \
        if data.dim() else ()
    if not chosen:
        return torch.zeros(tuple(data.shape) + (0,), dtype=torch.int64, device=data.device)
    return torch.stack([grids[a] for a in chosen], -1)


index_array.shape(_index_array_shape)
index_array.types(_int64_output)


def _arange_like_shape(attrs, data):
    if data is None:
        return [None], [None]
    axis = attrs["axis"]
    if axis is None:
        return [data], [tuple(data)]
    if not -len(data) <= axis < len(data):
        raise MXNetError(f"arange_like: axis {axis} is out of range for {len(data)} dimensions")
    return [data], [(data[axis],)]


@op("_contrib_arange_like", attrs={"start": Float(0.0), "step": Float(1.0), "repeat": Int(1),
                                   "ctx": Str(""), "axis": Int(None)},
    fresh_outputs=True, grad_note="none: the values do not depend on the input's")
def arange_like(data, *, start, step, repeat, ctx, axis):
    """``start, start + step, ...`` (each value ``repeat`` times) shaped as ``data``, or along
    ``data``'s ``axis``, in ``data``'s dtype."""
    if repeat <= 0:
        raise MXNetError(f"arange_like: repeat must be positive, got {repeat}")
    shape = _arange_like_shape({"axis": axis}, tuple(data.shape))[1][0]
    count = math.prod(shape)
    steps = torch.div(torch.arange(count, device=data.device), repeat, rounding_mode="floor")
    return (start + step * steps.double()).to(data.dtype).reshape(shape)


arange_like.shape(_arange_like_shape)


@op("_contrib_div_sqrt_dim", fresh_outputs=True)
def div_sqrt_dim(data):
    """``data`` divided by the square root of its last dimension (attention's scaling)."""
    return data / math.sqrt(data.shape[-1])


div_sqrt_dim.shape(same_shape)


@op("_contrib_quadratic", attrs={"a": Float(0.0), "b": Float(0.0), "c": Float(0.0)}, fresh_outputs=True)
def quadratic(data, *, a, b, c):
    """``a * data**2 + b * data + c``, element-wise."""
    return a * data * data + b * data + c


quadratic.shape(same_shape)


def _allclose_shape(attrs, a, b):
    return [a, b], [()]


def _uint8_output(attrs, names, in_types, out_types):
    return in_types, [np.uint8]


@op("_contrib_allclose", inputs=("a", "b"),
    attrs={"rtol": Float(1e-5), "atol": Float(1e-8), "equal_nan": Bool(True)}, fresh_outputs=True)
def allclose(a, b, *, rtol, atol, equal_nan):
    """1 (uint8, shape ()) when every ``|a - b| <= atol + rtol * |b|`` (NaNs equal with
    ``equal_nan``), else 0."""
    close = torch.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
    return close.all().to(torch.uint8)


allclose.shape(_allclose_shape)
allclose.types(_uint8_output)


class _ScaleGradient(torch.autograd.Function):
    @staticmethod
    def forward(ctx, data: torch.Tensor, scalar: float) -> torch.Tensor:
        ctx.scalar = scalar
        return data.clone()

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> tuple:
        return grad * ctx.scalar, None


@op("_contrib_gradientmultiplier", attrs={"scalar": Float(1.0), "is_int": Bool(True)},
    fresh_outputs=True, grad_note="the output's gradient times scalar (the forward is the identity)")
def gradientmultiplier(data, *, scalar, is_int):
    """The identity forward; backward multiplies the gradient by ``scalar`` (a gradient
    reversal layer with a negative one)."""
    return _ScaleGradient.apply(data, scalar)


gradientmultiplier.shape(same_shape)


@op("_contrib_round_ste", fresh_outputs=True,
    grad_note="straight-through: the output's gradient passes unchanged")
def round_ste(data):
    """Rounding half away from zero, with the straight-through gradient estimator."""
    rounded = torch.sign(data) * torch.floor(data.abs() + 0.5)
    return data + (rounded - data).detach()


round_ste.shape(same_shape)


@op("_contrib_sign_ste", fresh_outputs=True,
    grad_note="straight-through: the output's gradient passes unchanged")
def sign_ste(data):
    """The sign of ``data``, with the straight-through gradient estimator."""
    return data + (torch.sign(data) - data).detach()


sign_ste.shape(same_shape)


# -- interleaved attention products (the fused multi-head attention of GluonNLP's transformers) ----
def _heads(name: str, width: int, parts: int, heads: int) -> int:
    """The size of one head when a last dimension of ``width`` holds ``parts`` projections of
    ``heads`` heads, interleaved per head."""
    if heads <= 0 or width % (parts * heads):
        raise MXNetError(f"{name}: the last dimension, {width}, is not {parts} x heads ({heads}) x a "
                         "head size")
    return width // (parts * heads)


def _split_heads(x: torch.Tensor, parts: int, heads: int, name: str) -> list:
    """(seq, batch, heads * parts * d), interleaved per head, as ``parts`` arrays (batch * heads,
    seq, d)."""
    seq, batch, width = x.shape
    d = _heads(name, width, parts, heads)
    split = x.reshape(seq, batch, heads, parts, d).permute(3, 1, 2, 0, 4)
    return [p.reshape(batch * heads, seq, d) for p in split]


def _merge_heads(x: torch.Tensor, batch: int, heads: int) -> torch.Tensor:
    """(batch * heads, seq, d) as (seq, batch, heads * d)."""
    _, seq, d = x.shape
    return x.reshape(batch, heads, seq, d).permute(2, 0, 1, 3).reshape(seq, batch, heads * d)


def _check_3d(name: str, **arrays: torch.Tensor) -> None:
    for key, a in arrays.items():
        if a.dim() != 3:
            raise MXNetError(f"{name}: {key} must be 3-dimensional, got shape {tuple(a.shape)}")


@op("_contrib_interleaved_matmul_selfatt_qk", inputs=("queries_keys_values",), attrs={"heads": Int()},
    fresh_outputs=True)
def interleaved_matmul_selfatt_qk(queries_keys_values, *, heads):
    """Self-attention scores from projections (seq, batch, heads * 3 * d) holding each head's
    query, key and value in turn: queries / sqrt(d) times keys, (batch * heads, seq, seq)."""
    _check_3d("interleaved_matmul_selfatt_qk", queries_keys_values=queries_keys_values)
    q, k, _ = _split_heads(queries_keys_values, 3, heads, "interleaved_matmul_selfatt_qk")
    return torch.bmm(q / math.sqrt(q.shape[-1]), k.transpose(1, 2))


@op("_contrib_interleaved_matmul_selfatt_valatt", inputs=("queries_keys_values", "attention"),
    attrs={"heads": Int()}, fresh_outputs=True)
def interleaved_matmul_selfatt_valatt(queries_keys_values, attention, *, heads):
    """Attention weights (batch * heads, seq, seq) applied to the values of interleaved
    projections (seq, batch, heads * 3 * d): (seq, batch, heads * d)."""
    _check_3d("interleaved_matmul_selfatt_valatt", queries_keys_values=queries_keys_values,
              attention=attention)
    _, _, v = _split_heads(queries_keys_values, 3, heads, "interleaved_matmul_selfatt_valatt")
    return _merge_heads(torch.bmm(attention, v), queries_keys_values.shape[1], heads)


@op("_contrib_interleaved_matmul_encdec_qk", inputs=("queries", "keys_values"), attrs={"heads": Int()},
    fresh_outputs=True)
def interleaved_matmul_encdec_qk(queries, keys_values, *, heads):
    """Encoder-decoder attention scores: queries (q_seq, batch, heads * d) over sqrt(d) times the
    keys of interleaved key/value projections (kv_seq, batch, heads * 2 * d): (batch * heads,
    q_seq, kv_seq)."""
    _check_3d("interleaved_matmul_encdec_qk", queries=queries, keys_values=keys_values)
    (q,) = _split_heads(queries, 1, heads, "interleaved_matmul_encdec_qk")
    k, _ = _split_heads(keys_values, 2, heads, "interleaved_matmul_encdec_qk")
    return torch.bmm(q / math.sqrt(q.shape[-1]), k.transpose(1, 2))


@op("_contrib_interleaved_matmul_encdec_valatt", inputs=("keys_values", "attention"),
    attrs={"heads": Int()}, fresh_outputs=True)
def interleaved_matmul_encdec_valatt(keys_values, attention, *, heads):
    """Attention weights (batch * heads, q_seq, kv_seq) applied to the values of interleaved
    key/value projections (kv_seq, batch, heads * 2 * d): (q_seq, batch, heads * d)."""
    _check_3d("interleaved_matmul_encdec_valatt", keys_values=keys_values, attention=attention)
    _, v = _split_heads(keys_values, 2, heads, "interleaved_matmul_encdec_valatt")
    return _merge_heads(torch.bmm(attention, v), keys_values.shape[1], heads)


# -- SyncBatchNorm -------------------------------------------------------------------------------
class _MovingStatsInBackward(torch.autograd.Function):
    """The identity on a SyncBatchNorm output whose backward folds the batch statistics into the
    moving ones: MXNet 1.9.1's SyncBatchNorm updates them in its backward pass, not its forward."""

    @staticmethod
    def forward(ctx, out, mean, var, moving_mean, moving_var, momentum):
        ctx.stats = (mean.detach(), var.detach(), moving_mean, moving_var, momentum)
        return out.view_as(out)

    @staticmethod
    def backward(ctx, grad):
        mean, var, moving_mean, moving_var, momentum = ctx.stats
        with torch.no_grad():
            moving_mean.mul_(momentum).add_(mean.to(moving_mean.dtype), alpha=1 - momentum)
            moving_var.mul_(momentum).add_(var.to(moving_var.dtype), alpha=1 - momentum)
        return grad, None, None, None, None, None


def _synced_stats(x: torch.Tensor, ndev: int) -> tuple:
    """Per-channel mean and biased variance of (N, C, ...) ``x`` over the batches of all ``ndev``
    processes of the torch.distributed group (one device each, equal batches), differentiable."""
    import torch.distributed as dist
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() != ndev:
        raise MXNetError(f"SyncBatchNorm: ndev={ndev} needs a torch.distributed group of {ndev} processes "
                         "(one device each, started by torchrun or mxtorch launch)")
    from torch.distributed.nn.functional import all_reduce
    dims = [0] + list(range(2, x.dim()))
    count = (x.numel() // max(x.shape[1], 1)) * ndev
    mean = all_reduce(x.sum(dims)) / count
    centred = x - _bn_channel(mean, x.dim())
    var = all_reduce((centred * centred).sum(dims)) / count
    return mean, var


def _bn_channel(vec: torch.Tensor, ndim: int) -> torch.Tensor:
    return vec.reshape([1, -1] + [1] * (ndim - 2))


@op("_contrib_SyncBatchNorm", inputs=("data", "gamma", "beta", "moving_mean", "moving_var"),
    aux=("moving_mean", "moving_var"),
    attrs={"eps": Float(1e-3), "momentum": Float(0.9), "fix_gamma": Bool(True),
           "use_global_stats": Bool(False), "output_mean_var": Bool(False), "ndev": Int(1),
           "key": Str()},
    num_outputs=lambda a: 3 if a["output_mean_var"] else 1,
    output_names=lambda a: ("output", "mean", "var") if a["output_mean_var"] else ("output",),
    input_init={"moving_mean": '["zero", {}]', "moving_var": '["one", {}]'},
    train_aware=True, learnable=("gamma", "beta"),
    hidden_outputs=lambda a: 0 if a["output_mean_var"] else 2, plot_color="normalization")
def sync_batch_norm(data, gamma, beta, moving_mean, moving_var, *, eps, momentum, fix_gamma,
                    use_global_stats, output_mean_var, ndev, key, is_train):
    """Batch normalization whose training statistics cover the batches of ``ndev`` devices: here
    the ``ndev`` processes of the torch.distributed group (``key`` names the layer in MXNet's
    in-process exchange and is not needed). With ``ndev=1`` it is BatchNorm over channel axis 1.
    As in MXNet 1.9.1, ``fix_gamma`` sets gamma to 1 in place (in inference too), the moving
    statistics take the batch's (biased variance) in the backward pass, and ``output_mean_var``
    returns the mean and the variance."""
    from .nn import _batch_stats, check_shape, no_gradient
    if data.dim() < 2:
        raise MXNetError(f"SyncBatchNorm: data must have a channel axis 1, got shape {tuple(data.shape)}")
    for name, vec in (("gamma", gamma), ("beta", beta), ("moving_mean", moving_mean),
                      ("moving_var", moving_var)):
        check_shape("SyncBatchNorm", name, vec, (data.shape[1],))
    if fix_gamma:
        with torch.no_grad():
            gamma.fill_(1)
    weight = no_gradient(torch.ones_like(gamma), gamma) if fix_gamma else gamma
    if is_train and not use_global_stats:
        if ndev > 1:
            mean, var = _synced_stats(data, ndev)
            scale = weight / torch.sqrt(var + eps)
            out = (data - _bn_channel(mean, data.dim())) * _bn_channel(scale, data.dim()) \
                + _bn_channel(beta, data.dim())
        else:
            out, mean, var = _batch_stats(data, weight, beta, eps)
        if torch.is_grad_enabled() and out.requires_grad:
            out = _MovingStatsInBackward.apply(out, mean, var, moving_mean, moving_var, momentum)
    else:
        mean, var = moving_mean, moving_var
        out = torch.batch_norm(data, weight, beta, moving_mean, moving_var, False, 0.0, eps,
                               torch.backends.cudnn.enabled)
    if not output_mean_var:
        return out
    return out, no_gradient(mean.clone(), data), no_gradient(var.clone(), data)


def _sync_batch_norm_shape(attrs, data, gamma=None, beta=None, moving_mean=None, moving_var=None):
    from .nn import assign_shape
    n_out = 3 if attrs["output_mean_var"] else 1
    params = [gamma, beta, moving_mean, moving_var]
    if data is None:
        return [data, *params], [None] * n_out
    if len(data) < 2:
        raise MXNetError(f"SyncBatchNorm: data must have a channel axis 1, got shape {tuple(data)}")
    c = (data[1],)
    names = ("gamma", "beta", "moving_mean", "moving_var")
    params = [assign_shape("SyncBatchNorm", name, s, c) for name, s in zip(names, params)]
    return [data, *params], [tuple(data), c, c][:n_out]


sync_batch_norm.shape(_sync_batch_norm_shape)


# -- BatchNormWithReLU -----------------------------------------------------------------------------
def _bn_relu_shape(attrs, *shapes):
    from .nn import batch_norm
    return batch_norm.shape_rule(attrs, *shapes)


@op("_contrib_BatchNormWithReLU", inputs=("data", "gamma", "beta", "moving_mean", "moving_var"),
    aux=("moving_mean", "moving_var"),
    attrs={"eps": Float(1e-3), "momentum": Float(0.9), "fix_gamma": Bool(True),
           "use_global_stats": Bool(False), "output_mean_var": Bool(False), "axis": Int(1),
           "cudnn_off": Bool(False), "min_calib_range": Float(None, optional=True),
           "max_calib_range": Float(None, optional=True)},
    num_outputs=lambda a: 3 if a["output_mean_var"] else 1,
    output_names=lambda a: ("output", "mean", "var") if a["output_mean_var"] else ("output",),
    input_init={"moving_mean": '["zero", {}]', "moving_var": '["one", {}]'},
    train_aware=True, learnable=("gamma", "beta"),
    hidden_outputs=lambda a: 1 if a["output_mean_var"] else 3,  # mean, var and the ReLU's mask
    plot_color="normalization")
def batch_norm_with_relu(data, gamma, beta, moving_mean, moving_var, *, is_train, **attrs):
    """``BatchNorm`` followed by ``relu`` on its output, one operator (MXNet's oneDNN fusion);
    attributes, statistics and extra outputs are BatchNorm's, except that ``fix_gamma`` sets
    gamma to 1 in place in inference as well."""
    from .nn import batch_norm
    if attrs["fix_gamma"]:  # this operator sets a fixed gamma to 1 in inference too (MXNet 1.9.1)
        with torch.no_grad():
            gamma.fill_(1)
    result = batch_norm.impl(data, gamma, beta, moving_mean, moving_var, is_train=is_train, **attrs)
    if isinstance(result, tuple):
        return (torch.relu(result[0]),) + tuple(result[1:])
    return torch.relu(result)


batch_norm_with_relu.shape(_bn_relu_shape)
