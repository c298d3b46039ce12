"""Operator samples: each operator described once with sample inputs (PyTorch's OpInfo idea).

Pure Python + numpy on purpose: the reference venv imports these same files to produce the goldens
(``tests/conformance/gen_op_goldens.py``), and the conformance walk (``tests/ops/test_op_table.py``)
imports them to check mxtorch against those goldens, against its shape rules and against finite
differences. A new operator gets every check by adding a ``Sample`` to one of the ``samples_*.py``
lists that ``all_samples`` gathers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np


@dataclass
class Sample:
    """One call of an operator: ``nd.<op>(**inputs, **attrs)``.

    inputs: input name -> shape (random normal float32 data), or a numpy array (used as given).
    Positional-only variadic operators (concat, stack...) use names ``arg0``, ``arg1``...
    grad: names of inputs whose gradients are compared (default: every float input given by shape).
    is_train: run in training mode (Dropout, BatchNorm).
    fd: also check gradients against finite differences (float64); False for ops whose gradient
        is not the derivative of the output (SoftmaxOutput...) or is discontinuous at the samples.
    random: the outputs are random draws: only their shapes and dtypes are compared with MXNet's,
        and no gradient is taken (the values are checked by the distribution tests).
    out: names of inputs passed as ``out=`` (one name: that array; several: a list), as MXNet's
        optimizers call the update operators with ``out=weight``.
    """

    op: str
    inputs: dict
    attrs: dict = field(default_factory=dict)
    id: str = ""
    grad: Optional[tuple] = None
    is_train: bool = False
    fd: bool = True
    rtol: float = 1e-5
    atol: float = 1e-5
    positive: bool = False  # draw positive data (log, sqrt...)
    random: bool = False
    out: tuple = ()

    def __post_init__(self) -> None:
        if not self.id:
            self.id = self.op

    def make_inputs(self, seed: int = 0) -> dict:
        """Deterministic inputs: the same arrays in the reference venv and in the test suite."""
        rng = np.random.RandomState(seed + sum(ord(c) for c in self.id))
        arrays = {}
        for name, spec in self.inputs.items():
            if isinstance(spec, np.ndarray):
                arrays[name] = spec
            else:
                values = rng.standard_normal(spec).astype(np.float32)
                arrays[name] = np.abs(values) + 0.5 if self.positive else values
        return arrays

    def grad_inputs(self) -> tuple:
        if self.grad is not None:
            return self.grad
        if self.random:
            return ()
        return tuple(n for n, s in self.inputs.items()
                     if not isinstance(s, np.ndarray) or s.dtype.kind == "f")

    def call_kwargs(self, arrays: dict, wrap: Any) -> tuple:
        """(positional args, keyword args) for ``nd.<op>``; variadic inputs go positionally."""
        wrapped = {n: wrap(a) for n, a in arrays.items()}
        positional = [wrapped[n] for n in arrays if n.startswith("arg")]
        keyword = {n: a for n, a in wrapped.items() if not n.startswith("arg")}
        keyword.update(self.attrs)
        if self.out:
            outs = [wrapped[n] for n in self.out]
            keyword["out"] = outs[0] if len(outs) == 1 else outs
        return positional, keyword


def all_samples() -> list:
    """Every sample of every family, each id once."""
    try:
        from . import samples_contrib, samples_image, samples_nn, samples_random, samples_tensor
        from . import samples_linalg, samples_spatial
    except ImportError:  # imported as a top-level module by the reference generator
        import samples_contrib
        import samples_image
        import samples_nn
        import samples_random
        import samples_tensor
        import samples_linalg
        import samples_spatial

    found = samples_nn.SAMPLES + samples_tensor.SAMPLES + samples_image.SAMPLES + samples_random.SAMPLES
    found += samples_contrib.SAMPLES
    found += samples_linalg.SAMPLES + samples_spatial.SAMPLES
    try:
        from . import samples_rnn
    except ImportError:  # imported as a top-level module by the reference generator
        import samples_rnn
    found += samples_rnn.SAMPLES
    try:
        from . import samples_nn_extra, samples_optimizer
    except ImportError:  # imported as a top-level module by the reference generator
        import samples_nn_extra
        import samples_optimizer
    found += samples_optimizer.SAMPLES + samples_nn_extra.SAMPLES
    ids = [s.id for s in found]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"duplicate sample ids: {sorted(duplicates)}")
    return found
