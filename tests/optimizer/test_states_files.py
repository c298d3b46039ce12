"""Optimizer-state files between MXNet 1.9.1 and mxtorch (goldens from tests/conformance/gen_states.py).

``mx_<id>.states`` were written by MXNet; ``mxt_<id>.states`` by mxtorch and read by MXNet. For each,
``<stem>.npz`` records what MXNet holds after reading the file and the weights after one more step:
mxtorch, reading the same file, must hold the same and step the same.
"""
import json
import pickletools

import numpy as np
import pytest

import mxtorch as mx
from tests.conformance import gen_states
from tests.conformance.conftest import GOLDEN

STATES = GOLDEN / "states"
FILES = [(prefix, case) for case in gen_states.CASES for prefix in ("mx", "mxt")]


@pytest.mark.parametrize("prefix, case", FILES, ids=[f"{p}_{c.id}" for p, c in FILES])
def test_mxtorch_reads_what_mxnet_reads(prefix: str, case: gen_states.Case) -> None:
    expected = dict(np.load(STATES / f"{prefix}_{case.id}.npz"))
    got = gen_states.read_and_step(mx, case, (STATES / f"{prefix}_{case.id}.states").read_bytes())
    assert sorted(got) == sorted(expected)
    assert str(got["class"]) == str(expected["class"])
    got_opt, expected_opt = (json.loads(str(d["optimizer"])) for d in (got, expected))
    if case.dump_optimizer:  # the optimizer comes from the file: attribute for attribute
        assert got_opt == expected_opt
    else:  # each side's own fresh optimizer; mxtorch aggregates all weights by default
        common = (set(got_opt) & set(expected_opt)) - {"aggregate_num"}
        assert {k: got_opt[k] for k in common} == {k: expected_opt[k] for k in common}
    tol = dict(rtol=1e-3, atol=1e-3) if case.dtype == "float16" else dict(rtol=1e-5, atol=1e-6)
    for key in sorted(expected):
        if key.startswith("state_"):  # read from the same bytes: identical
            np.testing.assert_array_equal(got[key], expected[key], err_msg=key)
        elif key.startswith("weight_"):
            np.testing.assert_allclose(got[key], expected[key], err_msg=key, **tol)


def _structure(blob: bytes) -> list:
    """The opcodes of a pickle and the globals it names, without the values."""
    ops, strings = [], []
    for op, arg, _ in pickletools.genops(blob):
        if op.name in ("SHORT_BINUNICODE", "BINUNICODE"):
            strings.append(arg)
        if op.name == "STACK_GLOBAL":
            ops.append(".".join(strings[-2:]))
        elif op.name not in ("BININT1", "BININT", "BININT2"):  # small counts may change width
            ops.append(op.name)
    return ops


@pytest.mark.parametrize("case", gen_states.CASES, ids=[c.id for c in gen_states.CASES])
def test_mxtorch_still_writes_what_mxnet_was_shown_to_read(tmp_path, case) -> None:
    """Today's writer gives files of the same structure and globals as the mxtorch-written goldens
    MXNet 1.9.1 read (gen_states.py --part reverse)."""
    fname = tmp_path / "now.states"
    gen_states._train_and_save(mx, case, fname)
    blob = fname.read_bytes()
    assert b"mxtorch" not in blob
    assert _structure(blob) == _structure((STATES / f"mxt_{case.id}.states").read_bytes())


def test_written_globals_are_mxnet_names() -> None:
    names = set()
    for case in gen_states.CASES:
        names |= {op for op in _structure((STATES / f"mxt_{case.id}.states").read_bytes())
                  if "." in op}
    assert names == {"mxnet.ndarray.ndarray.NDArray", "builtins.bytearray",
                     "mxnet.optimizer.optimizer.SGD", "mxnet.optimizer.optimizer.Adam",
                     "mxnet.optimizer.optimizer.NAG", "mxnet.optimizer.optimizer.RMSProp",
                     "mxnet.lr_scheduler.FactorScheduler", "mxnet.lr_scheduler.PolyScheduler",
                     "mxnet.lr_scheduler.MultiFactorScheduler",
                     "mxnet.lr_scheduler.CosineScheduler"}
