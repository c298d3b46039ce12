"""Nested lists of arrays or symbols, flattened and rebuilt: what control flow (``foreach``,
``while_loop``, ``cond``) does with its loop states and outputs, in nd and in sym alike."""
from __future__ import annotations

from typing import Any

from .base import MXNetError


def flatten(value: Any, leaf: type, what: str, noun: str) -> tuple:
    """``(list of leaves, format)``: the format is 0 for a bare leaf, else a nested list of the
    formats of the items, so that :func:`regroup` can rebuild the nesting. ``noun`` names a leaf
    in the error (``'an NDArray'``)."""
    if isinstance(value, leaf):
        return [value], 0
    if not isinstance(value, (list, tuple)):
        raise MXNetError(f"{what} must be {noun} or a (nested) list of {leaf.__name__}s, got "
                         f"{type(value).__name__}")
    flat: list = []
    formats = []
    for item in value:
        items, fmt = flatten(item, leaf, what, noun)
        flat.extend(items)
        formats.append(fmt)
    return flat, formats


def regroup(flat: list, fmt: Any) -> tuple:
    """The nesting ``fmt`` (from :func:`flatten`) rebuilt from ``flat``; returns it and what is left."""
    if fmt == 0:
        return flat[0], flat[1:]
    out = []
    for item in fmt:
        value, flat = regroup(flat, item)
        out.append(value)
    return out, flat
