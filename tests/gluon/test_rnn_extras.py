"""gluon.contrib.rnn.rnn_cell.dynamic_unroll and nd.RNN's positional inputs against MXNet 1.9.1
(goldens from tests/conformance/gen_rnn_extras.py, whose cases this file replays): eagerly with
gradients, and dynamic_unroll inside a hybridized block, where it is one _foreach node that also
survives export and import."""
from __future__ import annotations

import json

import numpy as np
import pytest

import mxtorch as mx
from mxtorch import gluon, nd
from tests.conformance import gen_rnn_extras as gen
from tests.conformance.conftest import GOLDEN

G = np.load(GOLDEN / "rnn_extras.npz")


def _values(case: str) -> dict:
    prefix = f"{case}:"
    return {k[len(prefix):]: G[k] for k in G.files if k.startswith(prefix)}


def _close(got, case: str, key: str) -> None:
    np.testing.assert_allclose(got, G[f"{case}:{key}"], rtol=1e-5, atol=1e-6, err_msg=f"{case} {key}")


@pytest.mark.parametrize("case", list(gen.UNROLL_CASES))
def test_dynamic_unroll_matches_mxnet_with_gradients(case):
    result = gen.record(mx, case, _values(case))
    for key, value in result.items():
        _close(value, case, key)


class _Unrolled(gluon.HybridBlock):
    """dynamic_unroll of a cell inside hybrid_forward (the cell is a child block)."""

    def __init__(self, case: str, values: dict, **kwargs):
        super().__init__(**kwargs)
        self._case = case
        with self.name_scope():
            self.cell = gen.make_cell(mx, case, values)

    def hybrid_forward(self, F, data, *rest):
        layout = gen.UNROLL_CASES[self._case][1]
        if gen.UNROLL_CASES[self._case][2] is None:
            states, lengths = list(rest), None
        else:
            states, lengths = list(rest[:-1]), rest[-1]
        out, final = gluon.contrib.rnn.rnn_cell.dynamic_unroll(self.cell, data, states, layout=layout,
                                                               valid_length=lengths)
        return [out] + list(final)


@pytest.mark.parametrize("case", list(gen.UNROLL_CASES))
def test_dynamic_unroll_in_a_hybridized_block_is_one_foreach_node(case, tmp_path):
    values = _values(case)
    net = _Unrolled(case, values, prefix="net_")
    net.hybridize()
    data, states, lengths = gen.arrays(nd, values)
    inputs = [data] + states + ([] if lengths is None else [lengths])
    outs = net(*inputs)
    _close(outs[0].asnumpy(), case, "out")
    for k, final in enumerate(outs[1:]):
        _close(final.asnumpy(), case, f"final{k}")
    net.export(str(tmp_path / "unrolled"))
    symbol = mx.sym.load(str(tmp_path / "unrolled-symbol.json"))
    assert [n["op"] for n in json.loads(symbol.tojson())["nodes"]].count("_foreach") == 1
    names = [f"data{i}" for i in range(len(inputs))]
    again = gluon.SymbolBlock.imports(str(tmp_path / "unrolled-symbol.json"), names,
                                      str(tmp_path / "unrolled-0000.params"))
    _close(again(*inputs)[0].asnumpy(), case, "out")


def test_nd_rnn_takes_inputs_and_attributes_by_position():
    values = _values("positional")
    for j, out in enumerate(gen.positional_rnn(mx, values)):
        _close(out, "positional", f"out{j}")
