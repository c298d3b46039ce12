"""autograd.get_symbol: the recorded computation as a Symbol, as MXNet 1.9.1 builds it
(golden: tests/conformance/gen_get_symbol.py runs the PROGRAMS below in the reference venv)."""
import json

import numpy as np
import pytest

from tests.conformance.get_symbol_programs import PROGRAMS


def _structure(graph: dict) -> dict:
    """The graph with its names' numbers left out: MXNet numbers variables and operator nodes with
    counters shared by the whole process (the second graph recorded starts at var2, node_5), where
    mxtorch numbers each graph from 0 (compared in test_names_count_within_the_graph)."""
    nodes = [(n["op"], n["name"].rstrip("0123456789"), n.get("attrs", {}), n["inputs"])
             for n in graph["nodes"]]
    return {"nodes": nodes, "arg_nodes": graph["arg_nodes"], "heads": graph["heads"]}


@pytest.mark.parametrize("case", sorted(PROGRAMS))
def test_graph_is_mxnets(case):
    import mxtorch as mx
    from tests.conformance.conftest import GOLDEN

    golden = json.loads((GOLDEN / "get_symbol.json").read_text())[case]
    got = json.loads(mx.autograd.get_symbol(PROGRAMS[case](mx.nd, mx.autograd)).tojson())
    assert _structure(got) == _structure(golden)


@pytest.mark.parametrize("case", sorted(PROGRAMS))
def test_graph_computes_the_recorded_value(case):
    import mxtorch as mx

    out = PROGRAMS[case](mx.nd, mx.autograd)
    symbol = mx.autograd.get_symbol(out)
    # the leaves of each program, in the graph's argument order, rebuilt from the program
    leaves = {"dense_relu": [mx.nd.ones((2, 3)), mx.nd.ones((4, 3))],
              "split_concat": [mx.nd.arange(12).reshape((2, 6))],
              "shared_input": [mx.nd.array([[1.0, -2.0], [3.0, 4.0]])]}[case]
    args = dict(zip(symbol.list_arguments(), leaves))
    result = symbol.bind(mx.cpu(), args).forward()[0]
    np.testing.assert_allclose(result.asnumpy(), out.asnumpy(), rtol=1e-6)


def test_an_array_not_recorded_is_refused():
    import mxtorch as mx

    with pytest.raises(mx.MXNetError, match="not part of a recorded computation"):
        mx.autograd.get_symbol(mx.nd.ones((2,)))


def test_names_count_within_the_graph():
    import mxtorch as mx

    from tests.conformance.conftest import GOLDEN

    golden = json.loads((GOLDEN / "get_symbol.json").read_text())["dense_relu"]  # MXNet's first
    got = json.loads(mx.autograd.get_symbol(PROGRAMS["dense_relu"](mx.nd, mx.autograd)).tojson())
    assert [n["name"] for n in got["nodes"]] == [n["name"] for n in golden["nodes"]]
