"""Random number interface of MXNet: ``mx.random.seed`` and the samplers of ``mx.nd.random``."""
from __future__ import annotations

from typing import Any

import torch

from .base import integer_types
from .context import Context
from .ndarray.random import *  # noqa: F401,F403
from .ndarray.random import __all__ as _samplers

__all__ = ["seed"] + list(_samplers)


def seed(seed_state: int, ctx: Any = "all") -> None:
    """Seed the random generators that mxtorch's samplers, dropout and initializers draw from.

    Parameters
    ----------
    seed_state : int
        The seed.
    ctx : Context or str, default 'all'
        The device whose generator is seeded; ``'all'`` seeds the CPU generator and those
        of every GPU.

    Raises
    ------
    ValueError
        When ``seed_state`` is not an int.

    Notes
    -----
    The generators are torch's: seeding them makes sampling reproducible, but the numbers
    differ from those MXNet drew for the same seed.

    Examples
    --------
    >>> mx.random.seed(128)
    >>> a = mx.nd.random.normal(shape=(2,2)).asnumpy()
    >>> mx.random.seed(128)
    >>> b = mx.nd.random.normal(shape=(2,2)).asnumpy()
    >>> bool((a == b).all())
    True
    """
    if not isinstance(seed_state, integer_types) or isinstance(seed_state, bool):
        raise ValueError("seed_state must be int")
    seed_state = int(seed_state)
    if ctx == "all":
        torch.manual_seed(seed_state)  # the CPU generator and every CUDA device's
        return
    ctx = Context(ctx)
    if ctx.device_type == "gpu":
        with torch.cuda.device(ctx.torch_device):
            torch.cuda.manual_seed(seed_state)
    else:
        torch.default_generator.manual_seed(seed_state)
