"""Trace MNIST digits into pen strokes, so a test can draw them on the page as a person would.

The digit is enlarged, thresholded and thinned to a one-pixel skeleton (Zhang-Suen); the skeleton
is walked into polylines, continuing straight through junctions where it can. Scaling the polylines
and drawing them with the page's pen gives a drawing of that digit at any size and position.
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


def _walk(skeleton: set, start: tuple, first: tuple, used: set) -> list[tuple]:
    """Follow unused edges from ``start`` via ``first``, preferring the straightest continuation."""
    path = [start, first]
    used.add(frozenset((start, first)))
    while True:
        here, prev = path[-1], path[-2]
        heading = np.subtract(here, prev)
        options = [(here[0] + dy, here[1] + dx) for dy, dx in _NEIGHBOURS]
        options = [q for q in options if q in skeleton and frozenset((here, q)) not in used]
        if not options:
            return path
        nxt = max(options, key=lambda q: float(np.dot(heading, np.subtract(q, here)))
                  / float(np.linalg.norm(np.subtract(q, here))))
        used.add(frozenset((here, nxt)))
        path.append(nxt)


def skeleton_strokes(skeleton: np.ndarray) -> list[list[tuple]]:
    """Polylines (lists of (row, col)) covering every pixel of a skeleton, endpoints first."""
    pixels = set(zip(*np.nonzero(skeleton)))

    def degree(p: tuple) -> int:
        return sum((p[0] + dy, p[1] + dx) in pixels for dy, dx in _NEIGHBOURS)

    used: set = set()
    covered: set = set()
    strokes = []
    for start in sorted(pixels, key=lambda p: (degree(p) != 1, p)):
        if degree(start) == 0:
            strokes.append([start])
            covered.add(start)
        for dy, dx in _NEIGHBOURS:
            first = (start[0] + dy, start[1] + dx)
            if first in pixels and frozenset((start, first)) not in used:
                path = _walk(pixels, start, first, used)
                # 8-connected skeletons have tiny triangles; a short path over drawn pixels adds nothing.
                if len(path) > 3 or not covered.issuperset(path):
                    strokes.append(path)
                    covered.update(path)
    return strokes


def digit_strokes(image: np.ndarray) -> list[np.ndarray]:
    """Strokes tracing a 28x28 MNIST digit, as arrays of (x, y) in the 28x28 field's units."""
    from PIL import Image

    big = Image.fromarray(image).resize((28 * UPSCALE, 28 * UPSCALE), Image.Resampling.BILINEAR)
    skeleton = thin(np.asarray(big) > 100)
    strokes = []
    for path in skeleton_strokes(skeleton):
        points = np.array(path, dtype=np.float64)[:, ::-1]  # (row, col) -> (x, y)
        points = (points + 0.5) / UPSCALE
        if len(points) > 2:  # every other sample: a person's pointer reports far fewer points
            points = np.concatenate([points[:-1:2], points[-1:]])
        strokes.append(points)
    return strokes
