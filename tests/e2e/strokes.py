"""Trace MNIST digits into pen strokes, so a test can draw them on the page as a person would.

The digit is enlarged, thresholded and thinned to a one-pixel skeleton (Zhang-Suen); the skeleton
is walked into polylines, continuing straight through junctions where it can. Scaling the polylines
(:func:`resample` them to pointer-like spacing) and drawing them with the page's pen gives a
drawing of that digit at any size and position.
"""
from __future__ import annotations

import numpy as np

UPSCALE = 4  # thin at 112x112: smoother skeletons than at 28x28
_NEIGHBOURS = [(-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1)]


def thin(mask: np.ndarray) -> np.ndarray:
    """Zhang-Suen thinning of a boolean image to a one-pixel-wide skeleton."""
    img = mask.astype(np.uint8)
    while True:
        changed = False
        for step in (0, 1):
            p = np.pad(img, 1)
            p2, p3, p4, p5 = p[:-2, 1:-1], p[:-2, 2:], p[1:-1, 2:], p[2:, 2:]
            p6, p7, p8, p9 = p[2:, 1:-1], p[2:, :-2], p[1:-1, :-2], p[:-2, :-2]
            ring = [p2, p3, p4, p5, p6, p7, p8, p9, p2]
            count = sum(ring[:8])
            transitions = sum((ring[i] == 0) & (ring[i + 1] == 1) for i in range(8))
            if step == 0:
                keep_shape = (p2 * p4 * p6 == 0) & (p4 * p6 * p8 == 0)
            else:
                keep_shape = (p2 * p4 * p8 == 0) & (p2 * p6 * p8 == 0)
            remove = (img == 1) & (count >= 2) & (count <= 6) & (transitions == 1) & keep_shape
            if remove.any():
                img[remove] = 0
                changed = True
        if not changed:
            return img.astype(bool)


def _neighbours(pixels: set, p: tuple) -> list[tuple]:
    return [(p[0] + dy, p[1] + dx) for dy, dx in _NEIGHBOURS if (p[0] + dy, p[1] + dx) in pixels]


def _walk(pixels: set, path: list[tuple], visited: set) -> list[tuple]:
    """Extend ``path`` over unvisited pixels, taking the straightest continuation at each step."""
    while True:
        here = path[-1]
        options = [q for q in _neighbours(pixels, here) if q not in visited]
        if not options:
            return path
        if len(path) > 1:
            heading = np.subtract(here, path[-2])
            nxt = max(options, key=lambda q: float(np.dot(heading, np.subtract(q, here)))
                      / float(np.linalg.norm(np.subtract(q, here))))
        else:  # first step: prefer edge-sharing neighbours, which keep to the stroke's middle
            nxt = min(options, key=lambda q: abs(q[0] - here[0]) + abs(q[1] - here[1]))
        visited.add(nxt)
        path.append(nxt)


def skeleton_strokes(skeleton: np.ndarray, min_pixels: int = 4) -> list[list[tuple]]:
    """Polylines (lists of (row, col)) covering a skeleton: from its endpoints first, then the
    branches and loops left over; spurs shorter than ``min_pixels`` are dropped (the pen covers them)."""
    pixels = set(zip(*np.nonzero(skeleton)))
    visited: set = set()
    strokes = []
    for start in sorted(pixels, key=lambda p: (len(_neighbours(pixels, p)) != 1, p)):
        if start in visited:
            continue
        visited.add(start)
        # A branch starting next to a stroke already drawn starts on that stroke, leaving no gap.
        joined = [q for q in _neighbours(pixels, start) if q in visited and q != start]
        path = _walk(pixels, joined[:1] + [start], visited)
        if len(path) >= min_pixels or len(pixels) < min_pixels:
            strokes.append(path)
    return strokes


def digit_strokes(image: np.ndarray) -> list[np.ndarray]:
    """Strokes tracing a 28x28 MNIST digit, as arrays of (x, y) in the 28x28 field's units."""
    from PIL import Image

    big = Image.fromarray(image).resize((28 * UPSCALE, 28 * UPSCALE), Image.Resampling.BILINEAR)
    skeleton = thin(np.asarray(big) > 100)
    strokes = []
    for path in skeleton_strokes(skeleton):
        points = np.array(path, dtype=np.float64)[:, ::-1]  # (row, col) -> (x, y)
        strokes.append((points + 0.5) / UPSCALE)
    return strokes


def resample(points: np.ndarray, spacing: float) -> np.ndarray:
    """Points along a polyline about ``spacing`` apart (as a moving pointer reports them), ends kept."""
    if len(points) < 3:
        return points
    steps = np.linalg.norm(np.diff(points, axis=0), axis=1)
    distance = np.concatenate([[0.0], np.cumsum(steps)])
    count = max(2, int(round(distance[-1] / spacing)) + 1)
    targets = np.linspace(0.0, distance[-1], count)
    return np.stack([np.interp(targets, distance, points[:, k]) for k in range(2)], axis=1)
